import type { Capability, DeviceCommand } from '../model.js';
import { HA_DEFAULTS as D } from '../defaults.js';
import { exposeStr, missing, num, str } from '../discoveryFields.js';
import { percentToPosition, positionToPercent } from '../scaling.js';
import { number, numberAt, pick, read } from '../stateReading.js';
import { need, percent, publish, templated, topic, unsupported } from '../commandParts.js';
import { commonCommandFor } from './intentCommands.js';
import type { DeviceKind, IntentSlots } from './kind.js';
import { OPEN_CLOSE } from './commonCommands.js';
import { type CommandSpecs } from './commandSpec.js';
import { Type } from '@sinclair/typebox';

/**
 * A cover (blind, curtain, garage door): open/close/stop and a position 0–100 % (scaled between
 * position_closed and position_open). State: { state: 'open'|'closed'|'opening'|'closing'|'stopped', position }.
 */

const ZIGBEE2MQTT_STATES: Readonly<Record<string, string>> = { OPEN: 'open', CLOSE: 'closed', CLOSED: 'closed', STOP: 'stopped', OPENING: 'opening', CLOSING: 'closing' };

export const COVER_COMMANDS = { ...OPEN_CLOSE } as const satisfies CommandSpecs;

/** A `devices:` cover's position topics. */
const COVER_CONFIG = {
  properties: {
    positionTopic: Type.Optional(Type.String({ minLength: 1 })),
    setPositionTopic: Type.Optional(Type.String({ minLength: 1 })),
  },
  topics: ['positionTopic', 'setPositionTopic'],
} as const;

