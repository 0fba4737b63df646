/**
 * Devices as a plugin sees them: what they are and their last state, never how they talk MQTT.
 * The unions (kinds, capabilities, commands) are the hub's own, taken from devices/ by type: a new kind or
 * command is written once. The view mirrors the model field for field; the host checks that at compile time.
 */

/** The kinds of device, from the hub's one table of kinds (devices/kinds/index.ts). */
export type DeviceType = import('../../devices/kinds/index.js').DeviceType;

/** What a device can do (`onoff`, `brightness`, `position`, …), from the hub's device model (devices/model.ts). */
export type DeviceCapability = import('../../devices/model.js').Capability;

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
export type DeviceCommand = import('../../devices/model.js').DeviceCommand;

export type DeviceCommandName = DeviceCommand['command'];

/** One action a reply reports: `{ device: 'kitchen_light', command: 'turn_on' }` (PROTOCOL §3). */
export interface DeviceAction {
  device: string;
  command: string;
}
