/**
 * From a match to the devices it means, or a clear reason why none can be chosen. Never guesses: two
 * devices called "lamp" with nothing to tell them apart is DEVICE_AMBIGUOUS (the reply asks which), not
 * the first one found. Values are checked before anything else, so "set the lamp to 250 percent" is
 * VALUE_OUT_OF_RANGE and nothing is published.
 *
 * Scope rules (Home Assistant's, where it has them):
 * - a name wins; an area said with it narrows it ("the lamp in the bedroom"); without one, the session's
 *   area breaks a tie;
 * - area + type ("the lights in the living room", "客厅的灯") is every device of that type there;
 * - "all the lights" is every light; "in here"/"这里" is the session's area (an error when there is none);
 * - a type alone is the session area's devices of that type, else the only one, else every one when said
 *   in the plural ("turn off the lights"), else a question.
 */
import { deviceIntents, typesForIntent, typesForStateWord } from '../../devices/kinds/index.js';
import { WHITES } from '../../devices/color.js';
import type { DeviceLists } from './lists.js';
import { SENSOR_CLASSES } from './sentences/sensorClasses.js';
import { nameTokens } from './normalize.js';
import { climateModeFor, climateModeNames, ownMode } from './deviceModes.js';
import type { AreaSlot, DeviceType, Capability, IntentDevice, IntentMatch, MatchSlots, NameSlot, Resolution, ResolveError } from './types.js';

/**
 * Intents that act on or ask about devices: the common ones and those the kinds add, from the kinds' table (the
 * same list as the plugin SDK's DEVICE_INTENTS). Others (timers, weather) resolve to no devices.
 */
export const DEVICE_INTENTS: ReadonlySet<string> = new Set(deviceIntents());

/**
 * The device types an intent means when the sentence names none ("set the temperature to 21"), and the
 * types a state word belongs to ("are all the doors locked" asks the locks, not the garage door): both
 * derived from the kinds' own lists (devices/kinds/<kind>.ts `defaultIntents`, `stateWords`).
 */
const DEFAULT_DOMAINS: Readonly<Record<string, readonly DeviceType[]>> = Object.fromEntries(
  [...DEVICE_INTENTS].map((intent) => [intent, typesForIntent(intent)]),
);
const STATE_DOMAINS: Readonly<Record<string, readonly DeviceType[]>> = Object.fromEntries(
  ['locked', 'unlocked', 'open', 'closed', 'on', 'off'].map((word) => [word, typesForStateWord(word)]),
);

/** The capability a device needs for an intent, checked only when the device lists its capabilities. */
const NEEDS: Readonly<Record<string, Capability>> = {
  HassLightSet: 'brightness',
  HassSetPosition: 'position',
  HassFanSetSpeed: 'fan_speed',
  HassClimateSetTemperature: 'target_temperature',
  HassHumidifierSetpoint: 'target_humidity',
  HassHumidifierMode: 'mode',
  HassWaterHeaterMode: 'mode',
};

/** Allowed ranges of numeric slots; temperatures in °C (°F when said in Fahrenheit). */
export const VALUE_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  brightness: [0, 100],
  position: [0, 100],
  percentage: [0, 100],
  volume: [0, 100],
  humidity: [0, 100],
  temperature: [5, 35],
  temperatureF: [41, 95],
  duration: [1, 86_400],
};

/** Device classes (HA sensor `device_class`) of each measurement word. */
export const MEASUREMENT_CLASSES: Readonly<Record<string, readonly string[]>> = {
  temperature: ['temperature'],
  humidity: ['humidity', 'moisture'],
  pressure: ['pressure', 'atmospheric_pressure'],
  co2: ['carbon_dioxide', 'co2'],
  battery: ['battery'],
  power: ['power'],
  energy: ['energy'],
  pm25: ['pm25'],
  speed: ['speed', 'wind_speed'],
  sound_pressure: ['sound_pressure'],
  illuminance: ['illuminance'],
};

/** The first slot value outside its range, as an error; null when all are fine. */
export function checkValues(slots: MatchSlots): ResolveError | null {
  for (const slot of ['brightness', 'position', 'percentage', 'volume', 'humidity', 'temperature', 'duration']) {
    const value = slots[slot];
    if (typeof value !== 'number') continue;
    const key = slot === 'temperature' && slots.unit === 'F' ? 'temperatureF' : slot;
    const [min, max] = VALUE_RANGES[key];
    if (!Number.isFinite(value) || value < min || value > max) return { error: 'VALUE_OUT_OF_RANGE', reason: 'value', slot, value, min, max };
  }
  return null;
}

