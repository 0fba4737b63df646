/**
 * Speech to text (capability `stt`). The voice server hands a finished utterance's audio to the one
 * registered provider; without one, audio requests answer `NO_STT`. No model ships with the hub.
 */
export interface AudioInput {
  /** The raw audio between `audio.start` and `audio.end`. */
  audio: Buffer;
  /** Samples per second, from `audio.start` (16000 typically). */
  rate: number;
  /** Sample format from `audio.start`: `s16le` (signed 16-bit little-endian PCM) is the common one. */
  format: string;
  /** Language hint when the client gave one. */
  lang?: string;
}

export interface Transcript {
  text: string;
  /** Detected language, when the provider knows it. */
  lang?: string;
}

export interface SpeechToText {
  /** Formats this provider accepts (`['s16le']`); others are refused with BAD_REQUEST before it is called. */
  readonly formats: readonly string[];
  transcribe(input: AudioInput, signal: AbortSignal): Promise<Transcript>;
}
