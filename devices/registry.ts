import type { Clock, Collection } from '../daemon/core/context.js';
import type { EventBus } from '../daemon/core/bus.js';
import type { Logger } from '../daemon/core/log.js';
import type { DeviceConfig } from '../daemon/config/schema.js';
import type { Device } from './model.js';
import { combineAvailability } from './availability.js';
import { readConfigDevices, type ConfigOverride } from './configDevices.js';
import { parseDiscovery } from './haDiscovery.js';
import { isReservedId } from './deviceIds.js';
import { normaliseName } from './names.js';
import { decodePayload, isRecord, type DecodedMessage } from './payload.js';
import { CommandTopicIndex, NameIndex, TopicIndex } from './registryIndex.js';
import { restoreStored, type DevicesDocument, type StoredDevice } from './registryStore.js';
import { parseDeviceMessage } from './stateParser.js';
import { WarnLimiter } from './warnLimiter.js';
import type { DeviceOverride } from './userOverrides.js';

export { emptyDevicesDocument, type DevicesDocument } from './registryStore.js';
import { bridgeDevicesTopic, bridgeStateTopic, parseBridgeDevices } from './zigbee2mqtt.js';

export interface DeviceRegistryOptions {
  collection: Collection<DevicesDocument>;
  bus: EventBus;
  log: Logger;
  clock: Clock;
  discoveryPrefix: string;
  zigbee2mqttBaseTopic: string;
  configDevices: readonly DeviceConfig[];
  /** Called once per state message applied (the lead counts `voicehub_device_updates_total` with it). */
  onStateApplied?: (device: Device) => void;
  /** Names, aliases and areas users set (userOverrides.ts), applied over the config's. */
  userOverrides?: ReadonlyMap<string, DeviceOverride>;
}

/** One entry of the retained `voicehub/bridge/devices` list. */
export interface DeviceSnapshot {
  id: string; name: string; area: string | null; type: Device['type']; capabilities: Device['capabilities']; available: boolean | null;
}

/**
 * At most this many devices from discovery and Zigbee2MQTT (config devices are not counted). A large home
 * has a few hundred entities; each costs about 3 KB of heap plus two broker subscriptions, so this bounds
 * what a flood of announcements can take (issue 11: 10k configs took RSS from 79 to 162 MB).
 */
export const MAX_DEVICES = 5000;

/** Fields a discovery update may change; state, availability and lastSeen stay with the device. */
const RUNTIME_FIELDS = new Set(['state', 'available', 'lastSeen']);

/**
 * Every device the hub knows, from HA discovery, Zigbee2MQTT and `devices:` in the config. Routes each MQTT
 * message with one Map lookup (exact topic → devices), applies state and availability, emits on the bus and
 * persists through its Collection (markDirty only; storage coalesces writes). Bad input is logged per topic
 * at most once a minute and never escapes `handleMessage`.
 */
export class DeviceRegistry {
  private readonly entries = new Map<string, StoredDevice>();
  private readonly topics = new TopicIndex();
  private readonly commandTopics = new CommandTopicIndex();
  private readonly names = new NameIndex();
  private readonly keyToId = new Map<string, string>();
  private readonly verdicts = new Map<string, Map<string, boolean>>();
  /** HA-discovery entities Zigbee2MQTT announces for devices the registry already has natively. */
  private readonly shadowed = new Map<string, Device>();
  /**
   * Discovery keys seen per config topic, so an announcement finds its topic's previous keys without scanning
   * every device (that scan made a flood of N announcements cost N²). A superset: keys since removed are
   * pruned when read.
   */
  private readonly keysByTopic = new Map<string, Set<string>>();
  private readonly warnings: WarnLimiter;
  private readonly topicListeners = new Set<() => void>();
  /** lastSeen moved by reports that changed nothing, not yet in a write: the stop's final flush takes it. */
  private lastSeenUnsaved = false;
  private overrides = new Map<string, ConfigOverride>();
  private readonly userOverrides = new Map<string, DeviceOverride>();
  private z2mIeee = new Set<string>();
  private readonly prefix: string;
  private readonly z2mBase: string;
  // Precomputed so routing a message allocates no strings.
  private readonly prefixSlash: string;
  private readonly z2mSlash: string;
  private readonly z2mDevicesTopic: string;
  private readonly z2mStateTopic: string;

