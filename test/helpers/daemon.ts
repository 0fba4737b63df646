import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** What users run: the bundled CLI (`npm start`, `npx voicehub`, the systemd unit). */
export const CLI = join(REPO_ROOT, 'dist/bundle/cli.js');

export interface LogLine { level: string; msg: string; [key: string]: unknown }

/** A real daemon in a child process on port 0 with its own temp data dir. */
export class DaemonProcess {
  readonly lines: LogLine[] = [];
  readonly rawStdout: string[] = [];
  stderr = '';
  httpPort = 0;
  mqttPort: number | null = null;
  private exitPromise: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private waiters: Array<{ test: (l: LogLine) => boolean; resolve: (l: LogLine) => void }> = [];

  constructor(readonly child: ChildProcess, readonly dir: string) {
    createInterface({ input: child.stdout! }).on('line', (raw) => {
      this.rawStdout.push(raw);
      let line: LogLine;
      try {
        line = JSON.parse(raw) as LogLine;
      } catch {
        return;
      }
      this.lines.push(line);
      this.waiters = this.waiters.filter((w) => {
        if (!w.test(line)) return true;
        w.resolve(line);
        return false;
      });
    });
    child.stderr!.on('data', (chunk: Buffer) => { this.stderr += chunk.toString(); });
    this.exitPromise = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  get url(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  /** Resolves with the first log line (past or future) that passes the test; rejects if the process exits first. */
  waitForLine(test: (l: LogLine) => boolean, timeoutMs = 15_000): Promise<LogLine> {
    const seen = this.lines.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching log line within ${timeoutMs} ms; stderr: ${this.stderr}`)), timeoutMs);
      this.waiters.push({ test, resolve: (l) => { clearTimeout(timer); resolve(l); } });
      void this.exitPromise.then(({ code }) => { clearTimeout(timer); reject(new Error(`daemon exited (${code}) before the line; stderr: ${this.stderr}`)); });
    });
  }

  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.exitPromise;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exitPromise;
  }

  /** Kills the process if still running and removes the temp dir. */
  async cleanup(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGKILL');
      await this.exitPromise;
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** The node flags the systemd unit ships with: attacks about memory run the daemon under them. */
export const SHIPPED_NODE_FLAGS = ['--max-old-space-size=256', '--max-semi-space-size=8', '--initial-old-space-size=64'];

/**
 * The environment the systemd unit sets for the process beyond the hub's own VOICEHUB_ keys (its
 * Environment= lines; test/unit/systemd/unitFile.test.ts keeps both of these equal to the unit): every daemon a
 * test or bench starts runs with it, as users' hubs do.
 */
export const SHIPPED_NODE_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2', MALLOC_TRIM_THRESHOLD_: '131072' };

export interface StartOptions {
  config?: string;
  /** Node flags before the CLI path (e.g. SHIPPED_NODE_FLAGS). */
  nodeArgs?: string[];
  env?: Record<string, string>;
  args?: string[];
  dir?: string;
  /** Do not wait for `listening` (for start-up failures). */
  noWait?: boolean;
  /** Another build's bundled CLI (benches comparing two builds); default this tree's. */
  cli?: string;
}

export async function makeTempDir(prefix = 'voicehub-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Starts `voicehub start` with a temp data dir and ports 0, and waits for the `listening` line. */
export async function startDaemon(options: StartOptions = {}): Promise<DaemonProcess> {
  const dir = options.dir ?? await makeTempDir();
  const args = [...(options.nodeArgs ?? []), options.cli ?? CLI, ...(options.args ?? ['start'])];
  if (options.config !== undefined) {
    await writeFile(join(dir, 'voicehub.yaml'), options.config);
    args.push('--config', join(dir, 'voicehub.yaml'));
  }
  const child = spawn(process.execPath, args, {
    cwd: dir,
    env: {
      ...SHIPPED_NODE_ENV,
      PATH: process.env.PATH ?? '',
      HOME: dir,
      VOICEHUB_DATA_DIR: join(dir, 'data'),
      VOICEHUB_HTTP_PORT: '0',
      VOICEHUB_HTTP_HOST: '127.0.0.1',
      VOICEHUB_MQTT_PORT: '0',
      VOICEHUB_LOG_LEVEL: 'info',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const daemon = new DaemonProcess(child, dir);
  if (!options.noWait) {
    let listening: LogLine;
    try {
      // Generous: a loaded CI machine can take a while, and a start that never comes still fails the test.
      listening = await daemon.waitForLine((l) => l.msg === 'listening', 30_000);
    } catch (err) {
      // A daemon that never said `listening` must not outlive the test: its test file would never exit.
      child.kill('SIGKILL');
      await daemon.exited();
      if (options.dir === undefined) await rm(dir, { recursive: true, force: true });
      throw err;
    }
    daemon.httpPort = listening.http as number;
    daemon.mqttPort = (listening.mqtt as number | null) ?? null;
  }
  return daemon;
}

/** Runs a CLI command to completion. */
export function runCli(args: string[], options: { cwd?: string; env?: Record<string, string>; input?: string } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.stdin.end(options.input ?? '');
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A token for `sub` made by `voicehub token create` against the data dir under `dir` (a daemon's temp dir). */
export async function createToken(dir: string, sub: string, scope = 'voice'): Promise<string> {
  const r = await runCli(['token', 'create', '--sub', sub, '--scope', scope], { cwd: dir, env: { VOICEHUB_DATA_DIR: join(dir, 'data') } });
  if (r.code !== 0) throw new Error(`token create failed (${r.code}): ${r.stderr}`);
  return r.stdout.trim();
}
