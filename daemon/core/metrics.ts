import { performance } from 'node:perf_hooks';
import { Registry, collectDefaultMetrics, Counter, Gauge, Histogram } from 'prom-client';
import { turnBudget } from './turnBudget.js';

export { Counter, Gauge, Histogram, Registry };

/**
 * The hub's own Prometheus registry (never prom-client's global one, so tests can run several hubs in one
 * process). Default process metrics carry the `voicehub_` prefix too, event-loop delay included
 * (`voicehub_nodejs_eventloop_lag_p99_seconds` and friends).
 *
 * The event-loop delay is sampled every 100 ms: every stall of 100 ms or more is caught, shorter ones in
 * proportion. Sampling every 20 ms woke the idle hub 50 times a second and was most of its idle CPU.
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'voicehub_', eventLoopMonitoringPrecision: 100 });
  // Gauges named like counters, which `promtool check metrics` flags ("non-counter metrics should not have
  // _total suffix"); the same numbers are the sums of the per-type gauges voicehub_nodejs_active_handles,
  // _requests and _resources, which stay. Each also walked every handle again on every scrape.
  for (const name of MISNAMED_DEFAULT_GAUGES) registry.removeSingleMetric(name);
  for (const name of WALKING_DEFAULT_GAUGES) collectAtMostEvery(registry.getSingleMetric(name), WALK_EVERY_MS);
  // The loop phase budget (turnBudget.ts) is the process's: read at scrape time, nothing to count per input.
  new Counter({
    name: 'voicehub_input_held_total', help: 'Socket inputs (MQTT chunks, voice frames) held past a loop phase\'s work budget and handled in a later phase', registers: [registry],
    collect() { this.reset(); this.inc(turnBudget.held); },
  });
  new Gauge({
    name: 'voicehub_input_waiting', help: 'Socket inputs held now, waiting for a loop phase with budget', registers: [registry],
    collect() { this.set(turnBudget.waiting); },
  });
  return registry;
}

/** prom-client's default gauges whose names end in `_total`; see createMetricsRegistry. */
export const MISNAMED_DEFAULT_GAUGES = [
  'voicehub_nodejs_active_handles_total',
  'voicehub_nodejs_active_requests_total',
  'voicehub_nodejs_active_resources_total',
] as const;

/**
 * prom-client's default gauges that walk every socket at each scrape: the fd table (a readdir of
 * /proc/self/fd) and every libuv handle and resource. With the edge bench's 1,500 clients a scrape took 14-19
 * ms of the main thread in one task, three of the hub's six longest stretches without timers; they are read
 * at most every WALK_EVERY_MS, a scrape in between gets the last reading.
 */
export const WALKING_DEFAULT_GAUGES = [
  'voicehub_process_open_fds',
  'voicehub_nodejs_active_handles',
  'voicehub_nodejs_active_resources',
] as const;
const WALK_EVERY_MS = 10_000;

function collectAtMostEvery(metric: { get(): unknown } | undefined, everyMs: number): void {
  if (!metric) return;
  const get = metric.get.bind(metric);
  let last: unknown;
  let at = -Infinity;
  metric.get = () => {
    const now = performance.now();
    if (now - at >= everyMs) {
      last = get();
      at = now;
    }
    return last;
  };
}

/** Returns the metric of that name if a subsystem already made it (restarts in tests), else makes it. */
export function getOrCreate<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}
