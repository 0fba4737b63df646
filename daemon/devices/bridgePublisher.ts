import type { HubContext } from '../core/context.js';
import type { DeviceSnapshot } from '../../devices/registry.js';

const DEBOUNCE_MS = 500;
export const BRIDGE_DEVICES_TOPIC = 'voicehub/bridge/devices';

/**
 * Publishes the retained device list on `voicehub/bridge/devices` (as Zigbee2MQTT does on
 * `zigbee2mqtt/bridge/devices`) when it changes, debounced: a burst of discovery messages at start-up
 * makes one publish, not hundreds. State changes alone do not republish (the list has no state).
 */
export class BridgePublisher {
  private timer: NodeJS.Timeout | null = null;
  private lastPayload = '';
  private readonly owner = {};

  constructor(private readonly options: { ctx: HubContext; snapshot: () => DeviceSnapshot[] }) {}

  start(): void {
    const { bus } = this.options.ctx;
    for (const event of ['device.added', 'device.removed', 'device.changed', 'device.availability'] as const) {
      bus.on(event, this.owner, () => this.schedule());
    }
    this.schedule();
  }

  stop(): void {
    this.options.ctx.bus.removeListeners(this.owner);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const payload = JSON.stringify(this.options.snapshot());
      if (payload === this.lastPayload) return;
      this.lastPayload = payload;
      this.options.ctx.mqtt.publish(BRIDGE_DEVICES_TOPIC, payload, { qos: 1, retain: true })
        .catch((err: unknown) => this.options.ctx.log.warn({ err }, 'could not publish the device list'));
    }, DEBOUNCE_MS);
    this.timer.unref();
  }
}
