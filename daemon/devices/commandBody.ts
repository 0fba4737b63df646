import { HubError } from '../core/errors.js';
import type { DeviceCommand, DeviceCommandName } from '../../devices/model.js';
import { COMMAND_SPECS } from '../../devices/kinds/index.js';

/** Longest text parameter (a mode name) a client may send; the device checks it against the modes it lists. */
const MAX_TEXT = 64;

/**
 * `POST /api/command`'s body `{"device":"id","command":"set_brightness","params":{"brightness":40}}` checked
 * into a DeviceCommand: a command some device kind declares (devices/kinds/<kind>.ts `commands`), exactly the
 * parameter it declares (or none, where it is optional), finite numbers, short text, a colour as three
 * channels 0–255. Ranges are the device layer's to check (VALUE_OUT_OF_RANGE), as for a voice command.
 */
export function parseCommandBody(body: Record<string, unknown>): { device: string; command: DeviceCommand } {
  const { device, command, params } = body;
  if (typeof device !== 'string' || device.length === 0 || device.length > 256) throw new HubError('BAD_REQUEST', '"device" must be a device id');
  if (typeof command !== 'string' || !isCommandName(command)) {
    throw new HubError('BAD_REQUEST', `"command" must be one of ${[...COMMAND_SPECS.keys()].join(', ')}`);
  }
  const param = COMMAND_SPECS.get(command)!.param;
  if (params !== undefined && (params === null || typeof params !== 'object' || Array.isArray(params))) throw new HubError('BAD_REQUEST', '"params" must be an object');
  const given = (params ?? {}) as Record<string, unknown>;
  const keys = Object.keys(given);
  if (!param) {
    if (keys.length > 0) throw new HubError('BAD_REQUEST', `${command} takes no params`);
    return { device, command: { command } as DeviceCommand };
  }
  if (param.optional && keys.length === 0) return { device, command: { command } as DeviceCommand };
  if (keys.length !== 1 || keys[0] !== param.name) {
    throw new HubError('BAD_REQUEST', param.optional ? `${command} takes only a ${describe(param.kind)} "${param.name}"` : `${command} takes params {"${param.name}": …}`);
  }
  const value = given[param.name];
  if (param.kind === 'rgb') {
    // Three channels 0–255; the device layer converts and clamps for the light's own colour modes.
    if (!Array.isArray(value) || value.length !== 3 || !value.every((c) => isNumber(c) && c >= 0 && c <= 255)) {
      throw new HubError('BAD_REQUEST', `"${param.name}" must be ${describe('rgb')}`);
    }
  } else if (param.kind === 'number' ? !isNumber(value) : typeof value !== 'string' || value.length === 0 || value.length > MAX_TEXT) {
    throw new HubError('BAD_REQUEST', `"${param.name}" must be ${describe(param.kind)}`);
  }
  return { device, command: { command, params: { [param.name]: value } } as DeviceCommand };
}

/** Whether `name` is one of the hub's device commands (one some kind declares). */
export function isCommandName(name: string): name is DeviceCommandName {
  return COMMAND_SPECS.has(name as DeviceCommandName);
}

function describe(kind: 'number' | 'text' | 'rgb'): string {
  return kind === 'number' ? 'a number' : kind === 'text' ? 'a short text' : 'three numbers 0–255';
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
