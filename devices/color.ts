import cssColors from 'color-name';

/**
 * Light colour in the hub's terms and in each convention's: CSS colour names (the `color-name` table), white
 * by colour temperature, and the conversions HA's JSON and default schemas and Zigbee2MQTT take (rgb, hs,
 * xy; mireds or kelvin). Pure functions; the light kind (devices/kinds/light.ts) calls them.
 */

export type Rgb = readonly [number, number, number];

/** Whites people name, by colour temperature in kelvin. */
export const WHITES: Readonly<Record<string, number>> = {
  warm_white: 2700, soft_white: 3000, neutral_white: 4000, cool_white: 5000, daylight: 6500,
};

/** HA's defaults when a light announces no range (153–500 mireds, about 6500–2000 K). */
export const DEFAULT_MIN_MIREDS = 153;
export const DEFAULT_MAX_MIREDS = 500;

/** A CSS colour keyword's RGB ("red", "lightblue"); undefined for any other name, whatever Object.prototype holds. */
export function cssRgb(name: string): Rgb | undefined {
  const key = name.replace(/[\s_-]+/g, '').toLowerCase();
  return Object.hasOwn(cssColors, key) ? cssColors[key] : undefined;
}

export function cssNames(): string[] {
  return Object.keys(cssColors);
}

export const kelvinToMireds = (k: number): number => Math.round(1_000_000 / k);
export const miredsToKelvin = (m: number): number => Math.round(1_000_000 / m);

/** [hue 0–360, saturation 0–100] as HA's hs_command_topic and JSON `color.h/s` take them. */
export function rgbToHs([r, g, b]: Rgb): [number, number] {
  const max = Math.max(r, g, b) / 255;
  const min = Math.min(r, g, b) / 255;
  const d = max - min;
  let h = 0;
  if (d > 0) {
    const [R, G, B] = [r / 255, g / 255, b / 255];
    if (max === R) h = ((G - B) / d) % 6;
    else if (max === G) h = (B - R) / d + 2;
    else h = (R - G) / d + 4;
    h *= 60;
    if (h < 0) h += 360;
  }
  const s = max === 0 ? 0 : (d / max) * 100;
  return [Math.round(h * 10) / 10, Math.round(s * 10) / 10];
}

/** CIE 1931 [x, y] of an sRGB colour (Philips Hue's wide-gamut formula, as HA's color_RGB_to_xy). */
export function rgbToXy([r, g, b]: Rgb): [number, number] {
  const lin = (c: number) => { const v = c / 255; return v > 0.04045 ? ((v + 0.055) / 1.055) ** 2.4 : v / 12.92; };
  const [R, G, B] = [lin(r), lin(g), lin(b)];
  const X = R * 0.664511 + G * 0.154324 + B * 0.162028;
  const Y = R * 0.283881 + G * 0.668433 + B * 0.047685;
  const Z = R * 0.000088 + G * 0.07231 + B * 0.986039;
  const sum = X + Y + Z;
  if (sum === 0) return [0, 0];
  return [Math.round((X / sum) * 10_000) / 10_000, Math.round((Y / sum) * 10_000) / 10_000];
}

export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
