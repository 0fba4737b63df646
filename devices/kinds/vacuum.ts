import type { Capability, Device, DeviceCommand, VacuumBinding } from '../model.js';
import { missing, str, strList } from '../discoveryFields.js';
import { isRecord } from '../payload.js';
import { publish, topic, unsupported } from '../commandParts.js';
import type { DeviceKind, IntentSlots } from './kind.js';
import { OPEN_CLOSE } from './commonCommands.js';
import { type CommandSpecs } from './commandSpec.js';

/**
 * A robot vacuum: start, pause, stop, return to base. Home Assistant's MQTT vacuum (the "state" schema, the
 * only one since 2024.2): `command_topic` takes `payload_start` "start", `payload_pause` "pause",
 * `payload_stop` "stop", `payload_return_to_base` "return_to_base"; `state_topic` carries JSON
 * `{"state": "cleaning"|"docked"|"paused"|"idle"|"returning"|"error", "battery_level": 61, "fan_speed": …}`;
 * `supported_features` lists what it can do (default start, stop, return_home, status, battery, clean_spot:
 * pause only when listed). Valetudo and the Xiaomi bridges announce exactly this. No Zigbee vacuums exist.
 * State: { state, battery, fan_speed }.
 */

const DEFAULT_FEATURES = ['start', 'stop', 'return_home', 'status', 'battery', 'clean_spot'];
const STATES = new Set(['cleaning', 'docked', 'paused', 'idle', 'returning', 'error']);
/** Where a vacuum goes back to: "home", "back to the dock", "to its charger". */
const DOCK = '(home|back [home]|[back] to [the|its] (base|dock|charger|station|charging station))';
const PAYLOADS = { start: 'start', pause: 'pause', stop: 'stop', return_to_base: 'return_to_base' } as const;

function capsOf(features: readonly string[]): Capability[] {
  const caps: Capability[] = [];
  if (features.includes('start')) caps.push('start');
  if (features.includes('pause')) caps.push('pause');
  if (features.includes('stop')) caps.push('stop');
  if (features.includes('return_home')) caps.push('return_home');
  return caps;
}

function payloadOf(device: Device, command: keyof typeof PAYLOADS): string {
  const v: VacuumBinding = device.mqtt.vacuum ?? {};
  const own = { start: v.payloadStart, pause: v.payloadPause, stop: v.payloadStop, return_to_base: v.payloadReturnToBase }[command];
  return own ?? PAYLOADS[command];
}

const NEEDS: Readonly<Record<keyof typeof PAYLOADS, Capability>> = { start: 'start', pause: 'pause', stop: 'stop', return_to_base: 'return_home' };

export const VACUUM_COMMANDS = {
  start: { needs: 'start', description: 'Start a vacuum cleaning.' },
  pause: { needs: 'pause', description: 'Pause a vacuum.' },
  stop: OPEN_CLOSE.stop,
  return_to_base: { needs: 'return_home', description: 'Send a vacuum back to its dock.' },
} as const satisfies CommandSpecs;