  constructor(private readonly options: DeviceRegistryOptions) {
    this.prefix = options.discoveryPrefix;
    this.z2mBase = options.zigbee2mqttBaseTopic;
    this.prefixSlash = this.prefix + '/';
    this.z2mSlash = this.z2mBase + '/';
    this.z2mDevicesTopic = bridgeDevicesTopic(this.z2mBase);
    this.z2mStateTopic = bridgeStateTopic(this.z2mBase);
    this.warnings = new WarnLimiter(options.log, options.clock);
    for (const [id, o] of options.userOverrides ?? []) this.userOverrides.set(id, o);
  }

  /** Restores persisted devices, then applies the config's devices and overrides. */
  start(): void {
    const { collection, log } = this.options;
    const config = readConfigDevices(this.options.configDevices);
    for (const p of config.problems) log.warn({ device: p.id }, `config device skipped: ${p.reason}`);
    this.overrides = config.overrides;
    const restored = restoreStored(collection, log, new Set(config.devices.map((d) => d.id)));
    for (const stored of restored.discovered) {
      const { device, discoveryKey } = stored;
      this.entries.set(device.id, stored);
      if (discoveryKey) {
        this.keyToId.set(discoveryKey, device.id);
        this.trackKey(discoveryKey);
      }
      if (device.source === 'zigbee2mqtt' && device.physicalId) this.z2mIeee.add(device.physicalId);
      this.applyOverride(stored);
      this.index(device);
    }
    for (const device of config.devices) {
      const previous = restored.config.get(device.id);
      if (previous) Object.assign(device, { state: previous.state, available: previous.available, lastSeen: previous.lastSeen });
      this.upsert(device, undefined, false);
    }
  }

  stop(): void {
    this.topicListeners.clear();
    this.warnings.clear();
    if (this.lastSeenUnsaved) this.options.collection.markDirty();
    this.lastSeenUnsaved = false;
  }

  list(): Device[] {
    return [...this.entries.values()].map((e) => e.device);
  }

  get(id: string): Device | undefined {
    return this.entries.get(id)?.device;
  }

  /** Devices whose name or an alias normalises to `name` (several when the name is ambiguous). */
  findByName(name: string): Device[] {
    const ids = this.names.get(normaliseName(name));
    return ids ? [...ids].map((id) => this.entries.get(id)!.device) : [];
  }

  snapshot(): DeviceSnapshot[] {
    return this.list().map((d) => ({ id: d.id, name: d.name, area: d.area ?? null, type: d.type, capabilities: d.capabilities, available: d.available }));
  }

  /** MQTT patterns to subscribe: the discovery prefix, the Zigbee2MQTT base, and every other state topic. */
  subscriptions(): string[] {
    const out = [`${this.prefix}/#`, `${this.z2mBase}/#`];
    for (const t of this.topics.topics()) if (!this.covered(t)) out.push(t);
    return out;
  }

  /** Whether `topic` is where the hub sends a known device its commands (see CommandTopicIndex). */
  isCommandTopic(topic: string): boolean {
    return this.commandTopics.covers(topic);
  }

  /** Calls `listener` whenever subscriptions() changes; returns the function that stops it. */
  watchTopics(listener: () => void): () => void {
    this.topicListeners.add(listener);
    return () => this.topicListeners.delete(listener);
  }

  handleMessage(topic: string, payload: Buffer, _retain = false): void {
    try {
      if (topic.startsWith(this.prefixSlash) && topic.endsWith('/config')) return this.onDiscovery(topic, payload);
      if (topic === this.z2mDevicesTopic) return this.onBridgeDevices(payload);
      // Zigbee2MQTT's bridge state also feeds the availability of its own HA-discovery entities: no return.
      if (topic === this.z2mStateTopic) this.onBridgeState(payload);
      const devices = this.topics.get(topic);
      if (!devices) return;
      const msg = decodePayload(topic, payload);
      if (!msg.ok) return this.warn(topic, { code: msg.code }, `bad payload: ${msg.reason}`);
      for (const device of devices) this.apply(device, msg);
    } catch (err) {
      // A bug in a parser must cost one message, never the registry.
      this.options.log.error({ err, topic }, 'device message handling failed');
    }
  }

