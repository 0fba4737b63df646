/**
 * Conversions between the hub's terms (brightness, position and fan speed as percentages 0–100) and each
 * device's own scale. Shared by the state parser and the command translator so both directions agree.
 */

const clampPct = (n: number) => Math.min(100, Math.max(0, n));

/** HA light `brightness_scale` (default 255): device value → percent. */
export function brightnessToPercent(raw: number, scale: number): number {
  return clampPct(Math.round((raw / scale) * 100));
}

/** Percent → device brightness; any non-zero percent gives at least 1 so "1 %" does not switch the light off. */
export function percentToBrightness(pct: number, scale: number): number {
  if (pct <= 0) return 0;
  return Math.max(1, Math.round((pct / 100) * scale));
}

/** HA cover `position_open` / `position_closed` (defaults 100 / 0), which may be reversed. */
export function positionToPercent(raw: number, open: number, closed: number): number {
  if (open === closed) return 0;
  return clampPct(Math.round(((raw - closed) / (open - closed)) * 100));
}

export function percentToPosition(pct: number, open: number, closed: number): number {
  return Math.round(closed + ((open - closed) * pct) / 100);
}

/**
 * HA fan `speed_range_min`/`speed_range_max` (defaults 1/100), as homeassistant/util/percentage.py maps them:
 * value → percent is `(value - (min - 1)) * 100 // states`, percent → value is `ceil(states * pct / 100 + min - 1)`.
 */
export function rangedToPercent(value: number, min: number, max: number): number {
  const states = max - min + 1;
  return clampPct(Math.floor(((value - (min - 1)) * 100) / states));
}

export function percentToRanged(pct: number, min: number, max: number): number {
  const states = max - min + 1;
  return Math.min(max, Math.ceil((states * pct) / 100 + (min - 1)));
}

/** An ordered list of speeds (Zigbee2MQTT fan modes): the item's upper bound, as HA's ordered-list helper. */
export function orderedItemToPercent(list: readonly string[], item: string): number | null {
  const index = list.indexOf(item);
  if (index < 0) return null;
  return Math.floor(((index + 1) * 100) / list.length);
}

/** The first item whose upper bound reaches the percent, so no non-zero request is silently "off". */
export function percentToOrderedItem(list: readonly string[], pct: number): string | undefined {
  for (let i = 0; i < list.length; i++) {
    if (pct <= Math.floor(((i + 1) * 100) / list.length)) return list[i];
  }
  return list[list.length - 1];
}

const NUMERIC = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** A rendered value as a number, or null when it is not one ("21.5" → 21.5, "" → null, "abc" → null). */
export function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string') return null;
  const text = value.trim();
  // "1e309" is numeric text but no number a device means (Infinity would be stored, and saved as null).
  const n = NUMERIC.test(text) ? Number(text) : Number.NaN;
  return Number.isFinite(n) ? n : null;
}

/**
 * Whether a payload equals a configured payload. Exact first; then case-insensitively, because HA renders
 * Python booleans as "True"/"False" while nunjucks renders "true"/"false" and discovery configs mix both.
 */
export function samePayload(value: string, expected: string | boolean | number | undefined): boolean {
  if (expected === undefined) return false;
  const want = String(expected);
  return value === want || value.toLowerCase() === want.toLowerCase();
}
