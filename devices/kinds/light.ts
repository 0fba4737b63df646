import type { Capability, Device, DeviceCommand, MqttPublish } from '../model.js';
import { HA_DEFAULTS as D } from '../defaults.js';
import { exposeStr, missing, num, str, strList } from '../discoveryFields.js';
import { isRecord } from '../payload.js';
import { brightnessToPercent, percentToBrightness } from '../scaling.js';
import { applyJsonLight, number, onOff, pick, read } from '../stateReading.js';
import { brightnessOf, need, outOfRange, publish, resolveToggle, templated, topic, unsupported, zigbee2mqttOnOff } from '../commandParts.js';
import { DEFAULT_MAX_MIREDS, DEFAULT_MIN_MIREDS, clamp, kelvinToMireds, miredsToKelvin, rgbToHs, rgbToXy, type Rgb } from '../color.js';
import { commonCommandFor } from './intentCommands.js';
import type { DeviceKind, IntentSlots } from './kind.js';
import { WHITES, cssRgb } from '../color.js';
import { colorWords } from '../colorWords.js';
import { ON_OFF } from './commonCommands.js';
import { PERCENT, type CommandSpecs } from './commandSpec.js';
import { Type } from '@sinclair/typebox';

/**
 * A light: on/off, brightness 0–100 % (scaled to `brightness_scale`, Zigbee2MQTT's value_max), colour
 * temperature in mireds. State: { state: 'on'|'off', brightness, color_temp }. HA's default and JSON
 * schemas; the template schema is refused.
 */

const COLOR_MODES = ['hs', 'xy', 'rgb', 'rgbw', 'rgbww'];

/** The colour temperature range in mireds: min/max_mireds, or min/max_kelvin (HA's newer fields) turned round. */
function miredsRange(c: Record<string, unknown>): { minMireds?: number; maxMireds?: number } {
  const ok = (v: number | undefined) => (v !== undefined && v >= 50 && v <= 1000 ? Math.round(v) : undefined);
  const fromK = (k: number | undefined) => (k !== undefined && k > 0 ? 1_000_000 / k : undefined);
  const min = ok(num(c.min_mireds)) ?? ok(fromK(num(c.max_kelvin)));
  const max = ok(num(c.max_mireds)) ?? ok(fromK(num(c.min_kelvin)));
  return min !== undefined && max !== undefined && min > max ? {} : { minMireds: min, maxMireds: max };
}
const DIMMABLE_MODES = ['brightness', 'color_temp', 'white', ...COLOR_MODES];

function jsonLight(device: Device, raw: DeviceCommand): MqttPublish[] {
  const b = device.mqtt;
  const command = resolveToggle(device, raw);
  const t = topic(device, b.commandTopic, command.command);
  if (command.command === 'turn_off') return [publish(t, JSON.stringify({ state: 'OFF' }))];
  if (command.command === 'set_color') return [publish(t, JSON.stringify({ state: 'ON', color: jsonColor(device, rgbOf(device, command.params?.rgb)) }))];
  if (command.command === 'set_color_temp') return [publish(t, JSON.stringify({ state: 'ON', color_temp: colorTempValue(device, command.params?.kelvin) }))];
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
  const mode = b.onCommandType ?? 'last';
  // Like brightness: the colour, and ON before or after it as on_command_type says.
  const withOn = (set: MqttPublish) => (mode === 'brightness' ? [set] : mode === 'first' ? [on(), set] : [set, on()]);
  if (command.command === 'set_color') return withOn(defaultColor(device, rgbOf(device, command.params?.rgb)));
  if (command.command === 'set_color_temp') {
    const value = colorTempValue(device, command.params?.kelvin);
    return withOn(publish(topic(device, b.colorTempCommandTopic, 'color temperature'), templated(device, b.colorTempCommandTemplate, value)));
  }
  if (command.command !== 'turn_on' && command.command !== 'set_brightness') throw unsupported(device, command.command);
  const pct = brightnessOf(device, command);
  if (pct === undefined) return [on()];
  need(device, 'brightness', 'brightness');
  if (pct === 0) return [off()];
  const level = percentToBrightness(pct, b.brightnessScale ?? D.brightnessScale);
  const bri = publish(topic(device, b.brightnessCommandTopic, 'brightness'), templated(device, b.brightnessCommandTemplate, level));
  return withOn(bri);
}