export interface ResolveOptions {
  /** The area of the voice client (token or hello), by name or alias. */
  sessionArea?: string;
}

export function resolveTargets(match: IntentMatch, lists: DeviceLists, options: ResolveOptions = {}): Resolution {
  if (match.slots.area2 || match.slots.name2) return resolveTwo(match, lists, options);
  const slots = match.slots;
  // A set-point is checked against each thermostat's own range, in its own unit (capable() below), not a fixed 5–35 °C.
  const bad = checkValues(match.intent === 'HassClimateSetTemperature' ? { ...slots, temperature: undefined } : slots);
  if (bad) return bad;
  const targeted = slots.name || slots.type || slots.area || slots.floor || slots.here || slots.all || slots.domain || slots.measurement || slots.sensor_class;
  if (!targeted && !DEVICE_INTENTS.has(match.intent)) return { devices: [], scope: 'none' };

  const sessionArea = options.sessionArea ?? match.sessionArea;
  const session = sessionArea ? lists.areaId(sessionArea) : undefined;
  let areaId = slots.area?.id;
  if (!areaId && slots.here) {
    if (!session) return { error: 'DEVICE_NOT_FOUND', reason: 'here' };
    areaId = session;
  }
  const areaName = areaId ? lists.areaName(areaId, 'en') : undefined;
  const inArea = (id: string | undefined) => (d: IntentDevice) => lists.areaIdOf(d.id) === id;

  let chosen: Resolution;
  if (slots.name) chosen = byName(match, lists, areaId, session, inArea);
  else chosen = byType(match, lists, areaId, session, inArea);
  if ('error' in chosen) return chosen;
  if (areaName && chosen.scope !== 'name') chosen.area = areaName;
  if (slots.here && chosen.scope === 'area') chosen.scope = 'here';
  return capable(match, chosen);
}

type InArea = (id: string | undefined) => (d: IntentDevice) => boolean;

/**
 * "the kitchen and the hallway lights", "the desk lamp and the floor lamp": each target resolved on its own
 * (so each may fail on its own, with its own reason), then every device of both, once.
 */
function resolveTwo(match: IntentMatch, lists: DeviceLists, options: ResolveOptions): Resolution {
  const { area2, name2, ...rest } = match.slots;
  const first = resolveTargets({ ...match, slots: rest }, lists, options);
  const second = resolveTargets({ ...match, slots: { ...rest, ...(area2 ? { area: area2 as AreaSlot } : {}), ...(name2 ? { name: name2 as NameSlot } : {}) } }, lists, options);
  if ('error' in first) return first;
  if ('error' in second) return second;
  const devices = [...first.devices, ...second.devices.filter((d) => !first.devices.includes(d))];
  const areas = first.area && second.area && first.area !== second.area ? [first.area, second.area] : undefined;
  return { devices, scope: first.scope === second.scope ? first.scope : 'name', ...(first.area ? { area: first.area } : {}), ...(areas ? { areas } : {}) };
}

