import type { AvailabilityBinding, Device, DeviceType, MqttBinding } from './model.js';
import { ABBREVIATIONS, DEVICE_ABBREVIATIONS, expandKeys } from './haAbbreviations.js';
import { bindingTemplates, readComponent, str, SUPPORTED_COMPONENTS } from './haComponents.js';
import { HA_DEFAULTS } from './defaults.js';
import { compileTemplate } from './template.js';
import type { DiscoveryFailureCode } from '../daemon/core/errors.js';
import { isReservedId } from './deviceIds.js';
import { decodePayload, isRecord, MAX_DISCOVERY_PAYLOAD_BYTES, parseJson } from './payload.js';

/**
 * Home Assistant MQTT discovery (https://www.home-assistant.io/integrations/mqtt/#mqtt-discovery):
 * `<prefix>/<component>/[<node_id>/]<object_id>/config` (one entity) and `<prefix>/device/<object_id>/config`
 * (device-based: shared options at the root, one entry per component under `cmps`, each with `p`).
 * Pure: returns what the message means; never throws.
 */

// The failure codes live in the one error table (daemon/errors.ts, docs/ERRORS.md).
export type { DiscoveryFailureCode };

export interface DiscoveryProblem { key: string; code: DiscoveryFailureCode; reason: string }
/** `key` identifies the entity within discovery: the topic, or `topic#component-id` for device-based configs. */
export interface DiscoveredEntity { key: string; device: Device }

export type DiscoveryResult =
  | { kind: 'config'; topic: string; entities: DiscoveredEntity[]; removedKeys: string[]; problems: DiscoveryProblem[]; deviceBased: boolean }
  | { kind: 'removal'; topic: string }
  | { kind: 'ignored'; topic: string; reason: string }
  | { kind: 'invalid'; topic: string; code: DiscoveryFailureCode; reason: string };

export interface DiscoveryTopic { component: string; nodeId?: string; objectId: string }

// HA: node_id and object_id are [a-zA-Z0-9_-]+.
const ID = /^[a-zA-Z0-9_-]+$/;

export function parseDiscoveryTopic(topic: string, prefix: string): DiscoveryTopic | null {
  if (!topic.startsWith(prefix + '/') || !topic.endsWith('/config')) return null;
  const parts = topic.slice(prefix.length + 1, -'/config'.length).split('/');
  if (parts.length === 2 && parts.every((p) => ID.test(p))) return { component: parts[0]!, objectId: parts[1]! };
  if (parts.length === 3 && parts.every((p) => ID.test(p))) return { component: parts[0]!, nodeId: parts[1]!, objectId: parts[2]! };
  return null;
}

/** Root options a device-based config shares with its components (HA "Device discovery payload"). */
const SHARED_KEYS = [
  '~', 'availability', 'availability_topic', 'availability_mode', 'availability_template', 'payload_available',
  'payload_not_available', 'command_topic', 'state_topic', 'qos', 'encoding', 'device', 'origin',
];

