/**
 * What each slot list can read at a token position: device names and areas from the live lists, the
 * fixed word lists, numbers with their units, and wildcards (`{dish}`, `{timer_name}`: any few tokens).
 * Readings are remembered per utterance, so the templates that try the same slot at the same place share
 * one lookup.
 */
import { isHan, joinTokens } from './normalize.js';
import { extremeAt, mayStartNumber, parseDurationAt, parseNumberAt, parsePercentAt, parseTemperatureAt } from './numbers.js';
import { DeviceLists, staticLists, type Reading } from './lists.js';

const PERCENT_LISTS = new Set(['brightness', 'position', 'percentage', 'percent', 'pct', 'humidity']);
/**
 * Lists read as numbers: `{brightness}` 0–100 %, `{temperature}`, `{duration}` (seconds), `{number}`; and
 * `{setting}`, a device's lowest or highest setting ("the minimum", 最高档: 'min' or 'max').
 */
export const NUMBER_LISTS: ReadonlySet<string> = new Set([...PERCENT_LISTS, 'temperature', 'degrees', 'duration', 'number', 'setting']);
/** Lists whose value must carry a unit word: `{pct:x}` (40%), `{degrees:x}` (22 degrees). */
const UNIT_REQUIRED = new Set(['pct', 'degrees']);
/** Words a wildcard never runs across: "turn on the lamp and the fan" is not a device called "lamp and fan". */
const WILDCARD_STOP = new Set([
  'and', 'then', 'timer', 'timers', 'to', 'everything', 'all', 'fully', 'completely', '和', '跟', '与', '还', '再',
]);

export class SlotReader {
  lists: DeviceLists = DeviceLists.build({ devices: [] });
  /** The second pass: `{name}` takes any few tokens, to answer "I don't know a device called X". */
  unknownNames = false;
  /**
   * Readings per list and token position, of the current pass only (`pass`): a list's entry is emptied when
   * it is next read in a later pass. Clearing the map at every pass (several per utterance) made it allocate
   * its table and every list's array again: 4 % of a match's CPU (profile of the intents bench).
   */
  private readonly memo = new Map<string, { pass: number; byPos: (Reading[] | undefined)[] }>();
  private pass = 0;

  /** Forgets the readings of the previous utterance (or pass). */
  reset(unknownNames: boolean): void {
    this.unknownNames = unknownNames;
    this.pass++;
  }

  /** Whether a template starting with this list could match these tokens (the template index asks). */
  canStart(list: string, tokens: readonly string[]): boolean {
    const t = tokens[0];
    if (list === 'name') return this.unknownNames || this.lists.names.canStart(t);
    if (list === 'area') return this.lists.areas.canStart(t);
    if (list === 'floor') return this.lists.floors.canStart(t);
    if (list === 'device_mode') return this.lists.modes.canStart(t);
    const fixed = staticLists.get(list);
    if (fixed) return fixed.canStart(t);
    if (NUMBER_LISTS.has(list)) return mayStartNumber(t) && this.read(list, tokens, 0).length > 0;
    return true; // wildcard
  }

  /** Readings of `list` at token `i`, longest first (wildcards shortest first). */
  readonly read = (list: string, tokens: readonly string[], i: number): Reading[] => {
    let entry = this.memo.get(list);
    if (!entry) {
      entry = { pass: this.pass, byPos: [] };
      this.memo.set(list, entry);
    } else if (entry.pass !== this.pass) {
      entry.pass = this.pass;
      entry.byPos.length = 0;
    }
    return (entry.byPos[i] ??= this.readFresh(list, tokens, i));
  };

  private readFresh(list: string, tokens: readonly string[], i: number): Reading[] {
    const out: Reading[] = [];
    if (list === 'name') {
      // An unknown name never opens the sentence: "turn on" is not a device called "turn".
      if (this.unknownNames) { if (i > 0) wildcard(tokens, i, out); }
      else this.lists.names.readAt(tokens, i, out);
    } else if (list === 'area') {
      this.lists.areas.readAt(tokens, i, out);
    } else if (list === 'floor') {
      this.lists.floors.readAt(tokens, i, out);
    } else if (list === 'device_mode') {
      // The modes the home's devices announce (deviceModes.ts): a word list built from the devices, not a wildcard.
      this.lists.modes.readAt(tokens, i, out);
    } else if (staticLists.has(list)) {
      staticLists.get(list)!.readAt(tokens, i, out);
    } else if (PERCENT_LISTS.has(list)) {
      // "Lowest"/"highest" carry which they were: the kind, not the number, decides what that means.
      for (const r of parsePercentAt(tokens, i)) if (r.unit || !UNIT_REQUIRED.has(list)) out.push({ end: r.end, value: r.extreme ? { value: r.value, extreme: r.extreme } : r.value });
    } else if (list === 'temperature' || list === 'degrees') {
      for (const r of parseTemperatureAt(tokens, i)) if (r.unit || list === 'temperature') out.push({ end: r.end, value: r });
    } else if (list === 'duration') {
      for (const r of parseDurationAt(tokens, i)) out.push({ end: r.end, value: r.value });
    } else if (list === 'setting') {
      const x = extremeAt(tokens, i);
      if (x) for (const end of x.ends) out.push({ end, value: x.extreme });
    } else if (list === 'number') {
      for (const r of parseNumberAt(tokens, i)) out.push({ end: r.end, value: r.value });
    } else {
      wildcard(tokens, i, out);
    }
    return out;
  }
}

/** Any few tokens, shortest first (hassil's wildcard is lazy too). */
function wildcard(tokens: readonly string[], i: number, out: Reading[]): void {
  const max = isHan(tokens[i]) ? 10 : 5;
  for (let j = i; j < tokens.length && j - i < max; j++) {
    if (WILDCARD_STOP.has(tokens[j])) break;
    out.push({ end: j + 1, value: joinTokens(tokens, i, j + 1) });
  }
}
