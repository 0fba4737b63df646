import { HubError } from '../core/errors.js';
import type { Logger } from '../core/log.js';

/**
 * What the voice core hands work to, and all it knows of intents and plugins (STYLE "Which way imports
 * run"). The hub gives the core the plugins subsystem's stages when it builds it; without them (tests),
 * utterances answer NO_MATCH and audio NO_STT.
 */

/** One utterance to understand: the client's text (or a transcript of its audio). */
export interface Utterance {
  readonly id: string;
  readonly text: string;
  /** BCP 47 tag when the client gave one (or the speech-to-text stage detected one). */
  readonly lang?: string;
}

/** What a handler knows about who asked and how to behave. */
export interface UtteranceContext {
  /** `<session id>/<utterance id>`: put it on every log line and pass it to anything the handler calls. */
  readonly traceId: string;
  /** The voice session (connection); a `voice.speak` event with this id speaks to this client only. */
  readonly sessionId: string;
  /** The token subject: which client this is. */
  readonly subject: string;
  readonly scopes: readonly string[];
  /** The client's room from its token, if it has one: what "in here" means. */
  readonly area?: string;
  /** 0 for the first attempt, then 1, 2, 3 for retries of retryable failures. */
  readonly attempt: number;
  /** Aborted when this attempt times out (plugins.timeoutMs) or the hub stops: stop work and return. */
  readonly signal: AbortSignal;
  /** The session's logger with `traceId` bound. */
  readonly log: Logger;
  /**
   * Sends a piece of the reply before the reply itself (PROTOCOL §3 `reply.delta`), so a speaker can start
   * talking while a slow handler (the assistant) is still writing. Absent where the wire has no such frame;
   * a no-op once this attempt has timed out or the client has gone. The final reply still carries all the text.
   */
  readonly delta?: (text: string) => void;
}

export interface ReplyAction {
  device: string;
  command: string;
  [detail: string]: unknown;
}

/** The answer to an utterance (sent to the client as a `reply` frame). */
export interface VoiceReply {
  text: string;
  intent?: string;
  /** Plugin id (or `core`) that answered. */
  handledBy?: string;
  actions?: ReplyAction[];
}

/**
 * The handler stage: understands an utterance and acts on it. Returns the reply, or throws a HubError whose
 * code a client may see (NO_MATCH, PLUGIN_FAILED, TIMEOUT, …); `retryable: true` on the error asks the
 * queue to try again with backoff. Anything else thrown becomes INTERNAL.
 */
export interface HandlerStage {
  handle(utterance: Utterance, ctx: UtteranceContext): Promise<VoiceReply> | VoiceReply;
}

/** Audio as the client streamed it between `audio.start` and `audio.end`. */
export interface AudioInput {
  readonly id: string;
  readonly audio: Buffer;
  /** Samples per second, e.g. 16000. */
  readonly rate: number;
  /** `s16le`, `f32le`, `opus` or `wav`. */
  readonly format: string;
  /** The stream the audio was fed to as it arrived, when the speech-to-text stage opened one. */
  readonly stream?: SpeechStream | null;
}

/**
 * Audio fed to a recogniser as it arrives, so that by the end of speech most of it is already decoded.
 * The session writes every accepted chunk and hands the stream to `transcribe` with the whole recording
 * (which a retry uses: a stream is finished once).
 */
export interface SpeechStream {
  write(chunk: Buffer): void;
  /** The client went away or the stream was refused: whatever it started is released. */
  abort(): void;
}

export interface Transcript {
  text: string;
  lang?: string;
}

/** A speech-to-text stage a plugin may provide. Throws HubError like a handler. */
export interface SpeechToText {
  transcribe(input: AudioInput, ctx: UtteranceContext): Promise<Transcript> | Transcript;
  /**
   * Optional: a stream for an audio stream that starts now. `onSpeechEnd` is called once when the stage's
   * voice-activity detection hears the speech end, so a client may leave out `audio.end`. Null: no stream.
   */
  openStream?(rate: number, format: string, onSpeechEnd: () => void): SpeechStream | null;
}

/** Synthesised speech: signed 16-bit little-endian mono at `rate`. */
export interface SpokenAudio {
  readonly pcm: Buffer;
  readonly rate: number;
  readonly format: 's16le';
}

/** The stage that speaks replies to clients that asked with `tts: true`. Throws HubError (TTS_FAILED). */
export interface TextToSpeech {
  synthesize(text: string, lang: string | undefined, signal?: AbortSignal): Promise<SpokenAudio>;
}

/** The stage of a core given none: it understands nothing. */
export const noMatchStage: HandlerStage = {
  handle(): never {
    throw new HubError('NO_MATCH', 'no intent or plugin understood that');
  },
};

/** Stands in when no speech-to-text plugin is installed. */
export const noSpeechToText: SpeechToText = {
  transcribe(): never {
    throw new HubError('NO_STT', 'audio needs a speech-to-text plugin and none is installed');
  },
};
