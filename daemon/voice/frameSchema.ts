import { Type, type Static } from '@sinclair/typebox';
import { AUDIO_FORMATS, MAX_ID_LENGTH } from './frameLimits.js';

/**
 * The client → hub text frames of PROTOCOL §3 as one schema. It is compiled ahead of time with the other
 * schemas (daemon/validation), so this module (and TypeBox) is loaded only by the build, never by the hub.
 * Ajv's `discriminator` picks the branch from `type`, so an unknown type is a single clear error and a
 * known one is checked against its own fields only.
 *
 * Text rules: any script, no control characters (Unicode Cc) and no lone surrogates (Cs), not blank. The
 * length limit (`voice.maxTextLength`, in code points) is configurable, so FrameParser checks it after the
 * schema. Unlike the seed article's allow-list regex, nothing is refused for being non-Latin.
 */
const NO_CONTROL = '^[^\\p{Cc}\\p{Cs}]+$';
const TEXT = '^(?!\\s*$)[^\\p{Cc}\\p{Cs}]+$';

const Id = Type.String({ minLength: 1, maxLength: MAX_ID_LENGTH, pattern: NO_CONTROL });

const branches = [
  Type.Object({
    type: Type.Literal('utterance'),
    id: Id,
    text: Type.String({ minLength: 1, pattern: TEXT }),
    lang: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$' })),
    tts: Type.Optional(Type.Boolean()),
  }),
  Type.Object({
    type: Type.Literal('audio.start'),
    id: Id,
    rate: Type.Integer({ minimum: 8000, maximum: 96000 }),
    format: Type.Union(AUDIO_FORMATS.map((f) => Type.Literal(f))),
    tts: Type.Optional(Type.Boolean()),
  }),
  Type.Object({ type: Type.Literal('audio.end'), id: Id }),
  Type.Object({ type: Type.Literal('ping') }),
];

// Unknown extra fields are ignored (a newer client may send more); missing or wrong-typed ones are not.
export const ClientFrameSchema = Type.Unsafe<Static<(typeof branches)[number]>>({
  type: 'object',
  required: ['type'],
  properties: { type: { type: 'string' } },
  discriminator: { propertyName: 'type' },
  oneOf: branches,
});

export type ClientFrame = Static<typeof ClientFrameSchema>;
