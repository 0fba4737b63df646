/**
 * Preloaded into a bench's hub (`node --import <this file>`): how long the event loop ran without reaching its
 * timers, counted in CPU time as well as wall time. On a shared machine the hub's own delay monitor (wall
 * time) also counts the time the process waited for a core; the CPU time between two runs of a short timer
 * is what the hub itself spent in one stretch (a lower bound by at most the timer's interval; GC helper
 * threads count too). Written to `<tmpdir>/voicehub-loop-probe-<pid>.json` when the process exits. The
 * bench signals it with SIGUSR2: the first marks the idle hub (its memory), the second arms it once the load
 * starts, the third freezes it when the load stops (later ones arm and freeze again).
 *
 * Beside the stretches it keeps what explains them and the memory: the longest stretches with their
 * monotonic times (to cut a `--cpu-prof` of the same run at them), the garbage collections by kind while
 * armed and after the load, and the memory (V8's spaces, /proc/self/smaps_rollup) at the idle mark, when
 * armed, at the highest RSS under the load (peak) and in the last second before exit (after).
 */
import { openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver, constants, performance } from 'node:perf_hooks';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';

const INTERVAL_MS = 2;
/**
 * BENCH_EDGE_HEAPSNAP=<dir> (a look inside, never a reported run: a snapshot is a full collection and a
 * pause of seconds): heap snapshots at the idle mark and BENCH_EDGE_HEAPSNAP_AFTER seconds (default 50)
 * after the load stops, `<dir>/<pid>-idle.heapsnapshot` and `-after.heapsnapshot`, for heapDiff.ts.
 */
const SNAP_DIR = process.env.BENCH_EDGE_HEAPSNAP;
const SNAP_AFTER_S = Number(process.env.BENCH_EDGE_HEAPSNAP_AFTER ?? 50);

function snapshot(label: string): void {
  if (SNAP_DIR) writeHeapSnapshot(join(SNAP_DIR, `${process.pid}-${label}.heapsnapshot`));
}

/** The process's memory at one moment, MB. */
export interface MemoryPoint {
  rssMB: number;
  heapUsedMB: number;
  heapTotalMB: number;
  arrayBuffersMB: number;
  externalMB: number;
  /** Per V8 space: committed / in use. */
  spaces?: Record<string, { committedMB: number; usedMB: number }>;
  /** /proc/self/smaps_rollup: anonymous (heap, malloc, stacks) and file-backed (the binary's pages). */
  anonMB?: number;
  fileMB?: number;
}

export interface GcCounts { count: number; totalMs: number; maxMs: number }

export interface LoopProbeResult {
  intervalMs: number;
  ticks: number;
  /** The most CPU time the process used between two runs of the timer, less the interval (ms). */
  maxCpuMs: number;
  /** The longest wall time between two runs, less the interval (ms): what the delay monitor sees. */
  maxWallMs: number;
  /**
   * The most CPU time the main thread alone used between two runs (ms, from /proc/thread-self/schedstat):
   * the process's figure above also counts V8's concurrent GC threads and libuv's pool, which run beside the
   * loop, not in it.
   */
  maxMainCpuMs?: number;
  /**
   * Where the memory was at the highest RSS seen while armed (sampled every MEMORY_EVERY ticks), in MB: V8's
   * heap in use and committed, the Buffers and ArrayBuffers outside it, and the rest of the RSS (code, stacks,
   * native state of sockets, the allocator's own slack).
   */
  atPeakRss?: MemoryPoint;
  /** At the idle mark, when armed (the load's clients connected) and in the last second before exit (the bench's "after"). */
  atIdle?: MemoryPoint;
  atArm?: MemoryPoint;
  atEnd?: MemoryPoint;
  /** The longest CPU stretches while armed, longest first (by the main thread's): CPU ms (process, main thread), wall ms, monotonic start/end in µs. */
  stretches?: Array<{ cpuMs: number; mainCpuMs: number; wallMs: number; startUs: number; endUs: number }>;
  /** Garbage collections while armed, by kind (major = mark-compact), and after the freeze. */
  gcArmed?: Record<string, GcCounts>;
  gcAfter?: Record<string, GcCounts>;
  /** After the freeze, once a second: seconds since it, RSS, V8 heap in use and committed (MB). */
  afterTrail?: Array<[number, number, number, number]>;
  /** Major collections after the freeze: seconds since the freeze, ms each. */
  majorAfter?: Array<{ atS: number; ms: number }>;
}

/** Memory is read every this many ticks (process.memoryUsage walks the heap's spaces: not every 2 ms). */
const MEMORY_EVERY = 50;
const MB = 1024 * 1024;
const KEEP_STRETCHES = 12;

/** Where the probe of process `pid` writes (edge.ts reads it; the same path is spelled there). */
function loopProbeFile(pid: number): string {
  return join(tmpdir(), `voicehub-loop-probe-${pid}.json`);
}

function memoryPoint(detail: boolean): MemoryPoint {
  const m = process.memoryUsage();
  const point: MemoryPoint = { rssMB: m.rss / MB, heapUsedMB: m.heapUsed / MB, heapTotalMB: m.heapTotal / MB, arrayBuffersMB: m.arrayBuffers / MB, externalMB: m.external / MB };
  if (!detail) return point;
  point.spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, { committedMB: s.physical_space_size / MB, usedMB: s.space_used_size / MB }]));
  try {
    const rollup = readFileSync('/proc/self/smaps_rollup', 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? NaN);
    point.anonMB = kb('Anonymous') / 1024;
    point.fileMB = (kb('Rss') - kb('Anonymous')) / 1024;
  } catch {
    // Not Linux: the V8 figures stand alone.
  }
  return point;
}

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/** The main thread's CPU time so far (ns), read from an fd kept open (a pread costs some 10-20 µs); NaN off Linux. */
function mainThreadCpu(): () => number {
  let fd: number;
  try {
    fd = openSync('/proc/thread-self/schedstat', 'r');
  } catch {
    return () => NaN;
  }
  const buf = Buffer.alloc(96);
  return () => {
    const n = readSync(fd, buf, 0, buf.length, 0);
    return Number(buf.toString('latin1', 0, n).split(' ')[0]);
  };
}

