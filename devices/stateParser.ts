import type { AvailabilityBinding, Device, MqttBinding } from './model.js';
import { jsonBoundsProblem } from './boundedJson.js';
import { isRecord, type DecodedMessage } from './payload.js';
import { samePayload } from './scaling.js';
import { read, StatePatch, type StateFailure } from './stateReading.js';
import { kindOf } from './kinds/index.js';

/**
 * Turns one incoming message into a state patch and/or an availability verdict for one device, following the
 * device's binding (HA discovery topics and templates, or Zigbee2MQTT's JSON state), through the device's kind
 * module (devices/kinds/). Pure: no I/O, no throw.
 *
 * The state vocabulary, the same whatever the source:
 *   light  { state: 'on'|'off', brightness: 0–100, color_temp: mireds }    switch { state: 'on'|'off' }
 *   fan    { state, percentage: 0–100 }    cover { state: 'open'|'closed'|'opening'|'closing'|'stopped', position: 0–100 }
 *   lock   { state: 'locked'|'unlocked'|'locking'|'unlocking'|'jammed' }
 *   climate { current_temperature, target_temperature, hvac_mode }
 *   sensor { value: number|string|null }    binary_sensor { state: 'on'|'off' }
 *   plus `attributes` from a json_attributes_topic.
 */

export type { StateFailure, StateFailureCode } from './stateReading.js';

export interface ParsedMessage {
  patch: Record<string, unknown> | null;
  /** This topic's availability verdict (combine per availability_mode with availability.ts), or null. */
  availability: boolean | null;
  /** The first problem met; a message can still yield a partial patch (one template of three failing). */
  failure: StateFailure | null;
}

export function parseDeviceMessage(device: Device, msg: DecodedMessage): ParsedMessage {
  const out = new StatePatch(msg.topic);
  const b = device.mqtt;
  if (b.availability) {
    for (const a of b.availability) if (a.topic === msg.topic) readAvailability(a, msg, out);
  }
  const kind = kindOf(device.type);
  if (b.z2m) {
    if (msg.topic === b.stateTopic) {
      // Zigbee2MQTT publishes the whole device state as one JSON object on `<base>/<friendly_name>`.
      const json = msg.json();
      if (!isRecord(json)) out.fail('PAYLOAD_NOT_JSON', 'Zigbee2MQTT state is not a JSON object');
      else kind?.parseZigbee2Mqtt(device, json, out);
    }
  } else {
    kind?.parseState(device, msg, out);
  }
  if (b.jsonAttributesTopic === msg.topic) readAttributes(b, msg, out);
  return { patch: out.patch, availability: out.availability, failure: out.failure };
}

function readAvailability(a: AvailabilityBinding, msg: DecodedMessage, out: StatePatch): void {
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

function readAttributes(b: MqttBinding, msg: DecodedMessage, out: StatePatch): void {
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
