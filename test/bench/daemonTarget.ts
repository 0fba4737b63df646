import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { AuthService } from '../../daemon/auth/authService.js';
import { buildConfig } from '../../daemon/config/load.js';
import { systemClock } from '../../daemon/core/context.js';
import { silentLogger } from '../../daemon/core/log.js';
import { SHIPPED_NODE_ENV, SHIPPED_NODE_FLAGS, startDaemon, type DaemonProcess } from '../helpers/daemon.js';

/**
 * The hub as users run it, for the benches whose figure is about the process (latency from outside, RSS,
 * event-loop delay, file writes): the bundle in its own process with the systemd unit's node flags, on
 * port 0 with a temp data dir. Tokens are signed with the daemon's own key from its data dir, so hundreds
 * of clients do not need hundreds of CLI runs.
 */
export interface BenchDaemon {
  daemon: DaemonProcess;
  pid: number;
  dataDir: string;
  wsUrl: string;
  httpUrl: string;
  mqttUrl: string;
  tokens(count: number, prefix?: string): Promise<string[]>;
  rssMB(): Promise<number>;
  stop(): Promise<void>;
}

export async function startBenchDaemon(config: Record<string, unknown>, nodeArgs: readonly string[] = SHIPPED_NODE_FLAGS, cli?: string, env?: Record<string, string>): Promise<BenchDaemon> {
  // YAML is a superset of JSON: the config is written as JSON. BENCH_HUB_NODE_ARGS adds node flags to the
  // hub for a look inside it (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`); never set for a reported run.
  const extra = (process.env.BENCH_HUB_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const daemon = await startDaemon({ config: JSON.stringify(config), nodeArgs: [...nodeArgs, ...extra], ...(cli && { cli }), ...(env && { env }) });
  const dataDir = join(daemon.dir, 'data');
  const pid = daemon.child.pid!;
  return {
    daemon,
    pid,
    dataDir,
    wsUrl: `ws://127.0.0.1:${daemon.httpPort}/voice`,
    httpUrl: daemon.url,
    mqttUrl: `mqtt://127.0.0.1:${daemon.mqttPort}`,
    async tokens(count, prefix = 'bench') {
      const ctx = { config: buildConfig({ dataDir }), log: silentLogger(), clock: systemClock };
      const auth = new AuthService(ctx);
      await auth.start();
      try {
        return await Promise.all(Array.from({ length: count }, (_, i) => auth.create({ sub: `${prefix}-${i}`, scopes: ['voice'], ttl: '2h' })));
      } finally {
        await auth.stop();
      }
    },
    rssMB: () => rssOf(pid),
    async stop() {
      await daemon.stop();
      await daemon.cleanup();
    },
  };
}

/**
 * What a process has used so far, from /proc: CPU time (user + system, µs) and its read and write system
 * calls (reads, writes, sends: each a wake-up of the peer on loopback). Counts, so a loaded machine slows
 * them down but does not change them much: the figure to compare builds by when the latency is noise.
 */
export async function processUse(pid: number): Promise<{ cpuUs: number; syscalls: number }> {
  const [stat, io] = await Promise.all([
    readFile(`/proc/${pid}/stat`, 'utf8').catch(() => ''),
    readFile(`/proc/${pid}/io`, 'utf8').catch(() => ''),
  ]);
  return useOf(stat, io);
}

/**
 * The same for one thread (`tid` as Linux numbers it; a process's main thread's is its pid) of this process or
 * of process `pid`, read synchronously: the capacity bench takes it at the edges of its window, where its load
 * runs in a worker; the ingest bench reads the broker process's main thread, leaving its GC helpers out.
 */
export function threadUse(tid: number, pid = process.pid): { cpuUs: number; syscalls: number } {
  const read = (name: string) => { try { return readFileSync(`/proc/${pid}/task/${tid}/${name}`, 'utf8'); } catch { return ''; } };
  return useOf(read('stat'), read('io'));
}

function useOf(stat: string, io: string): { cpuUs: number; syscalls: number } {
  // Fields after the command name (which may hold spaces), 1-based from field 3: utime is 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11] ?? NaN) + Number(fields[12] ?? NaN);
  const count = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(io)?.[1] ?? NaN);
  return { cpuUs: (ticks * 1e6) / CLOCK_TICKS_PER_SECOND, syscalls: count('syscr') + count('syscw') };
}

/** USER_HZ: 100 on every Linux the hub runs on (arm64 and x86-64 alike). */
const CLOCK_TICKS_PER_SECOND = 100;

export async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** A scrape of the hub's /metrics: the value of one sample line (first match), NaN when absent. */
export async function metricValue(httpUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : NaN;
}

/**
 * The anchor of the ingest bench: bare aedes as npm ships it (test/bench/bareAedesServer.ts) in its own
 * process with the same node flags and environment as the hub. BENCH_BARE_NODE_ARGS adds node flags to it, as
 * BENCH_HUB_NODE_ARGS does to the hub (a profile of each; never for a reported run).
 */
export function startBareAedesProcess(nodeArgs: readonly string[] = SHIPPED_NODE_FLAGS): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const extra = (process.env.BENCH_BARE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  return startBareProcess('./bareAedesServer.js', 'mqtt://127.0.0.1:', '', [...nodeArgs, ...extra]);
}

/**
 * The anchor for the voice figures measured from outside: a bare `ws` server (parse, reply, nothing else)
 * in its own process with the same node flags as the hub (test/bench/bareVoiceServer.ts).
 */
export function startBareVoiceProcess(nodeArgs: readonly string[] = SHIPPED_NODE_FLAGS): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  return startBareProcess('./bareVoiceServer.js', 'ws://127.0.0.1:', '/voice', nodeArgs);
}

/** A bare anchor server in its own process: it prints `{"port":N}` once listening and exits on SIGTERM. */
async function startBareProcess(file: string, urlHead: string, urlTail: string, nodeArgs: readonly string[]): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const script = fileURLToPath(new URL(file, import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, script], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...SHIPPED_NODE_ENV } });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`bare server ${file} exited ${code}`)));
  });
  return {
    url: `${urlHead}${port}${urlTail}`,
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