/** A colour the command carries: three whole numbers 0–255, else VALUE_OUT_OF_RANGE; the light must do colour. */
function rgbOf(device: Device, rgb: unknown): Rgb {
  need(device, 'color', 'color');
  const ok = Array.isArray(rgb) && rgb.length === 3 && rgb.every((c) => typeof c === 'number' && Number.isInteger(c) && c >= 0 && c <= 255);
  if (!ok) throw outOfRange(device, 'colour', JSON.stringify(rgb)?.slice(0, 40), 'three numbers 0–255');
  return rgb as unknown as Rgb;
}

/**
 * A colour temperature in the device's unit (mireds, or kelvin with `color_temp_kelvin`), clamped to its
 * announced range: "daylight" on a bulb that only goes to 4000 K is its coolest white, not a refusal.
 */
function colorTempValue(device: Device, kelvin: unknown): number {
  need(device, 'color_temp', 'color temperature');
  if (typeof kelvin !== 'number' || !Number.isFinite(kelvin) || kelvin < 1000 || kelvin > 40_000) throw outOfRange(device, 'colour temperature', kelvin, '1000–40000 K');
  const b = device.mqtt;
  const mireds = clamp(kelvinToMireds(kelvin), b.minMireds ?? DEFAULT_MIN_MIREDS, b.maxMireds ?? DEFAULT_MAX_MIREDS);
  return b.colorTempKelvin ? miredsToKelvin(mireds) : mireds;
}

/** HA JSON schema `color`: in the first of the light's colour modes it takes (rgb, then hs, then xy). */
function jsonColor(device: Device, rgb: Rgb): Record<string, number> {
  const modes = device.mqtt.supportedColorModes ?? [];
  if (modes.length === 0 || modes.some((m) => m.startsWith('rgb'))) return { r: rgb[0], g: rgb[1], b: rgb[2] };
  if (modes.includes('hs')) { const [h, s] = rgbToHs(rgb); return { h, s }; }
  const [x, y] = rgbToXy(rgb);
  return { x, y };
}

/** Default schema: rgb_command_topic "r,g,b", else hs_command_topic "h,s", else xy_command_topic "x,y", each through its template. */
function defaultColor(device: Device, rgb: Rgb): MqttPublish {
  const b = device.mqtt;
  if (b.rgbCommandTopic) return publish(b.rgbCommandTopic, templated(device, b.rgbCommandTemplate, rgb.join(','), { red: rgb[0], green: rgb[1], blue: rgb[2] }));
  if (b.hsCommandTopic) {
    const [hue, sat] = rgbToHs(rgb);
    return publish(b.hsCommandTopic, templated(device, b.hsCommandTemplate, `${hue},${sat}`, { hue, sat }));
  }
  const [x, y] = rgbToXy(rgb);
  return publish(topic(device, b.xyCommandTopic, 'color'), templated(device, b.xyCommandTemplate, `${x},${y}`, { x, y }));
}

export const LIGHT_COMMANDS = {
  ...ON_OFF,
  set_brightness: { needs: 'brightness', description: 'Set a light\'s brightness in percent (0-100).', param: { name: 'brightness', kind: 'number', schema: PERCENT } },
  set_color: {
    needs: 'color', description: 'Set a light\'s colour as red, green, blue (0-255 each).',
    param: { name: 'rgb', kind: 'rgb', schema: { type: 'array', items: { type: 'number', minimum: 0, maximum: 255 }, minItems: 3, maxItems: 3 } },
  },
  set_color_temp: {
    needs: 'color_temp', description: 'Set a light\'s white as a colour temperature in kelvin (2700 warm, 6500 daylight).',
    param: { name: 'kelvin', kind: 'number', schema: { type: 'number', minimum: 1000, maximum: 10000 } },
  },
} as const satisfies CommandSpecs;

