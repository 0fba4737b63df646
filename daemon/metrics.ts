import { Registry, collectDefaultMetrics, Counter, Gauge, Histogram } from 'prom-client';

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
  return registry;
}

/** Returns the metric of that name if a subsystem already made it (restarts in tests), else makes it. */
export function getOrCreate<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}
