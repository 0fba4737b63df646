import type { Capability, Device, DeviceType, MqttBinding, Zigbee2MqttBinding } from './model.js';
import { decodePayload, isRecord, MAX_BRIDGE_PAYLOAD_BYTES, parseJson } from './payload.js';
import { exposeScalar as scalar, exposeShortStr as shortStr, exposeStr as str } from './discoveryFields.js';
import { kindOf } from './kinds/index.js';

/**
 * Zigbee2MQTT's retained `<base>/bridge/devices` (https://www.zigbee2mqtt.io/guide/usage/mqtt_topics_and_messages.html):
 * every device with its `definition.exposes`. Each actuator expose (light, switch, lock, cover, climate, fan)
 * becomes one Device, and each measurement (temperature, humidity, contact…) one sensor Device; all entities
 * of one Zigbee device share `physicalId` = its IEEE address. Commands go to `<base>/<friendly_name>/set` as
 * JSON, state arrives as JSON on `<base>/<friendly_name>`, availability on `<base>/<friendly_name>/availability`.
 */

export interface Zigbee2MqttSkip { ieee: string; name: string; reason: string }
export type BridgeDevicesResult =
  | { ok: true; devices: Device[]; skipped: Zigbee2MqttSkip[] }
  | { ok: false; code: 'PAYLOAD_TOO_LARGE' | 'PAYLOAD_BINARY' | 'PAYLOAD_NOT_JSON'; reason: string };

export const bridgeDevicesTopic = (base: string) => `${base}/bridge/devices`;
export const bridgeStateTopic = (base: string) => `${base}/bridge/state`;

type Expose = Record<string, unknown>;

/** Top-level numeric exposes worth a sensor entity (linkquality and settings are noise to a voice hub). */
const MEASUREMENTS = new Set([
  'temperature', 'humidity', 'pressure', 'illuminance', 'illuminance_lux', 'co2', 'voc', 'formaldehyd', 'pm25',
  'pm10', 'power', 'energy', 'voltage', 'current', 'battery', 'soil_moisture',
]);
const BINARY_SENSORS = new Set(['contact', 'occupancy', 'presence', 'water_leak', 'smoke', 'gas', 'vibration', 'tamper', 'carbon_monoxide']);
// Zigbee access bits (exposes docs): 1 published in state, 2 settable with /set, 4 readable with /get.
const SETTABLE = 2;

export function parseBridgeDevices(payload: Buffer, base: string): BridgeDevicesResult {
  const decoded = decodePayload(bridgeDevicesTopic(base), payload, MAX_BRIDGE_PAYLOAD_BYTES);
  if (!decoded.ok) return { ok: false, code: decoded.code, reason: decoded.reason };
  const list = parseJson(decoded.text);
  if (!Array.isArray(list)) return { ok: false, code: 'PAYLOAD_NOT_JSON', reason: 'bridge/devices is not a JSON list' };
  const devices: Device[] = [];
  const skipped: Zigbee2MqttSkip[] = [];
  for (const entry of list) {
    if (!isRecord(entry)) continue;
    const ieee = typeof entry.ieee_address === 'string' ? entry.ieee_address : '';
    const name = typeof entry.friendly_name === 'string' ? entry.friendly_name : ieee;
    if (!ieee) {
      skipped.push({ ieee, name, reason: 'no ieee_address' });
      continue;
    }
    const reason = skipReason(entry);
    if (reason) {
      if (entry.type !== 'Coordinator') skipped.push({ ieee, name, reason });
      continue;
    }
    const made = devicesOf(entry, ieee, name, base);
    if (made.length === 0) skipped.push({ ieee, name, reason: 'exposes nothing the hub uses' });
    devices.push(...made);
  }
  return { ok: true, devices, skipped };
}

function skipReason(entry: Record<string, unknown>): string | null {
  if (entry.type === 'Coordinator') return 'coordinator';
  if (entry.disabled === true) return 'disabled';
  if (entry.supported === false) return 'not supported by Zigbee2MQTT';
  // 2.x: interview_state PENDING/IN_PROGRESS/SUCCESSFUL/FAILED; 1.x: interview_completed.
  const interviewed = typeof entry.interview_state === 'string' ? entry.interview_state === 'SUCCESSFUL' : entry.interview_completed !== false;
  if (!interviewed) return 'interview not completed';
  if (!isRecord(entry.definition) || !Array.isArray(entry.definition.exposes)) return 'no definition';
  return null;
}

