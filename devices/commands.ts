import type { Device, DeviceCommand, MqttPublish } from './model.js';
import { publish, topic, unsupported } from './commandParts.js';
import { kindOf } from './kinds/index.js';

export { climateTarget } from './kinds/climate.js';

/**
 * The one place a hub command becomes MQTT: `translateCommand` checks the command against what the device
 * supports and the value against its range, and only then returns the publishes (QoS 1, never retained: a
 * retained command would replay on every reconnect). It throws HubError DEVICE_UNSUPPORTED or
 * VALUE_OUT_OF_RANGE before anything is published; it never publishes itself. How each kind's command
 * reads in MQTT is in its module (devices/kinds/<kind>.ts); the shared pieces are in commandParts.ts.
 */
export function translateCommand(device: Device, command: DeviceCommand): MqttPublish[] {
  const kind = kindOf(device.type);
  if (device.mqtt.z2m) {
    // Zigbee2MQTT: one JSON object to `<base>/<friendly_name>/set` with the device's own property names.
    const t = topic(device, device.mqtt.commandTopic, command.command);
    const send = (body: Record<string, unknown>) => [publish(t, JSON.stringify(body))];
    if (!kind) throw unsupported(device, command.command);
    return kind.translateZigbee2Mqtt(device, command, send);
  }
  if (!kind) throw unsupported(device, command.command);
  return kind.translate(device, command);
}