export const vacuum: DeviceKind<typeof VACUUM_COMMANDS> = {
  commands: VACUUM_COMMANDS,
  readDiscovery(c, b, caps) {
    if (!b.commandTopic && !b.stateTopic) return missing('vacuum', 'command_topic or state_topic');
    if (str(c.schema) === 'legacy') return { code: 'COMPONENT_UNSUPPORTED', reason: 'vacuum: the legacy schema was removed from Home Assistant in 2024.2' };
    const features = strList(c.supported_features) ?? DEFAULT_FEATURES;
    const v: VacuumBinding = {};
    for (const [key, field] of [['payloadStart', 'payload_start'], ['payloadPause', 'payload_pause'], ['payloadStop', 'payload_stop'], ['payloadReturnToBase', 'payload_return_to_base']] as const) {
      const p = str(c[field]);
      if (p !== undefined) v[key] = p;
    }
    v.features = features.slice(0, 16);
    b.vacuum = v;
    if (b.commandTopic) caps.push(...capsOf(features));
    return null;
  },

  parseState(device, msg, out) {
    if (msg.topic !== device.mqtt.stateTopic) return;
    const json = msg.json();
    if (!isRecord(json)) return out.fail('PAYLOAD_NOT_JSON', 'vacuum state is not a JSON object');
    if (typeof json.state === 'string') {
      if (STATES.has(json.state)) out.set('state', json.state);
      else out.fail('VALUE_INVALID', `unexpected vacuum state "${json.state.slice(0, 40)}"`);
    }
    if (typeof json.battery_level === 'number' && json.battery_level >= 0 && json.battery_level <= 100) out.set('battery', json.battery_level);
    if (typeof json.fan_speed === 'string') out.set('fan_speed', json.fan_speed);
  },

  parseZigbee2Mqtt() {},

  translate(device, command) {
    const c = command.command;
    if (c !== 'start' && c !== 'pause' && c !== 'stop' && c !== 'return_to_base') throw unsupported(device, c);
    if (!device.capabilities.includes(NEEDS[c])) throw unsupported(device, c);
    return [publish(topic(device, device.mqtt.commandTopic, c), payloadOf(device, c))];
  },

  translateZigbee2Mqtt(device, command) { throw unsupported(device, command.command); },

  // A `devices:` vacuum speaks HA's payloads on its commandTopic and can do what HA's default features say.
  configCapabilities: (_e, b) => (b.commandTopic ? capsOf([...DEFAULT_FEATURES, 'pause']) : []),

  defaultIntents: ['HassVacuumStart', 'HassVacuumReturnToBase', 'HassVacuumPause'],
  stateWords: ['cleaning', 'docked', 'returning', 'paused', 'idle', 'charging'],
  intents: ['HassVacuumStart', 'HassVacuumReturnToBase', 'HassVacuumPause'],
  commandFor(intent: string, _slots: IntentSlots): DeviceCommand | null {
    switch (intent) {
      case 'HassVacuumStart': case 'HassTurnOn': return { command: 'start' };
      case 'HassVacuumReturnToBase': return { command: 'return_to_base' };
      case 'HassVacuumPause': return { command: 'pause' };
      case 'HassStopMoving': case 'HassTurnOff': return { command: 'stop' };
      default: return null;
    }
  },
  typeWords: [{
    en: ['vacuum', 'vacuum cleaner', 'robot vacuum', 'robot cleaner', 'vacuum robot', 'robot', 'hoover', 'roomba', 'mop', 'robot mop'],
    enPlural: ['vacuums', 'vacuum cleaners', 'robot vacuums', 'robots', 'roombas'],
    zh: ['扫地机', '扫地机器人', '吸尘器', '扫拖机器人', '拖地机', '机器人', '扫地机器'],
  }],
  noun: { en: 'vacuums', zh: '扫地机' },
  sentences: {
    en: {
      HassVacuumStart: [
        {
          domains: ['vacuum'],
          sentences: [
            '(start|run|turn on|switch on|activate|launch|begin|fire up) <target>', '(send|tell) <target> to (clean|vacuum)',
            '(start|begin) (cleaning|vacuuming|hoovering) with <target>', '<target> (start|go) [cleaning]',
            '(have|let) <target> (clean|vacuum)',
          ],
        },
        { domains: ['vacuum'], sentences: ['(start|begin) (cleaning|vacuuming|hoovering)', '(vacuum|hoover) [the] (house|floor|floors|home)'] },
      ],
      HassVacuumReturnToBase: [{
        domains: ['vacuum'],
        sentences: [
          '(send|return|bring) <target> ' + DOCK, '(dock|park|recall) <target>', '<target> (go|return) ' + DOCK,
          '(tell|ask) <target> to (go|return) ' + DOCK,
        ],
      }],
      HassVacuumPause: [{ domains: ['vacuum'], sentences: ['(pause|hold) <target>', '<target> pause'] }],
      HassStopMoving: [{ domains: ['vacuum'], sentences: ['(stop|halt) <target>', '<target> stop', '(stop|turn off|switch off) <target> (cleaning|vacuuming)'] }],
      // "Is the vacuum cleaning" reads its state with the common state questions; these are a vacuum's own.
      HassGetState: [
        { domains: ['vacuum'], sentences: ['where is <target> [now|right now]', 'what is <target> (doing|up to) [now|right now]', '(is|has) <target> (finished|done) [cleaning]'] },
        {
          domains: ['vacuum'],
          slots: { state: 'docked' },
          sentences: ['(is|has) <target> (home|back [home]|back on [its] dock|docked|returned) [yet]', 'is <target> (on|at|in) [its] (base|dock|charger|station|charging station)'],
        },
      ],
    },
    zh: {
      HassVacuumStart: [
        {
          domains: ['vacuum'],
          sentences: [
            '(启动|开启|打开|开始|开|运行)<target>', '<target>(启动|开始|开始工作|开始清扫|开始打扫|开始扫地|去扫地|扫地|干活|工作|开工)',
            '让<target>[开始](扫地|打扫|清扫|工作|干活|拖地)', '叫<target>(扫地|打扫|清扫|拖地)',
          ],
        },
        { domains: ['vacuum'], sentences: ['[开始](扫地|打扫卫生|扫一下地|拖地|清扫)'] },
      ],
      HassVacuumReturnToBase: [{
        domains: ['vacuum'],
        sentences: [
          '<target>(回充|回去充电|回家|回到充电座|返回充电座|回基站|回座|回去|返回基站|去充电)', '让<target>(回充|回去充电|回家|回基站|回去|去充电)',
          '(召回)<target>', '<target>(回到|返回)(基站|充电座|底座)',
        ],
      }],
      HassVacuumPause: [{ domains: ['vacuum'], sentences: ['暂停<target>', '<target>暂停', '让<target>暂停'] }],
      HassStopMoving: [{ domains: ['vacuum'], sentences: ['(停止|停下|关掉|关闭|停)<target>', '<target>(停止|停下|停|别扫了)', '让<target>(停下|停止|别扫了)'] }],
      HassGetState: [
        { domains: ['vacuum'], sentences: ['<target>[现在](在哪|在哪里|在哪儿|跑哪去了|去哪了)[<ask>]', '<target>[现在](在干什么|在干嘛|在做什么|在忙什么|干嘛呢)', '<target>(扫完|打扫完|清扫完)[了][<ask>]'] },
        { domains: ['vacuum'], slots: { state: 'docked' }, sentences: ['<target>(回家|回去|回来|回到充电座|回到基站|回座)[了](吗|没有|没)'] },
      ],
    },
  },
  replies: {
    en: { start: 'Started {target}.', pause: 'Paused {target}.', return_to_base: 'Sent {target} back to its dock.' },
    zh: { start: '已启动{target}。', pause: '已暂停{target}。', return_to_base: '已让{target}回充。' },
  },
};
