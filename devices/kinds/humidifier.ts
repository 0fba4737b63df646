import type { Capability, Device, DeviceCommand, MqttBinding } from '../model.js';
import { missing, num, str, strList } from '../discoveryFields.js';
import { number, onOff, pick, read } from '../stateReading.js';
import { need, onOffCommand, outOfRange, publish, templated, topic, unsupported } from '../commandParts.js';
import { commonCommandFor } from './intentCommands.js';
import { HUMIDIFIER_MODES, modeList } from './modeWords.js';
import type { DeviceKind, IntentSlots } from './kind.js';
import { ON_OFF } from './commonCommands.js';
import { PERCENT, MODE_NAME, type CommandSpecs } from './commandSpec.js';
import { Type } from '@sinclair/typebox';
import { MODE_CONFIG, MODE_TOPICS } from './commonConfig.js';

/**
 * A humidifier or dehumidifier (HA's MQTT humidifier; `device_class` humidifier or dehumidifier): on/off on
 * `command_topic` (payload_on/off "ON"/"OFF", `command_template`), a target humidity in % on
 * `target_humidity_command_topic` (both required by HA) between `min_humidity` and `max_humidity` (0–100),
 * and, with `mode_command_topic` and `modes`, a mode. State topics: `state_topic` (`state_value_template`),
 * `target_humidity_state_topic`, `current_humidity_topic`, `mode_state_topic`, `action_topic` (off,
 * humidifying, drying, idle), each with its template. Zigbee2MQTT has no humidifier expose.
 * State: { state: 'on'|'off', target_humidity, current_humidity, mode, action }.
 */

const DEFAULT_MIN = 0;
const DEFAULT_MAX = 100;
const ACTIONS = new Set(['off', 'humidifying', 'drying', 'idle']);

/** A requested humidity outside the device's range is refused (not clamped), and sent as a whole percent. */
export function humidityTarget(device: Device, requested: unknown): number {
  const min = device.mqtt.minHumidity ?? DEFAULT_MIN;
  const max = device.mqtt.maxHumidity ?? DEFAULT_MAX;
  if (typeof requested !== 'number' || !Number.isFinite(requested) || requested < min || requested > max) {
    throw outOfRange(device, 'humidity', requested, `${min}–${max} %`);
  }
  return Math.round(requested);
}

/**
 * A mode the device lists (its `modes`, or another list it announces: a thermostat's presets); anything else is
 * VALUE_OUT_OF_RANGE naming the ones it has.
 */
export function listedMode(device: Device, mode: unknown, modes: readonly string[] = device.mqtt.modes ?? []): string {
  if (typeof mode !== 'string' || !modes.includes(mode)) throw outOfRange(device, 'mode', mode, modes.join(', ') || 'no modes');
  return mode;
}

function capsOf(b: MqttBinding): Capability[] {
  const caps: Capability[] = [];
  if (b.commandTopic) caps.push('onoff');
  if (b.targetHumidityCommandTopic) caps.push('target_humidity');
  if (b.modeCommandTopic && (b.modes?.length ?? 0) > 0) caps.push('mode');
  return caps;
}

const ON = '(turn|switch|power|put) on';
const OFF = '(turn|switch|power|put|shut) off';

export const HUMIDIFIER_COMMANDS = {
  ...ON_OFF,
  set_humidity: {
    needs: 'target_humidity', description: 'Set a humidifier\'s target humidity in percent (within the device\'s own range).',
    param: { name: 'humidity', kind: 'number', schema: PERCENT },
  },
  set_mode: {
    needs: 'mode', description: 'Set a humidifier\'s or water heater\'s mode, or a fan\'s preset (one of the modes it lists).',
    param: { name: 'mode', kind: 'text', schema: MODE_NAME },
  },
} as const satisfies CommandSpecs;

/** A `devices:` humidifier: its target humidity (HA's target_humidity_command_topic) and range in % (HA: 0–100), its modes. */
const HUMIDIFIER_CONFIG = {
  properties: {
    targetHumidityCommandTopic: Type.Optional(Type.String({ minLength: 1 })),
    minHumidity: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    maxHumidity: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    ...MODE_CONFIG,
  },
  topics: ['targetHumidityCommandTopic', ...MODE_TOPICS],
} as const;

