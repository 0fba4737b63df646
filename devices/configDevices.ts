import type { DeviceConfig } from '../daemon/config/schema.js';
import type { Device, DeviceType, MqttBinding } from './model.js';
import { HA_DEFAULTS } from './defaults.js';
import { compileTemplate } from './template.js';
import { KIND_CONFIG, kindOf, type DeviceKind } from './kinds/index.js';

/**
 * `devices:` entries of voicehub.yaml. An entry with at least one topic defines a device of its own (it then
 * needs a `type`); an entry without topics only overrides the name, aliases and area of a discovered device
 * with the same id (so a Zigbee2MQTT plug can be called "kettle" and put in the kitchen).
 */

export interface ConfigOverride { id: string; name?: string; aliases?: string[]; area?: string }
export interface ConfigProblem { id: string; reason: string }

export interface ConfigDevices {
  devices: Device[];
  /** Every entry's name/aliases/area, keyed by id: applied to a discovered device of the same id. */
  overrides: Map<string, ConfigOverride>;
  problems: ConfigProblem[];
}

/** Keys that are topics: the common two and those the kinds declare (devices/kinds/<kind>.ts `config.topics`). */
const TOPIC_KEYS: readonly string[] = ['commandTopic', 'stateTopic', ...KIND_CONFIG.topics];

export function readConfigDevices(entries: readonly DeviceConfig[]): ConfigDevices {
  const devices: Device[] = [];
  const overrides = new Map<string, ConfigOverride>();
  const problems: ConfigProblem[] = [];
  for (const entry of entries) {
    overrides.set(entry.id, { id: entry.id, name: entry.name, aliases: entry.aliases, area: entry.area });
    if (!TOPIC_KEYS.some((k) => (entry as Record<string, unknown>)[k])) continue;
    if (!entry.type) {
      problems.push({ id: entry.id, reason: 'a device with topics needs a type' });
      continue;
    }
    const kind = kindOf(entry.type);
    // The config schema allows only the kinds of the table; an entry built past it is refused, not guessed at.
    if (!kind) {
      problems.push({ id: entry.id, reason: `type "${String(entry.type)}" is not a device kind` });
      continue;
    }
    if (entry.valueTemplate) {
      const compiled = compileTemplate(entry.valueTemplate);
      if (!compiled.ok) {
        problems.push({ id: entry.id, reason: `valueTemplate: ${compiled.code} ${compiled.reason}` });
        continue;
      }
    }
    devices.push(toDevice(entry, kind));
  }
  return { devices, overrides, problems };
}

function toDevice(e: DeviceConfig, kind: DeviceKind): Device {
  const type = e.type as DeviceType;
  const b: MqttBinding = {
    schema: e.schema ?? 'default',
    commandTopic: e.commandTopic,
    stateTopic: e.stateTopic,
    valueTemplate: e.valueTemplate,
    payloadOn: e.payloadOn,
    payloadOff: e.payloadOff,
    stateOn: e.stateOn,
    stateOff: e.stateOff,
    unit: e.unit,
    deviceClass: e.deviceClass,
  };
  // The kinds' own keys (minTemp, modes, minHumidity…) go into the binding as they are.
  const entry = e as Record<string, unknown>;
  for (const key of KIND_CONFIG.binding) if (entry[key] !== undefined) (b as unknown as Record<string, unknown>)[key] = entry[key];
  kind.configBinding?.(e, b);
  if (e.availabilityTopic) {
    b.availability = [{ topic: e.availabilityTopic, payloadAvailable: HA_DEFAULTS.payloadAvailable, payloadNotAvailable: HA_DEFAULTS.payloadNotAvailable }];
    b.availabilityMode = 'latest';
  }
  for (const key of Object.keys(b) as (keyof MqttBinding)[]) if (b[key] === undefined) delete b[key];
  const device: Device = {
    id: e.id,
    name: e.name ?? e.id,
    aliases: e.aliases ?? [],
    type,
    capabilities: kind.configCapabilities(e, b),
    source: 'config',
    mqtt: b,
    state: {},
    available: e.availabilityTopic ? null : true,
    lastSeen: null,
  };
  if (e.area) device.area = e.area;
  return device;
}
