/**
 * Preloaded into the latency bench's hub (`node --import <this file>`): when each garbage collection ran and
 * for how long, on the wall clock (epoch ms), so the bench can tell which of its slow utterances a GC pause
 * overlapped. One PerformanceObserver entry per collection (about one a second at 200 utterances/s): nothing
 * per utterance, no timer. Written to `<tmpdir>/voicehub-gc-probe-<pid>.json` when the process exits.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, performance, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

/** One collection: [start epoch ms, duration ms, kind] with kind 'minor' (scavenge) or 'major' (the rest). */
export type GcPause = [startMs: number, durationMs: number, kind: 'minor' | 'major'];

/** Where the probe of process `pid` writes. */
export function gcProbeFile(pid: number): string {
  return join(tmpdir(), `voicehub-gc-probe-${pid}.json`);
}

/** Bounded: a long bench at a few collections a second stays far below it. */
const MAX_PAUSES = 100_000;

function arm(): void {
  const pauses: GcPause[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries() as Array<PerformanceEntry & { detail?: { kind?: number } }>) {
      if (pauses.length >= MAX_PAUSES) return;
      const minor = e.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR;
      pauses.push([performance.timeOrigin + e.startTime, e.duration, minor ? 'minor' : 'major']);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  process.on('exit', () => writeFileSync(gcProbeFile(process.pid), JSON.stringify(pauses)));
}

// Armed only where it was preloaded (`--import`): openLoop.ts imports gcProbeFile from it too.
if (process.execArgv.some((a) => a.startsWith('--import') && a.includes('gcProbe'))) arm();
