import { HubError } from '../daemon/errors.js';
import type { Capability, Device, DeviceCommand, MqttBinding, MqttPublish } from './model.js';
import { HA_DEFAULTS as D } from './defaults.js';
import { percentToBrightness, percentToOrderedItem, percentToPosition, percentToRanged } from './scaling.js';
import { renderTemplate } from './template.js';

/**
 * The one place a hub command becomes MQTT: `translateCommand` checks the command against what the device
 * supports and the value against its range, and only then returns the publishes (QoS 1, never retained: a
 * retained command would replay on every reconnect). It throws HubError DEVICE_UNSUPPORTED or
 * VALUE_OUT_OF_RANGE before anything is published; it never publishes itself.
 */
export function translateCommand(device: Device, command: DeviceCommand): MqttPublish[] {
  if (device.mqtt.z2m) return zigbee2mqtt(device, command);
  switch (device.type) {
    case 'light': return device.mqtt.schema === 'json' ? jsonLight(device, command) : defaultLight(device, command);
    case 'switch': return onOffDevice(device, command);
    case 'fan': return fan(device, command);
    case 'cover': return cover(device, command);
    case 'lock': return lock(device, command);
    case 'climate': return climate(device, command);
    default: throw unsupported(device, command.command);
  }
}

const publish = (topic: string, payload: string): MqttPublish => ({ topic, payload, qos: 1, retain: false });

function unsupported(device: Device, what: string, why?: string): HubError {
  return new HubError('DEVICE_UNSUPPORTED', `${device.name} does not support ${what}${why ? ` (${why})` : ''}`, {
    details: { device: device.id, command: what },
  });
}

function outOfRange(device: Device, what: string, value: unknown, allowed: string): HubError {
  return new HubError('VALUE_OUT_OF_RANGE', `${what} ${String(value)} is outside what ${device.name} accepts (${allowed})`, {
    details: { device: device.id, value, allowed },
  });
}

function need(device: Device, cap: Capability, what: string): void {
  if (!device.capabilities.includes(cap)) throw unsupported(device, what);
}

function topic(device: Device, t: string | undefined, what: string): string {
  if (!t) throw unsupported(device, what, 'no command topic');
  return t;
}

/** Percentages (brightness, position, fan speed) are 0–100 in the hub's terms. */
function percent(device: Device, value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 100) throw outOfRange(device, what, value, '0–100 %');
  return value;
}

/** Renders a command template (`value` = the value to send), or passes the value through. */
function templated(device: Device, template: string | undefined, value: string | number, extra: Record<string, unknown> = {}): string {
  if (!template) return String(value);
  const r = renderTemplate(template, { value: value as unknown as string, ...extra });
  if (!r.ok) throw unsupported(device, 'this command', `command template failed: ${r.code}`);
  return r.value;
}

/** toggle acts on the last known state; an unknown state counts as off, so toggle turns it on. */
function resolveToggle(device: Device, command: DeviceCommand): DeviceCommand {
  if (command.command !== 'toggle') return command;
  return device.state.state === 'on' ? { command: 'turn_off' } : { command: 'turn_on' };
}

function brightnessOf(device: Device, command: DeviceCommand): number | undefined {
  if (command.command === 'set_brightness') return percent(device, command.params?.brightness, 'brightness');
  if (command.command === 'turn_on' && command.params?.brightness !== undefined) return percent(device, command.params.brightness, 'brightness');
  return undefined;
}

function jsonLight(device: Device, raw: DeviceCommand): MqttPublish[] {
  const b = device.mqtt;
  const command = resolveToggle(device, raw);
  const t = topic(device, b.commandTopic, command.command);
  if (command.command === 'turn_off') return [publish(t, JSON.stringify({ state: 'OFF' }))];
  if (command.command !== 'turn_on' && command.command !== 'set_brightness') throw unsupported(device, command.command);
  const pct = brightnessOf(device, command);
  if (pct === undefined) return [publish(t, JSON.stringify({ state: 'ON' }))];
  need(device, 'brightness', 'brightness');
  if (pct === 0) return [publish(t, JSON.stringify({ state: 'OFF' }))];
  return [publish(t, JSON.stringify({ state: 'ON', brightness: percentToBrightness(pct, b.brightnessScale ?? D.brightnessScale) }))];
}

/**
 * Default-schema lights: payload_on/off on command_topic, brightness on brightness_command_topic scaled by
 * brightness_scale. `on_command_type` (HA light docs): 'last' (default) sends ON after the brightness,
 * 'first' before it, 'brightness' sends only the brightness.
 */
