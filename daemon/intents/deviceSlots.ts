/**
 * The slots as each device takes them, where the same words mean a different value per device: a set-point in the
 * thermostat's own unit and step, "the highest" as the humidifier's own max_humidity, a mode in the device's own
 * spelling, "low" as a fan's preset or as 33 %, "cool" as a thermostat's HVAC mode and "eco" as its preset. The device kind then decides the command from these slots
 * (devices/kinds/<kind>.ts `commandFor`), and the reply says the first device's value as sent.
 */
import { FAN_SPEED_PERCENT } from '../../devices/kinds/modeWords.js';
import { climateModeFor, ownMode } from './deviceModes.js';
import { setPointsFor } from './resolve.js';
import type { IntentDevice, IntentMatch, MatchSlots } from './types.js';

/** One slot set per device, in the order given; null when every device takes the slots as said. */
export function slotsPerDevice(match: IntentMatch, devices: readonly IntentDevice[]): MatchSlots[] | null {
  const s = match.slots;
  switch (match.intent) {
    case 'HassClimateSetTemperature': {
      const points = setPointsFor(match, devices);
      return points ? devices.map((_, i) => ({ ...s, temperature: points[i].value, unit: points[i].scale })) : null;
    }
    case 'HassFanSetSpeed': {
      const said = typeof s.mode === 'string' ? s.mode : typeof s.speed === 'string' ? s.speed : undefined;
      if (said === undefined) return null;
      return devices.map((d) => {
        const preset = d.capabilities?.length && !d.capabilities.includes('mode') ? undefined : ownMode(d.modes, said);
        const { mode: _mode, ...rest } = s;
        if (preset !== undefined) return { ...rest, mode: preset };
        return typeof s.speed === 'string' && Object.hasOwn(FAN_SPEED_PERCENT, s.speed) ? { ...rest, percentage: FAN_SPEED_PERCENT[s.speed] } : { ...s };
      });
    }
    case 'HassHumidifierSetpoint':
      if (s.setting !== 'min' && s.setting !== 'max') return null;
      return devices.map((d) => ({ ...s, humidity: s.setting === 'min' ? d.minHumidity ?? 0 : d.maxHumidity ?? 100 }));
    case 'HassHumidifierMode':
    case 'HassWaterHeaterMode': {
      const mode = s.mode;
      return typeof mode === 'string' ? devices.map((d) => ({ ...s, mode: ownMode(d.modes, mode) ?? mode })) : null;
    }
    case 'HassClimateSetMode': {
      // An HVAC mode the thermostat lists, else its own preset (resolve.ts refused the ones with neither).
      const mode = s.mode;
      // The reply names the first one's setting as it spells it ("Boost").
      return typeof mode === 'string' ? devices.map((d) => {
        const choice = climateModeFor(d, mode);
        return choice ? { ...s, ...choice, mode: 'hvac_mode' in choice ? choice.hvac_mode : choice.preset_mode } : { ...s };
      }) : null;
    }
    default:
      return null;
  }
}
