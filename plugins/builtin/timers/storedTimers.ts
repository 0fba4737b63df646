import { MAX_TIMER_S } from './duration.js';
import type { StoredTimer } from './timerBook.js';

export interface TimerDoc {
  nextId: number;
  timers: StoredTimer[];
}

/** Longest name kept from a stored timer (names come from speech: a few words). */
const MAX_NAME_LENGTH = 100;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optionalString = (v: unknown, max: number): boolean => v === undefined || (typeof v === 'string' && v.length <= max);

/**
 * Checks the stored document entry by entry: the file may be from an older version, edited by hand, or
 * damaged into other valid JSON. A timer that does not fit is dropped and named in `dropped`; the good ones
 * are kept; a document of the wrong shape altogether starts empty. `nextId` is made to lie above every kept id.
 */
export function checkTimerDoc(data: unknown): { doc: TimerDoc; dropped: string[]; reshaped: boolean } {
  const dropped: string[] = [];
  const reshaped = !isObject(data) || !Array.isArray(data.timers);
  const entries: unknown[] = !reshaped ? (data as { timers: unknown[] }).timers : [];
  const seen = new Set<number>();
  const timers: StoredTimer[] = [];
  entries.forEach((entry, index) => {
    const problem = timerProblem(entry);
    const id = isObject(entry) ? entry.id : undefined;
    if (problem === null && seen.has(id as number)) dropped.push(`timers[${index}]: duplicate id ${String(id)}`);
    else if (problem !== null) dropped.push(`timers[${index}]: ${problem}`);
    else {
      seen.add(id as number);
      timers.push(entry as unknown as StoredTimer);
    }
  });
  const storedNext = isObject(data) && Number.isSafeInteger(data.nextId) ? (data.nextId as number) : 1;
  const nextId = Math.max(storedNext, ...timers.map((t) => t.id + 1), 1);
  return { doc: { nextId, timers }, dropped, reshaped };
}

function timerProblem(t: unknown): string | null {
  if (!isObject(t)) return 'not an object';
  if (!Number.isSafeInteger(t.id) || (t.id as number) < 1) return 'id is not a positive integer';
  if (typeof t.durationS !== 'number' || !(t.durationS >= 1 && t.durationS <= MAX_TIMER_S)) return 'durationS is not a length in range';
  if (typeof t.endsAt !== 'number' || !Number.isFinite(t.endsAt)) return 'endsAt is not a time';
  if (t.pausedLeftMs !== undefined && (typeof t.pausedLeftMs !== 'number' || !(t.pausedLeftMs >= 0 && t.pausedLeftMs <= MAX_TIMER_S * 1000))) {
    return 'pausedLeftMs is not a length in range';
  }
  if (t.lang !== 'en' && t.lang !== 'zh') return 'lang is neither en nor zh';
  if (!optionalString(t.name, MAX_NAME_LENGTH)) return 'name is not a short string';
  if (!isObject(t.target) || !optionalString(t.target.sessionId, 200) || !optionalString(t.target.clientId, 200)) return 'target is not a speak target';
  return null;
}
