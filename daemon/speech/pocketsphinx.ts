import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { HubError } from '../core/errors.js';
import type { SttResult, SttStream } from './provider.js';

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
}

const MAX_OUTPUT = 4096;
/** A transcript is words of the grammar: lower-case letters, digits, apostrophes and spaces. */
const WORDS = /^[a-z0-9' ]*$/;

interface Recogniser {
  child: ChildProcessWithoutNullStreams;
  /** Resolves with stdout once the child has exited (or rejects with why it failed). */
  done: Promise<string>;
  exited: boolean;
}

export class Pocketsphinx {
  private spare: Recogniser | null = null;
  private stopped = false;
  /** Children alive now (tests and /health check that none is left behind). */
  private readonly live = new Set<ChildProcessWithoutNullStreams>();

  constructor(private readonly options: PocketsphinxOptions) {}

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
    let ended = false;
    return {
      write: (pcm) => {
        if (ended) return;
        if (rec) rec.child.stdin.write(pcm);
        else pending.push(pcm);
      },
      finish: (signal) => {
        ended = true;
        rec ??= this.launch();
        for (const chunk of pending.splice(0)) rec.child.stdin.write(chunk);
        rec.child.stdin.end();
        return this.result(rec, signal);
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

  private args(): string[] {
    const files = this.options.files();
    if (!files) throw new HubError('NO_STT', 'the speech grammar is not built yet');
    return [
      '-infile', '/dev/stdin', '-hmm', this.options.hmm, '-jsgf', files.jsgf, '-dict', files.dict,
      ...(this.options.extraArgs ?? []),
    ];
  }

  private launch(): Recogniser {
    // Node's stdio "pipes" are socket pairs, and pocketsphinx cannot open /dev/stdin on a socket (ENXIO):
    // `cat` turns it into a real pipe. The three run in their own process group, killed as one.
    const child = spawn('/bin/sh', ['-c', 'cat | exec "$0" "$@"', this.options.binary, ...this.args()], { stdio: 'pipe', detached: true });
    this.live.add(child);
    const rec: Recogniser = { child, exited: false, done: Promise.resolve('') };
    rec.done = new Promise<string>((resolve, reject) => {
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
        else resolve(out);
      });
    });
    rec.done.catch(() => {}); // a spare that dies unused is not an unhandled rejection; open() sees `exited`
    return rec;
  }

  private async result(rec: Recogniser, signal?: AbortSignal): Promise<SttResult> {
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
        }, this.options.timeoutMs);
      });
      // A timeout must win over the exit its own kill causes, so the race is against the timer's verdict.
      const out = await Promise.race([rec.done.then((text) => (timedOutYet ? timedOut : text), (err: unknown) => (timedOutYet ? timedOut : Promise.reject(err))), timedOut]);
      const text = out.split('\n').map((l) => l.trim()).filter(Boolean).join(' ').replace(/\s+/g, ' ');
      if (!WORDS.test(text)) throw new HubError('STT_FAILED', 'the recogniser printed something that is not a transcript');
      return { text, lang: 'en' };
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
