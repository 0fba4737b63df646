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

/** One line of a histogram as prom-client's registry reads it. */
type HistogramValue = { labels: Record<string, string | number>; value: number; metricName: string; exemplar?: null | undefined; sharedLabels?: Record<string, never> };

/**
 * A histogram without labels for the hot path (one observation per utterance): observe() is a bucket search
 * and three additions. prom-client's Histogram builds an object, validates labels and hashes them on every
 * observation (about 0.4 µs and some garbage each). This one is registered like any metric, and a scrape
 * shows exactly what prom-client's Histogram shows for the same observations (a unit test compares the two).
 */
export class HotHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly labelNames: string[] = [];
  private readonly bounds: readonly number[];
  /** Observations per bucket, not cumulative; the last slot is above every bound (+Inf only). */
  private counts: Float64Array;
  private sum = 0;
  private count = 0;
  /** After reset() and before the next observation a scrape shows no series, as prom-client's does. */
  private cleared = false;

  constructor(readonly name: string, readonly help: string, buckets: readonly number[], registry: Registry) {
    // Ascending, as prom-client expects them (it does not sort, and shows nonsense for others).
    if (buckets.some((b, i) => i > 0 && b <= buckets[i - 1]!)) throw new TypeError(`histogram ${name}: buckets must be in ascending order`);
    this.bounds = [...buckets];
    this.counts = new Float64Array(this.bounds.length + 1);
    registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
    this.cleared = false;
  }

  /** What prom-client's Histogram gives the registry: cumulative buckets, +Inf, sum, count. */
  getForPromString(): { name: string; help: string; type: string; aggregator: string; values: HistogramValue[] } {
    const values: HistogramValue[] = [];
    if (this.cleared) return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
    let cumulative = 0;
    this.bounds.forEach((le, i) => {
      cumulative += this.counts[i]!;
      values.push({ labels: { le }, value: cumulative, metricName: `${this.name}_bucket`, exemplar: null, sharedLabels: {} });
    });
    values.push(
      { labels: { le: '+Inf' }, value: this.count, metricName: `${this.name}_bucket`, exemplar: null, sharedLabels: {} },
      { labels: {}, value: this.sum, metricName: `${this.name}_sum`, exemplar: undefined, sharedLabels: {} },
      { labels: {}, value: this.count, metricName: `${this.name}_count`, exemplar: undefined, sharedLabels: {} },
    );
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  get(): ReturnType<HotHistogram['getForPromString']> {
    const data = this.getForPromString();
    data.values = data.values.map(({ sharedLabels: _shared, ...v }) => v);
    return data;
  }

  reset(): void {
    this.counts = new Float64Array(this.bounds.length + 1);
    this.sum = 0;
    this.count = 0;
    this.cleared = true;
  }
}
