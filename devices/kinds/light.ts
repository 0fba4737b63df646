import type { Capability, Device, DeviceCommand, MqttPublish } from '../model.js';
import { HA_DEFAULTS as D } from '../defaults.js';
import { exposeStr, missing, num, str, strList } from '../discoveryFields.js';
import { isRecord } from '../payload.js';
import { brightnessToPercent, percentToBrightness } from '../scaling.js';
import { applyJsonLight, number, onOff, pick, read } from '../stateReading.js';
import { brightnessOf, need, publish, resolveToggle, templated, topic, unsupported, zigbee2mqttOnOff } from '../commandParts.js';
import { commonCommandFor } from './intentCommands.js';
import type { DeviceKind } from './kind.js';

/**
 * A light: on/off, brightness 0–100 % (scaled to `brightness_scale`, Zigbee2MQTT's value_max), colour
 * temperature in mireds. State: { state: 'on'|'off', brightness, color_temp }. HA's default and JSON
 * schemas; the template schema is refused.
 */

const COLOR_MODES = ['hs', 'xy', 'rgb', 'rgbw', 'rgbww'];
const DIMMABLE_MODES = ['brightness', 'color_temp', 'white', ...COLOR_MODES];

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

export const light: DeviceKind = {
  readDiscovery(c, b, caps) {
    const schema = str(c.schema) ?? 'default';
    if (schema === 'template') return { code: 'COMPONENT_UNSUPPORTED', reason: 'light: the template schema is not supported' };
    if (!b.commandTopic) return missing('light', 'command_topic');
    Object.assign(b, {
      payloadOn: str(c.payload_on), payloadOff: str(c.payload_off),
      brightnessScale: num(c.brightness_scale),
      supportedColorModes: strList(c.supported_color_modes),
    });
    caps.push('onoff');
    const modes = b.supportedColorModes ?? [];
    if (schema === 'json') {
      b.schema = 'json';
      if (c.brightness === true || modes.some((m) => DIMMABLE_MODES.includes(m))) caps.push('brightness');
      if (c.color_temp === true || modes.includes('color_temp')) caps.push('color_temp');
      if (modes.some((m) => COLOR_MODES.includes(m)) || c.rgb === true || c.hs === true || c.xy === true) caps.push('color');
    } else {
      const onType = str(c.on_command_type);
      Object.assign(b, {
        brightnessCommandTopic: str(c.brightness_command_topic), brightnessStateTopic: str(c.brightness_state_topic),
        brightnessValueTemplate: str(c.brightness_value_template), brightnessCommandTemplate: str(c.brightness_command_template),
        onCommandType: onType === 'first' || onType === 'brightness' || onType === 'last' ? onType : undefined,
      });
      if (b.brightnessCommandTopic) caps.push('brightness');
      if (str(c.color_temp_command_topic)) caps.push('color_temp');
      if (str(c.rgb_command_topic) || str(c.hs_command_topic) || str(c.xy_command_topic)) caps.push('color');
    }
    return null;
  },

  parseState(device, msg, out) {
    const b = device.mqtt;
    const t = msg.topic;
    if (b.schema === 'json') {
      if (t !== b.stateTopic) return;
      const json = msg.json();
      if (!isRecord(json)) return out.fail('PAYLOAD_NOT_JSON', 'JSON-schema light state is not a JSON object');
      applyJsonLight(json, out, 'state', D.payloadOn, D.payloadOff, 'brightness', b.brightnessScale ?? D.brightnessScale, 'color_temp');
      return;
    }
    if (t === b.stateTopic) pick(read(b.valueTemplate, msg, out), onOff(b.payloadOn, b.payloadOff), out);
    if (t === b.brightnessStateTopic) {
      const raw = number(read(b.brightnessValueTemplate, msg, out), out, 'brightness');
      if (raw !== null) out.set('brightness', brightnessToPercent(raw, b.brightnessScale ?? D.brightnessScale));
    }
  },

  parseZigbee2Mqtt(device, json, out) {
    const b = device.mqtt;
    const z = b.z2m!;
    applyJsonLight(json, out, b.z2mProperty ?? 'state', z.valueOn === undefined ? 'ON' : String(z.valueOn),
      z.valueOff === undefined ? 'OFF' : String(z.valueOff), z.brightnessProperty, b.brightnessScale ?? 254, z.colorTempProperty);
  },

  translate: (device, command) => (device.mqtt.schema === 'json' ? jsonLight(device, command) : defaultLight(device, command)),
  translateZigbee2Mqtt: (device, command, send) => zigbee2mqttOnOff(device, command, send, true),

  readZigbee2MqttExpose(x, b) {
    if (!x.state) return null;
    const caps: Capability[] = ['onoff'];
    const brightness = x.feature('brightness');
    if (brightness) {
      b.z2m.brightnessProperty = exposeStr(brightness.property);
      // A scale of 0, a negative one or a huge one would make every brightness command nonsense.
      const max = brightness.value_max;
      b.brightnessScale = typeof max === 'number' && max >= 1 && max <= 65_535 ? max : 254;
      if (x.settable(brightness)) caps.push('brightness');
    }
    const colorTemp = x.feature('color_temp');
    if (colorTemp) {
      b.z2m.colorTempProperty = exposeStr(colorTemp.property);
      if (x.settable(colorTemp)) caps.push('color_temp');
    }
    if (x.feature('color_xy', 'color_hs')) caps.push('color');
    return caps;
  },

  configCapabilities(e, b) {
    const caps: Capability[] = ['onoff'];
    if (b.brightnessCommandTopic || (b.schema === 'json' && e.brightness)) caps.push('brightness');
    return caps;
  },

  defaultIntents: ['HassTurnOn', 'HassTurnOff', 'HassToggle', 'HassLightSet', 'HassGetState'],
  stateWords: ['on', 'off'],
  commandFor: commonCommandFor,
  typeWords: [{
    en: ['light', 'lamp', 'lighting', 'bulb', 'light bulb', 'lightbulb', 'lantern', 'light strip', 'led strip'],
    enPlural: ['lights', 'lamps', 'bulbs', 'light bulbs', 'lightbulbs', 'lanterns', 'light strips', 'led strips'],
    zh: ['灯', '灯光', '电灯', '台灯', '吊灯', '灯泡', '灯具', '落地灯', '壁灯', '灯带', '吸顶灯', '射灯', '筒灯', '夜灯'],
  }],
  noun: { en: 'lights', zh: '灯' },
};
