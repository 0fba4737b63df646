import type { ErrorObject } from 'ajv';
import type { VoiceErrorCode } from '../core/errors.js';
import { validateClientFrame } from '../validation/compiled.js';
import type { ClientFrame } from './frameSchema.js';
import { MAX_ID_LENGTH } from './frameLimits.js';

export type { ClientFrame };
export type UtteranceFrame = Extract<ClientFrame, { type: 'utterance' }>;
export type AudioStartFrame = Extract<ClientFrame, { type: 'audio.start' }>;

export type ParseResult =
  | { ok: true; frame: ClientFrame }
  | { ok: false; id: string | null; message: string };

/**
 * Parses client text frames: the size limit, JSON, the precompiled schema (frameSchema.ts), then the
 * configurable text length in code points. One instance per voice server.
 */
export class FrameParser {
  constructor(private readonly limits: { maxTextLength: number; maxFrameBytes: number }) {}

  parse(data: Buffer): ParseResult {
    if (data.length > this.limits.maxFrameBytes) {
      return { ok: false, id: null, message: `text frame of ${data.length} bytes is over the ${this.limits.maxFrameBytes}-byte limit` };
    }
    let value: unknown;
    try {
      value = JSON.parse(data.toString('utf8'));
    } catch {
      return { ok: false, id: null, message: 'frame is not JSON' };
    }
    if (!validateClientFrame(value)) return { ok: false, id: idOf(value), message: describe(validateClientFrame.errors?.[0], value) };
    const frame = value as ClientFrame;
    if (frame.type === 'utterance' && codePoints(frame.text, this.limits.maxTextLength) > this.limits.maxTextLength) {
      return { ok: false, id: frame.id, message: `text is longer than ${this.limits.maxTextLength} characters` };
    }
    return { ok: true, frame };
  }
}

/** Counts code points (one Han character or emoji is one character), stopping early past `limit`. */
function codePoints(text: string, limit: number): number {
  if (text.length <= limit) return text.length;
  let count = 0;
  for (const _ of text) if (++count > limit) break;
  return count;
}

/** The frame's id when it has a usable one, so the error can name the request it answers. */
function idOf(value: unknown): string | null {
  if (value === null || typeof value !== 'object') return null;
  const id = (value as { id?: unknown }).id;
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_ID_LENGTH && !/[\p{Cc}\p{Cs}]/u.test(id) ? id : null;
}

function describe(error: ErrorObject | undefined, value: unknown): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'frame must be a JSON object with a "type"';
  if (!error) return 'frame does not match the protocol';
  if (error.keyword === 'discriminator') {
    const type = (value as { type?: unknown }).type;
    return type === undefined ? 'frame has no "type"' : `unknown frame type ${JSON.stringify(type).slice(0, 40)}`;
  }
  const field = error.instancePath.replace(/^\//, '') || (error.params as { missingProperty?: string }).missingProperty || 'frame';
  if (error.keyword === 'required') return `missing field "${(error.params as { missingProperty: string }).missingProperty}"`;
  if (error.keyword === 'pattern' && field === 'text') return 'text is blank or contains control characters';
  if (error.keyword === 'pattern' && field === 'id') return 'id contains control characters';
  return `field "${field}" ${error.message ?? 'is invalid'}`;
}

/** Hub → client frames. Constant ones are serialized once. */
export const PONG_FRAME = '{"type":"pong"}';
export const STATE_FRAMES = Object.freeze({
  idle: '{"type":"state","state":"idle"}',
  listening: '{"type":"state","state":"listening"}',
  processing: '{"type":"state","state":"processing"}',
  replying: '{"type":"state","state":"replying"}',
  retrying: '{"type":"state","state":"retrying"}',
  failed: '{"type":"state","state":"failed"}',
});

export function errorFrame(id: string | null, code: VoiceErrorCode, message: string): string {
  return JSON.stringify({ type: 'error', id, code, message });
}

export function speakFrame(text: string, source: string): string {
  return JSON.stringify({ type: 'speak', text, source });
}
