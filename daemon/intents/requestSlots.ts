/**
 * A match's slots as plugins receive them (plugins/sdk/intents.ts `SlotValue`: text, numbers, booleans and
 * lists of them): `name` is the spoken name, `area` the area's name, `type` the device type, `devices` the
 * resolved device ids.
 */
import type { IntentMatch, Resolution } from './types.js';

export type RequestSlotValue = string | number | boolean | readonly (string | number)[];

export function toRequestSlots(match: IntentMatch, resolution?: Resolution): Record<string, RequestSlotValue> {
  const out: Record<string, RequestSlotValue> = {};
  for (const [key, value] of Object.entries(match.slots)) {
    if (value === undefined || value === null) continue;
    if (key === 'name' && typeof value === 'object') out.name = (value as { text: string }).text;
    else if (key === 'area' && typeof value === 'object') out.area = (value as { name: string }).name;
    else if (key === 'type' && typeof value === 'object') {
      const t = value as { domains: string[]; text: string };
      out.type = t.domains[0];
      out.type_word = t.text;
    } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[key] = value;
  }
  if (resolution && !('error' in resolution)) {
    out.devices = resolution.devices.map((d) => d.id);
    if (resolution.area && out.area === undefined) out.area = resolution.area;
  }
  return out;
}
