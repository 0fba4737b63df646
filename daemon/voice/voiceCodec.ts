import type { VoiceErrorCode } from '../core/errors.js';
import type { VoiceReply } from './handlerStage.js';
import type { SessionState } from './sessionStateMachine.js';

/**
 * What a voice session is asked to do, whatever the wire: the typed requests every front door (the `/voice`
 * JSON WebSocket today; Wyoming, the browser page, a cloud command or a test harness later) decodes into.
 * Audio bytes between `audio.start` and `audio.end` go to `VoiceSession.audioChunk`.
 */
export type VoiceRequest =
  | { readonly type: 'utterance'; readonly id: string; readonly text: string; readonly lang?: string; readonly tts?: boolean }
  | { readonly type: 'audio.start'; readonly id: string; readonly rate: number; readonly format: string; readonly tts?: boolean }
  | { readonly type: 'audio.end'; readonly id: string }
  | { readonly type: 'ping' };

/**
 * How a front door writes the session's events (state, reply, error, pong, speak) in its own wire format,
 * as `F` (a JSON string for `/voice`). The session sends what these return through its transport and keeps
 * an answer's encoding with its outcome, so a repeated id is answered without encoding it again. `reply` may
 * throw when the reply cannot be written in this format: the session answers INTERNAL instead.
 */
export interface VoiceCodec<F> {
  state(state: SessionState): F;
  pong(): F;
  reply(id: string, reply: VoiceReply, ms: number): F;
  error(id: string | null, code: VoiceErrorCode, message: string): F;
  speak(text: string, source: string): F;
  /**
   * A piece of a reply still being written (the assistant streams its text): `reply.delta` on `/voice`. A
   * wire without one leaves it out; the final reply carries the whole text either way.
   */
  delta?(id: string, text: string): F;
  /** What speech to text heard, before the reply (PROTOCOL §3 `transcript`). */
  transcript(id: string, text: string): F;
  /** Spoken reply audio follows (`audio.start` hub → client); its bytes go through `SessionTransport.sendAudio`. */
  speechStart(id: string, rate: number, format: string): F;
  speechEnd(id: string): F;
}
