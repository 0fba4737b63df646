/**
 * The device model every part of the hub shares. devices/ knows MQTT topics and payload conventions and
 * nothing of voice, sessions or plugins.
 */
import type { Capability, DeviceCommand, DeviceCommandName, DeviceType } from './kinds/index.js';

/** The kinds of device, derived from the table in devices/kinds/index.ts. */
export type { DeviceType };

export type DeviceSource = 'ha-discovery' | 'zigbee2mqtt' | 'config';

/**
 * What a device can be told or asked; the intent engine and the device plugin read these. Derived from the
 * kinds: the capability each command they declare needs, and the reading-only ones (kinds/commonCommands.ts).
 */
export type { Capability };

/**
 * How to talk to one entity over MQTT: the discovery (or Zigbee2MQTT, or config) fields that the command
 * translator and state parser need, in camelCase and with `~` already expanded.
 */
export interface MqttBinding {
  /** 'json' for Home Assistant's JSON-schema lights and Zigbee2MQTT devices; 'default' otherwise. */
  schema: 'default' | 'json';
  commandTopic?: string;
  stateTopic?: string;
  valueTemplate?: string;
  jsonAttributesTopic?: string;
  jsonAttributesTemplate?: string;
  payloadOn?: string;
  payloadOff?: string;
  stateOn?: string;
  stateOff?: string;
  brightnessCommandTopic?: string;
  brightnessStateTopic?: string;
  brightnessValueTemplate?: string;
  brightnessScale?: number;
  /** Cover */
  payloadOpen?: string;
  payloadClose?: string;
  payloadStop?: string;
  stateOpen?: string;
  stateClosed?: string;
  positionTopic?: string;
  setPositionTopic?: string;
  positionOpen?: number;
  positionClosed?: number;
  /** Lock */
  payloadLock?: string;
  payloadUnlock?: string;
  stateLocked?: string;
  stateUnlocked?: string;
  /** Climate */
  temperatureCommandTopic?: string;
  temperatureStateTopic?: string;
  currentTemperatureTopic?: string;
  currentTemperatureTemplate?: string;
  modeCommandTopic?: string;
  modeStateTopic?: string;
  modes?: string[];
  minTemp?: number;
  maxTemp?: number;
  tempStep?: number;
  /** Fan */
  percentageCommandTopic?: string;
  percentageStateTopic?: string;
  speedRangeMin?: number;
  speedRangeMax?: number;
  /** Sensors */
  unit?: string;
  deviceClass?: string;
  /** Availability topics and `availability_mode` (HA's default is 'latest': the last message on any topic decides). */
  availability?: AvailabilityBinding[];
  availabilityMode?: 'all' | 'any' | 'latest';
  /** Zigbee2MQTT: the friendly name and, for multi-endpoint devices, the property names of this entity. */
  z2mProperty?: string;
  // Added by the device layer (HA discovery fields it also reads; names follow the discovery keys).
  /** Light, default schema: `on_command_type` — 'last' (HA default) sends ON after brightness, 'brightness' only brightness. */
  onCommandType?: 'first' | 'last' | 'brightness';
  /** `command_template` (fan, lock…): rendered with `value` = the payload that would be sent. */
  commandTemplate?: string;
  brightnessCommandTemplate?: string;
  /** Cover: `position_template`, `set_position_template` (rendered with `value` and `position`). */
  positionTemplate?: string;
  setPositionTemplate?: string;
  stateOpening?: string;
  stateClosing?: string;
  stateStopped?: string;
  /** Lock: the transitional and fault states. */
  stateLocking?: string;
  stateUnlocking?: string;
  stateJammed?: string;
  /** Climate: the state templates and command templates of each topic. */
  temperatureStateTemplate?: string;
  temperatureCommandTemplate?: string;
  modeStateTemplate?: string;
  modeCommandTemplate?: string;
  /** Climate presets (HA `preset_modes` on `preset_mode_command_topic`; Zigbee2MQTT's climate `preset`): eco, away, boost… */
  presetModeCommandTopic?: string;
  presetModeCommandTemplate?: string;
  presetModeStateTopic?: string;
  presetModeStateTemplate?: string;
  presetModes?: string[];
  /** Fan */
  percentageValueTemplate?: string;
  percentageCommandTemplate?: string;
  /** Button: `payload_press`. Scene/script: the payload that runs it (`payload_on`). */
  payloadPress?: string;
  /** Valve: `reports_position` (commands are a position on command_topic, state may be a number). */
  reportsPosition?: boolean;
  /** Vacuum (HA's state schema): the command payloads, `supported_features`, and its fan speeds. */
  vacuum?: VacuumBinding;
  /** Media player (the mqtt_media_player convention; see devices/kinds/mediaPlayer.ts). */
  media?: MediaBinding;
  /** Humidifier (HA's MQTT humidifier): the target humidity's topics and templates, its range, the measured humidity. */
  targetHumidityCommandTopic?: string;
  targetHumidityCommandTemplate?: string;
  targetHumidityStateTopic?: string;
  targetHumidityStateTemplate?: string;
  currentHumidityTopic?: string;
  currentHumidityTemplate?: string;
  minHumidity?: number;
  maxHumidity?: number;
  /** Humidifier: what it is doing now (`action_topic`: off, humidifying, drying, idle). */
  actionTopic?: string;
  actionTemplate?: string;
  /** Water heater: `power_command_topic` (payload_on/off) and its template. */
  powerCommandTopic?: string;
  powerCommandTemplate?: string;
  /** Light colour, default schema: one command topic per colour model, with its template. */
  rgbCommandTopic?: string;
  rgbCommandTemplate?: string;
  hsCommandTopic?: string;
  hsCommandTemplate?: string;
  xyCommandTopic?: string;
  xyCommandTemplate?: string;
  colorTempCommandTopic?: string;
  colorTempCommandTemplate?: string;
  /** Light: the colour temperature range in mireds (from min/max_mireds, or min/max_kelvin), and whether it speaks kelvin. */
  minMireds?: number;
  maxMireds?: number;
  colorTempKelvin?: boolean;
  /** Light: `supported_color_modes` as announced (JSON schema lights). */
  supportedColorModes?: string[];
  /** Zigbee2MQTT devices: how this entity's fields are named in the device's JSON state and `/set` payloads. */
  z2m?: Zigbee2MqttBinding;
}

