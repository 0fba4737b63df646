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

/** Returns the metric of that name if a subsystem already made it (restarts in tests), else makes it. */
export function getOrCreate<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}