export function parseDiscovery(topic: string, payload: Buffer, prefix: string): DiscoveryResult {
  const where = parseDiscoveryTopic(topic, prefix);
  if (!where) return { kind: 'invalid', topic, code: 'DISCOVERY_INVALID', reason: 'not a <prefix>/<component>/[<node_id>/]<object_id>/config topic' };
  // An empty (retained) payload removes what the topic announced.
  if (payload.length === 0) return { kind: 'removal', topic };
  const decoded = decodePayload(topic, payload, MAX_DISCOVERY_PAYLOAD_BYTES);
  if (!decoded.ok) return { kind: 'invalid', topic, code: decoded.code, reason: decoded.reason };
  if (decoded.text.trim() === '') return { kind: 'removal', topic };
  const raw = parseJson(decoded.text);
  if (!isRecord(raw)) return { kind: 'invalid', topic, code: 'PAYLOAD_NOT_JSON', reason: 'discovery payload is not a JSON object' };
  const root = expandKeys(raw, ABBREVIATIONS);
  if (root.migrate_discovery === true) return { kind: 'ignored', topic, reason: 'migrate_discovery request' };

  if (where.component !== 'device') {
    if (!SUPPORTED_COMPONENTS.has(where.component)) {
      return { kind: 'ignored', topic, reason: `component "${where.component}" is not supported` };
    }
    const fallbackId = where.nodeId ? `${where.nodeId}_${where.objectId}` : where.objectId;
    const built = buildEntity(where.component, expandTilde(root), fallbackId);
    if (!built.ok) return { kind: 'invalid', topic, code: built.code, reason: built.reason };
    return { kind: 'config', topic, entities: [{ key: topic, device: built.device }], removedKeys: [], problems: [], deviceBased: false };
  }

  // Device-based discovery.
  const components = root.components;
  if (!isRecord(components)) return { kind: 'invalid', topic, code: 'DISCOVERY_INVALID', reason: 'device discovery needs a components (cmps) mapping' };
  const shared: Record<string, unknown> = {};
  for (const key of SHARED_KEYS) if (root[key] !== undefined) shared[key] = root[key];
  const entities: DiscoveredEntity[] = [];
  const removedKeys: string[] = [];
  const problems: DiscoveryProblem[] = [];
  for (const [cmpId, cmpRaw] of Object.entries(components)) {
    const key = `${topic}#${cmpId}`;
    if (!isRecord(cmpRaw)) {
      problems.push({ key, code: 'DISCOVERY_INVALID', reason: `component "${cmpId}" is not a mapping` });
      continue;
    }
    const own = expandKeys(cmpRaw, ABBREVIATIONS);
    const platform = str(own.platform);
    // A component with only `p` set removes that component (HA device discovery docs).
    if (platform && Object.keys(own).length === 1) {
      removedKeys.push(key);
      continue;
    }
    if (!platform || !SUPPORTED_COMPONENTS.has(platform)) {
      problems.push({ key, code: 'COMPONENT_UNSUPPORTED', reason: `component "${cmpId}": platform "${platform ?? '(missing)'}" is not supported` });
      continue;
    }
    const built = buildEntity(platform, expandTilde({ ...shared, ...own }), `${where.objectId}_${cmpId}`);
    if (built.ok) entities.push({ key, device: built.device });
    else problems.push({ key, code: built.code, reason: `component "${cmpId}": ${built.reason}` });
  }
  return { kind: 'config', topic, entities, removedKeys, problems, deviceBased: true };
}

/**
 * `~` is the base topic: in the value of keys ending in `_topic` (and an availability entry's `topic`) it is
 * replaced when it occurs at the beginning or the end of the value (HA discovery docs).
 */
function expandTilde(config: Record<string, unknown>): Record<string, unknown> {
  const base = str(config['~']);
  if (base === undefined) return config;
  const expand = (v: unknown) => {
    if (typeof v !== 'string') return v;
    if (v.startsWith('~')) return base + v.slice(1);
    if (v.endsWith('~')) return v.slice(0, -1) + base;
    return v;
  };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (key.endsWith('_topic')) out[key] = expand(value);
    // HA takes a list; the mqtt_media_player convention writes one object, read as a list of one.
    else if (key === 'availability' && (Array.isArray(value) || isRecord(value))) {
      out[key] = (Array.isArray(value) ? value : [value]).map((a) => (isRecord(a) ? { ...expandKeys(a, ABBREVIATIONS), topic: expand(a.topic ?? a.t) } : a));
    } else out[key] = value;
  }
  return out;
}

/**
 * The most one entity may keep (its device record as JSON). A realistic one is well under 2 KB; a 64 KB
 * discovery payload full of long names would otherwise be kept, and written to devices.json, as it is.
 */
export const MAX_KEPT_ENTITY_CHARS = 8192;

type Built = { ok: true; device: Device } | { ok: false; code: DiscoveryFailureCode; reason: string };

