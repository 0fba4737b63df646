import type { Capability, MqttBinding } from '../model.js';
import { missing, str } from '../discoveryFields.js';
import { read } from '../stateReading.js';
import { toNumber } from '../scaling.js';
import { unsupported } from '../commandParts.js';
import type { DeviceKind, DiscoveryConfig, DiscoveryRefusal } from './kind.js';
import { type CommandSpecs } from './commandSpec.js';

/**
 * A sensor: one measurement, read only. State: { value: number|string|null }. Zigbee2MQTT gives sensors as
 * numeric exposes of a device (devices/zigbee2mqtt.ts picks which), not as an expose type of their own.
 */

/** Sensors and binary sensors read the same discovery fields (HA sensor / binary_sensor docs). */
export function readMeasurementDiscovery(component: string, c: DiscoveryConfig, b: MqttBinding, caps: Capability[]): DiscoveryRefusal | null {
  if (!b.stateTopic) return missing(component, 'state_topic');
  Object.assign(b, { unit: str(c.unit_of_measurement), deviceClass: str(c.device_class), payloadOn: str(c.payload_on), payloadOff: str(c.payload_off) });
  caps.push('measurement');
  return null;
}

/** Numbers stay numbers; HA's "unknown"/"unavailable"/"None" mean no value. */
function sensorValue(text: string): number | string | null {
  const n = toNumber(text);
  if (n !== null) return n;
  return text === 'None' || text === 'unknown' || text === 'unavailable' ? null : text;
}

export const SENSOR_COMMANDS = {} as const satisfies CommandSpecs;

export const sensor: DeviceKind<typeof SENSOR_COMMANDS> = {
  commands: SENSOR_COMMANDS,
  readDiscovery: (c, b, caps) => readMeasurementDiscovery('sensor', c, b, caps),
  parseState(device, msg, out) {
    const b = device.mqtt;
    if (msg.topic !== b.stateTopic) return;
    const value = read(b.valueTemplate, msg, out);
    if (value !== null && value !== '') out.set('value', sensorValue(value));
  },
  parseZigbee2Mqtt(device, json, out) {
    const v = json[device.mqtt.z2mProperty ?? 'state'];
    if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') out.set('value', v);
  },
  translate(device, command) { throw unsupported(device, command.command); },
  translateZigbee2Mqtt(device, command) { throw unsupported(device, command.command); },
  configCapabilities: () => ['measurement'],
  defaultIntents: [],
  stateWords: [],
  commandFor: () => null,
  // "sensor" can mean a binary sensor too; replies call both "sensors".
  typeWords: [{ shared: ['binary_sensor'], en: ['sensor'], enPlural: ['sensors'], zh: ['传感器', '探测器'] }],
  noun: { en: 'sensors', zh: '传感器' },
};
