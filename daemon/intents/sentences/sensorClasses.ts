/**
 * Binary-sensor questions by what they sense (issue 14 item 1): "is there motion in the hallway", "is smoke
 * detected", "有没有漏水". A word names a group of Home Assistant `device_class`es (binary_sensor docs); the
 * question asks every binary sensor of those classes in scope, answered yes when any is on. Data only.
 */
export const SENSOR_CLASSES: Readonly<Record<string, readonly string[]>> = {
  motion: ['motion', 'occupancy', 'presence', 'moving'],
  moisture: ['moisture'],
  smoke: ['smoke'],
  gas: ['gas'],
  carbon_monoxide: ['carbon_monoxide', 'co'],
  opening: ['door', 'window', 'garage_door', 'opening', 'gate'],
  window: ['window'],
  door: ['door', 'garage_door', 'gate'],
  battery_low: ['battery'],
  battery_charging: ['battery_charging'],
  connectivity: ['connectivity'],
  cold: ['cold'],
  heat: ['heat'],
  plug: ['plug', 'power'],
  problem: ['problem'],
  running: ['running'],
  safety: ['safety'],
  sound: ['sound'],
  tamper: ['tamper'],
  vibration: ['vibration'],
  update: ['update'],
  light: ['light'],
  lock: ['lock'],
};

/** Spoken forms (en, zh) of each group: the `{sensor_class}` list. */
export const SENSOR_CLASS_WORDS: readonly (readonly [string, string])[] = [
  ['motion', 'motion'], ['movement', 'motion'], ['any motion', 'motion'], ['anyone', 'motion'], ['anybody', 'motion'],
  ['someone', 'motion'], ['somebody', 'motion'], ['occupancy', 'motion'], ['presence', 'motion'], ['people', 'motion'],
  ['有人', 'motion'], ['人', 'motion'], ['动静', 'motion'], ['人在', 'motion'], ['移动', 'motion'],
  ['leak', 'moisture'], ['water leak', 'moisture'], ['a leak', 'moisture'], ['a water leak', 'moisture'], ['any leaks', 'moisture'], ['water', 'moisture'], ['flood', 'moisture'],
  ['flooding', 'moisture'], ['moisture', 'moisture'], ['漏水', 'moisture'], ['水浸', 'moisture'], ['积水', 'moisture'], ['进水', 'moisture'],
  ['smoke', 'smoke'], ['a fire', 'smoke'], ['fire', 'smoke'], ['烟', 'smoke'], ['烟雾', 'smoke'], ['冒烟', 'smoke'], ['着火', 'smoke'],
  ['gas', 'gas'], ['a gas leak', 'gas'], ['gas leak', 'gas'], ['燃气', 'gas'], ['煤气', 'gas'], ['燃气泄漏', 'gas'], ['煤气泄漏', 'gas'],
  ['carbon monoxide', 'carbon_monoxide'], ['co', 'carbon_monoxide'], ['一氧化碳', 'carbon_monoxide'],
  ['vibration', 'vibration'], ['震动', 'vibration'], ['振动', 'vibration'],
  ['tampering', 'tamper'], ['tamper', 'tamper'], ['被拆', 'tamper'],
  ['a problem', 'problem'], ['problem', 'problem'], ['problems', 'problem'], ['故障', 'problem'], ['问题', 'problem'],
  ['sound', 'sound'], ['noise', 'sound'], ['声音', 'sound'], ['噪音', 'sound'],
  ['update', 'update'], ['an update', 'update'], ['updates', 'update'], ['update available', 'update'], ['更新', 'update'],
  ['low battery', 'battery_low'], ['battery low', 'battery_low'], ['电量低', 'battery_low'], ['电池没电', 'battery_low'], ['没电', 'battery_low'],
  ['safety problem', 'safety'], ['unsafe', 'safety'], ['安全问题', 'safety'],
];
