import { HubError } from '../core/errors.js';
import type { DeviceCommand } from '../../devices/model.js';

/** Every command a client may send (the page's POST /api/command, the cloud's `command` frames), with the one number (or text) parameter each takes. */
const PARAMS: Record<DeviceCommand['command'], { name: string; kind: 'number' | 'text' | 'rgb' } | null | 'optional-brightness'> = {
  turn_on: 'optional-brightness',
  turn_off: null,
  toggle: null,
  set_brightness: { name: 'brightness', kind: 'number' },
  open: null,
  close: null,
  stop: null,
  set_position: { name: 'position', kind: 'number' },
  lock: null,
  unlock: null,
  set_temperature: { name: 'temperature', kind: 'number' },
  set_hvac_mode: { name: 'mode', kind: 'text' },
  set_fan_speed: { name: 'percentage', kind: 'number' },
  set_humidity: { name: 'humidity', kind: 'number' },
  set_mode: { name: 'mode', kind: 'text' },
  set_color: { name: 'rgb', kind: 'rgb' },
  set_color_temp: { name: 'kelvin', kind: 'number' },
  activate: null,
  press: null,
  start: null,
  pause: null,
  return_to_base: null,
  media_play: null,
  media_pause: null,
  media_next: null,
  media_previous: null,
  volume_set: { name: 'volume', kind: 'number' },
  volume_step: { name: 'step', kind: 'number' },
  volume_mute: null,
  volume_unmute: null,
};

/**
 * `POST /api/command`'s body `{"device":"id","command":"set_brightness","params":{"brightness":40}}` checked
 * into a DeviceCommand: a known command name, exactly the parameter it takes, finite numbers, short text.
 * Ranges are the device layer's to check (VALUE_OUT_OF_RANGE), as for a voice command.
 */
export function parseCommandBody(body: Record<string, unknown>): { device: string; command: DeviceCommand } {
  const { device, command, params } = body;
  if (typeof device !== 'string' || device.length === 0 || device.length > 256) throw new HubError('BAD_REQUEST', '"device" must be a device id');
  if (typeof command !== 'string' || !Object.hasOwn(PARAMS, command)) {
    throw new HubError('BAD_REQUEST', `"command" must be one of ${Object.keys(PARAMS).join(', ')}`);
  }
  const spec = PARAMS[command as DeviceCommand['command']];
  if (params !== undefined && (params === null || typeof params !== 'object' || Array.isArray(params))) throw new HubError('BAD_REQUEST', '"params" must be an object');
  const given = (params ?? {}) as Record<string, unknown>;
  const keys = Object.keys(given);
  if (spec === null) {
    if (keys.length > 0) throw new HubError('BAD_REQUEST', `${command} takes no params`);
    return { device, command: { command } as DeviceCommand };
  }
  if (spec === 'optional-brightness') {
    if (keys.length === 0) return { device, command: { command: 'turn_on' } };
    if (keys.length !== 1 || !isNumber(given.brightness)) throw new HubError('BAD_REQUEST', 'turn_on takes only a number "brightness"');
    return { device, command: { command: 'turn_on', params: { brightness: given.brightness } } };
  }
  if (keys.length !== 1 || keys[0] !== spec.name) throw new HubError('BAD_REQUEST', `${command} takes params {"${spec.name}": …}`);
  const value = given[spec.name];
  if (spec.kind === 'rgb') {
    // Three channels 0–255; the device layer converts and clamps for the light's own colour modes.
    if (!Array.isArray(value) || value.length !== 3 || !value.every((c) => isNumber(c) && c >= 0 && c <= 255)) {
      throw new HubError('BAD_REQUEST', '"rgb" must be three numbers 0–255');
    }
  } else if (spec.kind === 'number' ? !isNumber(value) : typeof value !== 'string' || value.length === 0 || value.length > 64) {
    throw new HubError('BAD_REQUEST', `"${spec.name}" must be ${spec.kind === 'number' ? 'a number' : 'a short text'}`);
  }
  return { device, command: { command, params: { [spec.name]: value } } as DeviceCommand };
}

/** Whether `name` is one of the hub's device commands. */
export function isCommandName(name: string): name is DeviceCommand['command'] {
  return Object.hasOwn(PARAMS, name);
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
