import { Counter, Gauge } from 'prom-client';
import type { HubContext, Subsystem } from '../../core/context.js';
import { DEFAULT_BACKOFF, type BackoffPolicy } from '../../core/backoff.js';
import { getOrCreate } from '../../core/metrics.js';
import type { VoiceCore } from '../voiceCore.js';
import { SatelliteLink } from './satelliteLink.js';
import { findProgram } from '../../speech/childProcess.js';

export interface SatelliteDoorOptions {
  core: VoiceCore;
  /** Redial steps (tests shorten them); default the hub's 0.5 s doubling to 30 s. */
  backoff?: BackoffPolicy;
}

/**
 * The Wyoming satellite front door (config `voice.satellites`, PROTOCOL §8): one SatelliteLink per configured
 * satellite, dialled at start and redialled with backoff, each a voice session on the hub's one voice core
 * (so the queue, limits, idempotency, speech and `speak` routing are the core's). `/health` has a
 * `satellites` check (each one's state, area, last error; degraded while one is not connected) and `/metrics`
 * `voicehub_satellites_connected` and `voicehub_satellite_pipelines_total`. Started after the voice core and
 * stopped before it; its drain lets a running utterance finish.
 */
export class SatelliteDoor implements Subsystem {
  readonly name = 'satellites';
  private links: SatelliteLink[] = [];

  constructor(private readonly ctx: HubContext, private readonly options: SatelliteDoorOptions) {}

  async start(): Promise<void> {
    const satellites = this.ctx.config.voice.satellites ?? [];
    if (satellites.length === 0) return;
    const sox = await findProgram('sox');
    const names = new Set<string>();
    for (const { name } of satellites) {
      if (names.has(name)) this.ctx.log.warn({ code: 'CONFIG_INVALID', satellite: name }, 'two voice.satellites share a name: they share one subject (rate limit, held speech); give each its own');
      names.add(name);
    }
    this.links = satellites.map((satellite, index) => new SatelliteLink({
      satellite, index, core: this.options.core, log: this.ctx.log, backoff: this.options.backoff ?? DEFAULT_BACKOFF,
      infoTimeoutMs: 5000, connectTimeoutMs: 5000, stableMs: 30_000, sox: () => sox,
    }));
    const links = (): SatelliteLink[] => this.links;
    const { metrics } = this.ctx;
    getOrCreate(metrics, 'voicehub_satellites_connected', () => new Gauge({
      name: 'voicehub_satellites_connected', help: 'Wyoming satellites (voice.satellites) connected now', registers: [metrics],
      collect() { this.set(links().filter((l) => l.connected).length); },
    }));
    getOrCreate(metrics, 'voicehub_satellite_pipelines_total', () => new Counter({
      name: 'voicehub_satellite_pipelines_total', help: 'run-pipeline events accepted from Wyoming satellites', labelNames: ['satellite'], registers: [metrics],
      collect() {
        this.reset();
        for (const l of links()) this.inc({ satellite: l.name }, l.status().pipelines);
      },
    }));
    this.ctx.health.register('satellites', () => {
      const all = this.links.map((l) => l.status());
      return { ok: all.every((s) => s.state === 'connected'), satellites: all };
    });
    for (const link of this.links) link.start();
  }

  async drain(): Promise<void> {
    await Promise.race([
      Promise.all(this.links.map((l) => l.drain())),
      new Promise((resolve) => setTimeout(resolve, 3000).unref()),
    ]);
  }

  async stop(): Promise<void> {
    for (const link of this.links) link.stop();
    if (this.links.length) this.ctx.health.unregister('satellites');
    this.links = [];
  }
}
