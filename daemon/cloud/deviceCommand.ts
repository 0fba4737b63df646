import { HubError } from '../core/errors.js';
import type { DeviceCommand, DeviceCommandName } from '../../devices/model.js';
import type { CloudParams } from './cloudFrames.js';

type ParamSpec = Readonly<Record<string, { type: 'number' | 'string'; required: boolean }>>;

/** Every command of the hub's DeviceCommand union and the params it takes: the cloud may send nothing else. */
const COMMANDS: Readonly<Record<DeviceCommandName, ParamSpec>> = {
  turn_on: { brightness: { type: 'number', required: false } },
  turn_off: {},
  toggle: {},
  set_brightness: { brightness: { type: 'number', required: true } },
  open: {}, close: {}, stop: {},
  set_position: { position: { type: 'number', required: true } },
  lock: {}, unlock: {},
  set_temperature: { temperature: { type: 'number', required: true } },
  set_hvac_mode: { mode: { type: 'string', required: true } },
  set_fan_speed: { percentage: { type: 'number', required: true } },
};

/**
 * A cloud `command` frame's command and params as the hub's DeviceCommand, checked for shape only: whether
 * the device supports it and the value is in range is decided by the same device path voice uses
 * (DeviceService.command → translateCommand), so the cloud gets exactly voice's validation.
 */
export function toDeviceCommand(name: string, params: CloudParams): DeviceCommand {
  if (!Object.hasOwn(COMMANDS, name)) throw new HubError('DEVICE_UNSUPPORTED', `no device supports the command ${JSON.stringify(name)}`);
  const spec = COMMANDS[name as DeviceCommandName];
  const out: Record<string, number | string> = {};
  for (const key of Object.keys(params)) {
    if (!Object.hasOwn(spec, key)) throw new HubError('BAD_REQUEST', `${name} takes no param ${JSON.stringify(key)}`);
  }
  for (const [key, { type, required }] of Object.entries(spec)) {
    const value = params[key];
    if (value === undefined) {
      if (required) throw new HubError('BAD_REQUEST', `${name} needs params.${key}`);
      continue;
    }
    if (typeof value !== type) throw new HubError('BAD_REQUEST', `params.${key} of ${name} must be a ${type}`);
    out[key] = value as number | string;
  }
  return (Object.keys(spec).length === 0 ? { command: name } : Object.keys(out).length === 0 ? { command: name } : { command: name, params: out }) as DeviceCommand;
}