function byName(match: IntentMatch, lists: DeviceLists, areaId: string | undefined, session: string | undefined, inArea: InArea): Resolution {
  const name = match.slots.name!;
  const area = areaId ? lists.areaName(areaId, 'en') : undefined;
  if (name.unknown) return { error: 'DEVICE_NOT_FOUND', reason: 'name', name: name.text, ...(area ? { area } : {}) };
  const get = (ids: readonly string[]) => ids.map((id) => lists.device(id)).filter((d): d is IntentDevice => d !== undefined);
  if (name.unsupported) return { error: 'DEVICE_UNSUPPORTED', reason: 'capability', name: name.text, candidates: get(name.ids) };
  // "lamp" only matched "Bedroom Lamp" minus its room: outside a room with such a device it is the type word.
  const asType = name.ids.length === 0 && name.typeWord
    ? () => byType({ ...match, slots: { ...match.slots, name: undefined, type: name.typeWord } }, lists, areaId, session, inArea)
    : null;
  if (asType && !areaId && session) {
    const here = asType();
    if (!('error' in here) && here.scope === 'here') return here;
  }
  // Chinese has no plural: "卧室的灯" with a room named is that room's lights, as "the bedroom lights" is.
  if (asType && areaId && (match.lang === 'zh' || match.slots.any || match.slots.all)) return asType();
  let found = get(name.ids);
  if (areaId) found = found.filter(inArea(areaId));
  else if (match.slots.floor) found = found.filter(onFloor(lists, match.slots.floor.ids));
  if (found.length === 0) {
    found = get(name.weakIds);
    if (areaId) found = found.filter(inArea(areaId));
  }
  if (found.length === 0 && asType) return asType();
  // "What's the battery of the front door": the front door lock reads no battery, its sensor "Front Door Battery" does;
  // "is the front door charging": its "Front Door Charging" sensor answers.
  const asked = match.slots.measurement;
  const answers = typeof asked === 'string' ? (d: IntentDevice) => measures(d, asked)
    : match.slots.state === 'charging' ? reportsCharging : null;
  if (answers && found.length > 0 && !found.some(answers)) {
    const spoken = nameTokens(name.text).join(' ');
    const reading = lists.devices().filter((d) => answers(d) && [d.name, ...d.aliases].some((n) => `${nameTokens(n).join(' ')} `.startsWith(`${spoken} `)));
    if (reading.length > 0) found = reading;
  }
  if (found.length === 0) return { error: 'DEVICE_NOT_FOUND', reason: 'name', name: name.text, ...(area ? { area } : {}) };
  if (found.length > 1 && !areaId && session) {
    const here = found.filter(inArea(session));
    if (here.length > 0) found = here;
  }
  if (found.length > 1 && !match.slots.all) return { error: 'DEVICE_AMBIGUOUS', reason: 'name', name: name.text, candidates: found };
  return { devices: found, scope: 'name' };
}

function byType(match: IntentMatch, lists: DeviceLists, areaId: string | undefined, session: string | undefined, inArea: InArea): Resolution {
  const slots = match.slots;
  const measurement = slots.measurement ?? (match.intent === 'HassClimateGetTemperature' ? 'temperature' : undefined);
  let domains = slots.type?.domains ?? (slots.domain ? [slots.domain] : DEFAULT_DOMAINS[match.intent]);
  const stateDomains = typeof slots.state === 'string' ? STATE_DOMAINS[slots.state] : undefined;
  if (domains && stateDomains && domains.length > 1) {
    const narrowed = domains.filter((d) => stateDomains.includes(d));
    if (narrowed.length > 0) domains = narrowed;
  }
  let pool: IntentDevice[];
  const sensed = typeof slots.sensor_class === 'string' ? SENSOR_CLASSES[slots.sensor_class] : undefined;
  if (sensed) {
    // "Is there motion": every binary sensor of those classes in the room, or in the whole home when none is named.
    // A low battery is a battery binary sensor that is on, or a battery level sensor below LOW_BATTERY.
    const kinds = slots.sensor_class === 'battery_low' ? ['binary_sensor', 'sensor'] : ['binary_sensor'];
    pool = lists.devices().filter((d) => kinds.includes(d.type) && sensed.includes(d.deviceClass ?? ''));
    if (areaId) {
      const there = pool.filter(inArea(areaId));
      return there.length > 0 ? { devices: there, scope: 'area' } : { error: 'DEVICE_NOT_FOUND', reason: 'area', area: lists.areaName(areaId, 'en') };
    }
    return pool.length > 0 ? { devices: pool, scope: 'all' } : { error: 'DEVICE_NOT_FOUND', reason: 'type' };
  }
  if (measurement && !slots.type && !(slots.domain && slots.domain !== 'climate' && slots.domain !== 'sensor')) {
    // Only a battery is read off devices of any kind (`measures`): the rest from sensors and thermostats.
    pool = (measurement === 'battery' ? lists.devices() : lists.ofTypes(MEASURING)).filter((d) => measures(d, measurement));
    // Devices made to measure it (device class) before those that merely report it too.
    const classes = MEASUREMENT_CLASSES[measurement] ?? [measurement];
    const dedicated = pool.filter((d) => classes.includes(d.deviceClass ?? '') || (measurement === 'temperature' && d.type === 'climate'));
    if (dedicated.length > 0) pool = dedicated;
  } else if (domains) {
    const kind = slots.type?.kind;
    const ofType = lists.ofTypes(domains);
    pool = kind ? ofType.filter((d) => isKind(d, kind)) : [...ofType];
  } else {
    return { error: 'DEVICE_NOT_FOUND', reason: 'type', ...(slots.type ? { type: slots.type } : {}) };
  }
  const type = slots.type;
  // "the lights upstairs", "二楼的灯": every device of the type whose area is on one of those floors.
  if (slots.floor && !areaId) {
    const there = pool.filter(onFloor(lists, slots.floor.ids));
    if (there.length === 0) return { error: 'DEVICE_NOT_FOUND', reason: 'area', area: slots.floor.text, ...(type ? { type } : {}) };
    return { devices: there, scope: 'area', area: slots.floor.text };
  }
  if (areaId) {
    const there = pool.filter(inArea(areaId));
    if (there.length === 0) return { error: 'DEVICE_NOT_FOUND', reason: 'area', area: lists.areaName(areaId, 'en'), ...(type ? { type } : {}) };
    return { devices: there, scope: 'area' };
  }
  if (pool.length === 0) return { error: 'DEVICE_NOT_FOUND', reason: 'type', ...(type ? { type } : {}) };
  if (slots.all) return { devices: pool, scope: 'all' };
  if (session) {
    const here = pool.filter(inArea(session));
    if (here.length > 0) return { devices: here, scope: 'here', area: lists.areaName(session, 'en') };
  }
  if (pool.length === 1) return { devices: pool, scope: 'type' };
  if (type?.plural) return { devices: pool, scope: 'all' };
  if (measurement || !type) {
    const areas = [...new Set(pool.map((d) => lists.areaIdOf(d.id)))];
    if (areas.length === 1) return { devices: pool, scope: 'type' };
    const climates = pool.filter((d) => d.type === 'climate');
    if (measurement === 'temperature' && climates.length === 1) return { devices: climates, scope: 'type' };
    const names = areas.filter((a): a is string => a !== undefined).map((a) => lists.areaName(a, 'en'));
    return { error: 'DEVICE_AMBIGUOUS', reason: 'room', areas: names, candidates: pool };
  }
  return { error: 'DEVICE_AMBIGUOUS', reason: 'type', type, name: type.text, candidates: pool };
}

