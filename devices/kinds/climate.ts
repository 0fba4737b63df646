import type { Capability, Device, DeviceCommand, MqttBinding } from '../model.js';
import { HA_DEFAULTS as D } from '../defaults.js';
import { exposeEnum, exposeNum, exposeStr, missing, num, str, strList, temperatureAndModeTopics } from '../discoveryFields.js';
import { number, numberAt, read } from '../stateReading.js';
import { need, outOfRange, publish, templated, topic, unsupported } from '../commandParts.js';
import { commonCommandFor } from './intentCommands.js';
import type { DeviceKind, IntentSlots } from './kind.js';
import { ON_OFF, SET_TEMPERATURE } from './commonCommands.js';
import { MODE_NAME, type CommandSpecs } from './commandSpec.js';
import { SET_POINT_AND_MODE_CONFIG } from './commonConfig.js';
import { CLIMATE_PRESETS, HVAC_MODES, modeList } from './modeWords.js';
import { listedMode } from './humidifier.js';
import { CLIMATE_SENTENCES } from './climateSentences.js';
import { Type } from '@sinclair/typebox';

/**
 * A climate device (thermostat, TRV, air conditioner): target temperature, HVAC mode, room temperature.
 * State: { current_temperature, target_temperature, hvac_mode, preset_mode }. On/off is a mode: turn_on picks the
 * first of heat/auto/cool the device offers, turn_off is mode "off". Presets (eco, away, boost…) are HA's
 * `preset_modes` on `preset_mode_command_topic` (state on `preset_mode_state_topic`), Zigbee2MQTT's climate
 * `preset` enum; a preset the device does not list is refused, as a mode is.
 */

/**
 * A requested temperature outside min_temp…max_temp is refused with VALUE_OUT_OF_RANGE instead of being
 * clamped: someone asking for 40 °C should hear that the thermostat stops at 30, not find it quietly set to
 * 30. Inside the range the value is rounded to temp_step (HA's default step is 1; TRVs often use 0.5).
 */
export function climateTarget(device: Device, requested: unknown): number {
  const b = device.mqtt;
  const min = b.minTemp ?? D.minTemp;
  const max = b.maxTemp ?? D.maxTemp;
  if (typeof requested !== 'number' || !Number.isFinite(requested) || requested < min || requested > max) {
    throw outOfRange(device, 'temperature', requested, `${min}–${max}`);
  }
  const step = b.tempStep && b.tempStep > 0 ? b.tempStep : D.tempStep;
  const decimals = (String(step).split('.')[1] ?? '').length;
  const rounded = Number((Math.round(requested / step) * step).toFixed(decimals));
  return Math.min(max, Math.max(min, rounded));
}

function hvacMode(device: Device, mode: unknown): string {
  return listedMode(device, mode, device.mqtt.modes ?? D.modes);
}

/** turn_on picks the first of heat/auto/cool the device offers; turn_off is mode "off". */
function onOffMode(device: Device, command: DeviceCommand): string | null {
  const modes = device.mqtt.modes ?? D.modes;
  if (command.command === 'turn_off') return modes.includes('off') ? 'off' : null;
  if (command.command === 'turn_on') return ['heat', 'auto', 'cool'].find((m) => modes.includes(m)) ?? null;
  return null;
}

export const CLIMATE_COMMANDS = {
  ...ON_OFF,
  ...SET_TEMPERATURE,
  set_hvac_mode: { needs: 'hvac_mode', description: 'Set a thermostat\'s mode (off, heat, cool, auto…).', param: { name: 'mode', kind: 'text', schema: MODE_NAME } },
  set_preset_mode: {
    needs: 'preset_mode', description: 'Set a thermostat\'s preset (eco, away, boost, comfort… one it lists).',
    param: { name: 'preset_mode', kind: 'text', schema: MODE_NAME },
  },
} as const satisfies CommandSpecs;

/** A `devices:` thermostat: its set-point topic and range, its modes, and its presets (HA's preset_modes on their topic). */
const CLIMATE_CONFIG = {
  properties: {
    ...SET_POINT_AND_MODE_CONFIG.properties,
    presetModeCommandTopic: Type.Optional(Type.String({ minLength: 1 })),
    presetModes: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 32 }), { maxItems: 32 })),
  },
  topics: [...SET_POINT_AND_MODE_CONFIG.topics, 'presetModeCommandTopic'],
} as const;

/** At most this many modes or presets of at most MAX_MODE_CHARS each are kept: a discovery message may list any number. */
const MAX_MODES = 32;
const MAX_MODE_CHARS = 64;

/** A list of modes as announced, bounded; blank and overlong names (and any `left out`) dropped. */
function modeNames(value: unknown, leftOut?: string): string[] | undefined {
  return strList(value)?.filter((m) => m.trim() !== '' && m.length <= MAX_MODE_CHARS && m.toLowerCase() !== leftOut).slice(0, MAX_MODES);
}

