/**
 * Answers to state questions, from the devices' current state: "Yes, the front door is locked.",
 * "It's 21.5 °C in the living room.", "客厅的湿度是45%。".
 */
import { kindNoun, kindOf, kindReply } from '../../devices/kinds/index.js';
import { modeLabel } from '../../devices/kinds/modeWords.js';
import { fillResponse } from './fillResponse.js';
import { MEASUREMENT_CLASSES } from './resolve.js';
import type { DeviceLists } from './lists.js';
import { displayName, formatNumber, joinList, render, targetPhrase } from './responses.js';
import { EN_WORDS } from './responses/en.js';
import { ZH_WORDS } from './responses/zh.js';
import type { IntentDevice, IntentMatch, ResolveSuccess } from './types.js';

/** The current state of a device (the registry's, fresher than the lists'). */
export type StateReader = (deviceId: string) => Readonly<Record<string, unknown>> | undefined;

const DEFAULT_UNITS: Readonly<Record<string, string>> = {
  humidity: '%', battery: '%', pressure: ' hPa', co2: ' ppm', power: ' W', illuminance: ' lx',
};
/** A battery level below this (percent) is low, as Home Assistant's battery icons turn red. */
export const LOW_BATTERY = 20;

/** English names that are plural nouns take "are": "the living room blinds are open". */
const PLURAL_NAME = /\b(lights|lamps|blinds|curtains|shades|shutters|drapes|covers|fans|switches|plugs|doors|windows)$/i;

/**
 * Whether a device is charging, as a state word: 'charging', 'charged' (on its charger, full) or another state
 * it is in ("cleaning"). A battery_charging sensor on is charging; a vacuum on its dock is charging until its
 * battery reads 100 %; a device reporting `charging` says so itself.
 */
function chargingWord(device: IntentDevice, state: Readonly<Record<string, unknown>> | undefined): string | undefined {
  if (typeof state?.charging === 'boolean') return state.charging ? 'charging' : 'not_charging';
  const word = stateWord(device, state);
  if (device.type === 'binary_sensor') return word === 'on' ? 'charging' : word === 'off' ? 'not_charging' : undefined;
  if (device.type === 'vacuum' && word === 'docked') return state?.battery === 100 ? 'charged' : 'charging';
  return word;
}

/** The device's state as one canonical word: on/off, open/closed, locked/unlocked (or undefined). */
export function stateWord(device: IntentDevice, state: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const raw = state?.state;
  if (typeof raw === 'boolean') return opening(device) ? (raw ? 'open' : 'closed') : raw ? 'on' : 'off';
  if (typeof raw !== 'string') return undefined;
  const s = raw.toLowerCase();
  if (opening(device) && (s === 'on' || s === 'off')) return s === 'on' ? 'open' : 'closed';
  return s;
}

/** A door or window contact speaks of open/closed rather than on/off (its kind lists which device classes). */
function opening(device: IntentDevice): boolean {
  return kindOf(device.type)?.openingClasses?.has(device.deviceClass ?? '') ?? false;
}

/** Whether an actual state answers an expected one ("is the blind on" means open). */
function fits(actual: string, expected: string): boolean {
  if (actual === expected) return true;
  const same: Readonly<Record<string, readonly string[]>> = {
    on: ['open', 'opening'], open: ['on', 'opening'], off: ['closed', 'closing'], closed: ['off', 'closing'],
  };
  return same[expected]?.includes(actual) ?? false;
}

function measureOf(device: IntentDevice, state: Readonly<Record<string, unknown>> | undefined, m: string): number | undefined {
  const keys = m === 'temperature'
    ? ['current_temperature', 'temperature', 'local_temperature', 'value']
    : [m, 'value', ...(device.deviceClass ? [device.deviceClass] : [])];
  for (const k of keys) {
    const v = state?.[k];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  }
  if (device.type !== 'climate' && typeof state?.state === 'number') return state.state;
  return undefined;
}

