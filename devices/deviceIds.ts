/**
 * Ids a device may not have. Devices are persisted in `devices.json` as an object keyed by id, and an id
 * such as `__proto__` is a name every JavaScript object already answers to: assigning it sets the object's
 * prototype instead of adding an entry, so the device was listed while running and missing from the file.
 * The maps on this path are Maps or null-prototype objects now; the ids are refused as well, because other
 * tools read devices.json and HA entity ids with these names help no one.
 */
const RESERVED_IDS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export function isReservedId(id: string): boolean {
  return RESERVED_IDS.has(id);
}
