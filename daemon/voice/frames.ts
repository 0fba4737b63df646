import { Type, type Static } from '@sinclair/typebox';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { VoiceErrorCode } from '../errors.js';

/**
 * The client → hub text frames of PROTOCOL §3 as one schema, compiled once per config and run once per
 * frame. Ajv's `discriminator` picks the branch from `type`, so an unknown type is a single clear error
 * and a known one is checked against its own fields only.
 *
 * Text rules: at most `voice.maxTextLength` characters (Ajv counts code points, so one Han character is one
 * character), any script, no control characters (Unicode Cc) and no lone surrogates (Cs), not blank.
 * Unlike the seed article's allow-list regex, nothing is refused for being non-Latin.
 */
const NO_CONTROL = '^[^\\p{Cc}\\p{Cs}]+$';
const TEXT = '^(?!\\s*$)[^\\p{Cc}\\p{Cs}]+$';
export const MAX_ID_LENGTH = 128;
export const AUDIO_FORMATS = ['s16le', 'f32le', 'opus', 'wav'] as const;

const Id = Type.String({ minLength: 1, maxLength: MAX_ID_LENGTH, pattern: NO_CONTROL });

export function clientFrameSchema(maxTextLength: number) {
  const branches = [
    Type.Object({
      type: Type.Literal('utterance'),
      id: Id,
      text: Type.String({ minLength: 1, maxLength: maxTextLength, pattern: TEXT }),
      lang: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$' })),
    }),
    Type.Object({
      type: Type.Literal('audio.start'),
      id: Id,
      rate: Type.Integer({ minimum: 8000, maximum: 96000 }),
      format: Type.Union(AUDIO_FORMATS.map((f) => Type.Literal(f))),
    }),
    Type.Object({ type: Type.Literal('audio.end'), id: Id }),
    Type.Object({ type: Type.Literal('ping') }),
  ];
  // Unknown extra fields are ignored (a newer client may send more); missing or wrong-typed ones are not.
  return Type.Unsafe<Static<(typeof branches)[number]>>({
    type: 'object',
    required: ['type'],
    properties: { type: { type: 'string' } },
    discriminator: { propertyName: 'type' },
    oneOf: branches,
  });
}

export type ClientFrame = Static<ReturnType<typeof clientFrameSchema>>;
export type UtteranceFrame = Extract<ClientFrame, { type: 'utterance' }>;
export type AudioStartFrame = Extract<ClientFrame, { type: 'audio.start' }>;

export type ParseResult =
  | { ok: true; frame: ClientFrame }
  | { ok: false; id: string | null; message: string };

/** Parses and validates text frames; one instance per voice server (the schema depends on config). */
export class FrameParser {
  private readonly validate: ValidateFunction<ClientFrame>;

  constructor(private readonly limits: { maxTextLength: number; maxFrameBytes: number }) {
    const ajv = new Ajv({ discriminator: true, allErrors: false, strict: false });
    this.validate = ajv.compile<ClientFrame>(clientFrameSchema(limits.maxTextLength));
  }

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
    if (this.validate(value)) return { ok: true, frame: value };
    return { ok: false, id: idOf(value), message: describe(this.validate.errors?.[0], value) };
  }
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
