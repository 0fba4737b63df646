import type { Capability, DeviceCommand } from '../model.js';
import { HA_DEFAULTS as D } from '../defaults.js';
import { exposeEnum, exposeStr, missing, num, str, strList } from '../discoveryFields.js';
import { orderedItemToPercent, percentToOrderedItem, percentToRanged, rangedToPercent } from '../scaling.js';
import { number, onOff, pick, read, zigbee2mqttOnOff as readZigbee2MqttOnOff } from '../stateReading.js';
import { need, onOffCommand, percent, publish, templated, topic, zigbee2mqttOnOff } from '../commandParts.js';
import { commonCommandFor } from './intentCommands.js';
import { ON_OFF } from './commonCommands.js';
import { PERCENT, type CommandSpecs } from './commandSpec.js';
import { HUMIDIFIER_COMMANDS, listedMode } from './humidifier.js';
import { FAN_SPEEDS as SPEED_WORDS, FAN_SPEED_PERCENT, modeList } from './modeWords.js';
import type { DeviceKind, IntentSlots } from './kind.js';

/**
 * A fan: on/off, a speed as a percentage 0–100 (HA: scaled to speed_range_min…max; Zigbee2MQTT: its
 * low/medium/high fan mode) and preset modes (HA: `preset_modes` on `preset_mode_command_topic`, kept in the
 * binding's mode fields; Zigbee2MQTT: every `fan_mode` value but off and on). "Set the fan to low" sends the
 * preset "low" to a fan that has one, else 33 % (modeWords.ts). State: { state: 'on'|'off', percentage, preset_mode }.
 */

const FAN_SPEEDS = ['low', 'medium', 'high'];
/** Zigbee2MQTT fan_mode values that are on/off rather than a preset. */
const NOT_PRESETS = new Set(['off', 'on']);

export const FAN_COMMANDS = {
  ...ON_OFF,
  set_fan_speed: { needs: 'fan_speed', description: 'Set a fan\'s speed in percent (0-100).', param: { name: 'percentage', kind: 'number', schema: PERCENT } },
  // A fan's preset modes ride the same command as a humidifier's modes.
  set_mode: HUMIDIFIER_COMMANDS.set_mode,
} as const satisfies CommandSpecs;