/** A `devices:` light's brightness and colour: a JSON-schema light's modes as HA's supported_color_modes, a default-schema light's topics. */
const LIGHT_CONFIG = {
  properties: {
    brightness: Type.Optional(Type.Boolean()),
    brightnessScale: Type.Optional(Type.Integer({ minimum: 1 })),
    brightnessCommandTopic: Type.Optional(Type.String({ minLength: 1 })),
    supportedColorModes: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 16 }), { maxItems: 8 })),
    rgbCommandTopic: Type.Optional(Type.String({ minLength: 1 })),
    colorTempCommandTopic: Type.Optional(Type.String({ minLength: 1 })),
    minMireds: Type.Optional(Type.Integer({ minimum: 50, maximum: 1000 })),
    maxMireds: Type.Optional(Type.Integer({ minimum: 50, maximum: 1000 })),
  },
  // Only the brightness topic makes an entry a light of its own; a colour topic alone names a discovered one.
  topics: ['brightnessCommandTopic'],
  entryOnly: ['brightness'],
} as const;

export const light: DeviceKind<typeof LIGHT_COMMANDS, typeof LIGHT_CONFIG['properties']> = {
  commands: LIGHT_COMMANDS,
  config: LIGHT_CONFIG,
  readDiscovery(c, b, caps) {
    const schema = str(c.schema) ?? 'default';
    if (schema === 'template') return { code: 'COMPONENT_UNSUPPORTED', reason: 'light: the template schema is not supported' };
    if (!b.commandTopic) return missing('light', 'command_topic');
    Object.assign(b, {
      payloadOn: str(c.payload_on), payloadOff: str(c.payload_off),
      brightnessScale: num(c.brightness_scale),
      supportedColorModes: strList(c.supported_color_modes),
      colorTempKelvin: c.color_temp_kelvin === true ? true : undefined,
      ...miredsRange(c),
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
      Object.assign(b, {
        rgbCommandTopic: str(c.rgb_command_topic), rgbCommandTemplate: str(c.rgb_command_template),
        hsCommandTopic: str(c.hs_command_topic), hsCommandTemplate: str(c.hs_command_template),
        xyCommandTopic: str(c.xy_command_topic), xyCommandTemplate: str(c.xy_command_template),
        colorTempCommandTopic: str(c.color_temp_command_topic), colorTempCommandTemplate: str(c.color_temp_command_template),
      });
      if (b.colorTempCommandTopic) caps.push('color_temp');
      if (b.rgbCommandTopic || b.hsCommandTopic || b.xyCommandTopic) caps.push('color');
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
  translateZigbee2Mqtt(device, command, send) {
    const b = device.mqtt;
    const z = b.z2m!;
    const on = String(z.valueOn ?? 'ON');
    // Zigbee2MQTT takes {"color": {"r","g","b"}} whatever the bulb's own model (xy or hs), and color_temp in mireds.
    if (command.command === 'set_color') {
      const [r, g, bl] = rgbOf(device, command.params?.rgb);
      return send({ [b.z2mProperty ?? 'state']: on, [z.colorProperty ?? 'color']: { r, g, b: bl } });
    }
    if (command.command === 'set_color_temp') return send({ [b.z2mProperty ?? 'state']: on, [z.colorTempProperty ?? 'color_temp']: colorTempValue(device, command.params?.kelvin) });
    return zigbee2mqttOnOff(device, command, send, true);
  },

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
      Object.assign(b, miredsRange({ min_mireds: colorTemp.value_min, max_mireds: colorTemp.value_max }));
      if (x.settable(colorTemp)) caps.push('color_temp');
    }
    const color = x.feature('color_xy', 'color_hs');
    if (color) {
      b.z2m.colorProperty = exposeStr(color.property);
      caps.push('color');
    }
    return caps;
  },

  configCapabilities(e, b) {
    const caps: Capability[] = ['onoff'];
    const modes = b.schema === 'json' ? b.supportedColorModes ?? [] : [];
    if (b.brightnessCommandTopic || (b.schema === 'json' && (e.brightness || modes.some((m) => DIMMABLE_MODES.includes(m))))) caps.push('brightness');
    if (b.colorTempCommandTopic || modes.includes('color_temp')) caps.push('color_temp');
    if (b.rgbCommandTopic || modes.some((m) => COLOR_MODES.includes(m))) caps.push('color');
    return caps;
  },

  extraTopics: (b) => ({ state: [], command: [b.rgbCommandTopic, b.hsCommandTopic, b.xyCommandTopic, b.colorTempCommandTopic] }),

  defaultIntents: ['HassTurnOn', 'HassTurnOff', 'HassToggle', 'HassLightSet', 'HassGetState'],
  stateWords: ['on', 'off'],
  commandFor: lightCommand,
  lists: { color: colorWords() },
  sentences: {
    en: {
      HassLightSet: [{
        domains: ['light'],
        sentences: [
          '(set|make|turn|change|switch|put) <target> [to] {color} [<in_area>]', '(set|change|make|turn) <target> (color|colour) [to] {color}',
          '(set|change|make) [the] (color|colour) of <target> [to] {color}', '<target> [to] {color}', '(make|set|turn) it {color} [<in_area>]',
          '(set|make|turn|change) {area} [to] {color}', '(set|change) [the] (color|colour) [<in_area>] to {color} [<in_area>]',
          '(set|make|turn|change) <target> [(color|colour) temperature] <to> {number:color_temp} (kelvin|k)',
          '(set|change) [the] (color|colour) temperature (of|for) <target> <to> {number:color_temp} [kelvin|k]',
          '(set|make|turn|change) <target> [(color|colour) temperature] <to> {number:color_temp_mireds} (mired|mireds)',
        ],
      }],
    },
    zh: {
      HassLightSet: [{
        domains: ['light'],
        sentences: [
          '<target>[颜色|灯光](调成|变成|换成|设为|调到|改成|改为|设置为|设成|调为|切换成|切换到|变为|开成|换)[颜色]{color}[的|的颜色|颜色]',
          '<target>颜色<setto>{color}', '(调成|变成|换成|开)<target>{color}', '[<where>](灯光|灯)(调成|变成|换成|改成){color}',
          '<target>色温<setto>{number:color_temp}(k|开尔文|开)',
        ],
      }],
    },
  },
  replies: {
    en: { set_color: 'Set {target} to {color}.', set_color_temp: 'Set {target} to {value} K.' },
    zh: { set_color: '已将{target}调成{color}。', set_color_temp: '已将{target}的色温调到{value}K。' },
  },
  typeWords: [{
    en: ['light', 'lamp', 'lighting', 'bulb', 'light bulb', 'lightbulb', 'lantern', 'light strip', 'led strip'],
    enPlural: ['lights', 'lamps', 'bulbs', 'light bulbs', 'lightbulbs', 'lanterns', 'light strips', 'led strips'],
    zh: ['灯', '灯光', '电灯', '台灯', '吊灯', '灯泡', '灯具', '落地灯', '壁灯', '灯带', '吸顶灯', '射灯', '筒灯', '夜灯'],
  }],
  noun: { en: 'lights', zh: '灯' },
};

/**
 * HassLightSet with a colour ("red", "warm white": a CSS keyword or a named white) or a colour temperature
 * (kelvin, or mireds turned into kelvin); other light intents as every kind.
 */
function lightCommand(intent: string, s: IntentSlots): DeviceCommand | null {
  if (intent === 'HassLightSet') {
    if (typeof s.color === 'string') {
      if (Object.hasOwn(WHITES, s.color)) return { command: 'set_color_temp', params: { kelvin: WHITES[s.color]! } };
      const rgb = cssRgb(s.color);
      if (rgb) return { command: 'set_color', params: { rgb: [rgb[0], rgb[1], rgb[2]] } };
    }
    if (typeof s.color_temp === 'number') return { command: 'set_color_temp', params: { kelvin: s.color_temp } };
    if (typeof s.color_temp_mireds === 'number' && s.color_temp_mireds > 0) {
      return { command: 'set_color_temp', params: { kelvin: Math.round(1_000_000 / s.color_temp_mireds) } };
    }
  }
  return commonCommandFor(intent, s);
}