function arm(): void {
  const mainCpu = mainThreadCpu();
  let lastMain = mainCpu();
  let maxMain = 0;
  let armed = false;
  let frozenAt = 0;
  let ticks = 0;
  let maxCpu = 0;
  let maxWall = 0;
  let lastCpu = process.cpuUsage();
  let lastWall = performance.now();
  let atPeakRss: MemoryPoint | undefined;
  let atIdle: MemoryPoint | undefined;
  let atArm: MemoryPoint | undefined;
  let atEnd: MemoryPoint | undefined;
  let stretches: NonNullable<LoopProbeResult['stretches']> = [];
  let gcArmed: Record<string, GcCounts> = {};
  const gcAfter: Record<string, GcCounts> = {};
  const majorAfter: NonNullable<LoopProbeResult['majorAfter']> = [];
  const timer = setInterval(() => {
    const cpu = process.cpuUsage();
    const wall = performance.now();
    const main = mainCpu();
    if (armed) {
      ticks++;
      const cpuMs = (cpu.user + cpu.system - lastCpu.user - lastCpu.system) / 1000 - INTERVAL_MS;
      const mainCpuMs = (main - lastMain) / 1e6 - INTERVAL_MS;
      maxMain = Math.max(maxMain, mainCpuMs);
      const wallMs = wall - lastWall - INTERVAL_MS;
      maxCpu = Math.max(maxCpu, cpuMs);
      maxWall = Math.max(maxWall, wallMs);
      // Ranked by the main thread's CPU where it is known: that is what holds the loop.
      const rank = (x: { cpuMs: number; mainCpuMs: number }) => (Number.isFinite(x.mainCpuMs) ? x.mainCpuMs : x.cpuMs);
      if (stretches.length < KEEP_STRETCHES || rank({ cpuMs, mainCpuMs }) > rank(stretches[stretches.length - 1]!)) {
        // hrtime is CLOCK_MONOTONIC in ns, the clock V8's profiler stamps its samples with (µs).
        const nowUs = Number(process.hrtime.bigint() / 1000n);
        stretches.push({ cpuMs, mainCpuMs, wallMs, startUs: nowUs - Math.round((wall - lastWall) * 1000), endUs: nowUs });
        stretches.sort((a, b) => rank(b) - rank(a));
        stretches = stretches.slice(0, KEEP_STRETCHES);
      }
      if (ticks % MEMORY_EVERY === 0) {
        const m = memoryPoint(false);
        if (!atPeakRss || m.rssMB > atPeakRss.rssMB) atPeakRss = memoryPoint(true);
      }
    }
    lastCpu = cpu;
    lastWall = wall;
    lastMain = main;
  }, INTERVAL_MS);
  timer.unref();
  // After the load, the memory once a second: the last one before exit is the bench's "after".
  const afterTrail: NonNullable<LoopProbeResult['afterTrail']> = [];
  let snappedAfter = false;
  const after = setInterval(() => {
    if (!frozenAt) return;
    if (!snappedAfter && performance.now() - frozenAt >= SNAP_AFTER_S * 1000) {
      snappedAfter = true;
      snapshot('after');
    }
    atEnd = memoryPoint(true);
    const round = (x: number) => Math.round(x * 10) / 10;
    afterTrail.push([round((performance.now() - frozenAt) / 1000), round(atEnd.rssMB), round(atEnd.heapUsedMB), round(atEnd.heapTotalMB)]);
  }, 1000);
  after.unref();
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = GC_KINDS[((entry as { detail?: { kind?: number } }).detail)?.kind ?? -1] ?? 'other';
      const into = armed ? gcArmed : frozenAt ? gcAfter : null;
      if (!into) continue;
      const c = (into[kind] ??= { count: 0, totalMs: 0, maxMs: 0 });
      c.count++;
      c.totalMs += entry.duration;
      c.maxMs = Math.max(c.maxMs, entry.duration);
      if (!armed && kind === 'major') majorAfter.push({ atS: (performance.now() - frozenAt) / 1000, ms: entry.duration });
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  process.on('SIGUSR2', () => {
    if (!atIdle) {
      atIdle = memoryPoint(true);
      snapshot('idle');
      return;
    }
    if (armed) {
      armed = false;
      frozenAt = performance.now();
      return;
    }
    armed = true;
    frozenAt = 0;
    ticks = 0;
    maxCpu = 0;
    maxWall = 0;
    maxMain = 0;
    atPeakRss = undefined;
    atArm = memoryPoint(true);
    stretches = [];
    gcArmed = {};
  });
  process.on('exit', () => {
    const result: LoopProbeResult = {
      intervalMs: INTERVAL_MS, ticks, maxCpuMs: Math.max(0, maxCpu), maxWallMs: Math.max(0, maxWall),
      ...(Number.isFinite(maxMain) && { maxMainCpuMs: Math.max(0, maxMain) }),
      ...(atPeakRss && { atPeakRss }), ...(atIdle && { atIdle }), ...(atArm && { atArm }), ...(atEnd && { atEnd }),
      stretches, gcArmed, gcAfter, majorAfter, afterTrail,
    };
    writeFileSync(loopProbeFile(process.pid), JSON.stringify(result));
  });
}

// Only ever loaded by `--import` into a hub: nothing imports this module.
arm();
