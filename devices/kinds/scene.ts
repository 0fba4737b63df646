import { missing, str } from '../discoveryFields.js';
import { unsupported } from '../commandParts.js';
import { noState, runOnce } from './runOnce.js';
import type { DeviceKind } from './kind.js';
import { type CommandSpecs } from './commandSpec.js';

/**
 * A scene ("movie night"): activated, never read back. HA MQTT scene: `command_topic` (required) gets
 * `payload_on` (default "ON"). Zigbee2MQTT's scenes belong to groups (`scene_recall`) and are not devices here.
 */
export const SCENE_COMMANDS = {
  activate: { needs: 'activate', description: 'Activate a scene or run a script.' },
} as const satisfies CommandSpecs;

export const scene: DeviceKind<typeof SCENE_COMMANDS> = {
  commands: SCENE_COMMANDS,
  readDiscovery(c, b, caps) {
    if (!b.commandTopic) return missing('scene', 'command_topic');
    b.payloadPress = str(c.payload_on);
    caps.push('activate');
    return null;
  },
  parseState: noState,
  parseZigbee2Mqtt: noState,
  translate: (device, command) => runOnce(device, command, 'activate', device.mqtt.payloadPress ?? device.mqtt.payloadOn),
  translateZigbee2Mqtt(device, command) { throw unsupported(device, command.command); },
  configCapabilities: () => ['activate'],
  defaultIntents: [],
  stateWords: [],
  commandFor: (intent) => (intent === 'HassTurnOn' ? { command: 'activate' } : null),
  typeWords: [{ en: ['scene', 'mood', 'preset'], enPlural: ['scenes', 'moods', 'presets'], zh: ['场景', '情景', '情景模式'] }],
  noun: { en: 'scenes', zh: '场景' },
  sentences: {
    en: {
      HassTurnOn: [
        // Only the scene's own verbs say "I don't know a scene called …"; "play some music" is not a scene.
        { domains: ['scene'], unknownNames: true, sentences: ['activate <target> [scene|mood]', '(activate|set|start) [the] (scene|mood) <target>'] },
        {
          domains: ['scene'],
          sentences: [
            '(start|run|apply|trigger|enable|set|load|play|turn on|switch to|go to|recall) <target> [scene|mood]',
            'scene <target>', '<target> (scene|mood)', '(let [us] have|lets have|time for) <target>',
          ],
        },
      ],
    },
    zh: {
      HassTurnOn: [
        { domains: ['scene'], unknownNames: true, sentences: ['(启动|激活|切换到|进入|应用)<target>(场景|情景|模式)'] },
        {
          domains: ['scene'],
          sentences: [
            '(启动|激活|开启|打开|执行|切换到|进入|应用|切到|开)<target>[场景|模式|情景]', '<target>[场景|模式|情景](启动|激活|开启|打开)',
            '(场景|情景)<target>', '(我要|来个|来一个)<target>[场景|模式]',
          ],
        },
      ],
    },
  },
  replies: { en: { activate: 'Activated {target}.' }, zh: { activate: '已启动{target}。' } },
};