function defaultLight(device: Device, raw: DeviceCommand): MqttPublish[] {
  const b = device.mqtt;
  const command = resolveToggle(device, raw);
  const on = () => publish(topic(device, b.commandTopic, 'turn_on'), b.payloadOn ?? D.payloadOn);
  const off = () => publish(topic(device, b.commandTopic, 'turn_off'), b.payloadOff ?? D.payloadOff);
  if (command.command === 'turn_off') return [off()];
  if (command.command !== 'turn_on' && command.command !== 'set_brightness') throw unsupported(device, command.command);
  const pct = brightnessOf(device, command);
  if (pct === undefined) return [on()];
  need(device, 'brightness', 'brightness');
  if (pct === 0) return [off()];
  const level = percentToBrightness(pct, b.brightnessScale ?? D.brightnessScale);
  const bri = publish(topic(device, b.brightnessCommandTopic, 'brightness'), templated(device, b.brightnessCommandTemplate, level));
  const mode = b.onCommandType ?? 'last';
  if (mode === 'brightness') return [bri];
  return mode === 'first' ? [on(), bri] : [bri, on()];
}

function onOffDevice(device: Device, raw: DeviceCommand): MqttPublish[] {
  const b = device.mqtt;
  const command = resolveToggle(device, raw);
  if (command.command === 'turn_on') return [publish(topic(device, b.commandTopic, 'turn_on'), templated(device, b.commandTemplate, b.payloadOn ?? D.payloadOn))];
  if (command.command === 'turn_off') return [publish(topic(device, b.commandTopic, 'turn_off'), templated(device, b.commandTemplate, b.payloadOff ?? D.payloadOff))];
  throw unsupported(device, command.command);
}

/** HA fan: percent → speed_range_min…max; 0 % turns the fan off rather than sending speed 0. */
function fan(device: Device, command: DeviceCommand): MqttPublish[] {
  if (command.command !== 'set_fan_speed') return onOffDevice(device, command);
  const b = device.mqtt;
  const pct = percent(device, command.params?.percentage, 'fan speed');
  need(device, 'fan_speed', 'fan speed');
  if (pct === 0) return onOffDevice(device, { command: 'turn_off' });
  const value = percentToRanged(pct, b.speedRangeMin ?? D.speedRangeMin, b.speedRangeMax ?? D.speedRangeMax);
  return [publish(topic(device, b.percentageCommandTopic, 'fan speed'), templated(device, b.percentageCommandTemplate, value))];
}

function cover(device: Device, command: DeviceCommand): MqttPublish[] {
  const b = device.mqtt;
  const simple = { open: b.payloadOpen ?? D.payloadOpen, close: b.payloadClose ?? D.payloadClose, stop: b.payloadStop ?? D.payloadStop } as const;
  switch (command.command) {
    case 'open':
    case 'close':
      need(device, 'open_close', command.command);
      return [publish(topic(device, b.commandTopic, command.command), simple[command.command])];
    case 'stop':
      need(device, 'stop', 'stop');
      return [publish(topic(device, b.commandTopic, 'stop'), simple.stop)];
    case 'set_position': {
      const pct = percent(device, command.params?.position, 'position');
      need(device, 'position', 'set_position');
      const position = percentToPosition(pct, b.positionOpen ?? D.positionOpen, b.positionClosed ?? D.positionClosed);
      return [publish(topic(device, b.setPositionTopic, 'set_position'), templated(device, b.setPositionTemplate, position, { position }))];
    }
    default:
      throw unsupported(device, command.command);
  }
}

function lock(device: Device, command: DeviceCommand): MqttPublish[] {
  const b = device.mqtt;
  if (command.command !== 'lock' && command.command !== 'unlock') throw unsupported(device, command.command);
  const payload = command.command === 'lock' ? b.payloadLock ?? D.payloadLock : b.payloadUnlock ?? D.payloadUnlock;
  return [publish(topic(device, b.commandTopic, command.command), templated(device, b.commandTemplate, payload))];
}

/**
 * A requested temperature outside min_temp…max_temp is refused with VALUE_OUT_OF_RANGE instead of being
 * clamped: someone asking for 40 °C should hear that the thermostat stops at 30, not find it quietly set to
 * 30. Inside the range the value is rounded to temp_step (HA's default step is 1; TRVs often use 0.5).
 */
export function climateTarget(device: Device, requested: unknown): number {
  const b = device.mqtt;
  const min = b.minTemp ?? D.minTemp;
  const max = b.maxTemp ?? D.maxTemp;
  if (typeof requested !== 'number' || !Number.isFinite(requested) || requested < min || requested > max) {
    throw outOfRange(device, 'temperature', requested, `${min}–${max}`);
  }
  const step = b.tempStep && b.tempStep > 0 ? b.tempStep : D.tempStep;
  const decimals = (String(step).split('.')[1] ?? '').length;
  const rounded = Number((Math.round(requested / step) * step).toFixed(decimals));
  return Math.min(max, Math.max(min, rounded));
}

function hvacMode(device: Device, mode: unknown): string {
  const modes = device.mqtt.modes ?? D.modes;
  if (typeof mode !== 'string' || !modes.includes(mode)) throw outOfRange(device, 'mode', mode, modes.join(', '));
  return mode;
}

