/**
 * Decoding of incoming MQTT payloads, once per message however many devices listen on the topic. Nothing
 * here throws: bad input becomes a coded failure that names the topic.
 */

import type { PayloadFailureCode } from '../daemon/core/errors.js';

// The codes live in the one error table (daemon/errors.ts, docs/ERRORS.md); re-exported for the device code.
export type { PayloadFailureCode };

export interface PayloadFailure { ok: false; code: PayloadFailureCode; topic: string; reason: string }

/** A decoded message: the text, and its JSON parsed on first use (undefined when the text is not JSON). */
export interface DecodedMessage {
  ok: true;
  topic: string;
  text: string;
  /** The parsed JSON, or undefined when the payload is not JSON. Parsed lazily, once. */
  json(): unknown;
}

/** State payloads are a few hundred bytes; anything past this is a broken or hostile publisher. */
export const MAX_STATE_PAYLOAD_BYTES = 64 * 1024;
/** Discovery configs are larger but still small. */
export const MAX_DISCOVERY_PAYLOAD_BYTES = 64 * 1024;
/** Zigbee2MQTT's bridge/devices lists every device with its full exposes: about 5 KB per device. */
export const MAX_BRIDGE_PAYLOAD_BYTES = 8 * 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const NOT_PARSED = Symbol('not parsed');

export function decodePayload(topic: string, payload: Buffer, maxBytes = MAX_STATE_PAYLOAD_BYTES): DecodedMessage | PayloadFailure {
  if (payload.length > maxBytes) {
    return { ok: false, code: 'PAYLOAD_TOO_LARGE', topic, reason: `${payload.length} bytes, more than ${maxBytes}` };
  }
  let text: string;
  try {
    text = utf8.decode(payload);
  } catch {
    return { ok: false, code: 'PAYLOAD_BINARY', topic, reason: 'payload is not valid UTF-8' };
  }
  if (text.includes('\u0000')) return { ok: false, code: 'PAYLOAD_BINARY', topic, reason: 'payload contains NUL bytes' };
  return new DecodedText(topic, text);
}

/** One object a message (a class, not an object literal with a closure: one allocation less per message). */
class DecodedText implements DecodedMessage {
  readonly ok = true;
  private parsed: unknown = NOT_PARSED;
  constructor(readonly topic: string, readonly text: string) {}
  json(): unknown {
    if (this.parsed === NOT_PARSED) this.parsed = parseJson(this.text);
    return this.parsed;
  }
}

/** JSON.parse that answers undefined instead of throwing; skips the attempt when the text cannot be JSON. */
export function parseJson(text: string): unknown {
  if (!mayBeJson(text)) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether the first character after JSON's whitespace can start a JSON value (read in place: no trimmed copy). */
function mayBeJson(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // What trimStart() skipped before: ASCII whitespace, and beyond ASCII NBSP, BOM and the Unicode spaces.
    if (c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c > 0x7f && isUnicodeSpace(c))) continue;
    return c === 0x7b || c === 0x5b || c === 0x22 || c === 0x2d || (c >= 0x30 && c <= 0x39) || c === 0x74 || c === 0x66 || c === 0x6e;
  }
  return false;
}

/** The characters beyond ASCII that JavaScript's trim() and `\s` take for white space (ECMA-262 WhiteSpace, LineTerminator). */
function isUnicodeSpace(c: number): boolean {
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}
