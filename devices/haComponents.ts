import type { Capability, DeviceType, MqttBinding } from './model.js';

/**
 * Per-component reading of a Home Assistant discovery config (keys already expanded to their full names and
 * `~` already replaced): the binding the state parser and command translator need, the capabilities, and
 * the required-topic checks. Field names and defaults follow the HA MQTT integration pages of each platform.
 */

export const SUPPORTED_COMPONENTS: ReadonlySet<string> = new Set<DeviceType>([
  'light', 'switch', 'sensor', 'binary_sensor', 'climate', 'cover', 'lock', 'fan',
]);

export type ComponentResult =
  | { ok: true; binding: MqttBinding; capabilities: Capability[] }
  | { ok: false; code: 'DISCOVERY_INVALID' | 'COMPONENT_UNSUPPORTED'; reason: string };

type Config = Record<string, unknown>;

/** HA accepts payloads as strings, numbers or booleans (`payload_on: false` from Zigbee2MQTT's contact sensor). */
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

function strList(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
}

/** Drops undefined fields so bindings persist small and compare cleanly. */
function compact(b: MqttBinding): MqttBinding {
  // A fresh object, not `delete`: deleting keys turns every binding into a dictionary-mode object (~1 KB each).
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(b)) if (value !== undefined) out[key] = value;
  return out as unknown as MqttBinding;
}

const COLOR_MODES = ['hs', 'xy', 'rgb', 'rgbw', 'rgbww'];
const DIMMABLE_MODES = ['brightness', 'color_temp', 'white', ...COLOR_MODES];

