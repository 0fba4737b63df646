import type { Capability, Device, DeviceCommand, MqttBinding } from '../model.js';
import { HA_DEFAULTS as D } from '../defaults.js';
import { missing, num, str, strList, temperatureAndModeTopics } from '../discoveryFields.js';
import { number, read } from '../stateReading.js';
import { need, outOfRange, publish, templated, topic, unsupported } from '../commandParts.js';
import { commonCommandFor } from './intentCommands.js';
import { listedMode } from './humidifier.js';
import { WATER_HEATER_MODES, modeList } from './modeWords.js';
import type { DeviceKind, IntentSlots } from './kind.js';
import { ON_OFF, SET_TEMPERATURE } from './commonCommands.js';
import { type CommandSpecs } from './commandSpec.js';
import { HUMIDIFIER_COMMANDS } from './humidifier.js';
import { SET_POINT_AND_MODE_CONFIG } from './commonConfig.js';

/**
 * A water heater (boiler, hot water tank): a target temperature, an operation mode, power on/off. HA's MQTT
 * water heater: `temperature_command_topic` / `temperature_state_topic`, `current_temperature_topic`,
 * `mode_command_topic` / `mode_state_topic` with `modes` (a subset of off, eco, electric, gas, heat_pump,
 * high_demand, performance; all of them by default), `power_command_topic` with payload_on/off, each with its
 * template; `value_template` renders every state topic without one of its own. `min_temp`/`max_temp`
 * default to 43.3–60 °C (110–140 °F), `precision` (0.1 °C, 1 °F) is the set-point step, `temperature_unit`
 * C or F. A `devices:` water heater: `temperatureCommandTopic`, `modeCommandTopic` with `modes`, and
 * `commandTopic` for power; its `stateTopic` reports the water temperature.
 * State: { current_temperature, target_temperature, mode, state: 'on'|'off' (mode "off" is off) }.
 */

const ALL_MODES = ['off', 'eco', 'electric', 'gas', 'heat_pump', 'high_demand', 'performance'];
/** HA's water heater defaults, per unit. */
export const WATER_HEATER_RANGE: Readonly<Record<'C' | 'F', readonly [number, number]>> = { C: [43.3, 60], F: [110, 140] };

function fahrenheit(b: MqttBinding): boolean {
  return /f/i.test(b.unit ?? '');
}

/** A set-point outside the heater's range is refused; inside it, rounded to its precision. */
export function waterHeaterTarget(device: Device, requested: unknown): number {
  const b = device.mqtt;
  const [dMin, dMax] = WATER_HEATER_RANGE[fahrenheit(b) ? 'F' : 'C'];
  const min = b.minTemp ?? dMin;
  const max = b.maxTemp ?? dMax;
  if (typeof requested !== 'number' || !Number.isFinite(requested) || requested < min || requested > max) {
    throw outOfRange(device, 'temperature', requested, `${min}–${max}`);
  }
  const step = b.tempStep && b.tempStep > 0 ? b.tempStep : fahrenheit(b) ? 1 : 0.1;
  const decimals = (String(step).split('.')[1] ?? '').length;
  return Math.min(max, Math.max(min, Number((Math.round(requested / step) * step).toFixed(decimals))));
}

function capsOf(b: MqttBinding): Capability[] {
  const caps: Capability[] = [];
  if (b.temperatureCommandTopic) caps.push('target_temperature');
  if (b.modeCommandTopic) caps.push('mode');
  if (b.powerCommandTopic) caps.push('onoff');
  if (b.currentTemperatureTopic) caps.push('current_temperature');
  return caps;
}

export const WATER_HEATER_COMMANDS = {
  turn_on: ON_OFF.turn_on,
  turn_off: ON_OFF.turn_off,
  ...SET_TEMPERATURE,
  set_mode: HUMIDIFIER_COMMANDS.set_mode,
} as const satisfies CommandSpecs;

/** A `devices:` water heater: its set-point topic and range, its operation modes (commandTopic is its power). */
const WATER_HEATER_CONFIG = SET_POINT_AND_MODE_CONFIG;