/** HA: `preset_modes` must not hold "none" (it means no preset). */
function presetList(value: unknown): string[] | undefined {
  const list = modeNames(value, 'none');
  return list && list.length > 0 ? list : undefined;
}

function capsOf(b: MqttBinding): Capability[] {
  const caps: Capability[] = [];
  if (b.temperatureCommandTopic) caps.push('target_temperature');
  if (b.modeCommandTopic) caps.push('hvac_mode');
  if (b.presetModeCommandTopic && (b.presetModes?.length ?? 0) > 0) caps.push('preset_mode');
  if (b.currentTemperatureTopic) caps.push('current_temperature');
  return caps;
}

/** A preset the device lists; anything else is VALUE_OUT_OF_RANGE naming the ones it has. */
function listedPreset(device: Device, preset: unknown): string {
  return listedMode(device, preset, device.mqtt.presetModes ?? []);
}

export const climate: DeviceKind<typeof CLIMATE_COMMANDS, typeof CLIMATE_CONFIG['properties']> = {
  commands: CLIMATE_COMMANDS,
  config: CLIMATE_CONFIG,
  readDiscovery(c, b, caps) {
    Object.assign(b, temperatureAndModeTopics(c), {
      modes: modeNames(c.modes), minTemp: num(c.min_temp), maxTemp: num(c.max_temp), tempStep: num(c.temp_step),
      unit: str(c.temperature_unit),
      presetModeCommandTopic: str(c.preset_mode_command_topic), presetModeCommandTemplate: str(c.preset_mode_command_template),
      presetModeStateTopic: str(c.preset_mode_state_topic), presetModeStateTemplate: str(c.preset_mode_value_template),
      presetModes: presetList(c.preset_modes),
    });
    caps.push(...capsOf(b));
    if (caps.length === 0 && !b.temperatureStateTopic && !b.modeStateTopic) {
      return missing('climate', 'one of temperature_command_topic, mode_command_topic, current_temperature_topic');
    }
    return null;
  },

  parseState(device, msg, out) {
    const b = device.mqtt;
    const t = msg.topic;
    if (t === b.currentTemperatureTopic) {
      const n = number(read(b.currentTemperatureTemplate, msg, out), out, 'current temperature');
      if (n !== null) out.set('current_temperature', n);
    }
    if (t === b.temperatureStateTopic) {
      const n = number(read(b.temperatureStateTemplate, msg, out), out, 'target temperature');
      if (n !== null) out.set('target_temperature', n);
    }
    if (t === b.modeStateTopic) {
      const mode = read(b.modeStateTemplate, msg, out);
      if (mode) out.set('hvac_mode', mode);
    }
    if (t === b.presetModeStateTopic) {
      const preset = read(b.presetModeStateTemplate, msg, out);
      if (preset && preset.length <= MAX_MODE_CHARS) out.set('preset_mode', preset);
      else if (preset) out.fail('VALUE_INVALID', `preset longer than ${MAX_MODE_CHARS} characters`);
    }
  },

  parseZigbee2Mqtt(device, json, out) {
    const z = device.mqtt.z2m!;
    const target = numberAt(json, z.setpointProperty);
    if (target !== null) out.set('target_temperature', target);
    const current = numberAt(json, z.localTemperatureProperty);
    if (current !== null) out.set('current_temperature', current);
    const mode = z.systemModeProperty ? json[z.systemModeProperty] : undefined;
    if (typeof mode === 'string') out.set('hvac_mode', mode);
    const preset = z.presetProperty ? json[z.presetProperty] : undefined;
    if (typeof preset === 'string' && preset.length <= MAX_MODE_CHARS) out.set('preset_mode', preset);
  },

  translate(device, command) {
    const b = device.mqtt;
    if (command.command === 'set_temperature') {
      need(device, 'target_temperature', 'set_temperature');
      const t = climateTarget(device, command.params?.temperature);
      return [publish(topic(device, b.temperatureCommandTopic, 'set_temperature'), templated(device, b.temperatureCommandTemplate, t))];
    }
    if (command.command === 'set_preset_mode') {
      need(device, 'preset_mode', 'set_preset_mode');
      const preset = listedPreset(device, command.params?.preset_mode);
      return [publish(topic(device, b.presetModeCommandTopic, 'set_preset_mode'), templated(device, b.presetModeCommandTemplate, preset))];
    }
    const mode = command.command === 'set_hvac_mode' ? command.params?.mode : onOffMode(device, command);
    if (mode === null || (command.command !== 'set_hvac_mode' && command.command !== 'turn_on' && command.command !== 'turn_off')) {
      throw unsupported(device, command.command);
    }
    need(device, 'hvac_mode', command.command);
    return [publish(topic(device, b.modeCommandTopic, command.command), templated(device, b.modeCommandTemplate, hvacMode(device, mode)))];
  },

  translateZigbee2Mqtt(device, command, send) {
    const z = device.mqtt.z2m!;
    if (command.command === 'set_temperature') {
      need(device, 'target_temperature', 'set_temperature');
      return send({ [z.setpointProperty!]: climateTarget(device, command.params?.temperature) });
    }
    if (command.command === 'set_preset_mode') {
      need(device, 'preset_mode', 'set_preset_mode');
      if (!z.presetProperty) throw unsupported(device, command.command);
      return send({ [z.presetProperty]: listedPreset(device, command.params?.preset_mode) });
    }
    const mode = command.command === 'set_hvac_mode' ? command.params?.mode : onOffMode(device, command);
    if (mode === null || !z.systemModeProperty || !['set_hvac_mode', 'turn_on', 'turn_off'].includes(command.command)) {
      throw unsupported(device, command.command);
    }
    need(device, 'hvac_mode', command.command);
    return send({ [z.systemModeProperty]: hvacMode(device, mode) });
  },

  readZigbee2MqttExpose(x, b) {
    const caps: Capability[] = [];
    const setpoint = x.feature('occupied_heating_setpoint', 'current_heating_setpoint', 'occupied_cooling_setpoint');
    if (setpoint) {
      b.z2m.setpointProperty = exposeStr(setpoint.property);
      Object.assign(b, { minTemp: exposeNum(setpoint.value_min), maxTemp: exposeNum(setpoint.value_max), tempStep: exposeNum(setpoint.value_step), unit: exposeStr(setpoint.unit) });
      if (x.settable(setpoint)) caps.push('target_temperature');
    }
    const local = x.feature('local_temperature');
    if (local) {
      b.z2m.localTemperatureProperty = exposeStr(local.property);
      caps.push('current_temperature');
    }
    const mode = x.feature('system_mode');
    if (mode) {
      b.z2m.systemModeProperty = exposeStr(mode.property);
      b.modes = Array.isArray(mode.values) ? exposeEnum(mode.values) : undefined;
      if (x.settable(mode)) caps.push('hvac_mode');
    }
    const preset = x.feature('preset');
    const presets = preset ? presetList(exposeEnum(preset.values)) : undefined;
    if (preset && presets) {
      b.z2m.presetProperty = exposeStr(preset.property);
      b.presetModes = presets;
      if (x.settable(preset)) caps.push('preset_mode');
    }
    return caps;
  },

  /** A climate entry's stateTopic reports the room temperature. */
  configBinding(e, b) {
    if (!e.stateTopic) return;
    b.currentTemperatureTopic = e.stateTopic;
    b.currentTemperatureTemplate = e.valueTemplate;
    delete b.stateTopic;
    delete b.valueTemplate;
  },

  configCapabilities: (_e, b) => capsOf(b),

  extraTopics(b) {
    return { state: [b.presetModeStateTopic], command: [b.presetModeCommandTopic] };
  },

  defaultIntents: ['HassClimateSetTemperature', 'HassClimateGetTemperature', 'HassClimateSetMode'],
  stateWords: ['on', 'off'],
  intents: ['HassClimateSetMode'],
  /**
   * "Set the thermostat to cool / eco": daemon/intents/deviceSlots.ts hands each thermostat an `hvac_mode` it has or
   * a `preset_mode` it has (deviceModes.ts climateModeFor); the sentence's `mode` alone sends nothing.
   */
  commandFor(intent: string, slots: IntentSlots): DeviceCommand | null {
    if (intent === 'HassClimateSetMode') {
      if (typeof slots.hvac_mode === 'string') return { command: 'set_hvac_mode', params: { mode: slots.hvac_mode } };
      if (typeof slots.preset_mode === 'string') return { command: 'set_preset_mode', params: { preset_mode: slots.preset_mode } };
      return null;
    }
    return commonCommandFor(intent, slots);
  },
  typeWords: [{
    en: ['thermostat', 'heating', 'heater', 'radiator', 'ac', 'air conditioner', 'air conditioning', 'aircon',
      'air con', 'hvac', 'heat pump', 'climate'],
    enPlural: ['thermostats', 'heaters', 'radiators', 'air conditioners', 'heat pumps'],
    zh: ['空调', '温控器', '恒温器', '暖气', '地暖', '取暖器', '冷气'],
  }],
  noun: { en: 'thermostats', zh: '空调' },
  lists: { hvac_mode: modeList(HVAC_MODES), climate_preset: modeList(CLIMATE_PRESETS) },
  sentences: CLIMATE_SENTENCES,
  replies: {
    en: { set_hvac_mode: 'Set {target} to {mode} mode.', set_preset_mode: 'Set {target} to {mode} mode.', mode_is: '{Target} is in {mode} mode.', preset_is: '{Target} is in {mode} mode, preset {preset}.' },
    zh: { set_hvac_mode: '已将{target}切换到{mode}模式。', set_preset_mode: '已将{target}切换到{mode}模式。', mode_is: '{target}现在是{mode}模式。', preset_is: '{target}现在是{mode}模式，预设为{preset}。' },
  },
};
