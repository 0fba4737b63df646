import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { CLI, REPO_ROOT, SHIPPED_NODE_ENV, SHIPPED_NODE_FLAGS, makeTempDir } from '../helpers/daemon.js';
import { median } from './stats.js';

export interface StartupResult {
  runs: number;
  nodeBaselineMs: number;
  hubListeningMs: number;
  ratio: number;
  /** CPU time (all threads) the hub used from process start to `listening`, median: far less load-dependent than the wall time. */
  hubCpuToListeningMs: number;
  /** The same for `node -e 0` (its CPU at exit), measured beside it. */
  nodeBaselineCpuMs: number;
  /**
   * The same two figures for a later start: the data dir an earlier start made (signing key, stores, the start
   * script's code cache), as a restart by systemd finds it. The figures above are first starts, each in a
   * fresh data dir (so without a code cache).
   */
  laterListeningMs: number;
  laterCpuToListeningMs: number;
  idleRssMB: number;
  /**
   * The idle RSS by part (/proc/PID/smaps_rollup): anonymous (V8's heap, malloc, stacks) and file-backed (the
   * pages of the `node` binary and its libraries the process has touched: shared and clean, but counted).
   */
  idleAnonMB: number;
  idleFileMB: number;
  /**
   * The same after a later start (the data dir and code cache a restart finds): what every boot after the first
   * holds. A first start also writes the code cache after its warm-up, and the serialiser's freed buffers stay
   * in malloc's main arena (its [heap] 10-12 MB after a first start, 5-7 after a later one).
   */
  laterIdleRssMB: number;
  laterIdleAnonMB: number;
  laterIdleFileMB: number;
  /** The anchor: `node` with the unit's flags and environment, idle in a timer, the same parts. */
  nodeIdle: MemoryParts;
  /** CPU the idle hub uses, in % of one core, over `idleSeconds` (a system sample included). */
  idleCpuPct: number;
  idleSeconds: number;
}

export interface MemoryParts { rssMB: number; anonMB: number; fileMB: number }

/** RSS and its anonymous and file-backed parts, from /proc/PID/smaps_rollup (zeros if the process is gone). */
export async function memoryParts(pid: number): Promise<MemoryParts> {
  const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? 0);
  return { rssMB: kb('Rss') / 1024, anonMB: kb('Anonymous') / 1024, fileMB: (kb('Rss') - kb('Anonymous')) / 1024 };
}

/** Bare `node` as the unit starts it (flags, environment), idle in a timer for `seconds`: what any Node service holds. */
async function nodeIdleParts(seconds = 5): Promise<MemoryParts> {
  const child = spawn(process.execPath, [...SHIPPED_NODE_FLAGS, '-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore', env: { ...SHIPPED_NODE_ENV, PATH: process.env.PATH ?? '' } });
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const parts = await memoryParts(child.pid!);
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
  return parts;
}

function timeNodeBaseline(): Promise<number> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' }).once('exit', () => resolve(performance.now() - t0));
  });
}

/** CPU time of `node -e 0`, read by the process itself as it ends (all threads, like /proc's utime + stime). */
function cpuOfNodeBaseline(): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    const child = spawn(process.execPath, ['-e', 'const c = process.cpuUsage(); process.stdout.write(String((c.user + c.system) / 1000))'], { stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.once('exit', () => (Number.isFinite(Number(out)) && out !== '' ? resolve(Number(out)) : reject(new Error(`node -e printed ${out}`))));
  });
}

/** The node flags of `npm start` (e.g. a smaller young generation), so the bench measures what users run. */
export async function startFlags(): Promise<string[]> {
  const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  return pkg.scripts.start.split(/\s+/).filter((w) => w.startsWith('--'));
}

/** Linux counts process CPU time in clock ticks of 1/100 s (USER_HZ) in /proc/PID/stat. */
const TICKS_PER_SECOND = 100;

async function cpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces, inside parentheses): utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * Process start → the `listening` line; with `idleSeconds` (null: not), holds the hub idle, reads its RSS
 * from /proc and then, when above 0, its CPU use over that many seconds.
 */
