import type { EventBus } from '../core/bus.js';
import type { Device } from '../../devices/model.js';
import { DEFAULT_MAX_MIREDS, DEFAULT_MIN_MIREDS, miredsToKelvin } from '../../devices/color.js';
import type { DeviceFeedView } from './deviceFeedView.js';

export type { DeviceFeedView } from './deviceFeedView.js';

export interface DeviceFeedOptions {
  bus: EventBus;
  devices: { list(): readonly Device[]; get(id: string): Device | undefined };
  /** The floor of an area, when the config names one. */
  floorOf?: (area: string) => string | null;
  /** Changes are gathered for this long and sent as one frame (500 devices reporting at once make one frame, not 500). */
  batchMs?: number;
}

/**
 * Live device state for `/voice` clients that ask for it (`/voice?feed=devices` with a `devices:read`
 * token: the page). Others get nothing new, so PROTOCOL §3 clients see exactly the frames they know.
 *
 * - on attach: `{"type":"devices","devices":[…every device…]}`
 * - then, at most every `batchMs`: `{"type":"devices.changed","devices":[…changed ones…],"removed":[ids]}`
 *
 * One frame is encoded per batch and the same string goes to every subscriber.
 */
export class DeviceFeed {
  private readonly subscribers = new Set<(frame: string) => void>();
  private readonly dirty = new Set<string>();
  private readonly removed = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private readonly batchMs: number;

  constructor(private readonly options: DeviceFeedOptions) {
    this.batchMs = options.batchMs ?? 100;
  }

  start(): void {
    const { bus } = this.options;
    const changed = ({ deviceId }: { deviceId: string }): void => this.mark(deviceId, false);
    bus.on('device.state', this, changed);
    bus.on('device.availability', this, changed);
    bus.on('device.added', this, changed);
    bus.on('device.changed', this, changed);
    bus.on('device.removed', this, ({ deviceId }) => this.mark(deviceId, true));
  }

  stop(): void {
    this.options.bus.removeListeners(this);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.subscribers.clear();
    this.dirty.clear();
    this.removed.clear();
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Sends the whole list now and every change from then on; returns the function that stops it. */
  attach(send: (frame: string) => void): () => void {
    send(JSON.stringify({ type: 'devices', devices: this.options.devices.list().map((d) => this.view(d)) }));
    this.subscribers.add(send);
    return () => { this.subscribers.delete(send); };
  }

  private mark(id: string, gone: boolean): void {
    if (this.subscribers.size === 0) return; // nobody listens: nothing to remember
    if (gone) {
      this.dirty.delete(id);
      this.removed.add(id);
    } else {
      this.removed.delete(id);
      this.dirty.add(id);
    }
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.batchMs);
      this.timer.unref();
    }
  }

  private flush(): void {
    this.timer = null;
    const devices: DeviceFeedView[] = [];
    for (const id of this.dirty) {
      const device = this.options.devices.get(id);
      if (device) devices.push(this.view(device));
      else this.removed.add(id);
    }
    const frame = JSON.stringify({ type: 'devices.changed', devices, removed: [...this.removed] });
    this.dirty.clear();
    this.removed.clear();
    for (const send of this.subscribers) send(frame);
  }

  private view(d: Device): DeviceFeedView {
    const m = d.mqtt;
    const limits: DeviceFeedView['limits'] = {};
    if (m.minTemp !== undefined) limits.minTemp = m.minTemp;
    if (m.maxTemp !== undefined) limits.maxTemp = m.maxTemp;
    if (m.tempStep !== undefined) limits.tempStep = m.tempStep;
    if (m.modes !== undefined) limits.modes = m.modes;
    if (m.unit !== undefined) limits.unit = m.unit;
    if (d.capabilities.includes('color_temp')) {
      // The device layer clamps to the same range (devices/kinds/light.ts): the slider offers only what it sends.
      limits.minKelvin = miredsToKelvin(m.maxMireds ?? DEFAULT_MAX_MIREDS);
      limits.maxKelvin = miredsToKelvin(m.minMireds ?? DEFAULT_MIN_MIREDS);
    }
    const area = d.area ?? null;
    return {
      // A floor set on the device itself goes before its area's (devices/userOverrides.ts).
      id: d.id, name: d.name, aliases: d.aliases, area, floor: d.floor ?? (area && this.options.floorOf ? this.options.floorOf(area) : null),
      type: d.type, capabilities: d.capabilities, state: d.state, available: d.available, lastSeen: d.lastSeen, limits,
    };
  }
}
