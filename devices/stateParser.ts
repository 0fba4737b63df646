import type { AvailabilityBinding, Device, MqttBinding } from './model.js';
import { HA_DEFAULTS as D } from './defaults.js';
import { jsonBoundsProblem, MAX_STATE_STRING } from './boundedJson.js';
import { isRecord, type DecodedMessage, type PayloadFailureCode } from './payload.js';
import { renderValueTemplate, type TemplateFailureCode } from './template.js';
import {
  brightnessToPercent, orderedItemToPercent, positionToPercent, rangedToPercent, samePayload, toNumber,
} from './scaling.js';

/**
 * Turns one incoming message into a state patch and/or an availability verdict for one device, following the
 * device's binding (HA discovery topics and templates, or Zigbee2MQTT's JSON state). Pure: no I/O, no throw.
 *
 * The state vocabulary, the same whatever the source:
 *   light  { state: 'on'|'off', brightness: 0–100, color_temp: mireds }    switch { state: 'on'|'off' }
 *   fan    { state, percentage: 0–100 }    cover { state: 'open'|'closed'|'opening'|'closing'|'stopped', position: 0–100 }
 *   lock   { state: 'locked'|'unlocked'|'locking'|'unlocking'|'jammed' }
 *   climate { current_temperature, target_temperature, hvac_mode }
 *   sensor { value: number|string|null }    binary_sensor { state: 'on'|'off' }
 *   plus `attributes` from a json_attributes_topic.
 */

export type StateFailureCode = PayloadFailureCode | TemplateFailureCode | 'VALUE_INVALID';
export interface StateFailure { code: StateFailureCode; topic: string; reason: string }

export interface ParsedMessage {
  patch: Record<string, unknown> | null;
  /** This topic's availability verdict (combine per availability_mode with availability.ts), or null. */
  availability: boolean | null;
  /** The first problem met; a message can still yield a partial patch (one template of three failing). */
  failure: StateFailure | null;
}

class Result implements ParsedMessage {
  patch: Record<string, unknown> | null = null;
  availability: boolean | null = null;
  failure: StateFailure | null = null;
  constructor(readonly topic: string) {}
  set(key: string, value: unknown): void {
    // Home Assistant caps a state at 255 characters too; a longer one is a broken or hostile publisher.
    if (typeof value === 'string' && value.length > MAX_STATE_STRING) {
      return this.fail('VALUE_INVALID', `${key} is longer than ${MAX_STATE_STRING} characters; ignored`);
    }
    (this.patch ??= {})[key] = value;
  }
  fail(code: StateFailureCode, reason: string): void {
    this.failure ??= { code, topic: this.topic, reason };
  }
}

export function parseDeviceMessage(device: Device, msg: DecodedMessage): ParsedMessage {
  const out = new Result(msg.topic);
  const b = device.mqtt;
  if (b.availability) {
    for (const a of b.availability) if (a.topic === msg.topic) readAvailability(a, msg, out);
  }
  if (b.z2m) {
    if (msg.topic === b.stateTopic) parseZigbee2Mqtt(device, msg, out);
  } else {
    parseHa(device, b, msg, out);
  }
  if (b.jsonAttributesTopic === msg.topic) readAttributes(b, msg, out);
  return { patch: out.patch, availability: out.availability, failure: out.failure };
}

/** The payload, or a template's rendering of it; null after recording a failure. */
function read(template: string | undefined, msg: DecodedMessage, out: Result): string | null {
  if (!template) return msg.text.trim();
  const r = renderValueTemplate(template, msg.text, msg.json());
  if (r.ok) return r.value;
  out.fail(r.code, r.reason);
  return null;
}

function readAvailability(a: AvailabilityBinding, msg: DecodedMessage, out: Result): void {
  const value = read(a.valueTemplate, msg, out);
  // A template that renders nothing (a JSON field missing from this message) says nothing.
  if (value === null || (value === '' && a.valueTemplate)) return;
  if (samePayload(value, a.payloadAvailable)) out.availability = true;
  else if (samePayload(value, a.payloadNotAvailable)) out.availability = false;
  else {
    // Zigbee2MQTT (and others) send {"state":"online"} where a bare "online" is configured.
    const json = a.valueTemplate ? undefined : msg.json();
    const state = isRecord(json) && typeof json.state === 'string' ? json.state : undefined;
    if (state !== undefined && samePayload(state, a.payloadAvailable)) out.availability = true;
    else if (state !== undefined && samePayload(state, a.payloadNotAvailable)) out.availability = false;
    else out.fail('VALUE_INVALID', `availability payload "${value.slice(0, 40)}" is neither available nor not-available`);
  }
}

