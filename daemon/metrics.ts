import { Registry, collectDefaultMetrics, Counter, Gauge, Histogram } from 'prom-client';

export { Counter, Gauge, Histogram, Registry };

/**
 * The hub's own Prometheus registry (never prom-client's global one, so tests can run several hubs in one
 * process). Default process metrics carry the `voicehub_` prefix too, event-loop delay included
 * (`voicehub_nodejs_eventloop_lag_p99_seconds` and friends).
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'voicehub_', eventLoopMonitoringPrecision: 20 });
  return registry;
}

/** Returns the metric of that name if a subsystem already made it (restarts in tests), else makes it. */
export function getOrCreate<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}