  private apply(device: Device, msg: DecodedMessage): void {
    const { bus, clock, collection } = this.options;
    const r = parseDeviceMessage(device, msg);
    if (r.failure) this.warn(msg.topic, { device: device.id, code: r.failure.code }, r.failure.reason);
    const ts = clock.now();
    let dirty = false;
    if (r.patch) {
      // Per message on the ingest path: no entries array, and the list of changed keys only when one changed.
      let changed: string[] | null = null;
      const patch = r.patch;
      for (const key in patch) {
        const value = patch[key];
        if (!sameValue(device.state[key], value)) {
          device.state[key] = value;
          (changed ??= []).push(key);
        }
      }
      device.lastSeen = ts;
      // A report that changes nothing moves only lastSeen: kept in memory and written with the next change, so
      // sensors repeating themselves every few seconds do not keep the SD card writing every flush interval.
      dirty = changed !== null;
      if (!dirty) this.lastSeenUnsaved = true;
      this.options.onStateApplied?.(device);
      if (changed !== null) bus.emit('device.state', { deviceId: device.id, state: { ...device.state }, changed, ts });
    }
    if (r.availability !== null && device.mqtt.availability) {
      const verdicts = this.verdicts.get(device.id) ?? new Map<string, boolean>();
      this.verdicts.set(device.id, verdicts);
      verdicts.set(msg.topic, r.availability);
      const mode = device.mqtt.availabilityMode ?? 'latest';
      dirty = this.setAvailable(device, combineAvailability(mode, device.mqtt.availability, verdicts, r.availability), ts) || dirty;
    }
    if (dirty) collection.markDirty();
  }

  private setAvailable(device: Device, available: boolean | null, ts: number): boolean {
    if (available === null || available === device.available) return false;
    device.available = available;
    this.options.bus.emit('device.availability', { deviceId: device.id, available, ts });
    return true;
  }

  private onDiscovery(topic: string, payload: Buffer): void {
    const r = parseDiscovery(topic, payload, this.prefix);
    if (r.kind === 'ignored') return this.options.log.debug({ topic }, `discovery ignored: ${r.reason}`);
    if (r.kind === 'invalid') return this.warn(topic, { code: r.code }, `discovery rejected: ${r.reason}`);
    const previous = this.previousKeys(topic);
    if (r.kind === 'removal') {
      for (const key of previous) this.removeKey(key);
      return;
    }
    for (const p of r.problems) this.warn(p.key, { code: p.code }, `discovery rejected: ${p.reason}`);
    const announced = new Set(r.entities.map((e) => e.key));
    for (const key of r.removedKeys) this.removeKey(key);
    // A device-based config lists all its components: one left out is gone.
    if (r.deviceBased) for (const key of previous) if (!announced.has(key)) this.removeKey(key);
    for (const { key, device } of r.entities) {
      this.addDiscovered(key, device);
      // Only keys that were taken: refused ones (limit, id in use) must not grow the index.
      if (this.keyToId.has(key) || this.shadowed.has(key)) this.trackKey(key);
    }
  }

  private trackKey(key: string): void {
    // A key is the config topic, or `topic#component`; a topic never holds '#' (MQTT 4.7.1-3).
    const hash = key.indexOf('#');
    const topic = hash === -1 ? key : key.slice(0, hash);
    const keys = this.keysByTopic.get(topic) ?? new Set<string>();
    keys.add(key);
    this.keysByTopic.set(topic, keys);
  }

  private previousKeys(topic: string): string[] {
    const keys = this.keysByTopic.get(topic);
    if (!keys) return [];
    for (const key of keys) if (!this.keyToId.has(key) && !this.shadowed.has(key)) keys.delete(key);
    if (keys.size === 0) this.keysByTopic.delete(topic);
    return [...keys];
  }

  private addDiscovered(key: string, device: Device): void {
    const owner = this.entries.get(device.id);
    if (owner && owner.discoveryKey !== key) {
      // HA refuses a unique_id that another discovery topic (or the config, or Zigbee2MQTT) already owns.
      return this.warn(key, { device: device.id }, 'discovery ignored: unique_id already in use');
    }
    const oldId = this.keyToId.get(key);
    if (oldId !== undefined && oldId !== device.id) this.remove(oldId);
    const ieee = z2mIeeeOf(device);
    if (ieee && this.z2mIeee.has(ieee)) {
      this.shadowed.set(key, device);
      return;
    }
    this.shadowed.delete(key);
    this.upsert(device, key);
  }