function readAttributes(b: MqttBinding, msg: DecodedMessage, out: Result): void {
  let json: unknown = msg.json();
  if (b.jsonAttributesTemplate) {
    const text = read(b.jsonAttributesTemplate, msg, out);
    if (text === null) return;
    try { json = JSON.parse(text); } catch { json = undefined; }
  }
  if (!isRecord(json)) return out.fail('PAYLOAD_NOT_JSON', 'json_attributes payload is not a JSON object');
  // Stored state must always serialise: too deep or too large is refused here, not found later by the store.
  const problem = jsonBoundsProblem(json);
  if (problem) return out.fail('VALUE_INVALID', `json_attributes ${problem}; ignored`);
  out.set('attributes', json);
}

/** Maps a value onto one of several named states; '' means "nothing said" (HA ignores empty renders too). */
function pick(value: string | null, choices: ReadonlyArray<[string | undefined, string]>, out: Result, key = 'state'): void {
  if (value === null || value === '') return;
  for (const [payload, state] of choices) {
    if (samePayload(value, payload)) return out.set(key, state);
  }
  out.fail('VALUE_INVALID', `unexpected ${key} "${value.slice(0, 40)}"`);
}

function number(value: string | null, out: Result, what: string): number | null {
  if (value === null || value === '') return null;
  const n = toNumber(value);
  if (n === null) out.fail('VALUE_INVALID', `${what} "${value.slice(0, 40)}" is not a number`);
  return n;
}

function parseHa(device: Device, b: MqttBinding, msg: DecodedMessage, out: Result): void {
  const t = msg.topic;
  const onOff = (on: string | undefined, off: string | undefined): ReadonlyArray<[string | undefined, string]> =>
    [[on ?? D.payloadOn, 'on'], [off ?? D.payloadOff, 'off']];
  switch (device.type) {
    case 'light':
      if (b.schema === 'json') {
        if (t !== b.stateTopic) break;
        const json = msg.json();
        if (!isRecord(json)) return out.fail('PAYLOAD_NOT_JSON', 'JSON-schema light state is not a JSON object');
        applyJsonLight(json, out, 'state', D.payloadOn, D.payloadOff, 'brightness', b.brightnessScale ?? D.brightnessScale, 'color_temp');
        break;
      }
      if (t === b.stateTopic) pick(read(b.valueTemplate, msg, out), onOff(b.payloadOn, b.payloadOff), out);
      if (t === b.brightnessStateTopic) {
        const raw = number(read(b.brightnessValueTemplate, msg, out), out, 'brightness');
        if (raw !== null) out.set('brightness', brightnessToPercent(raw, b.brightnessScale ?? D.brightnessScale));
      }
      break;
    case 'switch':
      if (t === b.stateTopic) pick(read(b.valueTemplate, msg, out), onOff(b.stateOn ?? b.payloadOn, b.stateOff ?? b.payloadOff), out);
      break;
    case 'binary_sensor':
      if (t === b.stateTopic) pick(read(b.valueTemplate, msg, out), onOff(b.payloadOn, b.payloadOff), out);
      break;
    case 'fan':
      if (t === b.stateTopic) pick(read(b.valueTemplate, msg, out), onOff(b.payloadOn, b.payloadOff), out);
      if (t === b.percentageStateTopic) {
        const raw = number(read(b.percentageValueTemplate, msg, out), out, 'percentage');
        if (raw !== null) out.set('percentage', rangedToPercent(raw, b.speedRangeMin ?? D.speedRangeMin, b.speedRangeMax ?? D.speedRangeMax));
      }
      break;
    case 'sensor':
      if (t === b.stateTopic) {
        const value = read(b.valueTemplate, msg, out);
        if (value !== null && value !== '') out.set('value', sensorValue(value));
      }
      break;
    case 'cover':
      if (t === b.stateTopic) {
        pick(read(b.valueTemplate, msg, out), [
          [b.stateOpen ?? D.stateOpen, 'open'], [b.stateClosed ?? D.stateClosed, 'closed'],
          [b.stateOpening ?? D.stateOpening, 'opening'], [b.stateClosing ?? D.stateClosing, 'closing'],
          [b.stateStopped ?? D.stateStopped, 'stopped'],
        ], out);
      }
      if (t === b.positionTopic) {
        const raw = number(read(b.positionTemplate, msg, out), out, 'position');
        if (raw === null) break;
        const pct = positionToPercent(raw, b.positionOpen ?? D.positionOpen, b.positionClosed ?? D.positionClosed);
        out.set('position', pct);
        // HA derives open/closed from the position when the cover has no state topic.
        if (!b.stateTopic) out.set('state', pct === 0 ? 'closed' : 'open');
      }
      break;
    case 'lock':
      if (t === b.stateTopic) {
        pick(read(b.valueTemplate, msg, out), [
          [b.stateLocked ?? D.stateLocked, 'locked'], [b.stateUnlocked ?? D.stateUnlocked, 'unlocked'],
          [b.stateLocking ?? D.stateLocking, 'locking'], [b.stateUnlocking ?? D.stateUnlocking, 'unlocking'],
          [b.stateJammed ?? D.stateJammed, 'jammed'],
        ], out);
      }
      break;
    case 'climate': {
      if (t === b.currentTemperatureTopic) {
        const n = number(read(b.currentTemperatureTemplate, msg, out), out, 'current temperature');
        if (n !== null) out.set('current_temperature', n);
      }
      if (t === b.temperatureStateTopic) {
        const n = number(read(b.temperatureStateTemplate, msg, out), out, 'target temperature');
        if (n !== null) out.set('target_temperature', n);
      }
      if (t === b.modeStateTopic) {
        const mode = read(b.modeStateTemplate, msg, out);
        if (mode) out.set('hvac_mode', mode);
      }
      break;
    }
  }
}

