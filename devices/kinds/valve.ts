import type { Capability, DeviceCommand } from '../model.js';
import { HA_DEFAULTS as D } from '../defaults.js';
import { missing, num, str } from '../discoveryFields.js';
import { isRecord } from '../payload.js';
import { percentToPosition, positionToPercent, toNumber } from '../scaling.js';
import { pick, read, type StatePatch } from '../stateReading.js';
import { need, percent, publish, templated, topic, unsupported } from '../commandParts.js';
import { commonCommandFor } from './intentCommands.js';
import type { DeviceKind, IntentSlots } from './kind.js';
import { OPEN_CLOSE } from './commonCommands.js';
import { type CommandSpecs } from './commandSpec.js';

/**
 * A valve (water main, garden tap, gas): open/close, stop, and a position 0–100 % when it reports one.
 * HA MQTT valve: without `reports_position`, `payload_open`/`payload_close` ("OPEN"/"CLOSE") and, only when
 * set, `payload_stop` go to `command_topic`; with it, open/close/position are all a number between
 * `position_closed` and `position_open` on `command_topic` (HA valve docs). The state topic carries a state
 * word (`state_open`… default "open"/"closed"/"opening"/"closing"), a position number, or JSON
 * `{"state": …, "position": …}`. Zigbee2MQTT water valves expose a plain `switch` (state ON/OFF): they arrive
 * as switches; a `devices:` entry with the same id can name and place them.
 * State: { state: 'open'|'closed'|'opening'|'closing', position }.
 */

function readValveState(value: string, device: Parameters<DeviceKind['parseState']>[0], out: StatePatch): void {
  const b = device.mqtt;
  const open = b.positionOpen ?? D.positionOpen;
  const closed = b.positionClosed ?? D.positionClosed;
  const setPosition = (raw: number) => {
    const pct = positionToPercent(raw, open, closed);
    out.set('position', pct);
    out.set('state', pct === 0 ? 'closed' : 'open');
  };
  const words: ReadonlyArray<[string | undefined, string]> = [
    [b.stateOpen ?? D.stateOpen, 'open'], [b.stateClosed ?? D.stateClosed, 'closed'],
    [b.stateOpening ?? D.stateOpening, 'opening'], [b.stateClosing ?? D.stateClosing, 'closing'],
  ];
  const n = b.reportsPosition ? toNumber(value) : null;
  if (n !== null) return setPosition(n);
  if (value.startsWith('{')) {
    let json: unknown;
    try { json = JSON.parse(value); } catch { return out.fail('PAYLOAD_NOT_JSON', 'valve state looks like JSON but does not parse'); }
    if (!isRecord(json)) return;
    if (typeof json.position === 'number' && Number.isFinite(json.position)) setPosition(json.position);
    if (typeof json.state === 'string') pick(json.state, words, out);
    return;
  }
  pick(value, words, out);
}

export const VALVE_COMMANDS = { ...OPEN_CLOSE } as const satisfies CommandSpecs;