  private removeKey(key: string): void {
    this.shadowed.delete(key);
    const id = this.keyToId.get(key);
    if (id !== undefined) this.remove(id);
  }

  private onBridgeDevices(payload: Buffer): void {
    const r = parseBridgeDevices(payload, this.z2mBase);
    if (!r.ok) return this.warn(this.z2mDevicesTopic, { code: r.code }, `bridge/devices rejected: ${r.reason}`);
    for (const s of r.skipped) this.options.log.debug({ ieee: s.ieee, name: s.name }, `zigbee2mqtt device skipped: ${s.reason}`);
    const ids = new Set(r.devices.map((d) => d.id));
    for (const stored of [...this.entries.values()]) {
      if (stored.device.source === 'zigbee2mqtt' && !ids.has(stored.device.id)) this.remove(stored.device.id);
    }
    for (const device of r.devices) this.upsert(device);
    this.z2mIeee = new Set(r.devices.map((d) => d.physicalId!));
    // Zigbee2MQTT's own HA discovery duplicates what bridge/devices gives natively: hide it while both exist.
    for (const { device, discoveryKey } of [...this.entries.values()]) {
      const ieee = z2mIeeeOf(device);
      if (ieee && discoveryKey && this.z2mIeee.has(ieee)) {
        this.remove(device.id);
        this.shadowed.set(discoveryKey, device);
      }
    }
    for (const [key, device] of [...this.shadowed]) {
      if (!this.z2mIeee.has(z2mIeeeOf(device)!)) this.addDiscovered(key, device);
    }
  }

  /** `<base>/bridge/state`: when the bridge is offline, every Zigbee2MQTT device is unreachable. */
  private onBridgeState(payload: Buffer): void {
    const msg = decodePayload(this.z2mStateTopic, payload);
    if (!msg.ok) return;
    const json = msg.json();
    const state = isRecord(json) && typeof json.state === 'string' ? json.state : msg.text.trim();
    if (state !== 'online' && state !== 'offline') return;
    const ts = this.options.clock.now();
    let dirty = false;
    for (const { device } of this.entries.values()) {
      if (device.source !== 'zigbee2mqtt') continue;
      // Back online: a device's own last verdict decides; without one (availability off in Zigbee2MQTT) it is up.
      const own = this.verdicts.get(device.id)?.get(device.mqtt.availability?.[0]?.topic ?? '');
      dirty = this.setAvailable(device, state === 'offline' ? false : own ?? true, ts) || dirty;
    }
    if (dirty) this.options.collection.markDirty();
  }

  private upsert(device: Device, discoveryKey?: string, notify = true): void {
    const { collection, bus, clock } = this.options;
    // Discovery refuses these ids itself; this keeps Zigbee2MQTT and the config from bringing one in.
    if (isReservedId(device.id)) return this.warn(discoveryKey ?? device.id, { device: device.id, code: 'DEVICE_ID_RESERVED' }, 'device ignored: its id is reserved');
    const existing = this.entries.get(device.id);
    if (!existing && device.source !== 'config' && this.entries.size >= MAX_DEVICES) {
      return this.warn(discoveryKey ?? device.id, { device: device.id, code: 'DEVICE_LIMIT' }, `device ignored: the hub keeps at most ${MAX_DEVICES} devices`);
    }
    const announced = { name: device.name, aliases: device.aliases, ...(device.area ? { area: device.area } : {}) };
    if (!existing) {
      const stored: StoredDevice = { device, announced, ...(discoveryKey ? { discoveryKey } : {}) };
      this.entries.set(device.id, stored);
      collection.data.devices[device.id] = stored;
      if (discoveryKey) this.keyToId.set(discoveryKey, device.id);
      this.applyOverride(stored);
      this.index(device);
      collection.markDirty();
      if (notify) bus.emit('device.added', { deviceId: device.id, ts: clock.now() });
      return;
    }
    if (existing.device.source === 'config' && device.source !== 'config') {
      // A device the config defines with its own topics wins over one announced with the same id.
      return this.warn(discoveryKey ?? device.id, { device: device.id }, 'announced device ignored: the config defines this id');
    }
    if (device.source === 'config' && existing.discoveryKey) {
      this.keyToId.delete(existing.discoveryKey);
      delete existing.discoveryKey;
    }
    const before = JSON.stringify(existing.device, (k, v) => (RUNTIME_FIELDS.has(k) ? undefined : v));
    this.unindex(existing.device);
    // Update in place so references handed out by get() stay current.
    const live = existing.device as unknown as Record<string, unknown>;
    for (const key of Object.keys(live)) if (!RUNTIME_FIELDS.has(key) && !(key in device)) delete live[key];
    for (const [key, value] of Object.entries(device)) if (!RUNTIME_FIELDS.has(key)) live[key] = value;
    existing.announced = announced;
    this.applyOverride(existing);
    this.index(existing.device);
    collection.data.devices[device.id] = existing;
    const after = JSON.stringify(existing.device, (k, v) => (RUNTIME_FIELDS.has(k) ? undefined : v));
    if (before !== after) {
      collection.markDirty();
      if (notify) bus.emit('device.changed', { deviceId: device.id, ts: clock.now() });
    }
  }

