import { HubError } from '../core/errors.js';
import type { DeviceCommand } from '../../devices/model.js';
import { isCommandName, parseCommandBody } from '../devices/commandBody.js';
import type { CloudParams } from './cloudFrames.js';

/**
 * A cloud `command` frame's command and params as the hub's DeviceCommand, checked for shape only, by the same
 * table as the page's POST /api/command: whether the device supports it and the value is in range is decided
 * by the device path voice uses (DeviceService.command → translateCommand), so the cloud gets voice's validation.
 */
export function toDeviceCommand(name: string, params: CloudParams): DeviceCommand {
  if (!isCommandName(name)) throw new HubError('DEVICE_UNSUPPORTED', `no device supports the command ${JSON.stringify(name)}`);
  const given = Object.keys(params).length === 0 ? undefined : params;
  return parseCommandBody({ device: '-', command: name, ...(given ? { params: given } : {}) }).command;
}
