import { onOff, pick, read, zigbee2mqttOnOff } from '../stateReading.js';
import { unsupported } from '../commandParts.js';
import { readMeasurementDiscovery } from './sensor.js';
import type { DeviceKind } from './kind.js';
import { type CommandSpecs } from './commandSpec.js';

/**
 * A binary sensor (contact, motion, leak…): read only. State: { state: 'on'|'off' }; a door contact's "on"
 * means open, which is why it answers to the open/closed state words too.
 */
export const BINARY_SENSOR_COMMANDS = {} as const satisfies CommandSpecs;

export const binarySensor: DeviceKind<typeof BINARY_SENSOR_COMMANDS> = {
  commands: BINARY_SENSOR_COMMANDS,
  readDiscovery: (c, b, caps) => readMeasurementDiscovery('binary_sensor', c, b, caps),
  parseState(device, msg, out) {
    const b = device.mqtt;
    if (msg.topic === b.stateTopic) pick(read(b.valueTemplate, msg, out), onOff(b.payloadOn, b.payloadOff), out);
  },
  parseZigbee2Mqtt: zigbee2mqttOnOff,
  translate(device, command) { throw unsupported(device, command.command); },
  translateZigbee2Mqtt(device, command) { throw unsupported(device, command.command); },
  configCapabilities: () => ['measurement'],
  defaultIntents: [],
  stateWords: ['open', 'closed', 'on', 'off'],
  openingClasses: new Set(['door', 'window', 'garage_door', 'opening', 'gate']),
  commandFor: () => null,
  // Its words ("sensor", "door", "window") are listed by sensor, lock and cover with binary_sensor among `shared`.
  typeWords: [],
  noun: { en: 'sensors', zh: '传感器' },
};
