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

/**
 * Bounds on what is copied from a bridge payload into a device (which is persisted, compared on every update
 * and sent back in commands): real property names and enum values are a few words, value_on/value_off a word
 * or a boolean. A longer string, an object or an array is not a value Zigbee2MQTT sends; it is dropped.
 */
export const MAX_Z2M_STRING_CHARS = 128;
export const MAX_Z2M_VALUE_CHARS = 64;
export const MAX_Z2M_ENUM_VALUES = 64;

/** A Zigbee2MQTT expose's string field (a property name, label, unit); '' or an overlong one counts as absent. */
export function exposeStr(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' && v.length <= MAX_Z2M_STRING_CHARS ? v : undefined;
}

/** A value Zigbee2MQTT sends as a word (value_toggle, an enum value). */
export function exposeShortStr(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' && v.length <= MAX_Z2M_VALUE_CHARS ? v : undefined;
}

/** `value_on` / `value_off`: a short string, a finite number or a boolean (a contact's value_on is false). */
export function exposeScalar(v: unknown): string | number | boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  return typeof v === 'string' && v.length <= MAX_Z2M_VALUE_CHARS ? v : undefined;
}

/** An enum expose's `values`: its short strings, at most MAX_Z2M_ENUM_VALUES of them. */
export function exposeEnum(values: unknown): string[] {
  const out: string[] = [];
  if (!Array.isArray(values)) return out;
  for (const v of values) {
    if (out.length >= MAX_Z2M_ENUM_VALUES) break;
    const s = exposeShortStr(v);
    if (s !== undefined) out.push(s);
  }
  return out;
}

export function exposeNum(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** The refusal of a discovery config that lacks a required field. */
export function missing(component: string, what: string): { code: 'DISCOVERY_INVALID'; reason: string } {
  return { code: 'DISCOVERY_INVALID', reason: `${component}: ${what} is required` };
}

/**
 * The target-temperature, current-temperature and mode topics with their templates: the same keys in Home
 * Assistant's MQTT climate and water heater schemas.
 */
export function temperatureAndModeTopics(c: Record<string, unknown>): {
  temperatureCommandTopic?: string; temperatureCommandTemplate?: string; temperatureStateTopic?: string; temperatureStateTemplate?: string;
  currentTemperatureTopic?: string; currentTemperatureTemplate?: string;
  modeCommandTopic?: string; modeCommandTemplate?: string; modeStateTopic?: string; modeStateTemplate?: string;
} {
  return {
    temperatureCommandTopic: str(c.temperature_command_topic), temperatureCommandTemplate: str(c.temperature_command_template),
    temperatureStateTopic: str(c.temperature_state_topic), temperatureStateTemplate: str(c.temperature_state_template),
    currentTemperatureTopic: str(c.current_temperature_topic), currentTemperatureTemplate: str(c.current_temperature_template),
    modeCommandTopic: str(c.mode_command_topic), modeCommandTemplate: str(c.mode_command_template),
    modeStateTopic: str(c.mode_state_topic), modeStateTemplate: str(c.mode_state_template),
  };
}