/** Numbers stay numbers; HA's "unknown"/"unavailable"/"None" mean no value. */
function sensorValue(text: string): number | string | null {
  const n = toNumber(text);
  if (n !== null) return n;
  return text === 'None' || text === 'unknown' || text === 'unavailable' ? null : text;
}

function applyJsonLight(
  json: Record<string, unknown>, out: Result, stateKey: string, on: string | boolean, off: string | boolean,
  brightnessKey: string | undefined, scale: number, colorTempKey: string | undefined,
): void {
  const state = json[stateKey];
  if (state !== undefined && state !== null) {
    const text = String(state);
    if (samePayload(text, on)) out.set('state', 'on');
    else if (samePayload(text, off)) out.set('state', 'off');
    else out.fail('VALUE_INVALID', `unexpected state "${text.slice(0, 40)}"`);
  }
  if (brightnessKey && typeof json[brightnessKey] === 'number') out.set('brightness', brightnessToPercent(json[brightnessKey] as number, scale));
  if (colorTempKey && typeof json[colorTempKey] === 'number') out.set('color_temp', json[colorTempKey]);
}

function binaryValue(value: unknown, on: unknown, off: unknown): 'on' | 'off' | null {
  if (value === on) return 'on';
  if (value === off) return 'off';
  if (value === undefined || value === null) return null;
  const text = String(value);
  if (samePayload(text, on as string)) return 'on';
  if (samePayload(text, off as string)) return 'off';
  return null;
}

/** Zigbee2MQTT publishes the whole device state as one JSON object on `<base>/<friendly_name>`. */
function parseZigbee2Mqtt(device: Device, msg: DecodedMessage, out: Result): void {
  const json = msg.json();
  if (!isRecord(json)) return out.fail('PAYLOAD_NOT_JSON', 'Zigbee2MQTT state is not a JSON object');
  const b = device.mqtt;
  const z = b.z2m!;
  const p = b.z2mProperty ?? 'state';
  const num = (key: string | undefined) => (key !== undefined && typeof json[key] === 'number' ? (json[key] as number) : null);
  const onOff = () => {
    const s = binaryValue(json[p], z.valueOn ?? 'ON', z.valueOff ?? 'OFF');
    if (s) out.set('state', s);
  };
  switch (device.type) {
    case 'light':
      applyJsonLight(json, out, p, z.valueOn === undefined ? 'ON' : String(z.valueOn), z.valueOff === undefined ? 'OFF' : String(z.valueOff),
        z.brightnessProperty, b.brightnessScale ?? 254, z.colorTempProperty);
      break;
    case 'switch':
    case 'binary_sensor':
      onOff();
      break;
    case 'fan': {
      onOff();
      const mode = z.fanModeProperty ? json[z.fanModeProperty] : undefined;
      if (typeof mode === 'string') {
        if (mode === 'off') out.set('percentage', 0);
        else {
          const pct = orderedItemToPercent(z.fanSpeeds ?? [], mode);
          if (pct !== null) out.set('percentage', pct);
        }
      }
      break;
    }
    case 'lock': {
      const s = binaryValue(json[p], z.valueOn ?? 'LOCK', z.valueOff ?? 'UNLOCK');
      if (s) out.set('state', s === 'on' ? 'locked' : 'unlocked');
      break;
    }
    case 'cover': {
      const s = json[p];
      if (typeof s === 'string') {
        const state = ({ OPEN: 'open', CLOSE: 'closed', CLOSED: 'closed', STOP: 'stopped', OPENING: 'opening', CLOSING: 'closing' } as Record<string, string>)[s.toUpperCase()];
        if (state) out.set('state', state);
      }
      const pos = num(z.positionProperty);
      if (pos !== null) out.set('position', positionToPercent(pos, b.positionOpen ?? 100, b.positionClosed ?? 0));
      break;
    }
    case 'climate': {
      const target = num(z.setpointProperty);
      if (target !== null) out.set('target_temperature', target);
      const current = num(z.localTemperatureProperty);
      if (current !== null) out.set('current_temperature', current);
      const mode = z.systemModeProperty ? json[z.systemModeProperty] : undefined;
      if (typeof mode === 'string') out.set('hvac_mode', mode);
      break;
    }
    case 'sensor': {
      const v = json[p];
      if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') out.set('value', v);
      break;
    }
  }
}
