import { performance } from 'node:perf_hooks';
import { HubError, isHubError } from '../../core/errors.js';
import type { AudioInput, SpeechStream, SpeechToText, Transcript, UtteranceContext } from '../../voice/handlerStage.js';
import type { SpeechMetrics } from '../metrics.js';
import { SampleAligner, STT_RATE, toPcm16k } from '../pcm.js';
import type { SttStream } from '../provider.js';
import { EnergyVad, hasSpeech } from '../vad.js';
import { WyomingStt, type WyomingTarget } from './wyomingStt.js';

interface WyomingStream extends SpeechStream {
  readonly engine: SttStream | null;
  readonly vad: EnergyVad;
  bytes: number;
  used: boolean;
}

/**
 * The `wyoming` speech-to-text provider as the voice core sees it (`speech.stt.provider: wyoming`): 16 kHz
 * s16le streams go to the service as they arrive, ended by the hub's VAD or `audio.end`; other audio is
 * converted and sent at its end. Silence and steady noise are NO_MATCH without asking the service.
 */
export class WyomingSpeechToText implements SpeechToText {
  readonly name = 'wyoming';
  private readonly client: WyomingStt;
  private readonly ours = new WeakSet<SpeechStream>();

  constructor(target: WyomingTarget, private readonly options: { timeoutMs: number; silenceMs: number; maxSpeechMs: number; metrics: SpeechMetrics; sox: () => string | null }) {
    this.client = new WyomingStt(target, options.timeoutMs);
  }

  openStream(rate: number, format: string, onSpeechEnd: () => void): SpeechStream | null {
    if (format !== 's16le') return null;
    const engine = rate === STT_RATE ? this.client.open() : null;
    const aligner = new SampleAligner();
    const vad = new EnergyVad({ rate, silenceMs: this.options.silenceMs });
    const maxBytes = (this.options.maxSpeechMs / 1000) * rate * 2;
    let ended = false;
    const stream: WyomingStream = {
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
    this.ours.add(stream);
    return stream;
  }

  async transcribe(input: AudioInput, ctx: UtteranceContext): Promise<Transcript> {
    const stream = input.stream && this.ours.has(input.stream) ? input.stream as WyomingStream : null;
    if (stream && !stream.used) {
      stream.used = true;
      if (!stream.vad.speechFound) {
        stream.engine?.abort();
        return this.noSpeech();
      }
      if (stream.engine) return this.measure(stream.engine, stream.bytes, ctx.signal);
    }
    const pcm = await toPcm16k(input.audio, input.rate, input.format, { sox: this.options.sox(), timeoutMs: this.options.timeoutMs, maxBytes: 64 * 1024 * 1024 });
    if (!hasSpeech(pcm, STT_RATE)) return this.noSpeech();
    const engine = this.client.open();
    engine.write(pcm);
    return this.measure(engine, pcm.length, ctx.signal);
  }

  private noSpeech(): never {
    this.options.metrics.stt(this.name, 'no_speech');
    throw new HubError('NO_MATCH', 'no speech was heard');
  }

  private async measure(engine: SttStream, bytes: number, signal: AbortSignal): Promise<Transcript> {
    const started = performance.now();
    try {
      const result = await engine.finish(signal);
      this.options.metrics.stt(this.name, result.text ? 'ok' : 'empty', (performance.now() - started) / 1000, bytes / 2 / STT_RATE);
      return result;
    } catch (err) {
      this.options.metrics.stt(this.name, isHubError(err) ? err.code : 'INTERNAL');
      throw err;
    }
  }
}
