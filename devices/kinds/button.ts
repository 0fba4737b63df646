import { missing, str } from '../discoveryFields.js';
import { unsupported } from '../commandParts.js';
import { noState, runOnce } from './runOnce.js';
import type { DeviceKind } from './kind.js';
import { type CommandSpecs } from './commandSpec.js';

/**
 * A button ("restart the router", "press the doorbell chime"): pressed, never read back. HA MQTT button:
 * `command_topic` (required) gets `payload_press` (default "PRESS") through `command_template`. Zigbee2MQTT's
 * remote buttons only send `action` events; they are not commanded, so not a kind there.
 */
export const BUTTON_COMMANDS = {
  press: { needs: 'press', description: 'Press a button.' },
} as const satisfies CommandSpecs;

export const button: DeviceKind<typeof BUTTON_COMMANDS> = {
  commands: BUTTON_COMMANDS,
  readDiscovery(c, b, caps) {
    if (!b.commandTopic) return missing('button', 'command_topic');
    Object.assign(b, { payloadPress: str(c.payload_press), deviceClass: str(c.device_class) });
    caps.push('press');
    return null;
  },
  parseState: noState,
  parseZigbee2Mqtt: noState,
  translate: (device, command) => runOnce(device, command, 'press', device.mqtt.payloadPress ?? device.mqtt.payloadOn ?? 'PRESS'),
  translateZigbee2Mqtt(device, command) { throw unsupported(device, command.command); },
  configCapabilities: () => ['press'],
  defaultIntents: [],
  stateWords: [],
  commandFor: (intent) => (intent === 'HassTurnOn' ? { command: 'press' } : null),
  typeWords: [{ en: ['button'], enPlural: ['buttons'], zh: ['按钮', '按键'] }],
  noun: { en: 'buttons', zh: '按钮' },
  sentences: {
    en: {
      HassTurnOn: [{
        domains: ['button'],
        unknownNames: true,
        sentences: ['(press|push|hit|click|tap|trigger|activate) <target> [button]', '(press|push|hit) [the] button (for|on) <target>', '<target> button'],
      }],
    },
    zh: {
      HassTurnOn: [{
        domains: ['button'],
        unknownNames: true,
        sentences: ['(按|按下|按一下|点|点一下|触发|摁)<target>[按钮|按键]', '<target>[按钮|按键](按下|按一下)'],
      }],
    },
  },
  replies: { en: { press: 'Pressed {target}.' }, zh: { press: '已按下{target}。' } },
};