/**
 * Zigbee2MQTT property names of one entity, taken from the device's `exposes`. Multi-endpoint devices suffix
 * them (`state_l1`). `z2mProperty` on the binding holds the main one (on/off state, or a sensor's measurement).
 */
export interface Zigbee2MqttBinding {
  friendlyName: string;
  /** `value_on` / `value_off` / `value_toggle` of the main binary property (a contact sensor's `value_on` is false). */
  valueOn?: string | number | boolean;
  valueOff?: string | number | boolean;
  valueToggle?: string;
  brightnessProperty?: string;
  colorTempProperty?: string;
  /** The `color` composite's property (`color`), when the light exposes color_xy or color_hs. */
  colorProperty?: string;
  positionProperty?: string;
  setpointProperty?: string;
  localTemperatureProperty?: string;
  systemModeProperty?: string;
  /** A climate's `preset` enum (TRVs: manual, schedule, boost, eco…). */
  presetProperty?: string;
  fanModeProperty?: string;
  /** Fan mode values that are speeds, slowest first (e.g. low, medium, high). */
  fanSpeeds?: string[];
}

export interface VacuumBinding {
  payloadStart?: string;
  payloadPause?: string;
  payloadStop?: string;
  payloadReturnToBase?: string;
  /** `supported_features` as announced (HA's default: start, stop, return_home, status, battery, clean_spot). */
  features?: string[];
}

/** The topics of a media player: one per command, one per state field (the mqtt_media_player convention). */
export interface MediaBinding {
  stateStateTopic?: string;
  stateVolumeTopic?: string;
  stateTitleTopic?: string;
  stateArtistTopic?: string;
  commandPlayTopic?: string;
  commandPlayPayload?: string;
  commandPauseTopic?: string;
  commandPausePayload?: string;
  commandPlayPauseTopic?: string;
  commandPlayPausePayload?: string;
  commandNextTopic?: string;
  commandNextPayload?: string;
  commandPreviousTopic?: string;
  commandPreviousPayload?: string;
  commandVolumeTopic?: string;
  /** voicehub's addition to the convention: `true`/`false` on this topic mutes and unmutes. */
  commandMuteTopic?: string;
  /** The volume the player speaks in: 1 (HA's volume_level 0–1, the convention's default) or 100. */
  volumeScale?: number;
}

export interface AvailabilityBinding {
  topic: string;
  payloadAvailable: string;
  payloadNotAvailable: string;
  valueTemplate?: string;
}

export interface Device {
  /** Stable id: the discovery unique_id / object id, the Zigbee2MQTT IEEE address, or the config id. */
  id: string;
  /** Display name, as the device announced it or the config set it. */
  name: string;
  aliases: string[];
  /**
   * The name of the physical device the entity belongs to, when the announcement gave one apart from the
   * entity's (HA discovery `device.name`, a Zigbee2MQTT friendly name): `name` starts with it.
   */
  deviceName?: string;
  /** Set when the name is the user's (a `devices:` entry or `voicehub devices set`), not as announced. */
  nameChosen?: boolean;
  area?: string;
  /**
   * A floor (a key of `floors:`) set on the device itself by its user (`voicehub devices set --floor`, the page);
   * without it the device is on its area's floor.
   */
  floor?: string;
  type: DeviceType;
  capabilities: Capability[];
  source: DeviceSource;
  /** The physical device this entity belongs to (sensors of one device share it). */
  physicalId?: string;
  manufacturer?: string;
  model?: string;
  mqtt: MqttBinding;
  /** Last known state, e.g. { state: 'on', brightness: 40 } or { temperature: 21.5, humidity: 40 }. */
  state: Record<string, unknown>;
  /** null when the device never reported availability. */
  available: boolean | null;
  lastSeen: number | null;
}

/**
 * A command to a device, in the hub's own terms; devices/commands.ts turns it into MQTT publishes. Derived from
 * the commands the kinds declare (devices/kinds/<kind>.ts `commands`, shared ones in kinds/commonCommands.ts):
 * brightness, position, fan speed, humidity and volume are percentages 0–100 (the translator scales them), a
 * colour is RGB 0–255 each, a white a colour temperature in kelvin.
 */
export type { DeviceCommand, DeviceCommandName };

export interface MqttPublish {
  topic: string;
  payload: string;
  qos: 0 | 1;
  retain: boolean;
}
