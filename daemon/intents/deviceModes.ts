/**
 * The modes and presets devices announce themselves (a humidifier's `modes`, a fan's `preset_modes` or Zigbee2MQTT
 * `fan_mode`, a water heater's operation modes, a thermostat's `preset_modes` or Zigbee2MQTT `preset`), as words the sentences can read (`{device_mode}`) and as the one
 * value a device takes. Home Assistant leaves a humidifier's or fan's modes free text ("baby", "Night Mode",
 * "breeze"), so the fixed tables of devices/kinds/modeWords.ts cannot know them all: the live list holds every
 * mode the home's devices have, and a spoken mode is then matched against each device's own list, so "set the
 * humidifier to breeze" never acts on a humidifier that has no such mode.
 */
import { hvacModeOf, modeSynonyms } from '../../devices/kinds/modeWords.js';
import { joinTokens, nameTokens } from './normalize.js';
import type { IntentDevice } from './types.js';

/**
 * The kinds whose announced modes can be said. A thermostat's here are its presets; its HVAC modes are fixed values
 * with fixed words (devices/kinds/modeWords.ts HVAC_MODES), kept apart in `hvacModes`.
 */
export const MODE_KINDS: ReadonlySet<string> = new Set(['fan', 'humidifier', 'water_heater', 'climate']);

/**
 * Bounds of the live list: a discovery message may carry any number of modes of any length. Words past these are
 * left out of the list (the device still takes them from the page or the API).
 */
export const MAX_MODE_WORDS = 256;
const MAX_MODE_TOKENS = 4;
const MAX_MODE_CHARS = 40;
/** Words that are never a mode's spoken name on their own: "set the fan to on" is no preset called "on". */
const NOT_A_MODE = new Set(['on', 'off', 'mode', 'none', 'to', 'and', '开', '关', '模', '式']);

/** A mode as compared: its tokens, without a trailing "mode" / 模式 ("Night Mode", "night_mode" and "night" are one). */
export function modeKey(mode: string): string {
  const tokens = nameTokens(mode);
  if (tokens.length > 1 && tokens[tokens.length - 1] === 'mode') tokens.pop();
  if (tokens.length > 2 && tokens[tokens.length - 2] === '模' && tokens[tokens.length - 1] === '式') tokens.splice(-2, 2);
  return joinTokens(tokens);
}

/**
 * The device's own spelling of a spoken mode: the same words ("night mode" for "Night_Mode"), else a word the tables
 * give the same meaning ("quiet" for a humidifier whose mode is "sleep", "low" for a fan preset "Low"); undefined
 * when the device has no such mode.
 */
export function ownMode(modes: readonly string[] | undefined, said: string): string | undefined {
  if (!modes || modes.length === 0) return undefined;
  const key = modeKey(said);
  const exact = modes.find((m) => modeKey(m) === key);
  if (exact !== undefined) return exact;
  const same = new Set(modeSynonyms(said.toLowerCase()).map(modeKey));
  // A mode the device names in words of the table ("night" for sleep): same meaning, the device's word.
  return modes.find((m) => same.has(modeKey(m)) || modeSynonyms(m.toLowerCase()).map(modeKey).includes(key));
}

/**
 * The spoken forms of every mode of the devices, each with the mode as the first device having it spells it
 * ("heat_pump": the slot's value, which ownMode matches to each device's own spelling): at most MAX_MODE_WORDS,
 * short ones only.
 */
export function modeWords(devices: readonly IntentDevice[]): Array<{ tokens: string[]; key: string; value: string }> {
  const out: Array<{ tokens: string[]; key: string; value: string }> = [];
  const seen = new Set<string>();
  for (const d of devices) {
    if (!MODE_KINDS.has(d.type) || !d.modes) continue;
    for (const mode of d.modes) {
      if (out.length >= MAX_MODE_WORDS) return out;
      if (typeof mode !== 'string' || mode.length > MAX_MODE_CHARS) continue;
      const key = modeKey(mode);
      const tokens = nameTokens(key);
      if (tokens.length === 0 || tokens.length > MAX_MODE_TOKENS || seen.has(key)) continue;
      if (tokens.length === 1 && (NOT_A_MODE.has(tokens[0]) || /^\d+$/.test(tokens[0]))) continue;
      seen.add(key);
      out.push({ tokens, key, value: mode });
    }
  }
  return out;
}

/** What a spoken mode is for one thermostat: an HVAC mode it has ("cooling" → cool), else a preset it has, else nothing. */
export type ClimateModeChoice = { hvac_mode: string } | { preset_mode: string } | undefined;

/**
 * "Set the thermostat to eco / cool / auto": one sentence, two settings. An HVAC mode the device lists comes first
 * (a TRV whose system_mode has "auto" and whose presets have "Auto" runs auto as its mode), then its own preset of
 * that name or meaning (ownMode). Capabilities are checked when the device lists them.
 */
export function climateModeFor(d: IntentDevice, said: string): ClimateModeChoice {
  const can = (c: string) => !d.capabilities || d.capabilities.length === 0 || (d.capabilities as readonly string[]).includes(c);
  const hvac = hvacModeOf(said) ?? hvacModeOf(modeKey(said));
  if (hvac && can('hvac_mode') && (d.hvacModes ?? []).includes(hvac)) return { hvac_mode: hvac };
  const preset = can('preset_mode') ? ownMode(d.modes, said) : undefined;
  return preset !== undefined ? { preset_mode: preset } : undefined;
}

/** Everything a thermostat can be set to by name, for a refusal: its HVAC modes but off, then its presets. */
export function climateModeNames(d: IntentDevice): string[] {
  return [...(d.hvacModes ?? []).filter((m) => m !== 'off'), ...(d.modes ?? [])];
}
