import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Logger } from './log.js';
import { Counter, getOrCreate, type Registry } from './metrics.js';

/**
 * Gives the JS heap's spare committed memory back once the hub has gone quiet: after start-up, and again
 * after each busy spell.
 *
 * Why: start-up allocates fast and much of it survives, so V8 doubles the young generation up to its cap
 * (`--max-semi-space-size=8`: two 8 MB semi-spaces, 16 MB committed) and keeps it committed for good, and a
 * load leaves old-space pages behind. V8's own memory reducer does not shrink either on an idle hub (12 s
 * and 20 s after `listening` the young generation was still 16 MB committed for 0.2 MB in use). One full
 * collection once the process is quiet returns it: idle RSS 92 → 77 MB on the development machine. It
 * costs one mark-compact of the live heap (about 18 MB: a few ms, more on a Pi) when nothing else waits.
 *
 * Quiet: the process used less than `quietCpuShare` of one core in each of the last two `intervalMs`. The collection
 * runs only when the heap holds more than `spareBytes` committed beyond what is in use. V8 shrinks the young
 * generation at a full collection only when the allocation rate since the previous collection was low (under
 * 1 KB/ms, over about 5 s), hence two quiet windows; after a burst of allocation it may still not, so a collection that gave
 * little back is tried again in the next quiet windows, at most `attempts` times a spell.
 *
 * One settle is two full collections back to back that compact every fragmented page (V8's
 * `--compact-on-every-full-gc`, set only around them): the first marks, moves and sweeps, and the second
 * gives back the old-space pages the first emptied. After the edge bench's combined load, plain collections
 * every 3 s left the heap at 51-54 MB committed for 39 MB in use (pages a quarter full stay unless compacted)
 * until V8's own memory reducer ran 25-40 s later, so the RSS a minute after the load was 104 MB against 90
 * idle.
 */
export interface MemorySettleOptions {
  log: Logger;
  intervalMs?: number;
  quietCpuShare?: number;
  spareBytes?: number;
  attempts?: number;
  /**
   * Called once a quiet spell, as it begins (two quiet windows), before the collection: for whoever can make
   * what they hold smaller when nothing else waits (the voice core's replay cache), so the collection that
   * follows takes what they let go.
   */
  whenQuiet?: () => void;
  /** Where `voicehub_memory_settled_total` is counted (the hub's registry). */
  metrics?: Registry;
  /** For tests: the process's CPU time in µs, the heap's committed and used bytes, and the collector. */
  cpuMicros?: () => number;
  heap?: () => { committed: number; used: number };
  collect?: () => void;
}

const DEFAULTS = { intervalMs: 3_000, quietCpuShare: 0.05, spareBytes: 8 * 1024 * 1024, attempts: 3 };

export class MemorySettle {
  private timer: NodeJS.Timeout | null = null;
  private lastCpu = 0;
  /** Collections run in this quiet spell: the next spell begins when the hub has been busy again. */
  private tries = 0;
  /** Quiet windows in a row. */
  private quietRun = 0;
  private gc: (() => void) | null | undefined;
  private stopped = false;
  /** How many collections this has run (tests, and the debug log). */
  runs = 0;

  constructor(private readonly options: MemorySettleOptions) {}

  start(): void {
    if (this.stopped || this.timer) return;
    const { metrics } = this.options;
    if (metrics) {
      const settle = this;
      getOrCreate(metrics, 'voicehub_memory_settled_total', () => new Counter({
        name: 'voicehub_memory_settled_total', help: 'Full collections run to give the heap\'s spare memory back once the hub went quiet (after start-up and after busy spells)', registers: [metrics],
        collect() { this.reset(); this.inc(settle.runs); },
      }));
    }
    this.lastCpu = this.cpu();
    this.timer = setInterval(() => this.check(), this.options.intervalMs ?? DEFAULTS.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One look (the timer calls it): collects when quiet for two windows, with tries left, and holding spare memory. */
  check(): boolean {
    const cpu = this.cpu();
    const used = cpu - this.lastCpu;
    this.lastCpu = cpu;
    const window = (this.options.intervalMs ?? DEFAULTS.intervalMs) * 1000;
    const quiet = used < window * (this.options.quietCpuShare ?? DEFAULTS.quietCpuShare);
    if (!quiet) {
      this.tries = 0;
      this.quietRun = 0;
      return false;
    }
    if (++this.quietRun === 2 && this.options.whenQuiet) {
      try {
        this.options.whenQuiet();
      } catch (err) {
        this.options.log.warn({ err }, 'making memory smaller while quiet failed');
      }
    }
    if (this.quietRun < 2 || this.tries >= (this.options.attempts ?? DEFAULTS.attempts)) return false;
    const before = this.heap();
    if (before.committed - before.used < (this.options.spareBytes ?? DEFAULTS.spareBytes)) return false;
    const collect = this.collector();
    if (!collect) return false;
    collect();
    this.tries++;
    this.runs++;
    // The collection itself is CPU: not counted against the next window's quiet.
    this.lastCpu = this.cpu();
    const after = this.heap();
    this.options.log.debug({ committedMB: mb(before.committed), afterMB: mb(after.committed), usedMB: mb(after.used) }, 'heap settled while quiet');
    return true;
  }

  private cpu(): number {
    if (this.options.cpuMicros) return this.options.cpuMicros();
    const { user, system } = process.cpuUsage();
    return user + system;
  }

  private heap(): { committed: number; used: number } {
    if (this.options.heap) return this.options.heap();
    let committed = 0;
    let used = 0;
    for (const space of getHeapSpaceStatistics()) {
      committed += space.physical_space_size;
      used += space.space_used_size;
    }
    return { committed, used };
  }

  private collector(): (() => void) | null {
    if (this.options.collect) return this.options.collect;
    if (this.gc === undefined) {
      const gc = exposedGc();
      this.gc = gc && (() => {
        setFlagsFromString('--compact-on-every-full-gc');
        try {
          gc();
          gc();
        } finally {
          setFlagsFromString('--no-compact-on-every-full-gc');
        }
      });
    }
    return this.gc;
  }
}

/**
 * V8's `gc()` without `--expose-gc` on the command line (the systemd unit's and users' own command lines
 * stay as they are): the flag is set for one new context, which receives the function, and cleared again so
 * no other context (a plugin's) gets it. Jest reads its heap figures the same way.
 */
export function exposedGc(): (() => void) | null {
  const global = (globalThis as { gc?: () => void }).gc;
  if (typeof global === 'function') return global;
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    return null;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}

function mb(bytes: number): number {
  return Math.round(bytes / 1048576 * 10) / 10;
}
