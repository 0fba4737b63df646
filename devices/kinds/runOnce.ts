import type { Device, DeviceCommand, MqttPublish } from '../model.js';
import { HA_DEFAULTS as D } from '../defaults.js';
import { publish, templated, topic, unsupported } from '../commandParts.js';

/**
 * What scenes, scripts and buttons share: nothing to read back, one payload on the command topic that makes
 * them run once. `turn_on` means the same (HA's scene.turn_on); anything else is DEVICE_UNSUPPORTED.
 */
export function runOnce(device: Device, command: DeviceCommand, verb: 'activate' | 'press', payload: string | undefined): MqttPublish[] {
  if (command.command !== verb && command.command !== 'turn_on') throw unsupported(device, command.command);
  const b = device.mqtt;
  return [publish(topic(device, b.commandTopic, verb), templated(device, b.commandTemplate, payload ?? D.payloadOn))];
}

/** Nothing to parse: a scene, script or button has no state of its own. */
export function noState(): void {}
