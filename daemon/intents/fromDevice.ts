/**
 * Builds the engine's lists from the hub's device registry (devices/model.ts) and config `areas`.
 * Call on start and whenever a device is added, removed or renamed: `engine.setLists(intentLists(...))`.
 */
import type { Device } from '../../devices/model.js';
import type { IntentArea, IntentDevice, IntentFloor, IntentLists } from './types.js';

export function intentDevice(device: Device): IntentDevice {
  const m = device.mqtt;
  return {
    id: device.id,
    name: device.name,
    aliases: device.aliases,
    ...(device.area ? { area: device.area } : {}),
    type: device.type,
    capabilities: device.capabilities,
    ...(m?.deviceClass ? { deviceClass: m.deviceClass } : {}),
    ...(m?.unit ? { unit: m.unit } : {}),
    ...(m?.minTemp !== undefined ? { minTemp: m.minTemp } : {}),
    ...(m?.maxTemp !== undefined ? { maxTemp: m.maxTemp } : {}),
    state: device.state,
  };
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
  return { devices: [...devices].map(intentDevice), areas: intentAreas(areas), floors: intentFloors(floors) };
}
