import type { DeviceCommand } from '../model.js';
import { HA_DEFAULTS as D } from '../defaults.js';
import { missing, str } from '../discoveryFields.js';
import { binaryValue, pick, read } from '../stateReading.js';
import { publish, templated, topic, unsupported } from '../commandParts.js';
import { commonCommandFor } from './intentCommands.js';
import type { DeviceKind, IntentSlots } from './kind.js';
import { type CommandSpecs } from './commandSpec.js';

/** A lock: lock/unlock. State: { state: 'locked'|'unlocked'|'locking'|'unlocking'|'jammed' }. */
export const LOCK_COMMANDS = {
  lock: { needs: 'lock', description: 'Lock a lock.' },
  unlock: { needs: 'lock', description: 'Unlock a lock.' },
} as const satisfies CommandSpecs;

export const lock: DeviceKind<typeof LOCK_COMMANDS> = {
  commands: LOCK_COMMANDS,
  readDiscovery(c, b, caps) {
    if (!b.commandTopic) return missing('lock', 'command_topic');
    Object.assign(b, {
      payloadLock: str(c.payload_lock), payloadUnlock: str(c.payload_unlock),
      stateLocked: str(c.state_locked), stateUnlocked: str(c.state_unlocked), stateLocking: str(c.state_locking),
      stateUnlocking: str(c.state_unlocking), stateJammed: str(c.state_jammed),
    });
    caps.push('lock');
    return null;
  },

  parseState(device, msg, out) {
    const b = device.mqtt;
    if (msg.topic !== b.stateTopic) return;
    pick(read(b.valueTemplate, msg, out), [
      [b.stateLocked ?? D.stateLocked, 'locked'], [b.stateUnlocked ?? D.stateUnlocked, 'unlocked'],
      [b.stateLocking ?? D.stateLocking, 'locking'], [b.stateUnlocking ?? D.stateUnlocking, 'unlocking'],
      [b.stateJammed ?? D.stateJammed, 'jammed'],
    ], out);
  },

  parseZigbee2Mqtt(device, json, out) {
    const z = device.mqtt.z2m!;
    const s = binaryValue(json[device.mqtt.z2mProperty ?? 'state'], z.valueOn ?? 'LOCK', z.valueOff ?? 'UNLOCK');
    if (s) out.set('state', s === 'on' ? 'locked' : 'unlocked');
  },

  translate(device, command) {
    const b = device.mqtt;
    if (command.command !== 'lock' && command.command !== 'unlock') throw unsupported(device, command.command);
    const payload = command.command === 'lock' ? b.payloadLock ?? D.payloadLock : b.payloadUnlock ?? D.payloadUnlock;
    return [publish(topic(device, b.commandTopic, command.command), templated(device, b.commandTemplate, payload))];
  },

  translateZigbee2Mqtt(device, command, send) {
    if (command.command !== 'lock' && command.command !== 'unlock') throw unsupported(device, command.command);
    const z = device.mqtt.z2m!;
    return send({ [device.mqtt.z2mProperty ?? 'state']: String(command.command === 'lock' ? z.valueOn ?? 'LOCK' : z.valueOff ?? 'UNLOCK') });
  },

  readZigbee2MqttExpose: (x) => (x.state ? ['lock'] : null),
  configCapabilities: () => ['lock'],
  defaultIntents: ['HassGetState'],
  stateWords: ['locked', 'unlocked', 'open', 'closed'],
  // "Is the front door closed" asks whether it is locked; "open" or "on", whether it is unlocked.
  askedState: Object.freeze({ on: 'unlocked', open: 'unlocked', off: 'locked', closed: 'locked' }),
  /** "Turn on the lock" locks it; "turn off" unlocks it. */
  commandFor(intent: string, slots: IntentSlots): DeviceCommand | null {
    if (intent === 'HassTurnOn') return { command: 'lock' };
    if (intent === 'HassTurnOff') return { command: 'unlock' };
    return commonCommandFor(intent, slots);
  },
  typeWords: [
    { en: ['lock', 'door lock', 'deadbolt', 'smart lock'], enPlural: ['locks', 'door locks', 'deadbolts', 'smart locks'], zh: ['锁', '门锁', '智能锁'] },
    // "door" may be a lock, a cover or a contact; the sentence narrows it ("lock the door", "is the door open").
    { kind: 'door', shared: ['cover', 'binary_sensor'], en: ['door'], enPlural: ['doors'], zh: ['门', '大门', '房门'] },
  ],
  noun: { en: 'locks', zh: '锁' },
};