function onFloor(lists: DeviceLists, floors: readonly string[]): (d: IntentDevice) => boolean {
  return (d) => floors.includes(lists.floorOf(d.id) ?? '');
}

const DOOR_CLASSES = new Set(['door', 'garage', 'garage_door', 'gate', 'opening']);
// Non-ASCII in regular expressions is written as \u escapes (the bundle stays ASCII; see daemon/build/bundle.ts):
// \u95e8 门 door; \u7a97\u6237 窗户 and \u7a97 窗 window, but not \u7a97\u5e18 窗帘 curtain.
const DOOR_WORDS = /\b(door|doors|gate|gates)\b|\u95e8/i;
const WINDOW_WORDS = /\bwindows?\b|\u7a97\u6237|\u7a97(?!\u5e18)/i;

/** Whether a cover or sensor is a door, a window or a shade (covers only), by device class or name. */
export function isKind(d: IntentDevice, kind: 'door' | 'window' | 'shade'): boolean {
  if (d.type !== 'cover' && d.type !== 'binary_sensor') return kind !== 'shade';
  const names = [d.name, ...d.aliases].join(' ');
  const door = DOOR_CLASSES.has(d.deviceClass ?? '') || DOOR_WORDS.test(names);
  if (kind === 'door') return door;
  if (kind === 'window') return d.deviceClass === 'window' || WINDOW_WORDS.test(names);
  return d.type === 'cover' && !door;
}

/** Whether a device says if it is charging: a battery_charging sensor, a vacuum (on its dock), or a `charging` state field. */
export function reportsCharging(d: IntentDevice): boolean {
  return (d.type === 'binary_sensor' && d.deviceClass === 'battery_charging') || d.type === 'vacuum' || typeof d.state?.charging === 'boolean';
}

/** The kinds `measures` answers for, but for a battery level. */
const MEASURING: readonly DeviceType[] = ['sensor', 'climate'];

