import { PERCENT, type CommandSpecs } from './commandSpec.js';

/**
 * Commands several kinds take, declared once and listed by each kind that takes them (as intentCommands.ts
 * shares the intents' meaning). A command only one kind takes is declared in that kind's module.
 */

/**
 * Capabilities no command needs: what a device can tell rather than be told (a thermostat's room temperature,
 * a sensor's measurement). Every other capability is the `needs` of some kind's command.
 */
export const READING_CAPABILITIES = ['current_temperature', 'measurement'] as const;

/** On, off and toggle: lights, switches, fans, thermostats, humidifiers… */
export const ON_OFF = {
  turn_on: {
    needs: 'onoff', description: 'Turn a device on (lights, switches, fans).',
    param: { name: 'brightness', kind: 'number', optional: true, schema: PERCENT },
  },
  turn_off: { needs: 'onoff', description: 'Turn a device off.' },
  toggle: { needs: 'onoff', description: 'Switch a device to the other of on and off.', tool: false },
} as const satisfies CommandSpecs;

/** Covers and valves: open, close, stop, and a position in % (0 closed, 100 open). */
export const OPEN_CLOSE = {
  open: { needs: 'open_close', description: 'Open a cover, blind, gate or garage door.' },
  close: { needs: 'open_close', description: 'Close a cover, blind, gate or garage door.' },
  stop: { needs: 'stop', description: 'Stop a moving cover.' },
  set_position: {
    needs: 'position', description: 'Move a cover to a position in percent (0 closed, 100 open).',
    param: { name: 'position', kind: 'number', schema: PERCENT },
  },
} as const satisfies CommandSpecs;

/** A set-point in the device's unit: thermostats and water heaters (each checks its own range). */
export const SET_TEMPERATURE = {
  set_temperature: {
    needs: 'target_temperature', description: 'Set a thermostat\'s or water heater\'s target temperature in °C (°F where the device uses °F).',
    param: { name: 'temperature', kind: 'number', schema: { type: 'number' } },
  },
} as const satisfies CommandSpecs;