export const fan: DeviceKind<typeof FAN_COMMANDS> = {
  commands: FAN_COMMANDS,
  readDiscovery(c, b, caps) {
    if (!b.commandTopic) return missing('fan', 'command_topic');
    Object.assign(b, {
      payloadOn: str(c.payload_on), payloadOff: str(c.payload_off),
      percentageCommandTopic: str(c.percentage_command_topic), percentageStateTopic: str(c.percentage_state_topic),
      percentageValueTemplate: str(c.percentage_value_template), percentageCommandTemplate: str(c.percentage_command_template),
      speedRangeMin: num(c.speed_range_min), speedRangeMax: num(c.speed_range_max),
      // HA's preset mode, in the binding's mode fields (a fan has no other mode).
      modeCommandTopic: str(c.preset_mode_command_topic), modeCommandTemplate: str(c.preset_mode_command_template),
      modeStateTopic: str(c.preset_mode_state_topic), modeStateTemplate: str(c.preset_mode_value_template),
      modes: strList(c.preset_modes)?.slice(0, 32),
    });
    caps.push('onoff');
    if (b.percentageCommandTopic) caps.push('fan_speed');
    if (b.modeCommandTopic && (b.modes?.length ?? 0) > 0) caps.push('mode');
    return null;
  },

  parseState(device, msg, out) {
    const b = device.mqtt;
    const t = msg.topic;
    if (t === b.stateTopic) pick(read(b.valueTemplate, msg, out), onOff(b.payloadOn, b.payloadOff), out);
    if (t === b.percentageStateTopic) {
      const raw = number(read(b.percentageValueTemplate, msg, out), out, 'percentage');
      if (raw !== null) out.set('percentage', rangedToPercent(raw, b.speedRangeMin ?? D.speedRangeMin, b.speedRangeMax ?? D.speedRangeMax));
    }
    if (t === b.modeStateTopic) {
      const mode = read(b.modeStateTemplate, msg, out);
      if (mode) out.set('preset_mode', mode);
    }
  },

  parseZigbee2Mqtt(device, json, out) {
    readZigbee2MqttOnOff(device, json, out);
    const z = device.mqtt.z2m!;
    const mode = z.fanModeProperty ? json[z.fanModeProperty] : undefined;
    if (typeof mode !== 'string') return;
    // A speed reads as the percentage below; the others ("auto", "smart") are the fan's preset.
    if (!NOT_PRESETS.has(mode) && !FAN_SPEEDS.includes(mode)) out.set('preset_mode', mode);
    if (mode === 'off') out.set('percentage', 0);
    else {
      const pct = orderedItemToPercent(z.fanSpeeds ?? [], mode);
      if (pct !== null) out.set('percentage', pct);
    }
  },

  /** HA fan: percent → speed_range_min…max; 0 % turns the fan off rather than sending speed 0. */
  translate(device, command) {
    const b = device.mqtt;
    if (command.command === 'set_mode') {
      need(device, 'mode', 'set_mode');
      return [publish(topic(device, b.modeCommandTopic, 'set_mode'), templated(device, b.modeCommandTemplate, listedMode(device, command.params?.mode)))];
    }
    if (command.command !== 'set_fan_speed') return onOffCommand(device, command);
    const pct = percent(device, command.params?.percentage, 'fan speed');
    need(device, 'fan_speed', 'fan speed');
    if (pct === 0) return onOffCommand(device, { command: 'turn_off' });
    const value = percentToRanged(pct, b.speedRangeMin ?? D.speedRangeMin, b.speedRangeMax ?? D.speedRangeMax);
    return [publish(topic(device, b.percentageCommandTopic, 'fan speed'), templated(device, b.percentageCommandTemplate, value))];
  },

  translateZigbee2Mqtt(device, command, send) {
    const z = device.mqtt.z2m!;
    if (command.command === 'set_mode') {
      need(device, 'mode', 'set_mode');
      return send({ [z.fanModeProperty!]: listedMode(device, command.params?.mode) });
    }
    if (command.command !== 'set_fan_speed') return zigbee2mqttOnOff(device, command, send, false);
    const pct = percent(device, command.params?.percentage, 'fan speed');
    need(device, 'fan_speed', 'fan speed');
    return pct === 0
      ? send({ [device.mqtt.z2mProperty ?? 'state']: String(z.valueOff ?? 'OFF') })
      : send({ [z.fanModeProperty!]: percentToOrderedItem(z.fanSpeeds ?? [], pct) });
  },

  readZigbee2MqttExpose(x, b) {
    if (!x.state) return null;
    const caps: Capability[] = ['onoff'];
    const mode = x.feature('mode', 'fan_mode');
    const values = mode ? exposeEnum(mode.values) : [];
    const speeds = FAN_SPEEDS.filter((s) => values.includes(s));
    if (mode && speeds.length > 0) {
      b.z2m.fanModeProperty = exposeStr(mode.property);
      b.z2m.fanSpeeds = speeds;
      if (x.settable(mode)) caps.push('fan_speed');
    }
    // Every fan_mode value but off/on is a preset the fan takes by name ("auto", "smart", and the speeds too).
    const presets = values.filter((v) => !NOT_PRESETS.has(v)).slice(0, 32);
    if (mode && presets.length > 0) {
      b.z2m.fanModeProperty = exposeStr(mode.property);
      b.modes = presets;
      if (x.settable(mode)) caps.push('mode');
    }
    return caps;
  },

  /** A `devices:` fan: on/off on commandTopic, and presets with `modeCommandTopic` and `modes`. */
  configCapabilities: (_e, b) => (b.modeCommandTopic && (b.modes?.length ?? 0) > 0 ? ['onoff', 'mode'] : ['onoff']),
  defaultIntents: ['HassTurnOn', 'HassTurnOff', 'HassToggle', 'HassFanSetSpeed', 'HassGetState'],
  stateWords: ['on', 'off'],
  /**
   * A named speed is the device's preset or a percentage, which depends on the fan: daemon/intents/deviceSlots.ts
   * hands each fan its own `mode` (a preset it has) or `percentage`; a bare `speed` here is the percentage.
   */
  commandFor(intent: string, slots: IntentSlots): DeviceCommand | null {
    if (intent === 'HassFanSetSpeed' && typeof slots.mode === 'string') return { command: 'set_mode', params: { mode: slots.mode } };
    if (intent === 'HassFanSetSpeed' && typeof slots.percentage !== 'number' && typeof slots.speed === 'string' && Object.hasOwn(FAN_SPEED_PERCENT, slots.speed)) {
      return { command: 'set_fan_speed', params: { percentage: FAN_SPEED_PERCENT[slots.speed] } };
    }
    return commonCommandFor(intent, slots);
  },
  typeWords: [{
    en: ['fan', 'ceiling fan', 'ventilator', 'exhaust fan'],
    enPlural: ['fans', 'ceiling fans', 'ventilators', 'exhaust fans'],
    zh: ['风扇', '电扇', '电风扇', '吊扇', '排气扇', '换气扇'],
  }],
  noun: { en: 'fans', zh: '风扇' },
  lists: { fan_speed: modeList(SPEED_WORDS) },
  sentences: {
    en: {
      HassFanSetSpeed: [{
        domains: ['fan'],
        sentences: [
          // Named speeds first: on a tie with a preset of the same name, the speed reading wins (it falls back to a percentage).
          '(set|turn|put|switch|change|run|bring|crank) <target> [speed] [up|down|back] <to> {fan_speed:speed} [speed|setting|level|mode]',
          'set [the] speed (of|for|on) <target> <to> {fan_speed:speed}', '<target> [speed] <to> {fan_speed:speed} [speed|setting]',
          '(set|turn|put|switch) <target> {fan_speed:speed}', '{fan_speed:speed} speed (on|for) <target>',
          // The fan's own presets ("breeze", "smart", "Night Mode"): the home's live list first (the device's own word), then the table's.
          '(set|turn|put|switch|change|run) <target> [preset] [mode] <to> ({device_mode:mode}|{humidifier_mode:mode}) [mode|preset|setting]',
          '(set|change|switch) [the] (mode|preset) (of|on|for) <target> <to> ({device_mode:mode}|{humidifier_mode:mode})',
          '<target> [to] ({device_mode:mode}|{humidifier_mode:mode}) (mode|preset)',
          '(put|switch|set) <target> (in|into|on) ({device_mode:mode}|{humidifier_mode:mode}) [mode|preset]',
          '(use|enable|activate|start) ({device_mode:mode}|{humidifier_mode:mode}) (mode|preset) (on|of|for) <target>',
        ],
      }],
    },
    zh: {
      HassFanSetSpeed: [{
        domains: ['fan'],
        sentences: [
          '<target>[风速|速度|转速|风量|档位]<setto>{fan_speed:speed}[档|挡|速|风]', '<target>(开|用|换|切换)[到|成]{fan_speed:speed}[档|挡|速|风]',
          '<target>{fan_speed:speed}(档|挡|速)', '(风速|风量|档位)<setto>{fan_speed:speed}[档|挡|速]',
          '<target>[模式]<setto>({device_mode:mode}|{humidifier_mode:mode})[模式]',
          '<target>(切换|切|换|转)(到|为|成)[模式]({device_mode:mode}|{humidifier_mode:mode})[模式]',
          '<target>(开|用|开启|打开|启动)[到]({device_mode:mode}|{humidifier_mode:mode})模式', '<target>({device_mode:mode}|{humidifier_mode:mode})模式',
        ],
      }],
    },
  },
  replies: {
    en: { set_mode: 'Set {target} to {mode}.' },
    zh: { set_mode: '已将{target}调到{mode}。' },
  },
};