export const waterHeater: DeviceKind<typeof WATER_HEATER_COMMANDS, typeof WATER_HEATER_CONFIG['properties']> = {
  commands: WATER_HEATER_COMMANDS,
  config: WATER_HEATER_CONFIG,
  readDiscovery(c, b, caps) {
    Object.assign(b, temperatureAndModeTopics(c), {
      powerCommandTopic: str(c.power_command_topic), powerCommandTemplate: str(c.power_command_template),
      payloadOn: str(c.payload_on), payloadOff: str(c.payload_off),
      // HA: "a subset of the default values"; anything else is not a water heater mode.
      modes: (strList(c.modes) ?? ALL_MODES).filter((m) => ALL_MODES.includes(m)),
      minTemp: num(c.min_temp), maxTemp: num(c.max_temp), tempStep: num(c.precision), unit: str(c.temperature_unit),
    });
    caps.push(...capsOf(b));
    if (caps.length === 0 && !b.temperatureStateTopic && !b.modeStateTopic) {
      return missing('water_heater', 'one of temperature_command_topic, mode_command_topic, power_command_topic, current_temperature_topic');
    }
    return null;
  },

  parseState(device, msg, out) {
    const b = device.mqtt;
    const t = msg.topic;
    // `value_template` is every state topic's template unless the topic has its own.
    const tpl = (own: string | undefined) => own ?? b.valueTemplate;
    if (t === b.currentTemperatureTopic) {
      const n = number(read(tpl(b.currentTemperatureTemplate), msg, out), out, 'water temperature');
      if (n !== null) out.set('current_temperature', n);
    }
    if (t === b.temperatureStateTopic) {
      const n = number(read(tpl(b.temperatureStateTemplate), msg, out), out, 'target temperature');
      if (n !== null) out.set('target_temperature', n);
    }
    if (t === b.modeStateTopic) {
      const mode = read(tpl(b.modeStateTemplate), msg, out);
      if (mode && ALL_MODES.includes(mode)) {
        out.set('mode', mode);
        out.set('state', mode === 'off' ? 'off' : 'on');
      } else if (mode) out.fail('VALUE_INVALID', `unexpected water heater mode "${mode.slice(0, 40)}"`);
    }
  },

  parseZigbee2Mqtt() {},

  translate(device, command) {
    const b = device.mqtt;
    switch (command.command) {
      case 'set_temperature': {
        need(device, 'target_temperature', 'set_temperature');
        const value = waterHeaterTarget(device, command.params?.temperature);
        return [publish(topic(device, b.temperatureCommandTopic, 'set_temperature'), templated(device, b.temperatureCommandTemplate, value))];
      }
      case 'set_mode':
        need(device, 'mode', 'set_mode');
        return [publish(topic(device, b.modeCommandTopic, 'set_mode'), templated(device, b.modeCommandTemplate, listedMode(device, command.params?.mode)))];
      case 'turn_on':
      case 'turn_off': {
        // HA turns a water heater on and off with power_command_topic only; without one, "off" is the mode "off".
        if (b.powerCommandTopic) {
          const payload = command.command === 'turn_on' ? b.payloadOn ?? D.payloadOn : b.payloadOff ?? D.payloadOff;
          return [publish(b.powerCommandTopic, templated(device, b.powerCommandTemplate, payload))];
        }
        if (command.command === 'turn_off' && device.capabilities.includes('mode') && b.modes?.includes('off')) {
          return [publish(topic(device, b.modeCommandTopic, 'turn_off'), templated(device, b.modeCommandTemplate, 'off'))];
        }
        throw unsupported(device, command.command, 'no power_command_topic');
      }
      default:
        throw unsupported(device, command.command);
    }
  },

  translateZigbee2Mqtt(device, command) { throw unsupported(device, command.command); },

  /** A `devices:` water heater: commandTopic is its power topic, stateTopic its water temperature. */
  configBinding(e, b) {
    if (b.commandTopic) b.powerCommandTopic = b.commandTopic;
    delete b.commandTopic;
    if (e.stateTopic) {
      b.currentTemperatureTopic = e.stateTopic;
      b.currentTemperatureTemplate = e.valueTemplate;
      delete b.stateTopic;
      delete b.valueTemplate;
    }
    if (b.modeCommandTopic && !b.modes) b.modes = [...ALL_MODES];
  },

  configCapabilities: (_e, b) => capsOf(b),

  extraTopics(b) {
    return { state: [], command: [b.powerCommandTopic] };
  },

  defaultIntents: ['HassWaterHeaterMode'],
  stateWords: ['on', 'off'],
  intents: ['HassWaterHeaterMode'],
  commandFor(intent: string, slots: IntentSlots): DeviceCommand | null {
    if (intent === 'HassWaterHeaterMode') return typeof slots.mode === 'string' ? { command: 'set_mode', params: { mode: slots.mode } } : null;
    return commonCommandFor(intent, slots);
  },
  typeWords: [{
    en: ['water heater', 'boiler', 'hot water', 'hot water heater', 'hot water tank', 'hot water cylinder', 'geyser', 'tank heater'],
    enPlural: ['water heaters', 'boilers', 'hot water heaters', 'hot water tanks'],
    zh: ['热水器', '电热水器', '燃气热水器', '热水炉', '锅炉', '热水'],
  }],
  noun: { en: 'water heaters', zh: '热水器' },
  lists: { water_heater_mode: modeList(WATER_HEATER_MODES) },
  sentences: {
    en: {
      HassTurnOn: [{
        domains: ['water_heater'],
        unknownNames: true,
        sentences: ['(turn|switch|power|put) on <target>', '(turn|switch|power) <target> on', '<target> on', '(start|activate) <target>'],
      }],
      HassTurnOff: [{
        domains: ['water_heater'],
        unknownNames: true,
        sentences: ['(turn|switch|power|put|shut) off <target>', '(turn|switch|power|shut) <target> off', '<target> off', '(stop|deactivate) <target>'],
      }],
      HassClimateSetTemperature: [{
        domains: ['water_heater'],
        sentences: [
          'set <target> [<temp_word>] <to> {temperature}', 'set [the] [water] <temp_word> (of|on|for) <target> <to> {temperature}',
          '(turn|change|adjust|put|make|bring|raise|lower|increase|decrease|heat) <target> [<temp_word>] [up|down] <to> {temperature}',
          '<target> [<temp_word>] <to> {temperature}', 'set [the] water temperature <to> {temperature}',
          '(heat|make) [the] water <to> {degrees:temperature}',
          'set <target> [<temp_word>] <to> {setting}', '(turn|put|bring|crank) <target> [<temp_word>] [up|down] <to> {setting}',
        ],
      }],
      HassWaterHeaterMode: [{
        domains: ['water_heater'],
        sentences: [
          '(set|put|turn|change|switch) <target> [mode] (to|into|in|on) ({device_mode:mode}|{water_heater_mode:mode}) [mode]',
          '(set|change|switch) [the] [operation] mode (of|on|for) <target> <to> ({device_mode:mode}|{water_heater_mode:mode})', '<target> [to] ({device_mode:mode}|{water_heater_mode:mode}) mode',
          '(use|enable|activate|start) ({device_mode:mode}|{water_heater_mode:mode}) mode (on|of|for) <target>', '(run|heat) <target> (on|with) ({device_mode:mode}|{water_heater_mode:mode})',
        ],
      }],
    },
    zh: {
      HassTurnOn: [{ domains: ['water_heater'], unknownNames: true, sentences: ['<on><target>', '<target><on>'] }],
      HassTurnOff: [{ domains: ['water_heater'], unknownNames: true, sentences: ['<off><target>', '<target><off>'] }],
      HassClimateSetTemperature: [{
        domains: ['water_heater'],
        sentences: [
          '<target>[水温|温度]<setto>{temperature}', '<target>[水温|温度]{degrees:temperature}', '<setto><target>[水温|温度][到|为|成]{temperature}',
          '<target>[水温|温度](调高|调低|升高|降低|提高)[到|至]{temperature}', '水温<setto>{temperature}', '水温{degrees:temperature}',
          '<target>[水温|温度]<setto>{setting}', '水温<setto>{setting}',
        ],
      }],
      HassWaterHeaterMode: [{
        domains: ['water_heater'],
        sentences: [
          '<target>[模式]<setto>({device_mode:mode}|{water_heater_mode:mode})[模式]', '<target>(切换|切|换|转)(到|为|成)[模式]({device_mode:mode}|{water_heater_mode:mode})[模式]',
          '<target>(开|用|开启|打开|启动)[到]({device_mode:mode}|{water_heater_mode:mode})模式', '(开|开启|打开|启动|切换到)<target>[的]({device_mode:mode}|{water_heater_mode:mode})模式',
          '<target>({device_mode:mode}|{water_heater_mode:mode})模式',
        ],
      }],
    },
  },
  replies: {
    en: { set_mode: 'Set {target} to {mode} mode.' },
    zh: { set_mode: '已将{target}切换到{mode}模式。' },
  },
};
