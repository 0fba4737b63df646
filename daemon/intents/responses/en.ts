/**
 * English replies (data). `{target}` is a device or group ("the kitchen light", "the living room lights"),
 * `{Target}` the same with a capital letter; other `{names}` are filled by daemon/intents/responses.ts.
 */
export const EN_RESPONSES = {
  turn_on: 'Turned on {target}.',
  turn_off: 'Turned off {target}.',
  toggle: 'Toggled {target}.',
  open: 'Opened {target}.',
  close: 'Closed {target}.',
  stop: 'Stopped {target}.',
  lock: 'Locked {target}.',
  unlock: 'Unlocked {target}.',
  set_brightness: 'Set {target} to {value}%.',
  set_position: 'Set {target} to {value}%.',
  set_fan_speed: 'Set {target} to {value}%.',
  set_temperature: 'Set {target} to {value} {unit}.',

  state_is: '{Target} {is} {state}.',
  state_yes: 'Yes, {target} {is} {state}.',
  state_no: 'No, {target} {is} {state}.',
  state_some: '{count} of {total} are {state}: {names}.',
  state_unknown: "I don't know the state of {target}.",
  temperature_in: "It's {value} {unit} in {area}.",
  temperature_of: '{Target} reads {value} {unit}.',
  measurement_in: 'The {measurement} in {area} is {value}{unit}.',
  measurement_of: 'The {measurement} of {target} is {value}{unit}.',

  not_found_name: "I don't know a device called {name}.",
  not_found_name_area: "I don't know a device called {name} in the {area}.",
  not_found_area: 'There are no {type} in the {area}.',
  not_found_type: 'There are no {type}.',
  not_found_here: "I don't know which room you're in.",
  ambiguous: 'Which {name} do you mean: {candidates}?',
  ambiguous_room: 'Which room do you mean: {areas}?',
  ambiguous_room_open: 'Which room do you mean?',
  unsupported: "{Target} can't do that.",
  range_brightness: 'Brightness must be between {min} and {max}%.',
  range_position: 'Position must be between {min} and {max}%.',
  range_percentage: 'Speed must be between {min} and {max}%.',
  range_temperature: 'Temperature must be between {min} and {max} {unit}.',
  range_duration: 'A timer must be between 1 second and 24 hours.',
  no_match: "Sorry, I didn't understand that.",
} as const;

/** Words the renderer puts together. */
export const EN_WORDS = {
  and: ' and ',
  or: ' or ',
  list: ', ',
  all: 'all the {type}',
  area_group: 'the {area} {type}',
  group: 'the {type}',
  in_area: '{name} in the {area}',
  degrees: '°C',
  degreesF: '°F',
  is: 'is',
  are: 'are',
  states: {
    on: 'on', off: 'off', open: 'open', closed: 'closed', opening: 'opening', closing: 'closing',
    locked: 'locked', unlocked: 'unlocked', locking: 'locking', unlocking: 'unlocking', jammed: 'jammed',
    stopped: 'stopped',
  },
  measurements: {
    temperature: 'temperature', humidity: 'humidity', pressure: 'pressure', co2: 'CO2 level', battery: 'battery level',
    power: 'power use', illuminance: 'light level',
  },
  units: { s: ['second', 'seconds'], min: ['minute', 'minutes'], h: ['hour', 'hours'] },
} as const;
