import { Counter, Gauge, Histogram, getOrCreate, type Registry } from '../core/metrics.js';
import type { TickReport } from './flushScheduler.js';

/**
 * Storage's own metrics: completed file writes per collection (what an SD card pays), and how long after a
 * tick was due its writes were all on disk: the time a change can wait beyond the flush interval (a late
 * timer under load, the fsyncs), which is what a crash can lose on top of one interval.
 */
export function storageMetrics(registry: Registry): { tick(report: TickReport): void } {
  const writes = getOrCreate(registry, 'voicehub_storage_writes_total', () => new Counter({
    name: 'voicehub_storage_writes_total', help: 'Completed writes of a collection file (temp copy, fsync, rename, directory fsync)',
    labelNames: ['collection'], registers: [registry],
  }));
  const failures = getOrCreate(registry, 'voicehub_storage_write_failures_total', () => new Counter({
    name: 'voicehub_storage_write_failures_total', help: 'Writes of a collection file that failed (retried at the next tick)',
    labelNames: ['collection'], registers: [registry],
  }));
  const lag = getOrCreate(registry, 'voicehub_storage_flush_seconds', () => new Histogram({
    name: 'voicehub_storage_flush_seconds', help: 'From the moment a flush tick was due until every write of it was on disk',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [registry],
  }));
  const worst = getOrCreate(registry, 'voicehub_storage_flush_max_seconds', () => new Gauge({
    name: 'voicehub_storage_flush_max_seconds', help: 'The longest flush_seconds since start', registers: [registry],
  }));
  let max = 0;
  return {
    tick(report) {
      for (const name of report.written) writes.inc({ collection: name });
      for (const name of report.failed) failures.inc({ collection: name });
      const seconds = Math.max(0, report.endedAt - report.dueAt) / 1000;
      lag.observe(seconds);
      if (seconds > max) worst.set((max = seconds));
    },
  };
}