async function timeHub(idleSeconds: number | null = null, keptDir?: string): Promise<{ ms: number; cpuMs: number; rssMB: number; parts: MemoryParts | null; cpuPct: number; startCache: string }> {
  const dir = keptDir ?? await makeTempDir('voicehub-bench-');
  const t0 = performance.now();
  // As the systemd unit runs it: its node flags (a capped old generation, a small young one).
  const child = spawn(process.execPath, [...SHIPPED_NODE_FLAGS, CLI, 'start'], {
    cwd: dir,
    env: { ...SHIPPED_NODE_ENV, PATH: process.env.PATH ?? '', VOICEHUB_DATA_DIR: join(dir, 'data'), VOICEHUB_HTTP_PORT: '0', VOICEHUB_MQTT_PORT: '0', VOICEHUB_HTTP_HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let cacheDone: () => void = () => {};
  const cacheSettled = new Promise<void>((r) => { cacheDone = r; });
  let startCache = '';
  const ms = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes('"msg":"listening"')) {
        startCache = /"startCache":"(\w+)"/.exec(line)?.[1] ?? '';
        if (startCache === 'used') cacheDone();
        resolve(performance.now() - t0);
      }
      if (line.includes('"msg":"start cache written"') || line.includes('"msg":"start cache not written"')) cacheDone();
    });
    child.once('exit', (code) => reject(new Error(`hub exited ${code} before listening`)));
  });
  // Read at once: the work right after `listening` (warm-up) adds a few ticks at most before this read.
  const cpuMs = (await cpuTicks(child.pid!)) * (1000 / TICKS_PER_SECOND);
  // A kept data dir gets its start cache before the hub stops, as a hub that ran for a while has it.
  if (keptDir !== undefined) await Promise.race([cacheSettled, new Promise((r) => setTimeout(r, 30_000))]);
  let rssMB = 0;
  let parts: MemoryParts | null = null;
  let cpuPct = 0;
  if (idleSeconds !== null) {
    await new Promise((r) => setTimeout(r, 12_000)); // past the first system sample's worker
    const status = await readFile(`/proc/${child.pid}/status`, 'utf8').catch(() => '');
    rssMB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    parts = await memoryParts(child.pid!);
    if (idleSeconds > 0) {
      const before = await cpuTicks(child.pid!);
      await new Promise((r) => setTimeout(r, idleSeconds * 1000));
      cpuPct = ((await cpuTicks(child.pid!)) - before) / TICKS_PER_SECOND / idleSeconds * 100;
    }
  }
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
  if (keptDir === undefined) await rm(dir, { recursive: true, force: true });
  return { ms, cpuMs, rssMB, parts, cpuPct, startCache };
}

export async function benchStartup(runs = 7, idleSeconds = 60): Promise<StartupResult> {
  const baseline: number[] = [];
  const baselineCpu: number[] = [];
  const hub: number[] = [];
  const hubCpu: number[] = [];
  const later: number[] = [];
  const laterCpu: number[] = [];
  const keptDir = await makeTempDir('voicehub-bench-later-');
  let laterIdle: Awaited<ReturnType<typeof timeHub>>;
  try {
    await timeHub(null, keptDir); // warms the file cache so every run measures the same thing, and makes the later starts' data dir
    for (let i = 0; i < runs; i++) {
      baseline.push(await timeNodeBaseline());
      baselineCpu.push(await cpuOfNodeBaseline());
      const run = await timeHub();
      hub.push(run.ms);
      hubCpu.push(run.cpuMs);
      const again = await timeHub(null, keptDir);
      if (again.startCache !== 'used') throw new Error(`a later start did not use the start cache (${again.startCache})`);
      later.push(again.ms);
      laterCpu.push(again.cpuMs);
    }
    laterIdle = await timeHub(0, keptDir);
  } finally {
    await rm(keptDir, { recursive: true, force: true });
  }
  const { rssMB, parts, cpuPct } = await timeHub(idleSeconds);
  const nodeIdle = await nodeIdleParts();
  const nodeBaselineMs = median(baseline);
  const hubListeningMs = median(hub);
  return {
    runs, nodeBaselineMs, hubListeningMs, ratio: hubListeningMs / nodeBaselineMs, hubCpuToListeningMs: median(hubCpu), nodeBaselineCpuMs: median(baselineCpu),
    laterListeningMs: median(later), laterCpuToListeningMs: median(laterCpu),
    idleRssMB: rssMB, idleAnonMB: parts?.anonMB ?? NaN, idleFileMB: parts?.fileMB ?? NaN, nodeIdle, idleCpuPct: cpuPct, idleSeconds,
    laterIdleRssMB: laterIdle.rssMB, laterIdleAnonMB: laterIdle.parts?.anonMB ?? NaN, laterIdleFileMB: laterIdle.parts?.fileMB ?? NaN,
  };
}
