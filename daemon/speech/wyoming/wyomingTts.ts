import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { HubError } from '../../core/errors.js';
import type { SpokenAudio, TextToSpeech } from '../../voice/handlerStage.js';
import type { SpeechMetrics } from '../metrics.js';
import { encodeEvent, WyomingDecoder, type WyomingEvent } from './framing.js';
import type { WyomingTarget } from './wyomingStt.js';

/**
 * Speech out from any Wyoming TTS service (`speech.tts: { provider: wyoming, url: tcp://host:port }`, e.g.
 * wyoming-piper), written from the protocol's documentation ("Text to Speech": → `synthesize` {text, voice};
 * ← `audio-start` {rate, width, channels}, `audio-chunk`…, `audio-stop`). One connection per reply. The peer
 * is hostile like any other: the framing is bounded (framing.ts), the audio format must be 16-bit PCM at a
 * sane rate, the whole reply is capped at MAX_SECONDS, and a peer that hangs, hangs up before `audio-stop` or
 * sends garbage fails that reply with TTS_FAILED (the text reply stands); the socket is always destroyed.
 */
export interface WyomingTtsOptions {
  timeoutMs: number;
  /** Config `speech.tts.voice`: the service's voice name (Piper: `en_US-lessac-medium`); null: its default. */
  voice: string | null;
  metrics: SpeechMetrics;
}

/** A reply longer than this much audio is refused rather than held (a peer streaming for ever). */
const MAX_SECONDS = 60;
const MIN_RATE = 8000;
const MAX_RATE = 48000;

interface Format {
  rate: number;
  channels: number;
}

export class WyomingTts implements TextToSpeech {
  readonly name = 'wyoming';

  constructor(private readonly target: WyomingTarget, private readonly options: WyomingTtsOptions) {}

  synthesize(text: string, lang: string | undefined, signal?: AbortSignal): Promise<SpokenAudio> {
    const started = performance.now();
    const where = `the Wyoming TTS service at ${this.target.host}:${this.target.port}`;
    return new Promise<SpokenAudio>((resolve, reject) => {
      const socket = connect(this.target.port, this.target.host);
      const decoder = new WyomingDecoder();
      let format: Format | null = null;
      const chunks: Buffer[] = [];
      let bytes = 0;
      let done = false;
      const finish = (err: Error | null, audio?: SpokenAudio): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        socket.destroy();
        if (err) reject(err);
        else resolve(audio!);
      };
      const fail = (why: string): void => finish(new HubError('TTS_FAILED', `${where}: ${why}`));
      const timer = setTimeout(() => fail(`no audio-stop within ${this.options.timeoutMs} ms`), this.options.timeoutMs);
      const onAbort = (): void => finish(new HubError('TIMEOUT', 'speech synthesis was cancelled'));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });

      const onEvent = (e: WyomingEvent): void => {
        if (e.type === 'audio-start') {
          format = readFormat(e.data);
          if (!format) return fail('its audio-start is not 16-bit PCM, 1 or 2 channels, 8–48 kHz');
        } else if (e.type === 'audio-chunk') {
          if (!format) return fail('audio-chunk before audio-start');
          const pcm = e.payload ?? Buffer.alloc(0);
          bytes += pcm.length;
          if (bytes > MAX_SECONDS * format.rate * 2 * format.channels) return fail(`more than ${MAX_SECONDS} s of audio`);
          chunks.push(pcm);
        } else if (e.type === 'audio-stop') {
          if (!format) return fail('audio-stop before audio-start');
          const pcm = toMono(Buffer.concat(chunks, bytes), format.channels);
          this.options.metrics.tts(this.name, (performance.now() - started) / 1000, pcm.length / 2 / format.rate);
          finish(null, { pcm, rate: format.rate, format: 's16le' });
        } else if (e.type === 'error') {
          fail(`it answered error: ${String(e.data.text ?? '').slice(0, 200)}`);
        }
      };
      socket.on('data', (chunk: Buffer) => {
        try {
          for (const e of decoder.push(chunk)) {
            onEvent(e);
            if (done) return;
          }
        } catch (err) {
          fail((err as Error).message);
        }
      });
      socket.on('error', (err) => fail(err.message));
      socket.on('close', () => fail('it closed the connection before audio-stop'));
      const voice = this.options.voice ? { name: this.options.voice } : lang ? { language: lang } : null;
      socket.write(encodeEvent('synthesize', { text, ...(voice ? { voice } : {}) }));
    });
  }
}

function readFormat(data: Record<string, unknown>): Format | null {
  const { rate, width, channels } = data;
  if (width !== 2 || (channels !== 1 && channels !== 2)) return null;
  if (typeof rate !== 'number' || !Number.isInteger(rate) || rate < MIN_RATE || rate > MAX_RATE) return null;
  return { rate, channels };
}

/** Whole samples only (a peer may cut a chunk mid-sample); two channels are averaged into one. */
function toMono(pcm: Buffer, channels: number): Buffer {
  const frame = 2 * channels;
  const whole = pcm.subarray(0, pcm.length - (pcm.length % frame));
  if (channels === 1) return whole;
  const out = Buffer.alloc(whole.length / 2);
  for (let i = 0, o = 0; i < whole.length; i += 4, o += 2) out.writeInt16LE((whole.readInt16LE(i) + whole.readInt16LE(i + 2)) >> 1, o);
  return out;
}
