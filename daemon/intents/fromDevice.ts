/**
 * Builds the engine's lists from the hub's device registry (devices/model.ts) and config `areas`.
 * Call on start and whenever a device is added, removed or renamed: `engine.setLists(intentLists(...))`.
 */
import type { Device } from '../../devices/model.js';
import { spokenNames, type SpokenName } from './spokenNames.js';
import { MODE_KINDS } from './deviceModes.js';
import { HA_DEFAULTS } from '../../devices/defaults.js';
import type { IntentArea, IntentDevice, IntentFloor, IntentLists } from './types.js';

/**
 * `spoken`: the names people say for a discovered device (spokenNames.ts): replies use its short name,
 * and the name as announced stays an alias.
 */
export function intentDevice(device: Device, spoken?: SpokenName): IntentDevice {
  const m = device.mqtt;
  const name = spoken?.name ?? device.name;
  const aliases = spoken ? [...device.aliases, ...spoken.aliases.filter((a) => a !== name), ...(name !== device.name ? [device.name] : [])] : device.aliases;
  const area = device.area ?? spoken?.area;
  return {
    id: device.id,
    name,
    aliases,
    ...(area ? { area } : {}),
    ...(device.floor ? { floor: device.floor } : {}),
    type: device.type,
    capabilities: device.capabilities,
    ...(m?.deviceClass ? { deviceClass: m.deviceClass } : {}),
    ...(m?.unit ? { unit: m.unit } : {}),
    ...(m?.minTemp !== undefined ? { minTemp: m.minTemp } : {}),
    ...(m?.maxTemp !== undefined ? { maxTemp: m.maxTemp } : {}),
    ...(m?.tempStep !== undefined ? { tempStep: m.tempStep } : {}),
    ...(m?.minHumidity !== undefined ? { minHumidity: m.minHumidity } : {}),
    ...(m?.maxHumidity !== undefined ? { maxHumidity: m.maxHumidity } : {}),
    // A thermostat's `modes` here are its presets (as a fan's); its HVAC modes, fixed words, are `hvacModes`.
    ...(device.type === 'climate' ? climateModes(device) : m?.modes && MODE_KINDS.has(device.type) ? { modes: m.modes } : {}),
    state: device.state,
  };
}

/** A thermostat's HVAC modes (HA's six when it announces none, as HA does) and presets, when it can be set to them. */
function climateModes(device: Device): { hvacModes?: readonly string[]; modes?: readonly string[] } {
  const m = device.mqtt;
  const hvac = device.capabilities.includes('hvac_mode') ? m?.modes ?? HA_DEFAULTS.modes : undefined;
  const presets = device.capabilities.includes('preset_mode') ? m?.presetModes : undefined;
  return { ...(hvac ? { hvacModes: hvac } : {}), ...(presets?.length ? { modes: presets } : {}) };
}

type AreasConfig = Readonly<Record<string, { aliases?: readonly string[]; floor?: string | null }>>;
type FloorsConfig = Readonly<Record<string, { aliases?: readonly string[]; level?: number }>>;

/** `areas: { living_room: { aliases: ["lounge", "客厅"], floor: ground } }` → engine areas. */
export function intentAreas(areas: AreasConfig | undefined): IntentArea[] {
  return Object.entries(areas ?? {}).map(([name, a]) => ({ name, aliases: a.aliases ?? [], ...(a.floor ? { floor: a.floor } : {}) }));
}

/** `floors: { upstairs: { aliases: ["first floor"], level: 1 } }` → engine floors. */
export function intentFloors(floors: FloorsConfig | undefined): IntentFloor[] {
  return Object.entries(floors ?? {}).map(([name, f]) => ({ name, aliases: f.aliases ?? [], level: f.level ?? 0 }));
}

export function intentLists(devices: Iterable<Device>, areas?: AreasConfig, floors?: FloorsConfig): IntentLists {
  const all = [...devices];
  const intentAreaList = intentAreas(areas);
  const spoken = spokenNames(all, intentAreaList.flatMap((a) => [a.name, ...(a.aliases ?? [])]));
  return { devices: all.map((d) => intentDevice(d, spoken.get(d.id))), areas: intentAreaList, floors: intentFloors(floors) };
}