/** turn_on picks the first of heat/auto/cool the device offers; turn_off is mode "off". */
function onOffMode(device: Device, command: DeviceCommand): string | null {
  const modes = device.mqtt.modes ?? D.modes;
  if (command.command === 'turn_off') return modes.includes('off') ? 'off' : null;
  if (command.command === 'turn_on') return ['heat', 'auto', 'cool'].find((m) => modes.includes(m)) ?? null;
  return null;
}

function climate(device: Device, command: DeviceCommand): MqttPublish[] {
  const b = device.mqtt;
  if (command.command === 'set_temperature') {
    need(device, 'target_temperature', 'set_temperature');
    const t = climateTarget(device, command.params?.temperature);
    return [publish(topic(device, b.temperatureCommandTopic, 'set_temperature'), templated(device, b.temperatureCommandTemplate, t))];
  }
  const mode = command.command === 'set_hvac_mode' ? command.params?.mode : onOffMode(device, command);
  if (mode === null || (command.command !== 'set_hvac_mode' && command.command !== 'turn_on' && command.command !== 'turn_off')) {
    throw unsupported(device, command.command);
  }
  need(device, 'hvac_mode', command.command);
  return [publish(topic(device, b.modeCommandTopic, command.command), templated(device, b.modeCommandTemplate, hvacMode(device, mode)))];
}

/** Zigbee2MQTT: one JSON object to `<base>/<friendly_name>/set` with the device's own property names. */
function zigbee2mqtt(device: Device, command: DeviceCommand): MqttPublish[] {
  const b: MqttBinding = device.mqtt;
  const z = b.z2m!;
  const t = topic(device, b.commandTopic, command.command);
  const send = (body: Record<string, unknown>) => [publish(t, JSON.stringify(body))];
  const stateKey = b.z2mProperty ?? 'state';
  const on = String(z.valueOn ?? 'ON');
  const off = String(z.valueOff ?? 'OFF');
  switch (device.type) {
    case 'light':
    case 'switch':
    case 'fan': {
      if (command.command === 'toggle') {
        need(device, 'onoff', 'toggle');
        return z.valueToggle ? send({ [stateKey]: z.valueToggle }) : zigbee2mqtt(device, resolveToggle(device, command));
      }
      if (command.command === 'set_fan_speed' && device.type === 'fan') {
        const pct = percent(device, command.params?.percentage, 'fan speed');
        need(device, 'fan_speed', 'fan speed');
        return pct === 0 ? send({ [stateKey]: off }) : send({ [z.fanModeProperty!]: percentToOrderedItem(z.fanSpeeds ?? [], pct) });
      }
      if (command.command === 'turn_off') return send({ [stateKey]: off });
      const pct = device.type === 'light' ? brightnessOf(device, command) : undefined;
      if (command.command !== 'turn_on' && pct === undefined) throw unsupported(device, command.command);
      if (pct === undefined) return send({ [stateKey]: on });
      need(device, 'brightness', 'brightness');
      if (pct === 0) return send({ [stateKey]: off });
      return send({ [stateKey]: on, [z.brightnessProperty ?? 'brightness']: percentToBrightness(pct, b.brightnessScale ?? 254) });
    }
    case 'lock':
      if (command.command !== 'lock' && command.command !== 'unlock') throw unsupported(device, command.command);
      return send({ [stateKey]: String(command.command === 'lock' ? z.valueOn ?? 'LOCK' : z.valueOff ?? 'UNLOCK') });
    case 'cover':
      if (command.command === 'open' || command.command === 'close') {
        need(device, 'open_close', command.command);
        return send({ [stateKey]: command.command === 'open' ? 'OPEN' : 'CLOSE' });
      }
      if (command.command === 'stop') {
        need(device, 'stop', 'stop');
        return send({ [stateKey]: 'STOP' });
      }
      if (command.command === 'set_position') {
        const pct = percent(device, command.params?.position, 'position');
        need(device, 'position', 'set_position');
        return send({ [z.positionProperty ?? 'position']: percentToPosition(pct, b.positionOpen ?? 100, b.positionClosed ?? 0) });
      }
      throw unsupported(device, command.command);
    case 'climate':
      if (command.command === 'set_temperature') {
        need(device, 'target_temperature', 'set_temperature');
        return send({ [z.setpointProperty!]: climateTarget(device, command.params?.temperature) });
      }
      {
        const mode = command.command === 'set_hvac_mode' ? command.params?.mode : onOffMode(device, command);
        if (mode === null || !z.systemModeProperty || !['set_hvac_mode', 'turn_on', 'turn_off'].includes(command.command)) {
          throw unsupported(device, command.command);
        }
        need(device, 'hvac_mode', command.command);
        return send({ [z.systemModeProperty]: hvacMode(device, mode) });
      }
    default:
      throw unsupported(device, command.command);
  }
}
