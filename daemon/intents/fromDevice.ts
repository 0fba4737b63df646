/**
 * Builds the engine's lists from the hub's device registry (devices/model.ts) and config `areas`.
 * Call on start and whenever a device is added, removed or renamed: `engine.setLists(intentLists(...))`.
 */
import type { Device } from '../../devices/model.js';
import type { IntentArea, IntentDevice, IntentLists } from './types.js';

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
    ...(m?.tempStep !== undefined ? { tempStep: m.tempStep } : {}),
    state: device.state,
  };
}

/** `areas: { living_room: { aliases: ["lounge", "客厅"] } }` → engine areas. */
export function intentAreas(areas: Readonly<Record<string, { aliases?: readonly string[] }>> | undefined): IntentArea[] {
  return Object.entries(areas ?? {}).map(([name, a]) => ({ name, aliases: a.aliases ?? [] }));
}

export function intentLists(devices: Iterable<Device>, areas?: Readonly<Record<string, { aliases?: readonly string[] }>>): IntentLists {
  return { devices: [...devices].map(intentDevice), areas: intentAreas(areas) };
}