/** Whether a device can answer "what's the <measurement>". */
export function measures(d: IntentDevice, measurement: string): boolean {
  if (measurement === 'temperature' && d.type === 'climate') return !d.capabilities || d.capabilities.includes('current_temperature') || d.capabilities.length === 0;
  // A vacuum, a lock or a remote that reports its battery level in its own state ("battery": 61).
  if (measurement === 'battery' && typeof d.state?.battery === 'number') return true;
  if (d.type !== 'sensor' && d.type !== 'climate') return false;
  const classes = MEASUREMENT_CLASSES[measurement] ?? [measurement];
  if (d.deviceClass && classes.includes(d.deviceClass)) return true;
  return d.state !== undefined && Object.prototype.hasOwnProperty.call(d.state, measurement);
}

/** What a HassLightSet needs: colour for a colour, colour temperature for a named white or kelvin, else brightness. */
function lightNeed(slots: MatchSlots): Capability {
  if (typeof slots.color_temp === 'number' || typeof slots.color_temp_mireds === 'number') return 'color_temp';
  if (typeof slots.color === 'string') return Object.hasOwn(WHITES, slots.color) ? 'color_temp' : 'color';
  return 'brightness';
}

function hasCapability(d: IntentDevice, c: Capability): boolean {
  return !d.capabilities || d.capabilities.length === 0 || d.capabilities.includes(c);
}

/**
 * "Set the fan to low" / "to breeze": a fan takes a preset of that name when it has one (`mode`), a named speed
 * otherwise as a percentage (`fan_speed`). The fans that can do neither are dropped; none left is a refusal that
 * names the fan's own presets, so nothing is sent to a fan without such a mode.
 */
function fanNamed(match: IntentMatch, devices: readonly IntentDevice[]): IntentDevice[] | ResolveError {
  const s = match.slots;
  const said = (typeof s.mode === 'string' ? s.mode : s.speed) as string;
  const able = devices.filter((d) => (ownMode(d.modes, said) !== undefined && hasCapability(d, 'mode'))
    || (typeof s.mode !== 'string' && hasCapability(d, 'fan_speed')));
  if (able.length > 0) return able;
  const d = devices[0];
  if (typeof s.mode === 'string' || (d?.modes?.length ?? 0) > 0) return { error: 'DEVICE_UNSUPPORTED', reason: 'mode', mode: said, modes: d?.modes ?? [], candidates: d ? [d] : [] };
  return { error: 'DEVICE_UNSUPPORTED', reason: 'capability', candidates: [...devices], ...(s.name ? { name: s.name.text } : {}) };
}

/** Drops devices without the capability the intent needs; none left is DEVICE_UNSUPPORTED. */
function capable(match: IntentMatch, chosen: Exclude<Resolution, ResolveError>): Resolution {
  if (match.intent === 'HassFanSetSpeed' && (typeof match.slots.mode === 'string' || typeof match.slots.speed === 'string')) {
    const able = fanNamed(match, chosen.devices);
    return 'error' in able ? able : able.length === chosen.devices.length ? chosen : { ...chosen, devices: able };
  }
  const need = match.intent === 'HassLightSet' ? lightNeed(match.slots) : NEEDS[match.intent];
  let devices = chosen.devices;
  if (need) {
    const able = devices.filter((d) => !d.capabilities || d.capabilities.length === 0 || d.capabilities.includes(need));
    if (able.length === 0) return { error: 'DEVICE_UNSUPPORTED', reason: 'capability', candidates: devices, ...(match.slots.name ? { name: match.slots.name.text } : {}) };
    devices = able;
  }
  // A humidity is checked against each humidifier's own range, a mode against the modes it has.
  const h = match.slots.humidity;
  // "The highest"/"the lowest" is each humidifier's own max_humidity/min_humidity (deviceSlots.ts), never out of range.
  const ownEnd = match.slots.setting === 'min' || match.slots.setting === 'max';
  if (match.intent === 'HassHumidifierSetpoint' && typeof h === 'number' && !ownEnd) {
    for (const d of devices) {
      const [min, max] = [d.minHumidity ?? 0, d.maxHumidity ?? 100];
      if (h < min || h > max) return { error: 'VALUE_OUT_OF_RANGE', reason: 'value', slot: 'humidity', value: h, min, max };
    }
  }
  const mode = match.slots.mode;
  if (match.intent === 'HassClimateSetMode' && typeof mode === 'string') {
    // Each thermostat's own HVAC modes and presets (deviceModes.ts climateModeFor): one lacking it sends nothing.
    const without = devices.find((d) => climateModeFor(d, mode) === undefined);
    if (without) return { error: 'DEVICE_UNSUPPORTED', reason: 'mode', mode, modes: climateModeNames(without), candidates: [without] };
  }
  if ((match.intent === 'HassHumidifierMode' || match.intent === 'HassWaterHeaterMode') && typeof mode === 'string') {
    // Matched against each device's own list, in its own spelling ("Sleep", "night" for sleep): deviceModes.ts.
    const without = devices.find((d) => d.modes !== undefined && ownMode(d.modes, mode) === undefined);
    if (without) return { error: 'DEVICE_UNSUPPORTED', reason: 'mode', mode, modes: without.modes ?? [], candidates: [without] };
  }
  const t = match.slots.temperature;
  if (match.intent === 'HassClimateSetTemperature' && typeof t === 'number') {
    for (const d of devices) {
      const { value, scale } = deviceTemperature(d, t, match.slots.unit);
      const [min, max] = temperatureRange(d);
      if (!Number.isFinite(value) || value < min || value > max) {
        return { error: 'VALUE_OUT_OF_RANGE', reason: 'value', slot: 'temperature', value, min, max, unit: scale };
      }
    }
  }
  return devices === chosen.devices ? chosen : { ...chosen, devices };
}

