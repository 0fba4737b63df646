/**
 * Types of the local intent engine. The engine is pure: text in, a typed match out; no I/O, no imports
 * from voice, plugins or MQTT. Intent names follow Home Assistant's (`HassTurnOn`, `HassLightSet`…).
 */
import type { DeviceType, Capability } from '../../devices/model.js';

export type { DeviceType, Capability };

/** Languages with built-in sentences. Plugins may add sentences for these. */
export type Lang = 'en' | 'zh';
export const LANGS: readonly Lang[] = ['en', 'zh'];

/** What the engine needs to know of a device: a projection of devices/model.ts `Device`. */
export interface IntentDevice {
  id: string;
  name: string;
  aliases: readonly string[];
  area?: string;
  /** A floor key set on the device itself (`voicehub devices set --floor`): goes before its area's floor. */
  floor?: string;
  type: DeviceType;
  /** When known, commands a device cannot take are refused (DEVICE_UNSUPPORTED) instead of sent. */
  capabilities?: readonly Capability[];
  /** Home Assistant device class (`temperature`, `humidity`, `door`…): answers "what's the humidity". */
  deviceClass?: string;
  unit?: string;
  /** Climate set-point limits announced by the device (HA `min_temp` / `max_temp`). */
  minTemp?: number;
  maxTemp?: number;
  /** Set-point step (HA `temp_step`): a set-point is rounded to it, and the reply says the rounded value. */
  tempStep?: number;
  /** Humidifier target range in % (HA `min_humidity` / `max_humidity`, 0–100 when it announces none). */
  minHumidity?: number;
  maxHumidity?: number;
  /**
   * The modes a humidifier or water heater takes (HA `modes`), a fan's or thermostat's presets (`preset_modes`,
   * Zigbee2MQTT `fan_mode` / climate `preset`).
   */
  modes?: readonly string[];
  /** A thermostat's HVAC modes (HA climate `modes`, HA's six by default; Zigbee2MQTT `system_mode`). */
  hvacModes?: readonly string[];
  /** Last known state; only read when rendering answers to state queries. */
  state?: Readonly<Record<string, unknown>>;
}

/** A room from config `areas.<name>` (or only named by a device's `area`). */
export interface IntentArea {
  name: string;
  aliases?: readonly string[];
  /** The floor's key (`floors:` in the config). */
  floor?: string | null;
}

export interface IntentFloor {
  name: string;
  aliases?: readonly string[];
  level?: number;
}

/** `{floor}` slot: the floors a spoken floor word means ("upstairs" may be several) and the words said. */
export interface FloorSlot {
  ids: string[];
  text: string;
}

export interface IntentLists {
  devices: readonly IntentDevice[];
  areas?: readonly IntentArea[];
  floors?: readonly IntentFloor[];
}

/** `{name}` slot: the spoken name and the devices answering to it. */
export interface NameSlot {
  /** The name as matched (normalised). */
  text: string;
  /** Devices whose name or alias is exactly this. */
  ids: string[];
  /** Devices whose name is this once the area word is taken off ("Bedroom Lamp" → "lamp"). */
  weakIds: string[];
  /**
   * Set when the name is also a type word ("lamp", "灯"): a device called "Bedroom Lamp" answers to "lamp",
   * but "the lamp" in a room without such a device still means that room's lights.
   */
  typeWord?: TypeSlot;
  /** Set in the unknown-name pass: no device is called this ("turn on the moon"). */
  unknown?: boolean;
  /** A device has this name but cannot do what the sentence asks (a sensor told to turn on). */
  unsupported?: boolean;
}

export interface AreaSlot {
  /** The area's key (normalised canonical name): compare with `IntentDevice.area` through the engine. */
  id: string;
  /** The canonical area name, as configured. */
  name: string;
}

export interface TypeSlot {
  /** The device types the word can mean ("door" → lock or cover), narrowed by the sentence. */
  domains: DeviceType[];
  plural: boolean;
  /** The word as spoken ("lamps", "灯"). */
  text: string;
  /** For covers and sensors: doors, windows or shades (see sentences/lists.ts). */
  kind?: 'door' | 'window' | 'shade';
}

