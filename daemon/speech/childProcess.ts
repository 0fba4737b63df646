import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

/**
 * The speech engines are programs (pocketsphinx, espeak-ng, sox). Every child they run goes through here:
 * its output is capped (an engine that prints garbage forever cannot fill the hub's memory), and it is
 * killed and reaped when its time is up or its caller gives up, so no zombie outlives an utterance.
 */
export interface RunResult {
  stdout: Buffer;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunOptions {
  timeoutMs: number;
  maxStdoutBytes: number;
  signal?: AbortSignal;
  /** Written to stdin, then stdin is closed. */
  input?: Buffer;
}

export class ChildFailed extends Error {
  constructor(message: string, readonly reason: 'timeout' | 'aborted' | 'overflow' | 'spawn' | 'exit') {
    super(message);
  }
}

const MAX_STDERR = 8192;

/** Runs a program to its end. Rejects with ChildFailed; resolves whatever its exit code (the caller judges). */
export function runChild(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    let child: ChildProcessWithoutNullStreams;
    try {
      child = spawn(command, args, { stdio: 'pipe' });
    } catch (err) {
      reject(new ChildFailed(`${command} could not start: ${(err as Error).message}`, 'spawn'));
      return;
    }
    const out: Buffer[] = [];
    let outBytes = 0;
    let errText = '';
    let failure: ChildFailed | null = null;
    const fail = (f: ChildFailed): void => {
      if (failure) return;
      failure = f;
      child.kill('SIGKILL'); // the close event below still fires: the child is reaped there
    };
    const timer = setTimeout(() => fail(new ChildFailed(`${command} did not finish within ${options.timeoutMs} ms`, 'timeout')), options.timeoutMs);
    const onAbort = (): void => fail(new ChildFailed(`${command} was cancelled`, 'aborted'));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > options.maxStdoutBytes) fail(new ChildFailed(`${command} printed more than ${options.maxStdoutBytes} bytes`, 'overflow'));
      else out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (errText.length < MAX_STDERR) errText += chunk.toString('utf8').slice(0, MAX_STDERR - errText.length);
    });
    child.stdin.on('error', () => {}); // EPIPE when it exits before reading everything: its exit says why
    child.on('error', (err) => fail(new ChildFailed(`${command} could not start: ${err.message}`, 'spawn')));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (failure) reject(failure);
      else resolve({ stdout: Buffer.concat(out, Math.min(outBytes, options.maxStdoutBytes)), stderr: errText, code, signal });
    });
    if (options.input) child.stdin.end(options.input);
    else child.stdin.end();
  });
}

/** Where `name` is on PATH, or null: checked asynchronously (no sync I/O on start-up paths). */
export async function findProgram(name: string, path = process.env.PATH ?? ''): Promise<string | null> {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}
