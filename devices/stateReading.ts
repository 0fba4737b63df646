import type { Device } from './model.js';
import { HA_DEFAULTS as D } from './defaults.js';
import { MAX_STATE_STRING } from './boundedJson.js';
import type { DecodedMessage, PayloadFailureCode } from './payload.js';
import type { ErrorCode } from '../daemon/core/errors.js';
import { renderValueTemplate, type TemplateFailureCode } from './template.js';
import { brightnessToPercent, samePayload, toNumber } from './scaling.js';

/**
 * The pieces every kind's state parsing is built from (devices/kinds/*.ts call them): reading a payload
 * through a value template, mapping it onto named states, numbers, and the JSON-light and binary shapes
 * that Home Assistant's JSON schema and Zigbee2MQTT share. Failures are recorded, never thrown.
 */

export type StateFailureCode = PayloadFailureCode | TemplateFailureCode | Extract<ErrorCode, 'VALUE_INVALID'>;
export interface StateFailure { code: StateFailureCode; topic: string; reason: string }

/** The patch being built for one message, and its first failure. */
export class StatePatch {
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

/** The payload, or a template's rendering of it; null after recording a failure. */
export function read(template: string | undefined, msg: DecodedMessage, out: StatePatch): string | null {
  if (!template) return msg.text.trim();
  const r = renderValueTemplate(template, msg.text, msg.json());
  if (r.ok) return r.value;
  out.fail(r.code, r.reason);
  return null;
}

/** Maps a value onto one of several named states; '' means "nothing said" (HA ignores empty renders too). */
export function pick(value: string | null, choices: ReadonlyArray<[string | undefined, string]>, out: StatePatch, key = 'state'): void {
  if (value === null || value === '') return;
  for (const [payload, state] of choices) {
    if (samePayload(value, payload)) return out.set(key, state);
  }
  out.fail('VALUE_INVALID', `unexpected ${key} "${value.slice(0, 40)}"`);
}

/** The on/off choices of a default-schema payload pair, HA's ON/OFF when left out. */
export function onOff(on: string | undefined, off: string | undefined): ReadonlyArray<[string | undefined, string]> {
  return [[on ?? D.payloadOn, 'on'], [off ?? D.payloadOff, 'off']];
}

export function number(value: string | null, out: StatePatch, what: string): number | null {
  if (value === null || value === '') return null;
  const n = toNumber(value);
  if (n === null) out.fail('VALUE_INVALID', `${what} "${value.slice(0, 40)}" is not a number`);
  return n;
}

/** A number at `key` of a JSON state, or null. */
export function numberAt(json: Record<string, unknown>, key: string | undefined): number | null {
  return key !== undefined && typeof json[key] === 'number' ? (json[key] as number) : null;
}

/** The on/off/brightness/color_temp of a JSON light state (HA's JSON schema and Zigbee2MQTT alike). */
export function applyJsonLight(
  json: Record<string, unknown>, out: StatePatch, stateKey: string, on: string | boolean, off: string | boolean,
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

export function binaryValue(value: unknown, on: unknown, off: unknown): 'on' | 'off' | null {
  if (value === on) return 'on';
  if (value === off) return 'off';
  if (value === undefined || value === null) return null;
  const text = String(value);
  if (samePayload(text, on as string)) return 'on';
  if (samePayload(text, off as string)) return 'off';
  return null;
}

/** Zigbee2MQTT's main binary property (`state`, `state_l1`, `contact`…) as 'on'/'off'. */
export function zigbee2mqttOnOff(device: Device, json: Record<string, unknown>, out: StatePatch): void {
  const z = device.mqtt.z2m!;
  const s = binaryValue(json[device.mqtt.z2mProperty ?? 'state'], z.valueOn ?? 'ON', z.valueOff ?? 'OFF');
  if (s) out.set('state', s);
}
