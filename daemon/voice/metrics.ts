import { Counter, Gauge, type Registry } from 'prom-client';
import { getOrCreate, HotHistogram } from '../core/metrics.js';

/** Where the gauges read their values at scrape time; set by the running voice server. */
export interface VoiceGaugeSources {
  queueDepth(): number;
  clients(): number;
}

const idle: VoiceGaugeSources = { queueDepth: () => 0, clients: () => 0 };
/** Per registry, so a voice server made again on the same registry (tests) rewires the existing gauges. */
const sources = new WeakMap<Registry, VoiceGaugeSources>();
/** Outcomes counted since the last scrape, per registry; the counter takes them in when it is read. */
const pendingOutcomes = new WeakMap<Registry, Map<string, number>>();

/** Latency buckets from 0.5 ms (a local match) to 5 s (a cloud round trip near its timeout), in seconds. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

type Outcome = string;

/**
 * The voice server's metrics (PROTOCOL §2), on the registry it is given, never prom-client's global one.
 * The hot path allocates nothing for them: outcomes are counted in a plain map that the counter takes in
 * when it is scraped (its collect hook; prom-client's own inc allocates ~120 bytes a call), the latency goes
 * to a HotHistogram (no object or label hash per call), and the gauges are computed when scraped.
 */
export class VoiceMetrics {
  private readonly latency: { observe(value: number): void };
  private readonly outcomes: Map<Outcome, number>;

  constructor(private readonly registry: Registry) {
    let outcomes = pendingOutcomes.get(registry);
    if (!outcomes) {
      outcomes = new Map();
      pendingOutcomes.set(registry, outcomes);
    }
    this.outcomes = outcomes;
    getOrCreate(registry, 'voicehub_utterances_total', () => new Counter({
      name: 'voicehub_utterances_total',
      help: 'Utterances answered, by outcome: reply, duplicate (idempotent replay) or the error code',
      labelNames: ['outcome'] as const,
      registers: [registry],
      collect() {
        const counted = pendingOutcomes.get(registry);
        if (!counted) return;
        for (const [outcome, n] of counted) this.inc({ outcome }, n);
        counted.clear();
      },
    }));
    this.latency = getOrCreate(registry, 'voicehub_voice_latency_seconds', () => new HotHistogram(
      'voicehub_voice_latency_seconds', 'Time from an utterance frame arriving to its answer being sent', LATENCY_BUCKETS, registry,
    ));
    getOrCreate(registry, 'voicehub_queue_depth', () => new Gauge({
      name: 'voicehub_queue_depth',
      help: 'Utterances accepted and waiting: in session queues and for a work-queue slot',
      registers: [registry],
      collect() { this.set((sources.get(registry) ?? idle).queueDepth()); },
    }));
    getOrCreate(registry, 'voicehub_voice_clients', () => new Gauge({
      name: 'voicehub_voice_clients',
      help: 'Connected voice clients',
      registers: [registry],
      collect() { this.set((sources.get(registry) ?? idle).clients()); },
    }));
  }

  attach(source: VoiceGaugeSources): void {
    sources.set(this.registry, source);
  }

  detach(): void {
    sources.delete(this.registry);
  }

  /** One answered utterance: its outcome and, when it reached the queue, its latency in seconds. */
  observe(outcome: Outcome, seconds?: number): void {
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
    if (seconds !== undefined) this.latency.observe(seconds);
  }
}
