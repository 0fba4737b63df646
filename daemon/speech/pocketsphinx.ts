import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { rmSync } from 'node:fs';
import { writeFreshSync } from '../storage/freshFile.js';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { HubError } from '../core/errors.js';
import { featParamsWith, needsSecondPass, parseCmnUpdate, shift, type Mean } from './cepstralMean.js';
import type { SttStream } from './provider.js';

/**
 * Drives Debian's `pocketsphinx_continuous` (bookworm ships pocketsphinx 0.8/5prealpha, which has no single
 * `pocketsphinx` CLI) with `-infile /dev/stdin`: it reads raw 16 kHz s16le from stdin in blocks of 2048
 * samples, and at end of file prints what it heard, one line per stretch of speech its own VAD found.
 *
 * Warm: the next recogniser is started as soon as the last one is taken, so it has already loaded the
 * acoustic model, the grammar and the dictionary and sits blocked on its first read when the next utterance
 * comes; the utterance's audio is then written to it as it arrives. One process per utterance keeps every
 * fault to that utterance: a crash, a hang (killed at `timeoutMs`) or a flood of output (capped) fails it
 * with STT_FAILED, and the process is always reaped. Cold (`warm: false`) starts one per utterance at its end;
 * the benchmark measures both.
 */
export interface PocketsphinxOptions {
  binary: string;
  /** The acoustic model directory (Debian: /usr/share/pocketsphinx/model/en-us/en-us). */
  hmm: string;
  /** The current grammar and dictionary files; null while none is built yet. */
  files(): { jsgf: string; dict: string } | null;
  timeoutMs: number;
  warm: boolean;
  /** Extra arguments (tests run a stand-in engine through the same driver). */
  extraArgs?: readonly string[];
  /**
   * The starting cepstral mean, learned from each utterance (cepstralMean.ts): the model's feat.params
   * text, the mean to start from, a dir for the `-featparams` files, and who to tell when it changes.
   * Without it the model's own `-cmninit` is used for every utterance.
   */
  cmn?: { featParams: string; mean: Mean; dir: string; learned?(mean: Mean): void };
}

const MAX_OUTPUT = 4096;
/**
 * Wider beams than the engine's defaults (1e-48, 1e-48, 7e-29): with the defaults the search pruned the
 * right path of longer commands early ("dim the living room lamp to twenty percent" came out as "the living
 * room the plugs on"). Measured on the bench commands: 89.7 → 95.6 % for 1.4× the decoding CPU (0.07 →
 * 0.10 of real time here); 1e-80 cost 3× (README "Speech").
 */