export const valve: DeviceKind<typeof VALVE_COMMANDS> = {
  commands: VALVE_COMMANDS,
  readDiscovery(c, b, caps) {
    if (!b.commandTopic && !b.stateTopic) return missing('valve', 'command_topic or state_topic');
    Object.assign(b, {
      payloadOpen: str(c.payload_open), payloadClose: str(c.payload_close), payloadStop: str(c.payload_stop),
      stateOpen: str(c.state_open), stateClosed: str(c.state_closed), stateOpening: str(c.state_opening), stateClosing: str(c.state_closing),
      positionOpen: num(c.position_open), positionClosed: num(c.position_closed), deviceClass: str(c.device_class),
      reportsPosition: c.reports_position === true ? true : undefined,
    });
    if (b.commandTopic) {
      caps.push('open_close');
      if (b.reportsPosition) caps.push('position');
      // HA's payload_stop has no default: a valve stops only when the config names the payload.
      if (b.payloadStop !== undefined && !b.reportsPosition) caps.push('stop');
    }
    return null;
  },

  parseState(device, msg, out) {
    if (msg.topic !== device.mqtt.stateTopic) return;
    const value = read(device.mqtt.valueTemplate, msg, out);
    if (value !== null && value !== '') readValveState(value, device, out);
  },

  parseZigbee2Mqtt() {},

  translate(device, command) {
    const b = device.mqtt;
    const open = b.positionOpen ?? D.positionOpen;
    const closed = b.positionClosed ?? D.positionClosed;
    const send = (what: string, payload: string | number) => [publish(topic(device, b.commandTopic, what), templated(device, b.commandTemplate, payload))];
    switch (command.command) {
      case 'open':
      case 'close':
        need(device, 'open_close', command.command);
        if (b.reportsPosition) return send(command.command, command.command === 'open' ? open : closed);
        return send(command.command, command.command === 'open' ? b.payloadOpen ?? D.payloadOpen : b.payloadClose ?? D.payloadClose);
      case 'stop':
        need(device, 'stop', 'stop');
        return send('stop', b.payloadStop ?? D.payloadStop);
      case 'set_position': {
        const pct = percent(device, command.params?.position, 'position');
        need(device, 'position', 'set_position');
        return send('set_position', percentToPosition(pct, open, closed));
      }
      default:
        throw unsupported(device, command.command);
    }
  },

  translateZigbee2Mqtt(device, command) { throw unsupported(device, command.command); },

  configCapabilities(_e, b) {
    const caps: Capability[] = [];
    if (b.commandTopic) caps.push('open_close');
    return caps;
  },

  defaultIntents: ['HassGetState'],
  stateWords: ['open', 'closed'],
  /** "Turn on the water" opens the valve; "turn off" closes it. */
  commandFor(intent: string, slots: IntentSlots): DeviceCommand | null {
    if (intent === 'HassTurnOn') return { command: 'open' };
    if (intent === 'HassTurnOff') return { command: 'close' };
    return commonCommandFor(intent, slots);
  },
  typeWords: [{
    en: ['valve', 'water valve', 'gas valve', 'main valve', 'water main', 'tap', 'faucet', 'sprinkler', 'irrigation'],
    enPlural: ['valves', 'water valves', 'taps', 'faucets', 'sprinklers'],
    zh: ['阀门', '水阀', '气阀', '总阀', '阀', '水龙头', '洒水器', '喷灌'],
  }],
  noun: { en: 'valves', zh: '阀门' },
  sentences: {
    en: {
      HassTurnOn: [{
        domains: ['valve'],
        unknownNames: true,
        sentences: ['(open|turn on|switch on|start) [up] <target> [<fully>]', '(turn|switch) <target> on', '<target> (open|on)'],
      }],
      HassTurnOff: [{
        domains: ['valve'],
        unknownNames: true,
        sentences: ['(close|shut|turn off|switch off|shut off|stop) <target> [<fully>]', '(turn|shut|switch) <target> off', '<target> (close|closed|off)'],
      }],
      HassSetPosition: [{
        domains: ['valve'],
        sentences: ['(open|close|set|turn|put) <target> <to> {position}', 'set [the] position of <target> <to> {position}', '<target> <to> {pct:position}'],
      }],
    },
    zh: {
      HassTurnOn: [{ domains: ['valve'], unknownNames: true, sentences: ['(打开|开|开启|拧开)<target>', '<target>(打开|开|开启|拧开)'] }],
      HassTurnOff: [{ domains: ['valve'], unknownNames: true, sentences: ['(关闭|关|关上|关掉|拧紧)<target>', '<target>(关闭|关|关上|关掉|拧紧)'] }],
      HassSetPosition: [{ domains: ['valve'], sentences: ['<target><setto>{position}', '(打开|开)<target>[到]{position}'] }],
    },
  },
};
