import type { VoiceCodec } from '../voiceCodec.js';

/**
 * The Wyoming satellite door's codec: a session's events as the Wyoming events a satellite understands
 * (rhasspy/wyoming, "Event Types"). A frame is a list of events (most one, many none), which the door writes
 * with framing.ts. Session states, pongs and reply deltas have no Wyoming event and are empty. The reply is
 * `synthesize` with its text (what the satellite will hear; a satellite without a speaker may show it), and
 * its audio follows as `audio-start`/`audio-chunk`/`audio-stop` when the pipeline ends at `tts`.
 */
export interface WyomingOut {
  readonly type: string;
  readonly data?: Record<string, unknown>;
}

export type SatelliteFrame = readonly WyomingOut[];

const NONE: SatelliteFrame = Object.freeze([]);

/** Every reply audio the hub sends is 16-bit mono (SpokenAudio), at the rate its synthesiser chose. */
export function audioFormat(rate: number): Record<string, unknown> {
  return { rate, width: 2, channels: 1 };
}

export const satelliteCodec: VoiceCodec<SatelliteFrame> = {
  state: () => NONE,
  pong: () => NONE,
  reply: (_id, reply) => [{ type: 'synthesize', data: { text: reply.text } }],
  // wyoming's Error event: human-readable text and a machine-readable code (ours, from daemon/core/errors.ts).
  error: (_id, code, message) => [{ type: 'error', data: { text: message, code } }],
  speak: (text) => [{ type: 'synthesize', data: { text } }],
  transcript: (_id, text) => [{ type: 'transcript', data: { text } }],
  speechStart: (_id, rate) => [{ type: 'audio-start', data: audioFormat(rate) }],
  speechEnd: () => [{ type: 'audio-stop', data: {} }],
};
