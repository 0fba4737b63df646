/** Reading Home Assistant discovery fields: HA accepts payloads as strings, numbers or booleans. */

/** A string field (`payload_on: false` from Zigbee2MQTT's contact sensor reads "false"). */
export function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

export function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

export function strList(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
}

/** A Zigbee2MQTT expose's string field; '' counts as absent. */
export function exposeStr(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function exposeNum(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** The refusal of a discovery config that lacks a required field. */
export function missing(component: string, what: string): { code: 'DISCOVERY_INVALID'; reason: string } {
  return { code: 'DISCOVERY_INVALID', reason: `${component}: ${what} is required` };
}