export const humidifier: DeviceKind<typeof HUMIDIFIER_COMMANDS, typeof HUMIDIFIER_CONFIG['properties']> = {
  commands: HUMIDIFIER_COMMANDS,
  config: HUMIDIFIER_CONFIG,
  readDiscovery(c, b, caps) {
    if (!b.commandTopic) return missing('humidifier', 'command_topic');
    if (!str(c.target_humidity_command_topic)) return missing('humidifier', 'target_humidity_command_topic');
    Object.assign(b, {
      payloadOn: str(c.payload_on), payloadOff: str(c.payload_off), deviceClass: str(c.device_class) ?? 'humidifier',
      targetHumidityCommandTopic: str(c.target_humidity_command_topic), targetHumidityCommandTemplate: str(c.target_humidity_command_template),
      targetHumidityStateTopic: str(c.target_humidity_state_topic), targetHumidityStateTemplate: str(c.target_humidity_state_template),
      currentHumidityTopic: str(c.current_humidity_topic), currentHumidityTemplate: str(c.current_humidity_template),
      modeCommandTopic: str(c.mode_command_topic), modeCommandTemplate: str(c.mode_command_template),
      modeStateTopic: str(c.mode_state_topic), modeStateTemplate: str(c.mode_state_template),
      modes: strList(c.modes)?.slice(0, 32), minHumidity: num(c.min_humidity), maxHumidity: num(c.max_humidity),
      actionTopic: str(c.action_topic), actionTemplate: str(c.action_template),
    });
    caps.push(...capsOf(b));
    return null;
  },

  parseState(device, msg, out) {
    const b = device.mqtt;
    const t = msg.topic;
    if (t === b.stateTopic) pick(read(b.valueTemplate, msg, out), onOff(b.payloadOn, b.payloadOff), out);
    // A relative humidity is 0–100 %; anything else is a broken or hostile publisher.
    const humidity = (key: string, template: string | undefined, what: string) => {
      const n = number(read(template, msg, out), out, what);
      if (n !== null && n >= 0 && n <= 100) out.set(key, n);
      else if (n !== null) out.fail('VALUE_INVALID', `${what} ${n} is not 0–100 %`);
    };
    if (t === b.targetHumidityStateTopic) humidity('target_humidity', b.targetHumidityStateTemplate, 'target humidity');
    if (t === b.currentHumidityTopic) humidity('current_humidity', b.currentHumidityTemplate, 'current humidity');
    if (t === b.modeStateTopic) {
      const mode = read(b.modeStateTemplate, msg, out);
      if (mode) out.set('mode', mode);
    }
    if (t === b.actionTopic) {
      const action = read(b.actionTemplate, msg, out);
      if (action && ACTIONS.has(action)) out.set('action', action);
      else if (action) out.fail('VALUE_INVALID', `unexpected humidifier action "${action.slice(0, 40)}"`);
    }
  },

  parseZigbee2Mqtt() {},

  translate(device, command) {
    const b = device.mqtt;
    if (command.command === 'set_humidity') {
      need(device, 'target_humidity', 'set_humidity');
      const value = humidityTarget(device, command.params?.humidity);
      return [publish(topic(device, b.targetHumidityCommandTopic, 'set_humidity'), templated(device, b.targetHumidityCommandTemplate, value))];
    }
    if (command.command === 'set_mode') {
      need(device, 'mode', 'set_mode');
      return [publish(topic(device, b.modeCommandTopic, 'set_mode'), templated(device, b.modeCommandTemplate, listedMode(device, command.params?.mode)))];
    }
    return onOffCommand(device, command);
  },

  translateZigbee2Mqtt(device, command) { throw unsupported(device, command.command); },

  configCapabilities: (_e, b) => capsOf(b),

  extraTopics(b) {
    return { state: [b.targetHumidityStateTopic, b.currentHumidityTopic, b.actionTopic], command: [b.targetHumidityCommandTopic] };
  },

  defaultIntents: ['HassHumidifierSetpoint', 'HassHumidifierMode'],
  stateWords: ['on', 'off'],
  intents: ['HassHumidifierSetpoint', 'HassHumidifierMode'],
  commandFor(intent: string, slots: IntentSlots): DeviceCommand | null {
    if (intent === 'HassHumidifierSetpoint') return typeof slots.humidity === 'number' ? { command: 'set_humidity', params: { humidity: slots.humidity } } : null;
    if (intent === 'HassHumidifierMode') return typeof slots.mode === 'string' ? { command: 'set_mode', params: { mode: slots.mode } } : null;
    return commonCommandFor(intent, slots);
  },
  typeWords: [{
    en: ['humidifier', 'dehumidifier', 'air humidifier', 'diffuser'],
    enPlural: ['humidifiers', 'dehumidifiers', 'air humidifiers', 'diffusers'],
    zh: ['加湿器', '除湿机', '除湿器', '抽湿机', '空气加湿器'],
  }],
  noun: { en: 'humidifiers', zh: '加湿器' },
  lists: { humidifier_mode: modeList(HUMIDIFIER_MODES) },
  sentences: {
    en: {
      HassTurnOn: [{
        domains: ['humidifier'],
        unknownNames: true,
        sentences: [`${ON} <target>`, '(turn|switch|power) <target> on [<in_area>]', '<target> on', '(start|activate|run) <target>'],
      }],
      HassTurnOff: [{
        domains: ['humidifier'],
        unknownNames: true,
        sentences: [`${OFF} <target>`, '(turn|switch|power|shut) <target> off [<in_area>]', '<target> off', '(stop|deactivate) <target>'],
      }],
      HassHumidifierSetpoint: [{
        domains: ['humidifier'],
        sentences: [
          '(set|put|turn|change|adjust|bring|raise|lower) <target> [humidity] <to> {humidity} [humidity|relative humidity]',
          'set [the] [target] humidity (of|on|for) <target> <to> {humidity}', '<target> [humidity] <to> {humidity} [humidity]',
          '(set|change|adjust|put) [target] humidity [<in_area>] <to> {humidity} [<in_area>]',
          '(set|change|adjust) <target> target humidity <to> {humidity}', '(humidify|dehumidify) <target> <to> {humidity}',
          '(keep|make) [the] humidity [<in_area>] (at|to) {humidity}',
        ],
      }],
      HassHumidifierMode: [{
        domains: ['humidifier'],
        sentences: [
          '(set|put|turn|change|switch) <target> [mode] (to|into|in|on) ({device_mode:mode}|{humidifier_mode:mode}) [mode]',
          '(set|change|switch) [the] mode (of|on|for) <target> <to> ({device_mode:mode}|{humidifier_mode:mode})', '<target> [to] ({device_mode:mode}|{humidifier_mode:mode}) mode',
          '(use|enable|activate|start) ({device_mode:mode}|{humidifier_mode:mode}) mode (on|of|for) <target>', '(put|switch) <target> (in|into|on) ({device_mode:mode}|{humidifier_mode:mode})',
        ],
      }],
    },
    zh: {
      HassTurnOn: [{ domains: ['humidifier'], unknownNames: true, sentences: ['<on><target>', '<target><on>'] }],
      HassTurnOff: [{ domains: ['humidifier'], unknownNames: true, sentences: ['<off><target>', '<target><off>', '<target>(停|停下|停止)'] }],
      HassHumidifierSetpoint: [{
        domains: ['humidifier'],
        sentences: [
          '<target>[湿度|目标湿度]<setto>{humidity}[湿度]', '<setto><target>[湿度][到|为|成]{humidity}',
          '<target>湿度{humidity}', '<target>{pct:humidity}', '[<where>](湿度|目标湿度)<setto>{humidity}',
          '(加湿|除湿)[到|至]{humidity}',
        ],
      }],
      HassHumidifierMode: [{
        domains: ['humidifier'],
        sentences: [
          '<target>[模式]<setto>({device_mode:mode}|{humidifier_mode:mode})[模式]', '<target>(切换|切|换|转)(到|为|成)[模式]({device_mode:mode}|{humidifier_mode:mode})[模式]',
          '<target>(开|用|开启|打开|启动)[到]({device_mode:mode}|{humidifier_mode:mode})模式', '(开|开启|打开|启动|切换到)<target>[的]({device_mode:mode}|{humidifier_mode:mode})模式',
          '<target>({device_mode:mode}|{humidifier_mode:mode})模式',
        ],
      }],
    },
  },
  replies: {
    en: { set_humidity: 'Set {target} to {value}% humidity.', set_mode: 'Set {target} to {mode} mode.' },
    zh: { set_humidity: '已将{target}的湿度设为{value}%。', set_mode: '已将{target}切换到{mode}模式。' },
  },
};
