import { access, mkdir, readFile, rm } from 'node:fs/promises';
import { writeFresh } from '../storage/freshFile.js';
import type { Store } from '../core/context.js';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { HubError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { EN_SENTENCES } from '../intents/sentences/en.js';
import type { AudioInput, SpeechStream, SpeechToText, Transcript, UtteranceContext } from '../voice/handlerStage.js';
import { modelMean } from './cepstralMean.js';
import { LEGACY_FILE_NAME, openLearnedMean } from './learnedMean.js';
import { findProgram } from './childProcess.js';
import { buildGrammar, type GrammarHome } from './grammar/jsgfBuilder.js';
import { canSay, dictionaryFile, Pronunciations } from './grammar/pronunciations.js';
import type { SpeechMetrics } from './metrics.js';
import { STT_RATE } from './pcm.js';
import { Pocketsphinx, type PocketsphinxOptions } from './pocketsphinx.js';
import type { ProviderHealth } from './provider.js';
import { finishTranscription, openFedStream, type FedStream } from './fedTranscription.js';

/** Where Debian's pocketsphinx-en-us puts its model (Raspberry Pi OS too). */
export const DEBIAN_MODEL = '/usr/share/pocketsphinx/model/en-us';
export const INSTALL_HINT = 'install it with: apt install pocketsphinx pocketsphinx-en-us';

export interface GrammarSttOptions {
  log: Logger;
  metrics: SpeechMetrics;
  /** Where the grammar and dictionary files are written (`<dataDir>/speech`). */
  dir: string;
  home(): GrammarHome;
  /** The data dir's storage, where the learned cepstral mean is kept (learnedMean.ts); none: not kept. */
  store?: () => Store | null;
  timeoutMs: number;
  silenceMs: number;
  maxSpeechMs: number;
  /** Keep the next recogniser loaded and waiting (default true; the benchmark measures both). */
  warm?: boolean;
  modelDir?: string;
  binary?: string;
  sox?: string | null;
}

/** A stream of ours, as the session holds it. */
type GrammarStream = FedStream;

/**
 * The `grammar` speech-to-text provider: Debian's pocketsphinx with a grammar of this home's commands
 * (grammar/jsgfBuilder.ts), rebuilt when devices change (`rebuild`, debounced by the subsystem), fed audio
 * as it arrives. Missing engine or model: NO_STT naming the packages. Silence or steady noise (the energy
 * VAD heard no speech): NO_MATCH before any recogniser runs.
 */
export class GrammarSpeechToText implements SpeechToText {
  readonly name = 'grammar';
  private engine: Pocketsphinx | null = null;
  private files: { jsgf: string; dict: string } | null = null;
  private generation = 0;
  private missing: string | null = null;
  private stopped = false;
  /** sox, for audio at other rates or in other formats (null: not installed). */
  private sox: string | null = null;
  private readonly pronunciations: Pronunciations;
  private readonly ours = new WeakSet<SpeechStream>();
  /** Words the last grammar could not say (names with unknown words). */
  unsayable: string[] = [];
  sentences = 0;

  constructor(private readonly options: GrammarSttOptions) {
    this.pronunciations = new Pronunciations(join(options.modelDir ?? DEBIAN_MODEL, 'cmudict-en-us.dict'));
  }

  private readyPromise: Promise<void> | null = null;
  private started = false;

  /**
   * Settles once the engine lookups and the first grammar are done. They begin at `warm()` (the hub calls
   * it right after `listening`: reading the 3.6 MB dictionary and building the grammar is no work for the
   * start-up path a restart waits on) or at the first use, whichever comes first.
   */
  get ready(): Promise<void> {
    if (!this.started) return Promise.resolve();
    this.readyPromise ??= this.init().catch((err: unknown) => {
      this.missing = `the speech grammar could not be built: ${(err as Error).message}`;
      this.options.log.warn({ err, code: 'NO_STT' }, this.missing);
    });
    return this.readyPromise;
  }

  warm(): void {
    void this.ready;
  }

  get available(): boolean {
    return this.engine !== null && this.files !== null;
  }

  get liveProcesses(): number {
    return this.engine?.liveProcesses ?? 0;
  }

  /** Utterances decoded again from their own cepstral mean (pocketsphinx.ts). */
  get secondPasses(): number {
    return this.engine?.secondPasses ?? 0;
  }

  /** Nothing is read or built here (see `ready`): the hub's start-up does not wait for speech. */
  async start(): Promise<void> {
    this.started = true;
  }

  private async init(): Promise<void> {
    const model = this.options.modelDir ?? DEBIAN_MODEL;
    const binary = this.options.binary ?? await findProgram('pocketsphinx_continuous');
    this.sox = this.options.sox !== undefined ? this.options.sox : await findProgram('sox');
    if (!binary) {
      this.missing = `pocketsphinx_continuous is not installed; ${INSTALL_HINT}`;
    } else {
      try {
        await access(join(model, 'en-us', 'mdef'));
        await access(join(model, 'cmudict-en-us.dict'));
      } catch {
        this.missing = `the pocketsphinx English model is not in ${model}; ${INSTALL_HINT}`;
      }
    }
    if (this.missing) {
      this.options.log.warn({ code: 'NO_STT' }, this.missing);
      return;
    }
    await mkdir(this.options.dir, { recursive: true });
    this.engine = new Pocketsphinx({
      binary: binary!, hmm: join(model, 'en-us'), files: () => this.files, timeoutMs: this.options.timeoutMs, warm: this.options.warm ?? true,
      cmn: await this.cepstralMean(join(model, 'en-us', 'feat.params')),
    });
    await this.rebuild();
  }

  /**
   * Where each utterance's cepstral mean starts (cepstralMean.ts): the last one heard, kept across restarts in
   * storage (learnedMean.ts: written at most once per flush interval, atomically), else the model's own. A
   * damaged or hostile file is logged and ignored. Without a readable feat.params with a `-cmninit` the engine
   * keeps the model's own for every utterance.
   */
  private async cepstralMean(featParamsPath: string): Promise<PocketsphinxOptions['cmn']> {
    const featParams = await readFile(featParamsPath, 'utf8').catch(() => '');
    const initial = featParams.length < 4096 ? modelMean(featParams) : null;
    if (!initial) return undefined;
    const store = this.options.store?.() ?? null;
    const kept = store
      ? await openLearnedMean(store, this.options.log, join(this.options.dir, LEGACY_FILE_NAME)).catch((err: unknown) => {
        // Storage refused the collection (a read-only dir still opens): the head start is lost, speech still works.
        this.options.log.warn({ err }, 'the speech cepstral mean cannot be kept');
        return null;
      })
      : null;
    return { featParams, mean: kept?.saved ?? initial, dir: this.options.dir, learned: (mean) => kept?.learned(mean) };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.readyPromise;
    await this.engine?.stop();
    this.engine = null;
  }

  check(): ProviderHealth {
    if (this.missing) return { ok: false, detail: this.missing };
    return this.available ? { ok: true } : { ok: false, detail: 'the grammar is not built yet' };
  }

  /**
   * Builds the grammar from the current devices and areas and swaps the recogniser onto it. Files are
   * written under a new name each time, so a recogniser still reading the old ones is not disturbed.
   */
  async rebuild(): Promise<void> {
    if (!this.engine || this.stopped) return;
    const started = performance.now();
    // Twice: once to learn the words the home's sentences use, then with the ones that can be said.
    const home = this.options.home();
    const known = await this.pronunciations.lookup(buildGrammar(home, EN_SENTENCES, () => true).words);
    const grammar = buildGrammar(home, EN_SENTENCES, (w) => canSay(w, known));
    const gen = ++this.generation;
    const files = { jsgf: join(this.options.dir, `grammar-${gen}.jsgf`), dict: join(this.options.dir, `grammar-${gen}.dict`) };
    // Never through a link planted at the name (the names are predictable): freshFile.ts.
    await writeFresh(files.jsgf, grammar.jsgf, 0o644);
    await writeFresh(files.dict, dictionaryFile(grammar.words, known), 0o644);
    if (gen !== this.generation) return; // a newer rebuild finished first
    const old = this.files;
    this.files = files;
    this.sentences = grammar.sentences;
    this.unsayable = grammar.unsayable;
    this.engine.reload();
    if (old) {
      // The old files may still be open in a recogniser that is decoding; it has read them at start.
      await Promise.all([rm(old.jsgf, { force: true }), rm(old.dict, { force: true })]);
    }
    this.options.log.info({ sentences: grammar.sentences, words: grammar.words.size, ms: Math.round(performance.now() - started), unsayable: grammar.unsayable.slice(0, 20) }, 'speech grammar built');
  }

  /**
   * A stream for audio as it arrives: the voice-activity detector (and the `maxSpeechMs` cut) always runs
   * on s16le, whatever the rate; the recogniser is fed as well when the audio is already 16 kHz and the
   * grammar is built (otherwise the recording is converted and recognised at the end).
   */
  openStream(rate: number, format: string, onSpeechEnd: () => void): SpeechStream | null {
    this.warm();
    if (this.missing || format !== 's16le') return null;
    const engine = this.engine && this.files && rate === STT_RATE ? this.engine.open() : null;
    const stream = openFedStream(engine, rate, this.options, onSpeechEnd);
    this.ours.add(stream);
    return stream;
  }

  async transcribe(input: AudioInput, ctx: UtteranceContext): Promise<Transcript> {
    await this.ready;
    if (!this.engine || !this.files) throw new HubError('NO_STT', this.missing ?? 'the speech grammar is not built yet');
    const stream = input.stream && this.ours.has(input.stream) ? input.stream as GrammarStream : null;
    const engine = this.engine;
    return finishTranscription({
      name: this.name, metrics: this.options.metrics, timeoutMs: this.options.timeoutMs, sox: this.sox, open: () => engine.open(),
    }, stream, input, ctx.signal);
  }
}