function buildEntity(component: string, config: Record<string, unknown>, fallbackId: string): Built {
  const read = readComponent(component, config);
  if (!read.ok) return read;
  const binding: MqttBinding = read.binding;
  const availability = readAvailability(config);
  if (availability.length > 0) {
    binding.availability = availability;
    const mode = str(config.availability_mode);
    binding.availabilityMode = mode === 'all' || mode === 'any' ? mode : HA_DEFAULTS.availabilityMode;
  }
  for (const source of bindingTemplates(binding)) {
    const compiled = compileTemplate(source);
    if (!compiled.ok) {
      // Compiling only parses and checks, so its codes are these three; the cast keeps the union narrow.
      const code = compiled.code as Extract<DiscoveryFailureCode, `TEMPLATE_${string}`>;
      return { ok: false, code, reason: `template ${JSON.stringify(source.slice(0, 80))}: ${compiled.code} ${compiled.reason}` };
    }
  }
  const dev = isRecord(config.device) ? expandKeys(config.device, DEVICE_ABBREVIATIONS) : undefined;
  const uniqueId = str(config.unique_id);
  const id = uniqueId && uniqueId.trim() ? uniqueId : fallbackId;
  if (isReservedId(id)) return { ok: false, code: 'DEVICE_ID_RESERVED', reason: `unique_id "${id}" is reserved (a name every object already has)` };
  const device: Device = {
    id,
    name: entityName(component, config, dev, fallbackId),
    aliases: [],
    type: component as DeviceType,
    capabilities: read.capabilities,
    source: 'ha-discovery',
    mqtt: binding,
    state: {},
    // HA treats an entity without availability topics as always available.
    available: availability.length > 0 ? null : true,
    lastSeen: null,
  };
  const deviceName = dev && str(dev.name)?.trim();
  if (deviceName) device.deviceName = deviceName;
  const area = dev && str(dev.suggested_area);
  if (area) device.area = area;
  const physicalId = dev && physicalIdOf(dev);
  if (physicalId) device.physicalId = physicalId;
  const manufacturer = dev && str(dev.manufacturer);
  if (manufacturer) device.manufacturer = manufacturer;
  const model = dev && (str(dev.model) ?? str(dev.model_id));
  if (model) device.model = model;
  // What is kept of one entity is bounded: names, topics and payloads are short in every real config.
  const kept = JSON.stringify(device).length;
  if (kept > MAX_KEPT_ENTITY_CHARS) return { ok: false, code: 'PAYLOAD_TOO_LARGE', reason: `entity would keep ${kept} characters (at most ${MAX_KEPT_ENTITY_CHARS})` };
  return { ok: true, device };
}

function readAvailability(config: Record<string, unknown>): AvailabilityBinding[] {
  const defaults = {
    payloadAvailable: str(config.payload_available) ?? HA_DEFAULTS.payloadAvailable,
    payloadNotAvailable: str(config.payload_not_available) ?? HA_DEFAULTS.payloadNotAvailable,
  };
  const out: AvailabilityBinding[] = [];
  const single = str(config.availability_topic);
  if (single) {
    const template = str(config.availability_template);
    out.push({ topic: single, ...defaults, ...(template ? { valueTemplate: template } : {}) });
  }
  const list = Array.isArray(config.availability) ? config.availability : isRecord(config.availability) ? [config.availability] : null;
  if (list) {
    for (const item of list) {
      if (!isRecord(item)) continue;
      const a = expandKeys(item, ABBREVIATIONS);
      const topic = str(a.topic);
      if (!topic) continue;
      const template = str(a.value_template);
      out.push({
        topic,
        payloadAvailable: str(a.payload_available) ?? HA_DEFAULTS.payloadAvailable,
        payloadNotAvailable: str(a.payload_not_available) ?? HA_DEFAULTS.payloadNotAvailable,
        ...(template ? { valueTemplate: template } : {}),
      });
    }
  }
  return out;
}

/** The first device identifier (or connection) names the physical device its entities share. */
function physicalIdOf(dev: Record<string, unknown>): string | undefined {
  const ids = dev.identifiers;
  const first = Array.isArray(ids) ? ids.find((x) => str(x)) : ids;
  const id = str(first);
  if (id) return id;
  const cns = dev.connections;
  if (Array.isArray(cns) && Array.isArray(cns[0]) && cns[0].length >= 2) {
    // Only text: a pair from hostile JSON may hold objects that cannot even be printed ({"toString": 0}).
    const [kind, value] = [str(cns[0][0]), str(cns[0][1])];
    if (kind !== undefined && value !== undefined) return `${kind}:${value}`;
  }
  return undefined;
}

/**
 * HA entity naming: `name: null` means the entity is the device's main feature and takes the device name;
 * a missing name on a sensor with a device class takes the class ("Temperature"), otherwise the device name;
 * a given name is shown after the device name ("Kitchen sensor Temperature") unless it already starts with it.
 */
function entityName(component: string, config: Record<string, unknown>, dev: Record<string, unknown> | undefined, fallback: string): string {
  const deviceName = dev ? str(dev.name)?.trim() || undefined : undefined;
  let own: string | undefined;
  if (config.name === null) own = undefined;
  else if (config.name !== undefined) own = str(config.name)?.trim() || undefined;
  else if ((component === 'sensor' || component === 'binary_sensor') && str(config.device_class)) {
    const cls = str(config.device_class)!.replace(/_/g, ' ');
    own = cls.charAt(0).toUpperCase() + cls.slice(1);
  }
  if (!own) return deviceName ?? fallback;
  if (!deviceName || own.toLowerCase().startsWith(deviceName.toLowerCase())) return own;
  return `${deviceName} ${own}`;
}
