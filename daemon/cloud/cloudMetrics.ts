import { Counter, Gauge, getOrCreate, Histogram, type Registry } from '../core/metrics.js';

/** The cloud link's metrics (README "Cloud link"); made once per registry, read live where they are gauges. */
export class CloudMetrics {
  readonly eventsSent: Counter;
  readonly reconnects: Counter;
  readonly dropped: Counter;
  readonly folded: Counter;
  readonly requestSeconds: Histogram<'method' | 'outcome'>;
  private connected: () => boolean = () => false;
  private outbox: () => number = () => 0;

  constructor(registry: Registry) {
    const self = this;
    getOrCreate(registry, 'voicehub_cloud_connected', () => new Gauge({
      name: 'voicehub_cloud_connected', help: '1 while the sync link to the cloud is up', registers: [registry],
      collect() { this.set(self.connected() ? 1 : 0); },
    }));
    getOrCreate(registry, 'voicehub_cloud_outbox_events', () => new Gauge({
      name: 'voicehub_cloud_outbox_events', help: 'events recorded for the cloud and not yet acknowledged', registers: [registry],
      collect() { this.set(self.outbox()); },
    }));
    this.eventsSent = getOrCreate(registry, 'voicehub_cloud_events_sent_total', () => new Counter({
      name: 'voicehub_cloud_events_sent_total', help: 'events sent over the sync link (a resend after a reconnect counts again)', registers: [registry],
    }));
    this.reconnects = getOrCreate(registry, 'voicehub_cloud_reconnects_total', () => new Counter({
      name: 'voicehub_cloud_reconnects_total', help: 'times the sync link came up again after it was down', registers: [registry],
    }));
    this.dropped = getOrCreate(registry, 'voicehub_cloud_outbox_dropped_total', () => new Counter({
      name: 'voicehub_cloud_outbox_dropped_total', help: 'events dropped, oldest first, because the outbox reached cloud.outboxMax', registers: [registry],
    }));
    this.folded = getOrCreate(registry, 'voicehub_cloud_outbox_folded_total', () => new Counter({
      name: 'voicehub_cloud_outbox_folded_total', help: 'device state events replaced by a later state of the same device while the outbox was full', registers: [registry],
    }));
    this.requestSeconds = cloudRequestSeconds(registry);
  }

  /** Where the gauges read from, once the link and outbox exist. */
  attach(connected: () => boolean, outbox: () => number): void {
    this.connected = connected;
    this.outbox = outbox;
  }
}

/** The request pool's histogram alone (the pool is built apart from the link, and must not make the gauges). */
export function cloudRequestSeconds(registry: Registry): Histogram<'method' | 'outcome'> {
  return getOrCreate(registry, 'voicehub_cloud_request_seconds', () => new Histogram({
    name: 'voicehub_cloud_request_seconds', help: 'cloud HTTP requests through the pool, by method and outcome (ok, error, busy)',
    labelNames: ['method', 'outcome'] as const, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry],
  }));
}
