import type { Capability } from '../model.js';
import { HA_DEFAULTS as D } from '../defaults.js';
import { exposeEnum, exposeStr, missing, num, str } from '../discoveryFields.js';
import { orderedItemToPercent, percentToOrderedItem, percentToRanged, rangedToPercent } from '../scaling.js';
import { number, onOff, pick, read, zigbee2mqttOnOff as readZigbee2MqttOnOff } from '../stateReading.js';
import { need, onOffCommand, percent, publish, templated, topic, zigbee2mqttOnOff } from '../commandParts.js';
import { commonCommandFor } from './intentCommands.js';
import type { DeviceKind } from './kind.js';
import { ON_OFF } from './commonCommands.js';
import { PERCENT, type CommandSpecs } from './commandSpec.js';

/**
 * A fan: on/off and a speed as a percentage 0–100 (HA: scaled to speed_range_min…max; Zigbee2MQTT: its
 * low/medium/high fan mode). State: { state: 'on'|'off', percentage }.
 */

const FAN_SPEEDS = ['low', 'medium', 'high'];

export const FAN_COMMANDS = {
  ...ON_OFF,
  set_fan_speed: { needs: 'fan_speed', description: 'Set a fan\'s speed in percent (0-100).', param: { name: 'percentage', kind: 'number', schema: PERCENT } },
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
    });
    caps.push('onoff');
    if (b.percentageCommandTopic) caps.push('fan_speed');
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
  },

  parseZigbee2Mqtt(device, json, out) {
    readZigbee2MqttOnOff(device, json, out);
    const z = device.mqtt.z2m!;
    const mode = z.fanModeProperty ? json[z.fanModeProperty] : undefined;
    if (typeof mode !== 'string') return;
    if (mode === 'off') out.set('percentage', 0);
    else {
      const pct = orderedItemToPercent(z.fanSpeeds ?? [], mode);
      if (pct !== null) out.set('percentage', pct);
    }
  },

  /** HA fan: percent → speed_range_min…max; 0 % turns the fan off rather than sending speed 0. */
  translate(device, command) {
    if (command.command !== 'set_fan_speed') return onOffCommand(device, command);
    const b = device.mqtt;
    const pct = percent(device, command.params?.percentage, 'fan speed');
    need(device, 'fan_speed', 'fan speed');
    if (pct === 0) return onOffCommand(device, { command: 'turn_off' });
    const value = percentToRanged(pct, b.speedRangeMin ?? D.speedRangeMin, b.speedRangeMax ?? D.speedRangeMax);
    return [publish(topic(device, b.percentageCommandTopic, 'fan speed'), templated(device, b.percentageCommandTemplate, value))];
  },

  translateZigbee2Mqtt(device, command, send) {
    if (command.command !== 'set_fan_speed') return zigbee2mqttOnOff(device, command, send, false);
    const z = device.mqtt.z2m!;
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
    return caps;
  },

  configCapabilities: () => ['onoff'],
  defaultIntents: ['HassTurnOn', 'HassTurnOff', 'HassToggle', 'HassFanSetSpeed', 'HassGetState'],
  stateWords: ['on', 'off'],
  commandFor: commonCommandFor,
  typeWords: [{
    en: ['fan', 'ceiling fan', 'ventilator', 'exhaust fan'],
    enPlural: ['fans', 'ceiling fans', 'ventilators', 'exhaust fans'],
    zh: ['风扇', '电扇', '电风扇', '吊扇', '排气扇', '换气扇'],
  }],
  noun: { en: 'fans', zh: '风扇' },
};
