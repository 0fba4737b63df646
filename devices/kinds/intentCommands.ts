import type { DeviceCommand } from '../model.js';
import type { IntentSlots } from './kind.js';

/**
 * The device intents every kind may answer, besides the kinds' own (`intents` in a kind's module): commands
 * (on, off, toggle, brightness, position, stop, fan speed, set-point) and questions (state, temperature).
 */
export const COMMON_DEVICE_INTENTS: readonly string[] = [
  'HassTurnOn', 'HassTurnOff', 'HassToggle', 'HassLightSet', 'HassSetPosition', 'HassStopMoving', 'HassFanSetSpeed',
  'HassClimateSetTemperature', 'HassClimateGetTemperature', 'HassGetState',
];

/**
 * The device command each device intent means, the same for every kind unless a kind says otherwise (a
 * cover opens on "turn on", a lock locks). The replies are worded by daemon/intents' response tables.
 */
export function commonCommandFor(intent: string, s: IntentSlots): DeviceCommand | null {
  switch (intent) {
    case 'HassTurnOn': return { command: 'turn_on' };
    case 'HassTurnOff': return { command: 'turn_off' };
    case 'HassToggle': return { command: 'toggle' };
    case 'HassStopMoving': return { command: 'stop' };
    case 'HassLightSet': return typeof s.brightness === 'number' ? { command: 'set_brightness', params: { brightness: s.brightness } } : null;
    case 'HassSetPosition': return typeof s.position === 'number' ? { command: 'set_position', params: { position: s.position } } : null;
    case 'HassFanSetSpeed': return typeof s.percentage === 'number' ? { command: 'set_fan_speed', params: { percentage: s.percentage } } : null;
    case 'HassClimateSetTemperature':
      return typeof s.temperature === 'number' ? { command: 'set_temperature', params: { temperature: s.temperature } } : null;
    default: return null;
  }
}