export const BEAMS: readonly string[] = ['-beam', '1e-60', '-pbeam', '1e-60', '-wbeam', '1e-40'];
/** Audio kept for a second pass (`cmn`): 30 s; a longer stream is not decoded twice. */
const MAX_KEPT_BYTES = 30 * 16000 * 2;
/** A spare started from a mean this far (c0) from the newest is started again from the newest. */
const RELOAD_SHIFT = 1;
/** A transcript is words of the grammar: lower-case letters, digits, apostrophes and spaces. */
const WORDS = /^[a-z0-9' ]*$/;

interface Recogniser {
  child: ChildProcessWithoutNullStreams;
  /** Resolves with stdout and the end of its log once the child has exited (or rejects with why it failed). */
  done: Promise<{ out: string; log: string }>;
  exited: boolean;
  /** The cepstral mean it started from (null: the model's own). */
  mean: Mean | null;
}

export class Pocketsphinx {
  private spare: Recogniser | null = null;
  private stopped = false;
  /** Children alive now (tests and /health check that none is left behind). */
  private readonly live = new Set<ChildProcessWithoutNullStreams>();
  /** The mean the next recogniser starts from, and its -featparams file (written at the first launch). */
  private mean: Mean | null;
  private meanFile: string | null = null;
  private meanVersion = 0;
  /** Utterances decoded a second time because their mean was far from the one they started with. */
  secondPasses = 0;

  constructor(private readonly options: PocketsphinxOptions) {
    this.mean = options.cmn?.mean ?? null;
  }

  get liveProcesses(): number {
    return this.live.size;
  }

  /** Starts the spare recogniser (warm mode) on the current grammar. */
  prepare(): void {
    if (!this.options.warm || this.stopped || (this.spare && !this.spare.exited)) return;
    try {
      this.spare = this.launch();
    } catch {
      this.spare = null; // no grammar yet, or no process could start: the next utterance starts one cold and says why
    }
  }

  /** The grammar changed: the spare loaded the old one, so it is replaced. */
  reload(): void {
    const old = this.spare;
    this.spare = null;
    if (old) killGroup(old.child);
    this.prepare();
  }

  open(): SttStream {
    let rec = this.spare && !this.spare.exited ? this.spare : null;
    this.spare = null;
    if (rec) setImmediate(() => this.prepare());
    const pending: Buffer[] = [];
    // A copy for a second pass (only when the mean is learned), dropped past MAX_KEPT_BYTES.
    let kept: Buffer[] | null = this.options.cmn ? [] : null;
    let keptBytes = 0;
    let ended = false;
    return {
      write: (pcm) => {
        if (ended) return;
        if (kept) {
          keptBytes += pcm.length;
          if (keptBytes > MAX_KEPT_BYTES) kept = null;
          else kept.push(pcm);
        }
        if (rec) rec.child.stdin.write(pcm);
        else pending.push(pcm);
      },
      finish: async (signal) => {
        ended = true;
        const started = performance.now();
        const first = rec ??= this.launch();
        for (const chunk of pending.splice(0)) first.child.stdin.write(chunk);
        first.child.stdin.end();
        const heard = await this.result(first, signal, this.options.timeoutMs);
        if (!heard.mean || !this.options.cmn) return { text: heard.text, lang: 'en' };
        this.learn(heard.mean);
        if (!kept || !first.mean || !needsSecondPass(first.mean, heard.mean)) return { text: heard.text, lang: 'en' };
        // Decoded from a mean far from the speech's own (a new microphone, the first utterance): again, from its own.
        this.secondPasses++;
        const again = this.launch();
        again.child.stdin.end(Buffer.concat(kept));
        kept = null;
        const remaining = Math.max(1, this.options.timeoutMs - (performance.now() - started));
        return { text: (await this.result(again, signal, remaining)).text, lang: 'en' };
      },
      abort: () => {
        ended = true;
        if (rec && !rec.exited) killGroup(rec.child);
      },
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const waits: Promise<unknown>[] = [];
    for (const child of this.live) {
      waits.push(new Promise((resolve) => child.once('close', resolve)));
      killGroup(child);
    }
    this.spare = null;
    await Promise.all(waits);
  }

  /** The next utterances start from `mean`; a waiting spare far from it is started again. */
  private learn(mean: Mean): void {
    this.mean = mean;
    this.meanFile = null;
    this.options.cmn?.learned?.(mean);
    const spare = this.spare;
    if (spare && !spare.exited && (!spare.mean || shift(spare.mean, mean) > RELOAD_SHIFT)) this.reload();
  }

  /** The -featparams file for the current mean, written once per mean (small; read by the engine at start). */
  private featParams(): string | null {
    const cmn = this.options.cmn;
    if (!cmn || !this.mean) return null;
    if (!this.meanFile) {
      const version = ++this.meanVersion;
      const file = join(cmn.dir, `feat-${version}.params`);
      writeFreshSync(file, featParamsWith(cmn.featParams, this.mean), 0o644);
      // Two back: a recogniser started from it has read it long since (the engine reads it as it starts).
      if (version > 2) rmSync(join(cmn.dir, `feat-${version - 2}.params`), { force: true });
      this.meanFile = file;
    }
    return this.meanFile;
  }

  private args(): string[] {
    const files = this.options.files();
    if (!files) throw new HubError('NO_STT', 'the speech grammar is not built yet');
    const featParams = this.featParams();
    return [
      '-infile', '/dev/stdin', '-hmm', this.options.hmm, '-jsgf', files.jsgf, '-dict', files.dict,
      ...(featParams ? ['-featparams', featParams] : []), ...BEAMS,
      ...(this.options.extraArgs ?? []),
    ];
  }

  private launch(): Recogniser {
    // Node's stdio "pipes" are socket pairs, and pocketsphinx cannot open /dev/stdin on a socket (ENXIO):
    // `cat` turns it into a real pipe. The three run in their own process group, killed as one.
    const mean = this.options.cmn ? this.mean : null;
    const child = spawn('/bin/sh', ['-c', 'cat | exec "$0" "$@"', this.options.binary, ...this.args()], { stdio: 'pipe', detached: true });
    this.live.add(child);
    const rec: Recogniser = { child, exited: false, done: Promise.resolve({ out: '', log: '' }), mean };
    rec.done = new Promise<{ out: string; log: string }>((resolve, reject) => {
      let out = '';
      let overflow = false;
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        if (out.length + chunk.length > MAX_OUTPUT) {
          overflow = true;
          killGroup(child);
        } else {
          out += chunk;
        }
      });
      // Its log goes to stderr: only the last lines are kept, to say why it failed.
      let log = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => { log = (log + chunk).slice(-2048); });
      const why = (): string => log.split('\n').filter((l) => /ERROR|FATAL/.test(l)).slice(-2).join('; ').slice(0, 300);
      child.stdin.on('error', () => {}); // EPIPE if it died: its exit says why
      child.on('error', (err) => reject(new HubError('STT_FAILED', `${this.options.binary} could not start: ${err.message}`)));
      child.on('close', (code, sig) => {
        rec.exited = true;
        this.live.delete(child);
        if (overflow) reject(new HubError('STT_FAILED', `the recogniser printed more than ${MAX_OUTPUT} bytes`));
        else if (code !== 0) reject(new HubError('STT_FAILED', `the recogniser exited with ${code ?? sig}${why() ? `: ${why()}` : ''}`));
        else resolve({ out, log });
      });
    });
    rec.done.catch(() => {}); // a spare that dies unused is not an unhandled rejection; open() sees `exited`
    return rec;
  }

  /** The transcript, and the cepstral mean the engine ended with (when it logged one). */
  private async result(rec: Recogniser, signal: AbortSignal | undefined, timeoutMs: number): Promise<{ text: string; mean: Mean | null }> {
    let timer: NodeJS.Timeout | undefined;
    let timedOutYet = false;
    const kill = (): void => { if (!rec.exited) killGroup(rec.child); };
    signal?.addEventListener('abort', kill, { once: true });
    try {
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          timedOutYet = true;
          kill();
          // Answered once it is reaped: nothing of it outlives the utterance.
          const failed = new HubError('STT_FAILED', `the recogniser did not answer within ${this.options.timeoutMs} ms; it was killed`);
          rec.done.then(() => reject(failed), () => reject(failed));
        }, timeoutMs);
      });
      // A timeout must win over the exit its own kill causes, so the race is against the timer's verdict.
      const { out, log } = await Promise.race([rec.done.then((r) => (timedOutYet ? timedOut : r), (err: unknown) => (timedOutYet ? timedOut : Promise.reject(err))), timedOut]);
      const text = out.split('\n').map((l) => l.trim()).filter(Boolean).join(' ').replace(/\s+/g, ' ');
      if (!WORDS.test(text)) throw new HubError('STT_FAILED', 'the recogniser printed something that is not a transcript');
      return { text, mean: parseCmnUpdate(log) };
    } catch (err) {
      if (signal?.aborted) throw new HubError('TIMEOUT', 'speech to text was cancelled');
      throw err;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', kill);
    }
  }
}

/** SIGKILL to the recogniser's whole process group (sh, cat, pocketsphinx); the hub reaps sh, init the rest. */
function killGroup(child: ChildProcessWithoutNullStreams): void {
  try {
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL'); // the group is gone already
  }
}
