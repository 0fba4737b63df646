import type { DeviceCommand } from '../model.js';
import type { DeviceKind, IntentSlots } from './kind.js';
import { light } from './light.js';
import { switchKind } from './switch.js';
import { sensor } from './sensor.js';
import { binarySensor } from './binarySensor.js';
import { climate } from './climate.js';
import { cover } from './cover.js';
import { lock } from './lock.js';
import { fan } from './fan.js';

/**
 * The table of device kinds: the one place a kind is listed. The `DeviceType` union, the config schema's
 * `type` enum, the plugin SDK's DeviceType, the supported discovery components, the Zigbee2MQTT actuator
 * exposes, the persisted-device check and the intents' default domains and state words are all derived
 * from it. Adding a kind is one module in this folder, one line here, and its sentences and replies.
 * The order is the order of the config schema's enum.
 */
const TABLE = {
  light,
  switch: switchKind,
  sensor,
  binary_sensor: binarySensor,
  climate,
  cover,
  lock,
  fan,
} as const satisfies Record<string, DeviceKind>;

export type DeviceType = keyof typeof TABLE;

/** Every kind's name, in table order. */
export const DEVICE_TYPES: readonly DeviceType[] = Object.freeze(Object.keys(TABLE) as DeviceType[]);

const KINDS: ReadonlyMap<string, DeviceKind> = new Map(Object.entries(TABLE));

export function isDeviceType(name: unknown): name is DeviceType {
  return typeof name === 'string' && KINDS.has(name);
}

/** The module of a kind; undefined for a name that is not one (a discovery component the hub does not handle). */
export function kindOf(type: string): DeviceKind | undefined {
  return KINDS.get(type);
}

/** The kinds answering `intent` when a sentence names no type ("set the temperature to 21" → climate). */
export function typesForIntent(intent: string): DeviceType[] {
  return DEVICE_TYPES.filter((t) => TABLE[t].defaultIntents.includes(intent));
}

/** The kinds a state word can ask about ("are the doors locked" → locks). */
export function typesForStateWord(word: string): DeviceType[] {
  return DEVICE_TYPES.filter((t) => TABLE[t].stateWords.includes(word));
}

/**
 * The hub command a device intent means for a device of `type` ("turn on" opens a cover, locks a lock); null
 * for intents that only ask, and for a value the sentence did not give.
 */
export function intentCommand(type: string, intent: string, slots: IntentSlots): DeviceCommand | null {
  return KINDS.get(type)?.commandFor(intent, slots) ?? null;
}

export type { DeviceKind, IntentSlots } from './kind.js';
