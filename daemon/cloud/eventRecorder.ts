import type { EventBus } from '../core/bus.js';
import type { Outbox } from './outbox.js';

/** A hub health summary goes to the cloud this often (an installer's dashboard, not an alarm). */
export const HEALTH_SUMMARY_MS = 5 * 60_000;

export interface RecorderOptions {
  bus: EventBus;
  outbox: Outbox;
  /** cloud.shareTranscripts: voice events carry the text only when the household said yes. */
  shareTranscripts: boolean;
  /** The hub's /health in brief, for `hub.health` events. */
  healthSummary(): Record<string, unknown>;
  healthEveryMs?: number;
}

/**
 * Turns what happens in the hub into outbox events: device state and availability changes, voice
 * interactions and plugin failures from the bus, and a periodic `hub.health` summary. Listeners are grouped under this owner,
 * so stop removes them all at once.
 */
export class EventRecorder {
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: RecorderOptions) {}

  start(): void {
    const { bus, outbox, shareTranscripts } = this.options;
    bus.on('device.state', this, (e) => {
      outbox.record('device.state', { device: e.deviceId, state: e.state, changed: e.changed });
    });
    bus.on('device.availability', this, (e) => {
      outbox.record('device.availability', { device: e.deviceId, available: e.available });
    });
    bus.on('voice.interaction', this, (e) => {
      outbox.record('voice.interaction', {
        traceId: e.traceId, client: e.clientId, outcome: e.outcome, intent: e.intent ?? null, handledBy: e.handledBy ?? null, latencyMs: e.ms,
        ...(shareTranscripts ? { text: e.text } : {}),
      });
    });
    bus.on('plugin.failure', this, (e) => {
      outbox.record('plugin.failure', { plugin: e.plugin, code: e.code, what: e.what });
    });
    this.timer = setInterval(() => {
      outbox.record('hub.health', this.options.healthSummary());
    }, this.options.healthEveryMs ?? HEALTH_SUMMARY_MS);
    this.timer.unref();
  }

  /**
   * Records every device's current state and availability, as if each had just changed: after a hub died
   * between writing `devices.json` and the outbox, the cloud would otherwise keep a state the hub no longer has
   * until that device next changes (a door contact or a lock may not for days). Returns how many devices.
   */
  resync(devices: ReadonlyArray<{ id: string; state: Record<string, unknown>; available: boolean | null }>): number {
    const { outbox } = this.options;
    // What the outbox still holds for each device is what the cloud will get: a device whose latest waiting
    // event already says what the hub has needs nothing more. One with none waiting (all acked) may have
    // lost its last event, so it is sent again.
    const lastState = new Map<string, string>();
    const lastAvailable = new Map<string, unknown>();
    for (const e of outbox.pending) {
      if (typeof e.device !== 'string') continue;
      if (e.kind === 'device.state') lastState.set(e.device, JSON.stringify(e.state));
      if (e.kind === 'device.availability') lastAvailable.set(e.device, e.available);
    }
    let count = 0;
    for (const d of devices) {
      const keys = Object.keys(d.state);
      const state = keys.length > 0 && lastState.get(d.id) !== JSON.stringify(d.state);
      const available = d.available !== null && lastAvailable.get(d.id) !== d.available;
      // A copy, as the bus's events carry: the live state changes on, the recorded event must not.
      if (state) outbox.record('device.state', { device: d.id, state: { ...d.state }, changed: keys });
      if (available) outbox.record('device.availability', { device: d.id, available: d.available });
      if (state || available) count++;
    }
    return count;
  }

  stop(): void {
    this.options.bus.removeListeners(this);
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
