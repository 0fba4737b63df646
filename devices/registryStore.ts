import type { Collection } from '../daemon/context.js';
import type { Logger } from '../daemon/log.js';
import type { Device } from './model.js';

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

export const emptyDevicesDocument = (): DevicesDocument => ({ version: 1, devices: {} });

const TYPES = new Set(['light', 'switch', 'sensor', 'binary_sensor', 'climate', 'cover', 'lock', 'fan']);
const SOURCES = new Set(['ha-discovery', 'zigbee2mqtt', 'config']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks one persisted entry well enough that the rest of the hub can trust it (a file from an older version
 * or edited by hand may not fit); returns null for an entry to drop.
 */
export function validStoredDevice(id: string, value: unknown): StoredDevice | null {
  if (!isObject(value) || !isObject(value.device) || !isObject(value.announced)) return null;
  const d = value.device;
  if (d.id !== id || typeof d.name !== 'string' || !TYPES.has(d.type as string) || !SOURCES.has(d.source as string)) return null;
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
  const discovered: StoredDevice[] = [];
  const config = new Map<string, Device>();
  for (const [id, value] of Object.entries(collection.data.devices)) {
    const stored = validStoredDevice(id, value);
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
