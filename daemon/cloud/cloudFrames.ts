import type { ErrorCode } from '../core/errors.js';

/**
 * The frames of the sync link (PROTOCOL §6), and the one decoder for what the cloud sends. Everything from
 * the cloud is hostile until checked here: types, lengths and counts are bounded before anything acts on it.
 */

/** The largest frame the hub reads from the cloud; a bigger one closes the link (ws answers 1009). */
export const MAX_CLOUD_FRAME_BYTES = 256 * 1024;
const MAX_ID = 128;
const MAX_NAME = 256;
const MAX_PARAMS = 16;
const MAX_PARAM_TEXT = 256;
const MAX_TEXT = 2000;

export type CloudParams = Record<string, number | string | boolean>;

export type CloudFrame =
  | { readonly type: 'ack'; readonly seq: number }
  | { readonly type: 'command'; readonly id: string; readonly device: string; readonly command: string; readonly params: CloudParams; readonly traceId?: string }
  | { readonly type: 'utterance'; readonly id: string; readonly text: string; readonly lang?: string; readonly area?: string; readonly traceId?: string };

/** A frame that cannot be acted on: why, and the id to answer when the frame had a usable one. */
export interface FrameProblem {
  readonly code: Extract<ErrorCode, 'CLOUD_FRAME_INVALID'>;
  readonly message: string;
  /** For a command or utterance whose id could be read: the result frame's type and id, to answer `ok: false`. */
  readonly answer?: { readonly type: 'command.result' | 'utterance.result'; readonly id: string };
}

export type Decoded = { ok: true; frame: CloudFrame } | { ok: false; problem: FrameProblem };

const TRACE_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

export function decodeCloudFrame(text: string): Decoded {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return bad('not JSON');
  }
  if (!isPlainObject(raw)) return bad('not a JSON object');
  switch (raw.type) {
    case 'ack':
      if (!Number.isSafeInteger(raw.seq) || (raw.seq as number) < 0) return bad('ack needs a whole, non-negative seq');
      return { ok: true, frame: { type: 'ack', seq: raw.seq as number } };
    case 'command':
      return decodeCommand(raw);
    case 'utterance':
      return decodeUtterance(raw);
    default:
      // Only a string is printed: String() on hostile JSON ([{"toString": 0}]) throws, and this once stopped the hub.
      return bad(`unknown frame type ${typeof raw.type === 'string' ? JSON.stringify(raw.type.slice(0, 40)) : `of JSON type ${Array.isArray(raw.type) ? 'array' : raw.type === null ? 'null' : typeof raw.type}`}`);
  }
}

function decodeCommand(raw: Record<string, unknown>): Decoded {
  const id = readId(raw.id);
  if (id === null) return bad('command needs an id (1–128 characters)');
  const answer = { type: 'command.result', id } as const;
  if (!isName(raw.device)) return bad('command needs a device id (1–256 characters)', answer);
  if (!isName(raw.command) || (raw.command as string).length > 64) return bad('command needs a command name', answer);
  let params: CloudParams = {};
  if (raw.params !== undefined && raw.params !== null) {
    if (!isPlainObject(raw.params)) return bad('params must be an object', answer);
    const keys = Object.keys(raw.params);
    if (keys.length > MAX_PARAMS) return bad(`params has more than ${MAX_PARAMS} keys`, answer);
    params = Object.create(null) as CloudParams;
    for (const key of keys) {
      const value = raw.params[key];
      const fits = (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean' || (typeof value === 'string' && value.length <= MAX_PARAM_TEXT);
      if (!fits || key.length > 64) return bad(`params.${key.slice(0, 64)} must be a finite number, a boolean or a short text`, answer);
      params[key] = value as number | string | boolean;
    }
  }
  return { ok: true, frame: { type: 'command', id, device: raw.device as string, command: raw.command as string, params, ...traceOf(raw) } };
}

function decodeUtterance(raw: Record<string, unknown>): Decoded {
  const id = readId(raw.id);
  if (id === null) return bad('utterance needs an id (1–128 characters)');
  const answer = { type: 'utterance.result', id } as const;
  if (typeof raw.text !== 'string' || raw.text.length === 0 || raw.text.length > MAX_TEXT) return bad('utterance needs a text', answer);
  if (raw.lang !== undefined && (typeof raw.lang !== 'string' || !/^[a-zA-Z]{2,3}([-_][a-zA-Z0-9]{1,8})?$/.test(raw.lang))) return bad('lang must be a language tag', answer);
  if (raw.area !== undefined && raw.area !== null && !isName(raw.area)) return bad('area must be a short text', answer);
  return {
    ok: true,
    frame: {
      type: 'utterance', id, text: raw.text,
      ...(typeof raw.lang === 'string' ? { lang: raw.lang } : {}),
      ...(typeof raw.area === 'string' ? { area: raw.area } : {}),
      ...traceOf(raw),
    },
  };
}

function traceOf(raw: Record<string, unknown>): { traceId?: string } {
  return typeof raw.traceId === 'string' && TRACE_ID.test(raw.traceId) ? { traceId: raw.traceId } : {};
}

function readId(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID ? value : null;
}

function isName(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_NAME;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function bad(message: string, answer?: FrameProblem['answer']): Decoded {
  return { ok: false, problem: { code: 'CLOUD_FRAME_INVALID', message, ...(answer ? { answer } : {}) } };
}