/** Slots of a match. Numbers are plain numbers in the unit named by the slot (percent, °C, seconds). */
export interface MatchSlots {
  name?: NameSlot;
  area?: AreaSlot;
  /** "upstairs", "on the first floor", "二楼". */
  floor?: FloorSlot;
  /** "in here", "这里": the session's area. */
  here?: boolean;
  type?: TypeSlot;
  /** The device type the sentence implies ("open" → cover, "lock" → lock, "set the temperature" → climate). */
  domain?: DeviceType;
  /** "all the lights", "所有的灯". */
  all?: boolean;
  /** "are any lights on". */
  any?: boolean;
  /** Expected state in a yes/no question: on, off, open, closed, locked, unlocked. */
  state?: string;
  /** Measurement asked for: temperature, humidity, pressure, co2, battery, power, illuminance. */
  measurement?: string;
  brightness?: number;
  position?: number;
  percentage?: number;
  temperature?: number;
  /** 'F' when the temperature was said in Fahrenheit; Celsius otherwise. */
  unit?: 'C' | 'F';
  /** Seconds. */
  duration?: number;
  [slot: string]: unknown;
}

export interface IntentMatch {
  intent: string;
  lang: Lang;
  slots: MatchSlots;
  /** The utterance as given. */
  text: string;
  /** The normalised tokens, joined (Han characters unspaced). */
  normalized: string;
  /** Who added the sentence: 'builtin' or a plugin id. */
  owner: string;
  /** True when a device name was not recognised (`slots.name.unknown`): the caller may prefer a fallback. */
  partial?: boolean;
  /** `MatchOptions.area`, used by `resolve` when no other session area is given. */
  sessionArea?: string;
}

export interface MatchOptions {
  /** Language of the utterance; detected from the script when absent (any Han character → zh). */
  lang?: string;
  /** The session's area (from the client's token or hello); kept on the match for `resolve` ("in here"). */
  area?: string;
  /** Only these intents may match (for example the ones a plugin handles). */
  intents?: ReadonlySet<string>;
}

/**
 * A group of sentences of one intent, as in Home Assistant's intent files: shared fixed slots and the
 * device types the target must have (hassil's `slots:` and `requires_context: domain`).
 */
export interface SentenceBlock {
  sentences: readonly string[];
  /** Fixed slot values this block sets (`{ domain: 'cover' }`, `{ position: 50 }`). */
  slots?: Readonly<Record<string, unknown>>;
  /** The target (named device or type word) must be one of these types; other readings are rejected. */
  domains?: readonly DeviceType[];
  /** A device name nobody has may match here in the second pass, to answer "I don't know a device called X". */
  unknownNames?: boolean;
}

/** A list value: the spoken form and the value it stands for (hassil's `in`/`out`). */
export type ListValue = string | readonly [spoken: string, value: unknown];

/** One language's sentence data: expansion rules and blocks per intent. */
export interface LangSentences {
  lang: Lang;
  /** `<rule>` expansions, themselves templates. */
  rules: Readonly<Record<string, string>>;
  intents: Readonly<Record<string, readonly SentenceBlock[]>>;
}

export type ResolveErrorCode = 'DEVICE_NOT_FOUND' | 'DEVICE_AMBIGUOUS' | 'DEVICE_UNSUPPORTED' | 'VALUE_OUT_OF_RANGE';

export interface ResolveError {
  error: ResolveErrorCode;
  /**
   * Which case: `name` (no device called that), `area` (nothing of that type there), `type` (no such devices),
   * `here` (no session area), `room` (a question needs a room), `value` (a number out of range).
   */
  reason: 'name' | 'area' | 'type' | 'here' | 'room' | 'value' | 'capability' | 'mode';
  /** The spoken name or type word. */
  name?: string;
  area?: string;
  type?: TypeSlot;
  candidates?: IntentDevice[];
  /** For `room`: the areas the candidates are in. */
  areas?: string[];
  slot?: string;
  value?: number;
  min?: number;
  max?: number;
  /** For `mode`: the mode asked for and the ones the device has. */
  mode?: string;
  modes?: readonly string[];
  /** The unit of value, min and max when it is a device's own (a thermostat's °C or °F). */
  unit?: 'C' | 'F';
}

export interface ResolveSuccess {
  devices: IntentDevice[];
  /** How the target was chosen; replies word themselves after it. */
  scope: 'none' | 'name' | 'area' | 'here' | 'all' | 'type';
  /** The area the target was limited to (canonical name). */
  area?: string;
  /** Two areas named in one command ("the kitchen and the hallway lights"), each canonical. */
  areas?: string[];
}

export type Resolution = ResolveSuccess | ResolveError;

export function isResolveError(r: Resolution): r is ResolveError {
  return 'error' in r;
}