  private remove(id: string): void {
    const stored = this.entries.get(id);
    if (!stored) return;
    this.unindex(stored.device);
    this.entries.delete(id);
    this.verdicts.delete(id);
    if (stored.discoveryKey) this.keyToId.delete(stored.discoveryKey);
    delete this.options.collection.data.devices[id];
    this.options.collection.markDirty();
    this.options.bus.emit('device.removed', { deviceId: id, ts: this.options.clock.now() });
  }

  /** Config `devices:` entries override name, aliases and area; without one, the announced values stand. */
  /**
   * Sets (or with null drops) the user's override of a device and applies it at once: the device is
   * renamed in place, re-indexed, persisted and announced as changed (the intent engine rebuilds its lists).
   * False when no device has the id (the override is kept for when it appears).
   */
  setUserOverride(id: string, override: DeviceOverride | null): boolean {
    if (override) this.userOverrides.set(id, override);
    else this.userOverrides.delete(id);
    const stored = this.entries.get(id);
    if (!stored) return false;
    this.unindex(stored.device);
    this.applyOverride(stored);
    this.index(stored.device);
    this.options.collection.markDirty();
    this.options.bus.emit('device.changed', { deviceId: id, ts: this.options.clock.now() });
    return true;
  }

  private applyOverride(stored: StoredDevice): void {
    const o = this.overrides.get(stored.device.id);
    const u = this.userOverrides.get(stored.device.id);
    const d = stored.device;
    const name = u?.name ?? o?.name;
    d.name = name ?? stored.announced.name;
    // A name someone chose is said as it is: spoken names are derived only from announced ones.
    if (name !== undefined) d.nameChosen = true;
    else delete d.nameChosen;
    d.aliases = u?.aliases ?? o?.aliases ?? stored.announced.aliases;
    const area = u?.area ?? o?.area ?? stored.announced.area;
    if (area) d.area = area;
    else delete d.area;
    if (u?.floor) d.floor = u.floor;
    else delete d.floor;
  }

  private index(device: Device): void {
    this.names.add(device);
    this.commandTopics.add(device);
    if (this.topics.add(device).some((t) => !this.covered(t))) this.topicsChanged();
  }

  private unindex(device: Device): void {
    this.names.remove(device.id);
    this.commandTopics.remove(device);
    if (this.topics.remove(device).some((t) => !this.covered(t))) this.topicsChanged();
  }

  private covered(topic: string): boolean {
    return topic.startsWith(this.prefixSlash) || topic.startsWith(this.z2mSlash);
  }

  private topicsChanged(): void {
    for (const listener of this.topicListeners) {
      try { listener(); } catch (err) { this.options.log.error({ err }, 'topic listener failed'); }
    }
  }

  private warn(topic: string, fields: Record<string, unknown>, message: string): void {
    this.warnings.warn(topic, fields, message);
  }
}

/** The IEEE address of an entity Zigbee2MQTT announced through HA discovery (`identifiers: zigbee2mqtt_<ieee>`). */
function z2mIeeeOf(device: Device): string | undefined {
  const id = device.physicalId;
  return device.source === 'ha-discovery' && id?.startsWith('zigbee2mqtt_') ? id.slice('zigbee2mqtt_'.length) : undefined;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}
