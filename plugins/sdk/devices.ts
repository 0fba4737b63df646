/**
 * Devices as a plugin sees them: what they are and their last state, never how they talk MQTT.
 * These mirror the hub's device model (devices/model.ts) field for field; the host checks that at compile time.
 */

/** The kinds of device, from the hub's one table of kinds (devices/kinds/index.ts). */
export type DeviceType = import('../../devices/kinds/index.js').DeviceType;

export type DeviceCapability =
  | 'onoff' | 'brightness' | 'color_temp' | 'color'
  | 'position' | 'open_close' | 'stop'
  | 'lock'
  | 'target_temperature' | 'hvac_mode' | 'current_temperature'
  | 'fan_speed'
  | 'measurement';

export interface DeviceView {
  readonly id: string;
  readonly name: string;
  readonly aliases: readonly string[];
  readonly area?: string;
  readonly type: DeviceType;
  readonly capabilities: readonly DeviceCapability[];
  /** Last known state, e.g. `{ state: 'on', brightness: 40 }` or `{ temperature: 21.5, humidity: 40 }`. */
  readonly state: Readonly<Record<string, unknown>>;
  /** Unit of a sensor's value (`°C`, `%`), when the device announced one. */
  readonly unit?: string;
  /** Home Assistant device class (`temperature`, `humidity`, `door`…), when announced. */
  readonly deviceClass?: string;
  /** null when the device never reported availability. */
  readonly available: boolean | null;
}

/**
 * A command in the hub's own terms; the hub turns it into the device's MQTT convention.
 * Brightness, position and fan percentage are 0–100; temperature is in the device's unit.
 */
export type DeviceCommand =
  | { command: 'turn_on'; params?: { brightness?: number } }
  | { command: 'turn_off' }
  | { command: 'toggle' }
  | { command: 'set_brightness'; params: { brightness: number } }
  | { command: 'open' } | { command: 'close' } | { command: 'stop' }
  | { command: 'set_position'; params: { position: number } }
  | { command: 'lock' } | { command: 'unlock' }
  | { command: 'set_temperature'; params: { temperature: number } }
  | { command: 'set_hvac_mode'; params: { mode: string } }
  | { command: 'set_fan_speed'; params: { percentage: number } };

export type DeviceCommandName = DeviceCommand['command'];

/** One action a reply reports: `{ device: 'kitchen_light', command: 'turn_on' }` (PROTOCOL §3). */
export interface DeviceAction {
  device: string;
  command: string;
}