export function readComponent(component: string, c: Config): ComponentResult {
  const b: MqttBinding = {
    schema: 'default',
    commandTopic: str(c.command_topic),
    stateTopic: str(c.state_topic),
    // HA lights and fans call it state_value_template; the other platforms value_template.
    valueTemplate: str(c.value_template) ?? str(c.state_value_template),
    jsonAttributesTopic: str(c.json_attributes_topic),
    jsonAttributesTemplate: str(c.json_attributes_template),
    commandTemplate: str(c.command_template),
  };
  const caps: Capability[] = [];
  const missing = (what: string): ComponentResult => ({ ok: false, code: 'DISCOVERY_INVALID', reason: `${component}: ${what} is required` });
  switch (component) {
    case 'light': {
      const schema = str(c.schema) ?? 'default';
      if (schema === 'template') return { ok: false, code: 'COMPONENT_UNSUPPORTED', reason: 'light: the template schema is not supported' };
      if (!b.commandTopic) return missing('command_topic');
      Object.assign(b, {
        payloadOn: str(c.payload_on), payloadOff: str(c.payload_off),
        brightnessScale: num(c.brightness_scale),
        supportedColorModes: strList(c.supported_color_modes),
      });
      caps.push('onoff');
      const modes = b.supportedColorModes ?? [];
      if (schema === 'json') {
        b.schema = 'json';
        if (c.brightness === true || modes.some((m) => DIMMABLE_MODES.includes(m))) caps.push('brightness');
        if (c.color_temp === true || modes.includes('color_temp')) caps.push('color_temp');
        if (modes.some((m) => COLOR_MODES.includes(m)) || c.rgb === true || c.hs === true || c.xy === true) caps.push('color');
      } else {
        const onType = str(c.on_command_type);
        Object.assign(b, {
          brightnessCommandTopic: str(c.brightness_command_topic), brightnessStateTopic: str(c.brightness_state_topic),
          brightnessValueTemplate: str(c.brightness_value_template), brightnessCommandTemplate: str(c.brightness_command_template),
          onCommandType: onType === 'first' || onType === 'brightness' || onType === 'last' ? onType : undefined,
        });
        if (b.brightnessCommandTopic) caps.push('brightness');
        if (str(c.color_temp_command_topic)) caps.push('color_temp');
        if (str(c.rgb_command_topic) || str(c.hs_command_topic) || str(c.xy_command_topic)) caps.push('color');
      }
      break;
    }
    case 'switch':
      if (!b.commandTopic && !b.stateTopic) return missing('command_topic or state_topic');
      Object.assign(b, { payloadOn: str(c.payload_on), payloadOff: str(c.payload_off), stateOn: str(c.state_on), stateOff: str(c.state_off) });
      caps.push('onoff');
      break;
    case 'fan':
      if (!b.commandTopic) return missing('command_topic');
      Object.assign(b, {
        payloadOn: str(c.payload_on), payloadOff: str(c.payload_off),
        percentageCommandTopic: str(c.percentage_command_topic), percentageStateTopic: str(c.percentage_state_topic),
        percentageValueTemplate: str(c.percentage_value_template), percentageCommandTemplate: str(c.percentage_command_template),
        speedRangeMin: num(c.speed_range_min), speedRangeMax: num(c.speed_range_max),
      });
      caps.push('onoff');
      if (b.percentageCommandTopic) caps.push('fan_speed');
      break;
    case 'sensor':
    case 'binary_sensor':
      if (!b.stateTopic) return missing('state_topic');
      Object.assign(b, { unit: str(c.unit_of_measurement), deviceClass: str(c.device_class), payloadOn: str(c.payload_on), payloadOff: str(c.payload_off) });
      caps.push('measurement');
      break;
    case 'cover':
      Object.assign(b, {
        payloadOpen: str(c.payload_open), payloadClose: str(c.payload_close), payloadStop: str(c.payload_stop),
        stateOpen: str(c.state_open), stateClosed: str(c.state_closed), stateOpening: str(c.state_opening),
        stateClosing: str(c.state_closing), stateStopped: str(c.state_stopped),
        positionTopic: str(c.position_topic), setPositionTopic: str(c.set_position_topic),
        positionTemplate: str(c.position_template), setPositionTemplate: str(c.set_position_template),
        positionOpen: num(c.position_open), positionClosed: num(c.position_closed), deviceClass: str(c.device_class),
      });
      if (!b.commandTopic && !b.setPositionTopic && !b.stateTopic && !b.positionTopic) {
        return missing('one of command_topic, set_position_topic, state_topic, position_topic');
      }
      // `payload_open: null` / `payload_stop: null` switch those commands off (HA cover docs).
      if (b.commandTopic && c.payload_open !== null && c.payload_close !== null) caps.push('open_close');
      if (b.commandTopic && c.payload_stop !== null) caps.push('stop');
      if (b.setPositionTopic) caps.push('position');
      break;
    case 'lock':
      if (!b.commandTopic) return missing('command_topic');
      Object.assign(b, {
        payloadLock: str(c.payload_lock), payloadUnlock: str(c.payload_unlock),
        stateLocked: str(c.state_locked), stateUnlocked: str(c.state_unlocked), stateLocking: str(c.state_locking),
        stateUnlocking: str(c.state_unlocking), stateJammed: str(c.state_jammed),
      });
      caps.push('lock');
      break;
    case 'climate':
      Object.assign(b, {
        temperatureCommandTopic: str(c.temperature_command_topic), temperatureStateTopic: str(c.temperature_state_topic),
        temperatureStateTemplate: str(c.temperature_state_template), temperatureCommandTemplate: str(c.temperature_command_template),
        currentTemperatureTopic: str(c.current_temperature_topic), currentTemperatureTemplate: str(c.current_temperature_template),
        modeCommandTopic: str(c.mode_command_topic), modeStateTopic: str(c.mode_state_topic),
        modeStateTemplate: str(c.mode_state_template), modeCommandTemplate: str(c.mode_command_template),
        modes: strList(c.modes), minTemp: num(c.min_temp), maxTemp: num(c.max_temp), tempStep: num(c.temp_step),
        unit: str(c.temperature_unit),
      });
      if (b.temperatureCommandTopic) caps.push('target_temperature');
      if (b.modeCommandTopic) caps.push('hvac_mode');
      if (b.currentTemperatureTopic) caps.push('current_temperature');
      if (caps.length === 0 && !b.temperatureStateTopic && !b.modeStateTopic) {
        return missing('one of temperature_command_topic, mode_command_topic, current_temperature_topic');
      }
      break;
    default:
      return { ok: false, code: 'COMPONENT_UNSUPPORTED', reason: `component "${component}" is not supported` };
  }
  return { ok: true, binding: compact(b), capabilities: caps };
}

/** Every template field of a binding, so discovery can compile (and reject) them up front. */
export function bindingTemplates(b: MqttBinding): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(b)) {
    if (typeof value === 'string' && /Template$/.test(key)) out.push(value);
  }
  for (const a of b.availability ?? []) if (a.valueTemplate) out.push(a.valueTemplate);
  return out;
}