/** Home Assistant's climate defaults when a device announces no `min_temp` / `max_temp` (7–35 °C, 44.6–95 °F). */
const DEFAULT_RANGE: Readonly<Record<'C' | 'F', readonly [number, number]>> = { C: [7, 35], F: [44.6, 95] };

/** The unit a climate device works in: its `temperature_unit` (°F or °C), Celsius when it says nothing. */
export function temperatureScale(d: IntentDevice): 'C' | 'F' {
  return /f/i.test(d.unit ?? '') ? 'F' : 'C';
}

/** Home Assistant's water heater defaults (43.3–60 °C, 110–140 °F). */
const WATER_HEATER_RANGE: Readonly<Record<'C' | 'F', readonly [number, number]>> = { C: [43.3, 60], F: [110, 140] };

/** The device's own set-point range, in its own unit. */
export function temperatureRange(d: IntentDevice): readonly [number, number] {
  const [min, max] = (d.type === 'water_heater' ? WATER_HEATER_RANGE : DEFAULT_RANGE)[temperatureScale(d)];
  return [d.minTemp ?? min, d.maxTemp ?? max];
}

/**
 * A spoken set-point in the device's unit: "70 degrees Fahrenheit" to a Celsius thermostat is 21 °C (to the
 * half degree), "21" to a Fahrenheit one is 70 °F; a number said without a unit is in the device's unit.
 */
export function deviceTemperature(d: IntentDevice, spoken: number, said: 'C' | 'F' | undefined): { value: number; scale: 'C' | 'F' } {
  const scale = temperatureScale(d);
  let value = spoken;
  if (said !== undefined && said !== scale) value = scale === 'C' ? Math.round(((spoken - 32) * 5) / 9 * 2) / 2 : Math.round((spoken * 9) / 5 + 32);
  // Rounded to the device's step as the device kind will send it (devices/kinds/climate.ts), so the reply says what is sent.
  const step = d.tempStep && d.tempStep > 0 ? d.tempStep : undefined;
  if (step) value = Number((Math.round(value / step) * step).toFixed((String(step).split('.')[1] ?? '').length));
  return { value, scale };
}

/**
 * The set-point a HassClimateSetTemperature sends each device, in its own unit: the number said, converted and
 * rounded as above, or its own lowest or highest ("set the heating to the minimum": its min_temp). Null for
 * other intents, or when the sentence gave neither.
 */
export function setPointsFor(match: IntentMatch, devices: readonly IntentDevice[]): Array<{ value: number; scale: 'C' | 'F' }> | null {
  if (match.intent !== 'HassClimateSetTemperature') return null;
  const t = match.slots.temperature;
  const setting = match.slots.setting;
  if (typeof t === 'number') return devices.map((d) => deviceTemperature(d, t, match.slots.unit));
  if (setting !== 'min' && setting !== 'max') return null;
  return devices.map((d) => ({ value: temperatureRange(d)[setting === 'min' ? 0 : 1], scale: temperatureScale(d) }));
}
