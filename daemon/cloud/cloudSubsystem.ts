import { hostname } from 'node:os';
import type { HubContext, Subsystem } from '../core/context.js';
import { RateLimiter } from '../core/rateLimiter.js';
import type { VoiceCore } from '../voice/voiceCore.js';
import { AnsweredIds, emptyAnswered, type AnsweredDocument } from './answeredIds.js';
import { CloudLink, type LinkState } from './cloudLink.js';
import { CloudMetrics } from './cloudMetrics.js';
import { CommandDoor, type DeviceCommander } from './commandDoor.js';
import { EventRecorder } from './eventRecorder.js';
import { emptyOutbox, Outbox, type OutboxDocument } from './outbox.js';
import { SyncSession } from './syncSession.js';
import { readCa } from './readCa.js';

/** How long (and how many) answered command and utterance ids are kept, across restarts. */
const ANSWERED_TTL_MS = 24 * 60 * 60_000;
const ANSWERED_MAX = 5000;

export interface CloudSubsystemOptions {
  /** Commands from the cloud, and the devices' current state for a resync after a crash. */
  devices: DeviceCommander & { list(): ReadonlyArray<{ id: string; state: Record<string, unknown>; available: boolean | null }> };
  core: VoiceCore;
  version: string;
  /** /health in brief, for the periodic `hub.health` event. */
  healthSummary(): Record<string, unknown>;
  /** Test seams: the jitter source and a shorter "stable" time. */
  random?: () => number;
}

/** What `/health` `checks.cloud` and `voicehub cloud status` show. */
export interface CloudStatus {
  ok: boolean;
  state: LinkState;
  outbox: number;
  lastAckedSeq: number | null;
  lastSeq: number | null;
  lastAckAgeMs: number | null;
  lastError: { code: string; message: string; at: string } | null;
}

/**
 * The cloud link as a subsystem: started last and stopped first (the hub is whole before it tells the cloud
 * anything, and the link is gone before the parts it reports on stop). Off, with nothing opened or dialled,
 * when `cloud.url` is unset. Builds the persisted outbox, the event recorder, the command door and the
 * WebSocket link, and answers `checks.cloud`.
 */
export class CloudSubsystem implements Subsystem {
  readonly name = 'cloud';
  private link: CloudLink | null = null;
  private outbox: Outbox | null = null;
  private recorder: EventRecorder | null = null;
  private door: CommandDoor | null = null;
  private sync: SyncSession | null = null;
  private readonly metrics: CloudMetrics;

  constructor(private readonly ctx: HubContext, private readonly options: CloudSubsystemOptions) {
    this.metrics = new CloudMetrics(ctx.metrics);
  }

  status(): CloudStatus {
    const link = this.link?.status;
    const state = link?.state ?? 'off';
    const error = link?.lastError ?? null;
    return {
      ok: state === 'off' || state === 'connected',
      state,
      outbox: this.outbox?.size ?? 0,
      lastAckedSeq: this.outbox?.lastAckedSeq ?? null,
      lastSeq: this.outbox?.lastSeq ?? null,
      lastAckAgeMs: this.sync?.lastAckAgeMs() ?? null,
      lastError: error ? { code: error.code, message: error.message, at: new Date(error.at).toISOString() } : null,
    };
  }

  async start(): Promise<void> {
    const { ctx } = this;
    const cloud = ctx.config.cloud;
    ctx.health.register('cloud', () => ({ ...this.status() }));
    if (!cloud.url) return;
    const wsUrl = cloud.url.replace(/^http/, 'ws');
    const ca = await readCa(cloud.ca).catch((err: Error) => {
      // A bad CA file never stops the hub: the link fails its TLS handshake and /health says why.
      ctx.log.error({ code: 'CLOUD_TLS', err }, err.message);
      return null;
    });
    const store = ctx.store;
    const outbox = new Outbox(await store.collection<OutboxDocument>('cloud-outbox', emptyOutbox), {
      max: cloud.outboxMax,
      clock: ctx.clock,
      onDropped: (n) => this.dropped(n),
      onFolded: (n) => this.metrics.folded.inc(n),
      onPersisted: () => this.sync?.pump(), // a failed write is storage's to log and retry; the events wait in memory
    });
    this.outbox = outbox;
    const answered = new AnsweredIds(await store.collection<AnsweredDocument>('cloud-answered', emptyAnswered), { ttlMs: ANSWERED_TTL_MS, maxEntries: ANSWERED_MAX, clock: ctx.clock });
    const log = ctx.log;
    const v = ctx.config.voice;
    this.door = new CommandDoor({
      devices: this.options.devices, core: this.options.core, allow: cloud.allow, answered, log,
      limiter: new RateLimiter({ perSecond: v.rateLimit.perSecond, burst: v.rateLimit.burst, maxKeys: 4 }, ctx.clock),
    });
    const now = () => ctx.clock.monotonic?.() ?? ctx.clock.now();
    const sync = new SyncSession({
      outbox, log, now,
      request: (frame, reply) => this.door!.handle(frame, reply),
      onSent: (n) => this.metrics.eventsSent.inc(n),
      ackTimeoutMs: 2 * cloud.heartbeatMs,
      killLink: (message) => this.link?.kill('CLOUD_HEARTBEAT_TIMEOUT', message),
    });
    this.sync = sync;
    this.link = new CloudLink({
      url: wsUrl, token: cloud.token, heartbeatMs: cloud.heartbeatMs, backoffMaxMs: cloud.backoffMaxMs, ca,
      hello: () => ({ type: 'hello', hubId: cloud.hubId ?? hostname(), version: this.options.version, lastAckedSeq: outbox.lastAckedSeq }),
      handler: {
        opened: (send) => { this.droppedLogged = false; sync.opened(send); },
        frame: (text) => sync.frame(text),
        closed: () => sync.closed(),
      },
      log, clock: ctx.clock, random: this.options.random,
      onReconnect: () => this.metrics.reconnects.inc(),
    });
    this.metrics.attach(() => this.link?.status.state === 'connected', () => outbox.size);
    this.recorder = new EventRecorder({ bus: ctx.bus, outbox, shareTranscripts: cloud.shareTranscripts, healthSummary: this.options.healthSummary });
    this.recorder.start();
    if (outbox.resumedAfterCrash) {
      const count = this.recorder.resync(this.options.devices.list());
      log.warn({ devices: count }, 'the last run did not stop cleanly: the state of every device is sent again so the cloud matches the hub');
    }
    outbox.markRunning();
    this.link.start();
    log.info({ outbox: outbox.size, lastAckedSeq: outbox.lastAckedSeq }, 'cloud link starting');
  }

  async stop(): Promise<void> {
    this.recorder?.stop();
    this.recorder = null;
    await this.link?.stop();
    this.door?.close();
    if (this.outbox) {
      this.outbox.stop();
      await this.outbox.flush().catch(() => {});
    }
    this.ctx.health.unregister('cloud');
  }

  private droppedLogged = false;

  private dropped(count: number): void {
    this.metrics.dropped.inc(count);
    if (this.droppedLogged) return;
    this.droppedLogged = true;
    this.ctx.log.warn({ code: 'CLOUD_OUTBOX_OVERFLOW', max: this.ctx.config.cloud.outboxMax },
      `cloud outbox full (${this.ctx.config.cloud.outboxMax} events): dropping the oldest until the link is back (logged once per outage)`);
  }
}
