import { unsupported } from '../commandParts.js';
import { noState, runOnce } from './runOnce.js';
import type { DeviceKind } from './kind.js';
import { type CommandSpecs } from './commandSpec.js';
import { SCENE_COMMANDS } from './scene.js';

/**
 * A script or routine ("bedtime", "good morning"): run on request. Home Assistant has no MQTT script
 * platform, so a script is a `devices:` entry (`type: script`, `commandTopic`, optional `payloadOn`, default
 * "ON") for whatever runs it (Node-RED, an HA automation listening on the topic). A discovery config under
 * `homeassistant/script/…` is refused as an unsupported component.
 */
export const SCRIPT_COMMANDS = { activate: SCENE_COMMANDS.activate } as const satisfies CommandSpecs;

export const script: DeviceKind<typeof SCRIPT_COMMANDS> = {
  commands: SCRIPT_COMMANDS,
  readDiscovery: () => ({ code: 'COMPONENT_UNSUPPORTED', reason: 'Home Assistant has no MQTT script platform; define scripts under devices:' }),
  parseState: noState,
  parseZigbee2Mqtt: noState,
  translate: (device, command) => runOnce(device, command, 'activate', device.mqtt.payloadOn),
  translateZigbee2Mqtt(device, command) { throw unsupported(device, command.command); },
  configCapabilities: () => ['activate'],
  defaultIntents: [],
  stateWords: [],
  commandFor: (intent) => (intent === 'HassTurnOn' ? { command: 'activate' } : null),
  typeWords: [{ en: ['script', 'routine', 'automation'], enPlural: ['scripts', 'routines', 'automations'], zh: ['脚本', '流程', '自动化'] }],
  noun: { en: 'scripts', zh: '脚本' },
  sentences: {
    en: {
      HassTurnOn: [
        { domains: ['script'], unknownNames: true, sentences: ['(run|execute) <target> (script|routine)', '(run|start|execute|trigger) [the] (script|routine) <target>'] },
        {
          domains: ['script'],
          sentences: ['(run|start|execute|launch|trigger|activate|do|begin|kick off|turn on) <target> [script|routine]', '<target> (script|routine)'],
        },
      ],
    },
    zh: {
      HassTurnOn: [{
        domains: ['script'],
        sentences: ['(运行|执行|启动|开始|触发|跑)<target>[脚本|流程]', '<target>[脚本|流程](运行|执行|启动|开始)', '(脚本|流程)<target>'],
      }],
    },
  },
  replies: { en: { activate: 'Started {target}.' }, zh: { activate: '已运行{target}。' } },
};
