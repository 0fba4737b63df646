/**
 * The hub's own speech providers (config `speech.*`, PROTOCOL §8), apart from any wire or engine. Audio in
 * is always 16 kHz signed 16-bit little-endian mono by the time a recogniser sees it (pcm.ts converts);
 * audio out is whatever rate the synthesiser makes, said in the result.
 */

/** One utterance being recognised: audio goes in as it arrives, the transcript comes out at the end. */
export interface SttStream {
  /** 16 kHz s16le mono; any length (odd byte counts are the caller's to fix). */
  write(pcm: Buffer): void;
  /** No more audio: the transcript, or STT_FAILED/NO_STT/TIMEOUT. Aborting `signal` kills the work. */
  finish(signal?: AbortSignal): Promise<SttResult>;
  /** Gives up without a transcript (the client went away): everything it started is released. */
  abort(): void;
}

export interface SttResult {
  /** Empty when the engine heard no words it knows. */
  text: string;
  lang?: string;
}

export interface SpeechToTextProvider {
  /** `grammar`, `wyoming`: the `provider` label of the metrics. */
  readonly name: string;
  open(lang?: string): SttStream;
  /** Whether it can be used now (binaries there, peer reachable), with a reason when not. */
  check(): Promise<ProviderHealth>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface SpeechAudio {
  /** Signed 16-bit little-endian mono. */
  pcm: Buffer;
  rate: number;
  format: 's16le';
}

export interface TextToSpeechProvider {
  readonly name: string;
  synthesize(text: string, lang: string | undefined, signal?: AbortSignal): Promise<SpeechAudio>;
  check(): Promise<ProviderHealth>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface ProviderHealth {
  ok: boolean;
  detail?: string;
}