/** The reply to HassGetState / HassClimateGetTemperature for resolved devices. */
export function queryReply(match: IntentMatch, resolution: ResolveSuccess, lists: DeviceLists, stateOf?: StateReader): string {
  const lang = match.lang;
  const w = lang === 'zh' ? ZH_WORDS : EN_WORDS;
  const devices = resolution.devices;
  const read = (d: IntentDevice) => stateOf?.(d.id) ?? d.state;
  const target = targetPhrase(match, resolution, lists);
  if (match.slots.asked === 'mode') return modeReply(match, devices[0], lists, read(devices[0]));
  const measurement = match.slots.measurement ?? (match.intent === 'HassClimateGetTemperature' ? 'temperature' : undefined) ?? sensorClass(devices);
  if (match.slots.sensor_class === 'battery_low') {
    // "Are any batteries low": a battery binary sensor that is on, or a battery level below LOW_BATTERY %.
    const low = devices.filter((d) => {
      const level = d.type === 'sensor' ? measureOf(d, read(d), 'battery') : undefined;
      return level !== undefined ? level < LOW_BATTERY : stateWord(d, read(d)) === 'on';
    });
    const vars = { count: low.length, total: devices.length, type: w.batteries, state: w.low, is: low.length === 1 ? w.is : w.are };
    return low.length === 0 ? render(lang, 'state_count_none', vars) : render(lang, 'state_count', { ...vars, names: names(low, lists, lang) });
  }
  if (measurement) {
    // Only readings of one kind are averaged: the devices made for the measurement (by class) when any are
    // asked, and only those in the first one's unit; a humidity in % never joins a temperature in °C.
    const reading = devices.filter((d) => measureOf(d, read(d), measurement) !== undefined);
    const classes = MEASUREMENT_CLASSES[measurement] ?? [measurement];
    const dedicated = reading.filter((d) => classes.includes(d.deviceClass ?? '') || (measurement === 'temperature' && d.type === 'climate'));
    const pool = dedicated.length > 0 ? dedicated : reading;
    const same = pool.filter((d) => (d.unit ?? '') === (pool[0]?.unit ?? ''));
    const values = same.map((d) => measureOf(d, read(d), measurement)).filter((v): v is number => v !== undefined);
    if (values.length === 0) return render(lang, 'state_unknown', { target });
    const value = formatNumber(values.reduce((a, b) => a + b, 0) / values.length);
    const unit = measurement === 'temperature' ? (lang === 'zh' ? w.degrees : ` ${w.degrees}`).trimStart()
      : same[0].unit ? (/^[%\u00b0]/.test(same[0].unit) || lang === 'zh' ? same[0].unit : ` ${same[0].unit}`) : DEFAULT_UNITS[measurement] ?? '';
    const areaId = resolution.area ? lists.areaId(resolution.area) : devices.length >= 1 ? lists.areaIdOf(devices[0].id) : undefined;
    const area = areaId && (resolution.scope !== 'name' || devices.length > 1) ? lists.areaName(areaId, lang) : undefined;
    const areaText = area && lang === 'en' ? `the ${area.replace(/_/g, ' ').replace(/\b([A-Z])([a-z]+)\b/g, (x) => x.toLowerCase())}` : area;
    const words = w.measurements as Readonly<Record<string, string>>;
    if (measurement === 'temperature') {
      return area ? render(lang, 'temperature_in', { value, unit, area: areaText ?? '' }) : render(lang, 'temperature_of', { target, value, unit });
    }
    const mword = words[measurement] ?? measurement;
    return area
      ? render(lang, 'measurement_in', { measurement: mword, area: areaText ?? '', value, unit })
      : render(lang, 'measurement_of', { measurement: mword, target, value, unit });
  }
  const states = devices.map((d) => (match.slots.state === 'charging' ? chargingWord(d, read(d)) : stateWord(d, read(d))));
  const known = states.filter((s): s is string => s !== undefined);
  if (known.length === 0) return render(lang, 'state_unknown', { target });
  const stateText = (s: string) => (w.states as Readonly<Record<string, string>>)[s] ?? s;
  const expected = match.slots.state;
  const plural = devices.length > 1 || PLURAL_NAME.test(devices[0].name);
  const is = plural ? w.are : w.is;
  if (!expected) {
    if (!plural) return render(lang, 'state_is', { target, is, state: stateText(known[0]) });
    const on = devices.filter((_, i) => states[i] !== undefined && fits(states[i]!, 'on'));
    if (on.length === 0 || on.length === devices.length) return render(lang, 'state_is', { target, is, state: stateText(on.length ? 'on' : 'off') });
    return render(lang, 'state_some', { count: on.length, total: devices.length, state: stateText('on'), names: names(on, lists, lang) });
  }
  // What the word asks of each device is its kind's reading ("is the front door closed" asks a lock whether it is locked).
  const expectedOf = (d: IntentDevice) => kindOf(d.type)?.askedState?.[expected] ?? expected;
  const yes = devices.filter((d, i) => states[i] !== undefined && fits(states[i]!, expectedOf(d)));
  if (match.slots.count) {
    // "How many lights are on": a number, and which ones.
    const type = kindNoun(devices[0].type, lang);
    const vars = { count: yes.length, total: devices.length, type, state: stateText(expected), is: yes.length === 1 ? w.is : w.are };
    return yes.length === 0 ? render(lang, 'state_count_none', vars) : render(lang, 'state_count', { ...vars, names: names(yes, lists, lang) });
  }
  if (yes.length === devices.length) return render(lang, 'state_yes', { target, is, state: stateText(known[0]) });
  if (yes.length === 0) return render(lang, 'state_no', { target, is, state: stateText(known[0]) });
  return render(lang, 'state_some', { count: yes.length, total: devices.length, state: stateText(expected), names: names(yes, lists, lang) });
}

/**
 * "What mode is the thermostat in": its HVAC mode from its state, with its preset when it has one on ("none" is HA's
 * word for no preset). Worded by the kind (devices/kinds/climate.ts `replies`).
 */
function modeReply(match: IntentMatch, device: IntentDevice | undefined, lists: DeviceLists, state: Readonly<Record<string, unknown>> | undefined): string {
  const lang = match.lang === 'zh' ? 'zh' : 'en';
  const target = device ? displayName(device, lists, match.lang) : '';
  const mode = typeof state?.hvac_mode === 'string' ? state.hvac_mode : undefined;
  const preset = typeof state?.preset_mode === 'string' && state.preset_mode.toLowerCase() !== 'none' ? state.preset_mode : undefined;
  const template = device && mode ? kindReply(device.type, preset ? 'preset_is' : 'mode_is', lang) : undefined;
  if (!template || !mode) return render(match.lang, 'state_unknown', { target });
  return fillResponse(template, { target, mode: modeLabel(mode, lang), ...(preset ? { preset: modeLabel(preset, lang) } : {}) });
}

/**
 * A sensor asked about by name ("what's the bedroom temperature") reads what it measures: its device class,
 * when every device asked has the same one (a temperature and a humidity are never combined).
 */
function sensorClass(devices: readonly IntentDevice[]): string | undefined {
  const cls = devices[0]?.type === 'sensor' ? devices[0].deviceClass : undefined;
  return cls && devices.every((d) => d.type === 'sensor' && d.deviceClass === cls) ? cls : undefined;
}

function names(devices: readonly IntentDevice[], lists: DeviceLists, lang: string): string {
  return joinList(devices.map((d) => displayName(d, lists, lang, false)), lang);
}
