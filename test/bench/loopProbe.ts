/**
 * Preloaded into a bench's hub (`node --import <this file>`): how long the event loop ran without reaching its
 * timers, counted in CPU time as well as wall time. On a shared machine the hub's own delay monitor (wall
 * time) also counts the time the process waited for a core; the CPU time between two runs of a short timer
 * is what the hub itself spent in one stretch (a lower bound by at most the timer's interval; GC helper
 * threads count too). Written to `<tmpdir>/voicehub-loop-probe-<pid>.json` when the process exits; the
 * bench arms it (and resets it) with SIGUSR2 once its load starts.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const INTERVAL_MS = 2;

export interface LoopProbeResult {
  intervalMs: number;
  ticks: number;
  /** The most CPU time the process used between two runs of the timer, less the interval (ms). */
  maxCpuMs: number;
  /** The longest wall time between two runs, less the interval (ms): what the delay monitor sees. */
  maxWallMs: number;
  /**
   * Where the memory was at the highest RSS seen while armed (sampled every MEMORY_EVERY ticks), in MB: V8's
   * heap in use and committed, the Buffers and ArrayBuffers outside it, and the rest of the RSS (code, stacks,
   * native state of sockets, the allocator's own slack).
   */
  atPeakRss?: { rssMB: number; heapUsedMB: number; heapTotalMB: number; arrayBuffersMB: number; externalMB: number };
}

/** Memory is read every this many ticks (process.memoryUsage walks the heap's spaces: not every 2 ms). */
const MEMORY_EVERY = 50;
const MB = 1024 * 1024;

/** Where the probe of process `pid` writes (edge.ts reads it; the same path is spelled there). */
function loopProbeFile(pid: number): string {
  return join(tmpdir(), `voicehub-loop-probe-${pid}.json`);
}

function arm(): void {
  let armed = false;
  let ticks = 0;
  let maxCpu = 0;
  let maxWall = 0;
  let lastCpu = process.cpuUsage();
  let lastWall = performance.now();
  let atPeakRss: LoopProbeResult['atPeakRss'];
  const timer = setInterval(() => {
    const cpu = process.cpuUsage();
    const wall = performance.now();
    if (armed) {
      ticks++;
      maxCpu = Math.max(maxCpu, (cpu.user + cpu.system - lastCpu.user - lastCpu.system) / 1000 - INTERVAL_MS);
      maxWall = Math.max(maxWall, wall - lastWall - INTERVAL_MS);
      if (ticks % MEMORY_EVERY === 0) {
        const m = process.memoryUsage();
        if (!atPeakRss || m.rss / MB > atPeakRss.rssMB) {
          atPeakRss = { rssMB: m.rss / MB, heapUsedMB: m.heapUsed / MB, heapTotalMB: m.heapTotal / MB, arrayBuffersMB: m.arrayBuffers / MB, externalMB: m.external / MB };
        }
      }
    }
    lastCpu = cpu;
    lastWall = wall;
  }, INTERVAL_MS);
  timer.unref();
  // The first SIGUSR2 arms it afresh, the next one freezes it (the load is over), and so on.
  process.on('SIGUSR2', () => {
    if (armed) {
      armed = false;
      return;
    }
    armed = true;
    ticks = 0;
    maxCpu = 0;
    maxWall = 0;
    atPeakRss = undefined;
  });
  process.on('exit', () => {
    const result: LoopProbeResult = { intervalMs: INTERVAL_MS, ticks, maxCpuMs: Math.max(0, maxCpu), maxWallMs: Math.max(0, maxWall), ...(atPeakRss && { atPeakRss }) };
    writeFileSync(loopProbeFile(process.pid), JSON.stringify(result));
  });
}

// Only ever loaded by `--import` into a hub: nothing imports this module.
arm();
