import type { AudioInput, SpeechStream, SpeechToText, Transcript, UtteranceContext } from '../../voice/handlerStage.js';
import type { SpeechMetrics } from '../metrics.js';
import { STT_RATE } from '../pcm.js';
import { finishTranscription, openFedStream, type FedStream } from '../fedTranscription.js';
import { WyomingStt, type WyomingTarget } from './wyomingStt.js';

type WyomingStream = FedStream;

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
    const stream = openFedStream(engine, rate, this.options, onSpeechEnd);
    this.ours.add(stream);
    return stream;
  }

  async transcribe(input: AudioInput, ctx: UtteranceContext): Promise<Transcript> {
    const stream = input.stream && this.ours.has(input.stream) ? input.stream as WyomingStream : null;
    return finishTranscription({
      name: this.name, metrics: this.options.metrics, timeoutMs: this.options.timeoutMs, sox: this.options.sox(), open: () => this.client.open(),
    }, stream, input, ctx.signal);
  }
}
