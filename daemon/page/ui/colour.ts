// Colour for the page's light controls: pure functions, unit-tested in test/unit/page/uiHelpers.test.ts.
/**
 * A light's colour temperature in kelvin. Lights report mireds (153–500) unless they announced
 * `color_temp_kelvin`; no light reports fewer than 1000 K, so the value says which it is.
 */
export function kelvinOf(value: unknown): number | null {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return null;
  return Math.round(value >= 1000 ? value : 1_000_000 / value);
}

/** `#rrggbb` (what `<input type="color">` takes) from a reported `{r,g,b}` or `[r,g,b]`; white when unknown. */
export function colourHex(value: unknown): string {
  const c = Array.isArray(value) ? value : value && typeof value === 'object' ? [(value as Record<string, unknown>).r, (value as Record<string, unknown>).g, (value as Record<string, unknown>).b] : [];
  if (c.length !== 3 || !c.every((x) => typeof x === 'number' && x >= 0 && x <= 255)) return '#ffffff';
  return `#${(c as number[]).map((x) => Math.round(x).toString(16).padStart(2, '0')).join('')}`;
}

/** `#rrggbb` → [r, g, b], the `rgb` param of `set_color`. */
export function hexToRgb(hex: string): [number, number, number] {
  const n = /^#([0-9a-f]{6})$/i.exec(hex) ? parseInt(hex.slice(1), 16) : 0xffffff;
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}
