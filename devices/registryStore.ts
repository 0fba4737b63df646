import type { Collection } from '../daemon/core/context.js';
import type { Logger } from '../daemon/core/log.js';
import type { Device, MqttBinding } from './model.js';
import { isReservedId } from './deviceIds.js';
import { isDeviceType } from './kinds/index.js';
import { compileTemplate } from './template.js';

/**
 * What the registry persists through its Collection: every device with its last state and availability,
 * plus what discovery announced before config overrides, so removing an override restores the name.
 */
export interface StoredDevice {
  device: Device;
  announced: { name: string; aliases: string[]; area?: string };
  /** The HA discovery key (topic, or `topic#component`) that announced this device. */
  discoveryKey?: string;
}

export interface DevicesDocument {
  version: 1;
  devices: Record<string, StoredDevice>;
}

/** Devices are keyed by id in a null-prototype object, so no id can reach Object.prototype. */
export const emptyDevicesDocument = (): DevicesDocument => ({ version: 1, devices: Object.create(null) as Record<string, StoredDevice> });

const SOURCES = new Set(['ha-discovery', 'zigbee2mqtt', 'config']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks one persisted entry well enough that the rest of the hub can trust it (a file from an older version
 * or edited by hand may not fit); returns null for an entry to drop.
 */
export function validStoredDevice(id: string, value: unknown): StoredDevice | null {
  if (!isObject(value) || !isObject(value.device) || !isObject(value.announced)) return null;
  const d = value.device;
  if (d.id !== id || typeof d.name !== 'string' || !isDeviceType(d.type) || !SOURCES.has(d.source as string)) return null;
  if (!isObject(d.mqtt) || !isObject(d.state) || !Array.isArray(d.capabilities) || !Array.isArray(d.aliases)) return null;
  if (typeof value.announced.name !== 'string' || !Array.isArray(value.announced.aliases)) return null;
  if (d.available !== null && typeof d.available !== 'boolean') d.available = null;
  if (typeof d.lastSeen !== 'number') d.lastSeen = null;
  return value as unknown as StoredDevice;
}

/**
 * Reads the persisted devices back: discovered ones (HA discovery, Zigbee2MQTT) to restore as they were, and
 * the last state of config devices (rebuilt from the config itself). Entries that do not fit, and config
 * devices no longer in the config, are dropped; a document of an unknown shape starts over empty.
 */
export function restoreStored(
  collection: Collection<DevicesDocument>, log: Logger, configIds: ReadonlySet<string>,
): { discovered: StoredDevice[]; config: Map<string, Device> } {
  const data = collection.data as unknown;
  if (!isObject(data) || data.version !== 1 || !isObject(data.devices)) {
    log.warn({ collection: collection.name }, 'device store has an unknown shape; starting empty');
    collection.data = emptyDevicesDocument();
    collection.markDirty();
  }
  // JSON.parse makes a plain object; entries keep their order when moved to a null-prototype one.
  collection.data.devices = Object.assign(Object.create(null) as Record<string, StoredDevice>, collection.data.devices);
  const discovered: StoredDevice[] = [];
  const config = new Map<string, Device>();
  for (const [id, value] of Object.entries(collection.data.devices)) {
    const stored = isReservedId(id) ? null : validStoredDevice(id, value);
    if (stored) dropRefusedTemplates(stored.device, collection, log);
    if (!stored || (stored.device.source === 'config' && !configIds.has(id))) {
      delete collection.data.devices[id];
      collection.markDirty();
    } else if (stored.device.source === 'config') {
      config.set(id, stored.device);
    } else {
      discovered.push(stored);
      // A discovered device the config now defines with topics of its own: the config device takes its state.
      if (configIds.has(id)) config.set(id, stored.device);
    }
  }
  return { discovered, config };
}

/**
 * A template stored by an older version may be one the evaluator now refuses (it was saved before templates
 * were checked this way): the device loads without it, and the log says which one was dropped. Without the
 * template its topic's payload is read as it is. A template that is not even a string is dropped too.
 */
function dropRefusedTemplates(device: Device, collection: Collection<DevicesDocument>, log: Logger): void {
  const binding = device.mqtt as unknown as Record<string, unknown>;
  const drop = (owner: Record<string, unknown>, key: string, field: string): void => {
    const source = owner[key];
    if (source === undefined) return;
    const compiled = typeof source === 'string' ? compileTemplate(source) : { ok: false as const, code: 'TEMPLATE_INVALID', reason: 'not a string' };
    if (compiled.ok) return;
    delete owner[key];
    collection.markDirty();
    log.warn({ device: device.id, field, code: compiled.code, reason: compiled.reason }, 'stored template dropped: the device loads without it');
  };
  for (const key of Object.keys(binding)) if (key.endsWith('Template')) drop(binding, key, key);
  const availability = (device.mqtt as MqttBinding).availability;
  if (Array.isArray(availability)) {
    availability.forEach((a, i) => {
      if (isObject(a)) drop(a as unknown as Record<string, unknown>, 'valueTemplate', `availability[${i}].valueTemplate`);
    });
  }
}
