import { missing, str } from '../discoveryFields.js';
import { onOff, pick, read, zigbee2mqttOnOff as readZigbee2MqttOnOff } from '../stateReading.js';
import { onOffCommand, zigbee2mqttOnOff } from '../commandParts.js';
import { commonCommandFor } from './intentCommands.js';
import type { DeviceKind } from './kind.js';
import { ON_OFF } from './commonCommands.js';
import { type CommandSpecs } from './commandSpec.js';

/** A switch (plug, relay): on/off only. State: { state: 'on'|'off' }; state_on/off read before payload_on/off (HA switch docs). */
export const SWITCH_COMMANDS = { ...ON_OFF } as const satisfies CommandSpecs;

export const switchKind: DeviceKind<typeof SWITCH_COMMANDS> = {
  commands: SWITCH_COMMANDS,
  readDiscovery(c, b, caps) {
    if (!b.commandTopic && !b.stateTopic) return missing('switch', 'command_topic or state_topic');
    Object.assign(b, { payloadOn: str(c.payload_on), payloadOff: str(c.payload_off), stateOn: str(c.state_on), stateOff: str(c.state_off) });
    caps.push('onoff');
    return null;
  },
  parseState(device, msg, out) {
    const b = device.mqtt;
    if (msg.topic === b.stateTopic) pick(read(b.valueTemplate, msg, out), onOff(b.stateOn ?? b.payloadOn, b.stateOff ?? b.payloadOff), out);
  },
  parseZigbee2Mqtt: readZigbee2MqttOnOff,
  translate: onOffCommand,
  translateZigbee2Mqtt: (device, command, send) => zigbee2mqttOnOff(device, command, send, false),
  readZigbee2MqttExpose: (x) => (x.state ? ['onoff'] : null),
  configCapabilities: () => ['onoff'],
  defaultIntents: ['HassTurnOn', 'HassTurnOff', 'HassToggle', 'HassGetState'],
  stateWords: ['on', 'off'],
  commandFor: commonCommandFor,
  typeWords: [{
    en: ['switch', 'plug', 'smart plug', 'outlet', 'socket', 'power strip'],
    enPlural: ['switches', 'plugs', 'smart plugs', 'outlets', 'sockets', 'power strips'],
    zh: ['开关', '插座', '插头', '排插', '智能插座'],
  }],
  noun: { en: 'switches', zh: '开关' },
};