function devicesOf(entry: Record<string, unknown>, ieee: string, friendly: string, base: string): Device[] {
  const definition = entry.definition as Record<string, unknown>;
  const exposes = (definition.exposes as unknown[]).filter(isRecord);
  // Actuators are the exposes whose type is a kind that reads Zigbee2MQTT exposes (light, switch, lock, cover, climate, fan).
  const actuators = exposes.filter((e) => typeof e.type === 'string' && kindOf(e.type)?.readZigbee2MqttExpose !== undefined);
  const out: Device[] = [];
  const common = {
    aliases: [] as string[],
    source: 'zigbee2mqtt' as const,
    physicalId: ieee,
    manufacturer: str(definition.vendor) ?? str(entry.manufacturer),
    model: str(definition.model) ?? str(entry.model_id),
    area: str(entry.area),
    // The friendly name is the device's; an entity's name adds its endpoint or measurement to it.
    deviceName: friendly,
    available: null,
    lastSeen: null,
  };
  actuators.forEach((expose, i) => {
    const endpoint = str(expose.endpoint);
    const single = actuators.length === 1;
    const built = actuator(expose, binding(base, friendly));
    if (!built) return;
    out.push(clean({
      ...common,
      id: single ? ieee : `${ieee}_${endpoint ?? i + 1}`,
      state: {},
      name: single || !endpoint ? friendly : `${friendly} ${endpoint}`,
      type: expose.type as DeviceType,
      capabilities: built.capabilities,
      mqtt: built.binding,
    }));
  });
  for (const expose of exposes) {
    const property = str(expose.property);
    const name = str(expose.name);
    if (!property || !name || (accessBits(expose.access) & 1) === 0) continue;
    const isMeasure = expose.type === 'numeric' && MEASUREMENTS.has(name);
    const isBinary = expose.type === 'binary' && BINARY_SENSORS.has(name);
    if (!isMeasure && !isBinary) continue;
    const b = binding(base, friendly);
    b.z2mProperty = property;
    b.deviceClass = name;
    if (isMeasure) b.unit = str(expose.unit);
    else Object.assign(b.z2m!, { valueOn: scalar(expose.value_on), valueOff: scalar(expose.value_off) });
    out.push(clean({
      ...common,
      id: `${ieee}_${property}`,
      state: {},
      name: `${friendly} ${str(expose.label) ?? name.replace(/_/g, ' ')}`,
      type: isMeasure ? 'sensor' : 'binary_sensor',
      capabilities: ['measurement'],
      mqtt: b,
    }));
  }
  return out;
}

function binding(base: string, friendly: string): MqttBinding & { z2m: Zigbee2MqttBinding } {
  return {
    schema: 'json',
    commandTopic: `${base}/${friendly}/set`,
    stateTopic: `${base}/${friendly}`,
    availability: [{ topic: `${base}/${friendly}/availability`, payloadAvailable: 'online', payloadNotAvailable: 'offline' }],
    availabilityMode: 'latest',
    z2m: { friendlyName: friendly },
  };
}

function actuator(expose: Expose, b: MqttBinding & { z2m: Zigbee2MqttBinding }): { binding: MqttBinding; capabilities: Capability[] } | null {
  const reader = kindOf(str(expose.type) ?? '')?.readZigbee2MqttExpose;
  if (!reader) return null;
  const features = Array.isArray(expose.features) ? expose.features.filter(isRecord) : [];
  const feature = (...names: string[]) => features.find((f) => names.includes(str(f.name) ?? ''));
  const state = feature('state');
  if (state) {
    b.z2mProperty = str(state.property);
    Object.assign(b.z2m, { valueOn: scalar(state.value_on), valueOff: scalar(state.value_off), valueToggle: shortStr(state.value_toggle) });
  }
  const caps = reader({ state, feature, settable: (f) => f !== undefined && (accessBits(f.access) & SETTABLE) !== 0 }, b);
  return caps ? { binding: b, capabilities: caps } : null;
}

/** Drops undefined fields (devices are persisted as JSON and compared on update). */
function clean(device: Device): Device {
  const drop = (o: Record<string, unknown>) => {
    for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  };
  drop(device as unknown as Record<string, unknown>);
  drop(device.mqtt as unknown as Record<string, unknown>);
  if (device.mqtt.z2m) drop(device.mqtt.z2m as unknown as Record<string, unknown>);
  return device;
}

/**
 * An expose's access bits; anything but a number has none. `&` on hostile JSON would convert it first, and an
 * object holding {"toString": null} cannot be converted: the whole list used to fail with a TypeError.
 */
function accessBits(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}
