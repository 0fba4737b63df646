import { HubError } from '../daemon/core/errors.js';
import type { Capability, Device, DeviceCommand, MqttPublish } from './model.js';
import { HA_DEFAULTS as D } from './defaults.js';
import { percentToBrightness } from './scaling.js';
import { renderTemplate } from './template.js';

/**
 * The pieces every kind's command translation is built from (devices/kinds/*.ts call them): the publish
 * shape (QoS 1, never retained: a retained command would replay on every reconnect), the two refusals
 * (DEVICE_UNSUPPORTED, VALUE_OUT_OF_RANGE) thrown before anything is published, range checks and templates.
 */

export const publish = (topic: string, payload: string): MqttPublish => ({ topic, payload, qos: 1, retain: false });

export function unsupported(device: Device, what: string, why?: string): HubError {
  return new HubError('DEVICE_UNSUPPORTED', `${device.name} does not support ${what}${why ? ` (${why})` : ''}`, {
    details: { device: device.id, command: what },
  });
}

export function outOfRange(device: Device, what: string, value: unknown, allowed: string): HubError {
  return new HubError('VALUE_OUT_OF_RANGE', `${what} ${String(value)} is outside what ${device.name} accepts (${allowed})`, {
    details: { device: device.id, value, allowed },
  });
}

export function need(device: Device, cap: Capability, what: string): void {
  if (!device.capabilities.includes(cap)) throw unsupported(device, what);
}

export function topic(device: Device, t: string | undefined, what: string): string {
  if (!t) throw unsupported(device, what, 'no command topic');
  return t;
}

/** Percentages (brightness, position, fan speed) are 0–100 in the hub's terms. */
export function percent(device: Device, value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 100) throw outOfRange(device, what, value, '0–100 %');
  return value;
}

/** Renders a command template (`value` = the value to send), or passes the value through. */
export function templated(device: Device, template: string | undefined, value: string | number, extra: Record<string, unknown> = {}): string {
  if (!template) return String(value);
  const r = renderTemplate(template, { value: value as unknown as string, ...extra });
  if (!r.ok) throw unsupported(device, 'this command', `command template failed: ${r.code}`);
  return r.value;
}

/** toggle acts on the last known state; an unknown state counts as off, so toggle turns it on. */
export function resolveToggle(device: Device, command: DeviceCommand): DeviceCommand {
  if (command.command !== 'toggle') return command;
  return device.state.state === 'on' ? { command: 'turn_off' } : { command: 'turn_on' };
}

export function brightnessOf(device: Device, command: DeviceCommand): number | undefined {
  if (command.command === 'set_brightness') return percent(device, command.params?.brightness, 'brightness');
  if (command.command === 'turn_on' && command.params?.brightness !== undefined) return percent(device, command.params.brightness, 'brightness');
  return undefined;
}

/** Default-schema on/off on command_topic (switch, fan), through `command_template` when set. */
export function onOffCommand(device: Device, raw: DeviceCommand): MqttPublish[] {
  const b = device.mqtt;
  const command = resolveToggle(device, raw);
  if (command.command === 'turn_on') return [publish(topic(device, b.commandTopic, 'turn_on'), templated(device, b.commandTemplate, b.payloadOn ?? D.payloadOn))];
  if (command.command === 'turn_off') return [publish(topic(device, b.commandTopic, 'turn_off'), templated(device, b.commandTemplate, b.payloadOff ?? D.payloadOff))];
  throw unsupported(device, command.command);
}

/** Sends one JSON object to a Zigbee2MQTT device's `/set` topic. */
export type Zigbee2MqttSend = (body: Record<string, unknown>) => MqttPublish[];

/**
 * Zigbee2MQTT on/off (light, switch, fan): the state property with value_on/off, value_toggle when the
 * device has one, and for lights a brightness on the brightness property scaled to its value_max.
 */
export function zigbee2mqttOnOff(device: Device, command: DeviceCommand, send: Zigbee2MqttSend, dimmable: boolean): MqttPublish[] {
  const b = device.mqtt;
  const z = b.z2m!;
  const stateKey = b.z2mProperty ?? 'state';
  if (command.command === 'toggle') {
    need(device, 'onoff', 'toggle');
    return z.valueToggle ? send({ [stateKey]: z.valueToggle }) : zigbee2mqttOnOff(device, resolveToggle(device, command), send, dimmable);
  }
  const off = String(z.valueOff ?? 'OFF');
  if (command.command === 'turn_off') return send({ [stateKey]: off });
  const pct = dimmable ? brightnessOf(device, command) : undefined;
  if (command.command !== 'turn_on' && pct === undefined) throw unsupported(device, command.command);
  const on = String(z.valueOn ?? 'ON');
  if (pct === undefined) return send({ [stateKey]: on });
  need(device, 'brightness', 'brightness');
  if (pct === 0) return send({ [stateKey]: off });
  return send({ [stateKey]: on, [z.brightnessProperty ?? 'brightness']: percentToBrightness(pct, b.brightnessScale ?? 254) });
}