export const cover: DeviceKind<typeof COVER_COMMANDS, typeof COVER_CONFIG['properties']> = {
  commands: COVER_COMMANDS,
  config: COVER_CONFIG,
  readDiscovery(c, b, caps) {
    Object.assign(b, {
      payloadOpen: str(c.payload_open), payloadClose: str(c.payload_close), payloadStop: str(c.payload_stop),
      stateOpen: str(c.state_open), stateClosed: str(c.state_closed), stateOpening: str(c.state_opening),
      stateClosing: str(c.state_closing), stateStopped: str(c.state_stopped),
      positionTopic: str(c.position_topic), setPositionTopic: str(c.set_position_topic),
      positionTemplate: str(c.position_template), setPositionTemplate: str(c.set_position_template),
      positionOpen: num(c.position_open), positionClosed: num(c.position_closed), deviceClass: str(c.device_class),
    });
    if (!b.commandTopic && !b.setPositionTopic && !b.stateTopic && !b.positionTopic) {
      return missing('cover', 'one of command_topic, set_position_topic, state_topic, position_topic');
    }
    // `payload_open: null` / `payload_stop: null` switch those commands off (HA cover docs).
    if (b.commandTopic && c.payload_open !== null && c.payload_close !== null) caps.push('open_close');
    if (b.commandTopic && c.payload_stop !== null) caps.push('stop');
    if (b.setPositionTopic) caps.push('position');
    return null;
  },

  parseState(device, msg, out) {
    const b = device.mqtt;
    const t = msg.topic;
    if (t === b.stateTopic) {
      pick(read(b.valueTemplate, msg, out), [
        [b.stateOpen ?? D.stateOpen, 'open'], [b.stateClosed ?? D.stateClosed, 'closed'],
        [b.stateOpening ?? D.stateOpening, 'opening'], [b.stateClosing ?? D.stateClosing, 'closing'],
        [b.stateStopped ?? D.stateStopped, 'stopped'],
      ], out);
    }
    if (t === b.positionTopic) {
      const raw = number(read(b.positionTemplate, msg, out), out, 'position');
      if (raw === null) return;
      const pct = positionToPercent(raw, b.positionOpen ?? D.positionOpen, b.positionClosed ?? D.positionClosed);
      out.set('position', pct);
      // HA derives open/closed from the position when the cover has no state topic.
      if (!b.stateTopic) out.set('state', pct === 0 ? 'closed' : 'open');
    }
  },

  parseZigbee2Mqtt(device, json, out) {
    const b = device.mqtt;
    const s = json[b.z2mProperty ?? 'state'];
    if (typeof s === 'string') {
      const state = ZIGBEE2MQTT_STATES[s.toUpperCase()];
      if (state) out.set('state', state);
    }
    const pos = numberAt(json, b.z2m!.positionProperty);
    if (pos !== null) out.set('position', positionToPercent(pos, b.positionOpen ?? 100, b.positionClosed ?? 0));
  },

  translate(device, command) {
    const b = device.mqtt;
    const simple = { open: b.payloadOpen ?? D.payloadOpen, close: b.payloadClose ?? D.payloadClose, stop: b.payloadStop ?? D.payloadStop } as const;
    switch (command.command) {
      case 'open':
      case 'close':
        need(device, 'open_close', command.command);
        return [publish(topic(device, b.commandTopic, command.command), simple[command.command])];
      case 'stop':
        need(device, 'stop', 'stop');
        return [publish(topic(device, b.commandTopic, 'stop'), simple.stop)];
      case 'set_position': {
        const pct = percent(device, command.params?.position, 'position');
        need(device, 'position', 'set_position');
        const position = percentToPosition(pct, b.positionOpen ?? D.positionOpen, b.positionClosed ?? D.positionClosed);
        return [publish(topic(device, b.setPositionTopic, 'set_position'), templated(device, b.setPositionTemplate, position, { position }))];
      }
      default:
        throw unsupported(device, command.command);
    }
  },

  translateZigbee2Mqtt(device, command, send) {
    const b = device.mqtt;
    const stateKey = b.z2mProperty ?? 'state';
    if (command.command === 'open' || command.command === 'close') {
      need(device, 'open_close', command.command);
      return send({ [stateKey]: command.command === 'open' ? 'OPEN' : 'CLOSE' });
    }
    if (command.command === 'stop') {
      need(device, 'stop', 'stop');
      return send({ [stateKey]: 'STOP' });
    }
    if (command.command === 'set_position') {
      const pct = percent(device, command.params?.position, 'position');
      need(device, 'position', 'set_position');
      return send({ [b.z2m!.positionProperty ?? 'position']: percentToPosition(pct, b.positionOpen ?? 100, b.positionClosed ?? 0) });
    }
    throw unsupported(device, command.command);
  },

  readZigbee2MqttExpose(x, b) {
    const caps: Capability[] = [];
    if (x.state && x.settable(x.state)) caps.push('open_close', 'stop');
    const position = x.feature('position');
    if (position) {
      b.z2m.positionProperty = exposeStr(position.property);
      Object.assign(b, { positionOpen: 100, positionClosed: 0 });
      if (x.settable(position)) caps.push('position');
    }
    return caps;
  },

  configCapabilities(_e, b) {
    const caps: Capability[] = [];
    if (b.commandTopic) caps.push('open_close', 'stop');
    if (b.setPositionTopic) caps.push('position');
    return caps;
  },

  defaultIntents: ['HassSetPosition', 'HassStopMoving', 'HassGetState'],
  stateWords: ['open', 'closed'],
  /** "Turn on the blinds" opens them; "turn off" closes them. */
  commandFor(intent: string, slots: IntentSlots): DeviceCommand | null {
    if (intent === 'HassTurnOn') return { command: 'open' };
    if (intent === 'HassTurnOff') return { command: 'close' };
    // Its lowest setting is closed (0 %), not the 1 % a light keeps on.
    if (intent === 'HassSetPosition' && slots.setting === 'min') return { command: 'set_position', params: { position: 0 } };
    return commonCommandFor(intent, slots);
  },
  typeWords: [
    {
      kind: 'shade',
      en: ['blind', 'blinds', 'curtain', 'shade', 'shutter', 'awning', 'drape', 'roller blind', 'window covering'],
      enPlural: ['curtains', 'shades', 'shutters', 'awnings', 'drapes', 'roller blinds', 'window coverings'],
      zh: ['窗帘', '百叶窗', '卷帘', '遮阳帘', '帘子', '窗纱'],
    },
    { en: ['cover'], enPlural: ['covers'], zh: ['遮盖'] },
    { kind: 'door', en: ['garage door', 'gate'], enPlural: ['garage doors', 'gates'], zh: ['卷帘门', '车库门', '闸门'] },
    { kind: 'window', shared: ['binary_sensor'], en: ['window'], enPlural: ['windows'], zh: ['窗户', '窗'] },
  ],
  noun: { en: 'blinds', zh: '窗帘' },
};
