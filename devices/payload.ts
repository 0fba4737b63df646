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
  let parsed: unknown = NOT_PARSED;
  return {
    ok: true,
    topic,
    text,
    json() {
      if (parsed === NOT_PARSED) parsed = parseJson(text);
      return parsed;
    },
  };
}

/** JSON.parse that answers undefined instead of throwing; skips the attempt when the text cannot be JSON. */
export function parseJson(text: string): unknown {
  const first = text.trimStart()[0];
  if (first === undefined || !'{["-0123456789tfn'.includes(first)) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
