import { performance } from 'node:perf_hooks';
import { HubError } from '../core/errors.js';
import type { SpokenAudio, TextToSpeech } from '../voice/handlerStage.js';
import { findProgram, runChild } from './childProcess.js';
import type { SpeechMetrics } from './metrics.js';
import type { ProviderHealth } from './provider.js';

/**
 * Speech out with Debian's `espeak-ng` (English and Mandarin voices ship with it): the text goes in on
 * stdin (never on the command line, where a leading "-" would be an option), a WAV comes out at espeak's
 * native 22050 Hz, 16-bit mono, and the hub sends its samples (PROTOCOL §3: `audio.start` rate 22050 s16le).
 */
export interface EspeakOptions {
  /** Config `speech.tts.voice`; null picks per language. */
  voice: string | null;
  timeoutMs: number;
  metrics: SpeechMetrics;
}

/** 60 s of 22050 Hz 16-bit audio: a reply longer than that is cut. */
const MAX_WAV_BYTES = 60 * 22050 * 2 + 1024;

export class EspeakTts implements TextToSpeech {
  readonly name = 'espeak-ng';
  private binary: string | null = null;

  constructor(private readonly options: EspeakOptions) {}

  async start(): Promise<void> {
    this.binary = await findProgram('espeak-ng');
  }

  async stop(): Promise<void> {}

  check(): ProviderHealth {
    return this.binary ? { ok: true } : { ok: false, detail: 'espeak-ng is not installed (apt install espeak-ng)' };
  }

  voiceFor(lang: string | undefined): string {
    return this.options.voice ?? (lang?.startsWith('zh') ? 'cmn' : 'en-us');
  }

  async synthesize(text: string, lang: string | undefined, signal?: AbortSignal, speed?: number): Promise<SpokenAudio> {
    if (!this.binary) throw new HubError('TTS_FAILED', 'espeak-ng is not installed (apt install espeak-ng)');
    const started = performance.now();
    const args = ['-v', this.voiceFor(lang), '--stdout', ...(speed ? ['-s', String(Math.round(speed))] : [])];
    const result = await runChild(this.binary, args, {
      timeoutMs: this.options.timeoutMs, maxStdoutBytes: MAX_WAV_BYTES, signal, input: Buffer.from(text.replace(/[\r\n]+/g, ' '), 'utf8'),
    }).catch((err: Error) => { throw new HubError('TTS_FAILED', `espeak-ng: ${err.message}`); });
    if (result.code !== 0) throw new HubError('TTS_FAILED', `espeak-ng exited with ${result.code ?? result.signal}`);
    const audio = parseWav(result.stdout);
    this.options.metrics.tts(this.name, (performance.now() - started) / 1000, audio.pcm.length / 2 / audio.rate);
    return audio;
  }
}

/**
 * The samples of a 16-bit mono PCM WAV (RIFF: "fmt " then "data"). espeak-ng writing to a pipe cannot seek
 * back to fill in sizes, so a data size past the end of the file means "to the end".
 */
export function parseWav(wav: Buffer): SpokenAudio {
  if (wav.length < 12 || wav.toString('latin1', 0, 4) !== 'RIFF' || wav.toString('latin1', 8, 12) !== 'WAVE') {
    throw new HubError('TTS_FAILED', 'the synthesiser did not produce a WAV file');
  }
  let at = 12;
  let rate = 0;
  let bits = 0;
  let channels = 0;
  while (at + 8 <= wav.length) {
    const id = wav.toString('latin1', at, at + 4);
    const size = wav.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'fmt ' && body + 16 <= wav.length) {
      channels = wav.readUInt16LE(body + 2);
      rate = wav.readUInt32LE(body + 4);
      bits = wav.readUInt16LE(body + 14);
    } else if (id === 'data') {
      if (rate <= 0 || bits !== 16 || channels !== 1) throw new HubError('TTS_FAILED', 'the synthesiser\'s WAV is not 16-bit mono PCM');
      const end = Math.min(wav.length, body + size);
      const pcm = wav.subarray(body, end - ((end - body) % 2));
      return { pcm, rate, format: 's16le' };
    }
    at = body + size + (size % 2);
  }
  throw new HubError('TTS_FAILED', 'the synthesiser\'s WAV has no data');
}
