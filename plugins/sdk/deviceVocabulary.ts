import { COMMAND_SPECS, deviceIntents } from '../../devices/kinds/index.js';
import type { DeviceCapability, DeviceCommandName } from './devices.js';

/**
 * The hub's device vocabulary as data: the device intents (what the devices plugin handles) and the device
 * commands with their parameter, the capability a device needs and a line describing them (what the assistant
 * offers its model as tools). Both come from the hub's table of device kinds (devices/kinds/), so a kind that
 * brings an intent or a command of its own reaches the plugins with no edit here.
 *
 * The build writes this module's compiled copy as plain data (daemon/build/freezeSdk.ts): the built-in
 * plugins are loaded from dist/plugins unbundled, and importing this must not load the device layer a
 * second time beside the hub's bundle.
 */

/** One device command: what `api.devices.command` takes, and what a tool for it looks like. */
export interface DeviceCommandSpec {
  readonly command: DeviceCommandName;
  /** The capability a device needs for it (`DeviceView.capabilities`). */
  readonly needs: DeviceCapability;
  /** One line for a language model. */
  readonly description: string;
  /** Its one parameter: a number, a short text or an RGB colour (`optional`: may be left out), with a JSON Schema. */
  readonly param?: {
    readonly name: string;
    readonly kind: 'number' | 'text' | 'rgb';
    readonly optional?: boolean;
    readonly schema: Readonly<Record<string, unknown>>;
  };
  /** false: the hub offers it to no model (toggle, a relative volume step). */
  readonly tool: boolean;
}

/** Every device command, in the order of the hub's table of kinds. */
export const DEVICE_COMMANDS: readonly DeviceCommandSpec[] = [...COMMAND_SPECS].map(([command, spec]) => ({
  command,
  needs: spec.needs,
  description: spec.description,
  ...(spec.param ? { param: spec.param } : {}),
  tool: spec.tool !== false,
}));

/** Every device intent: the common ones (HassTurnOn…, HassGetState) and the kinds' own (HassVacuumStart…). */
export const DEVICE_INTENTS: readonly string[] = deviceIntents();
