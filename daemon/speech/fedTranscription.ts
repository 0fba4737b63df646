import { performance } from 'node:perf_hooks';
import { HubError, isHubError } from '../core/errors.js';
import type { AudioInput, SpeechStream, Transcript } from '../voice/handlerStage.js';
import type { SpeechMetrics } from './metrics.js';
import { SampleAligner, STT_RATE, toPcm16k } from './pcm.js';
import type { SttStream } from './provider.js';
import { EnergyVad, hasSpeech } from './vad.js';

/** A stream a provider fed to its engine as the audio arrived, with the VAD that watched it. */
export interface FedStream extends SpeechStream {
  /** The engine fed as audio arrives, or null (converted and recognised at the end instead). */
  readonly engine: SttStream | null;
  readonly vad: EnergyVad;
  bytes: number;
  used: boolean;
}

/**
 * A stream that feeds `engine` (null: recognised at the end instead) whole samples as audio arrives, while a
 * VAD listens for the end of speech; `onSpeechEnd` is called once, at that end or at `maxSpeechMs` of audio.
 */
export function openFedStream(engine: SttStream | null, rate: number, limits: { silenceMs: number; maxSpeechMs: number }, onSpeechEnd: () => void): FedStream {
  const aligner = new SampleAligner();
  const vad = new EnergyVad({ rate, silenceMs: limits.silenceMs });
  const maxBytes = (limits.maxSpeechMs / 1000) * rate * 2;
  let ended = false;
  const stream: FedStream = {
    engine, vad, bytes: 0, used: false,
    write: (chunk) => {
      const pcm = aligner.push(chunk);
      stream.bytes += pcm.length;
      engine?.write(pcm);
      if (!ended && (vad.push(pcm) === 'speech-end' || stream.bytes >= maxBytes)) {
        ended = true;
        onSpeechEnd();
      }
    },
    abort: () => engine?.abort(),
  };
  return stream;
}

export interface FedTranscription {
  /** The provider's name in the metrics (`voicehub_stt_requests_total{provider}`). */
  readonly name: string;
  readonly metrics: SpeechMetrics;
  readonly timeoutMs: number;
  readonly sox: string | null;
  /** A fresh engine stream, for a recording that was not fed as it arrived. */
  open(): SttStream;
}

/**
 * The end of an utterance for a provider that feeds its engine while audio arrives (grammar, Wyoming): the
 * fed stream's answer when it heard speech, NO_MATCH at once when its VAD heard none; otherwise (another rate
 * or format, no engine ready, a retry) the whole recording converted to 16 kHz and recognised now.
 */
export async function finishTranscription(p: FedTranscription, stream: FedStream | null, input: AudioInput, signal: AbortSignal): Promise<Transcript> {
  if (stream && !stream.used) {
    stream.used = true;
    if (!stream.vad.speechFound) {
      stream.engine?.abort();
      return noSpeech(p);
    }
    if (stream.engine) return measured(p, stream.engine, stream.bytes, signal);
  }
  const pcm = await toPcm16k(input.audio, input.rate, input.format, { sox: p.sox, timeoutMs: p.timeoutMs, maxBytes: 64 * 1024 * 1024 });
  if (!hasSpeech(pcm, STT_RATE)) return noSpeech(p);
  const engine = p.open();
  engine.write(pcm);
  return measured(p, engine, pcm.length, signal);
}

function noSpeech(p: FedTranscription): never {
  p.metrics.stt(p.name, 'no_speech');
  throw new HubError('NO_MATCH', 'no speech was heard');
}

async function measured(p: FedTranscription, engine: SttStream, bytes: number, signal: AbortSignal): Promise<Transcript> {
  const started = performance.now();
  try {
    const result = await engine.finish(signal);
    p.metrics.stt(p.name, result.text ? 'ok' : 'empty', (performance.now() - started) / 1000, bytes / 2 / STT_RATE);
    return result;
  } catch (err) {
    p.metrics.stt(p.name, isHubError(err) ? err.code : 'INTERNAL');
    throw err;
  }
}
