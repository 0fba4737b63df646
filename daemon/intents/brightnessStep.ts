/**
 * Relative brightness ("a bit brighter", "dim the lamp", 调暗一点): the new level is the light's current
 * brightness moved by BRIGHTNESS_STEP percentage points, read from its state when the command is carried
 * out (never from a cached answer). A light that is off counts as 0 %; going down never turns it off (1 %
 * at least: "dimmer" is not "off"), going up stops at 100 %.
 */
export const BRIGHTNESS_STEP = 20;

export type BrightnessStep = 'up' | 'down';

export function isBrightnessStep(v: unknown): v is BrightnessStep {
  return v === 'up' || v === 'down';
}

/** The level (1–100 %) after one step from the state `{ state, brightness }` (brightness in percent). */
export function steppedBrightness(state: Readonly<Record<string, unknown>> | undefined, step: BrightnessStep): number {
  const on = state?.state === 'on' || state?.state === 'ON' || state?.state === true;
  const raw = state?.brightness;
  const current = !on ? 0 : typeof raw === 'number' && Number.isFinite(raw) ? Math.min(100, Math.max(0, raw)) : 100;
  const next = step === 'up' ? current + BRIGHTNESS_STEP : current - BRIGHTNESS_STEP;
  return Math.round(Math.min(100, Math.max(1, next)));
}
