import type { DeviceKind, IntentSlots, KindSentences } from './kind.js';
import type { CommandSpec, CommandsOf } from './commandSpec.js';
import type { Static, TObject, TSchema } from '@sinclair/typebox';
import type { MqttBinding } from '../model.js';
import { COMMON_DEVICE_INTENTS } from './intentCommands.js';
import type { READING_CAPABILITIES } from './commonCommands.js';
import { light } from './light.js';
import { switchKind } from './switch.js';
import { sensor } from './sensor.js';
import { binarySensor } from './binarySensor.js';
import { climate } from './climate.js';
import { cover } from './cover.js';
import { lock } from './lock.js';
import { fan } from './fan.js';
import { valve } from './valve.js';
import { vacuum } from './vacuum.js';
import { mediaPlayer } from './mediaPlayer.js';
import { scene } from './scene.js';
import { button } from './button.js';
import { script } from './script.js';
import { humidifier } from './humidifier.js';
import { waterHeater } from './waterHeater.js';

/**
 * The table of device kinds: the one place a kind is listed. The `DeviceType` union, the config schema's
 * `type` enum, the plugin SDK's DeviceType, the supported discovery components, the Zigbee2MQTT actuator
 * exposes, the persisted-device check and the intents' default domains and state words are all derived
 * from it, and so are the hub's device commands: the `DeviceCommand` type, the command-body parser's table
 * and the assistant's device tools come from the kinds' `commands`, and the devices plugin's intents from
 * their `intents`. Adding a kind is one module in this folder, one line here, and its sentences and replies,
 * also when it brings commands of its own.
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
  valve,
  vacuum,
  media_player: mediaPlayer,
  scene,
  button,
  script,
  humidifier,
  water_heater: waterHeater,
} as const satisfies Record<string, DeviceKind>;

export type DeviceType = keyof typeof TABLE;

/**
 * A command to a device, in the hub's own terms (devices/commands.ts turns it into MQTT publishes): every
 * command some kind declares in its `commands`, with the parameter it declares for it.
 */
export type DeviceCommand = { [T in DeviceType]: CommandsOf<(typeof TABLE)[T]['commands']> }[DeviceType];
export type DeviceCommandName = DeviceCommand['command'];

type NeedsOf<C> = { [N in keyof C]: C[N] extends { readonly needs: infer X extends string } ? X : never }[keyof C];

/** A declared command's spec: its `needs` is one of the capabilities (by construction: they are derived from these). */
export type KindCommandSpec = CommandSpec & { readonly needs: Capability };

/**
 * What a device can be told or asked (`onoff`, `brightness`, `target_humidity`…): the capability each kind's
 * commands need, and the reading-only ones (commonCommands.ts READING_CAPABILITIES).
 */
export type Capability = { [T in DeviceType]: NeedsOf<(typeof TABLE)[T]['commands']> }[DeviceType] | (typeof READING_CAPABILITIES)[number];

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

/**
 * Every command a kind takes, once, in table order: the body parser's and the assistant's table. Kinds that
 * take the same command share its spec (./commonCommands.ts, or one kind's, as the water heater takes the
 * humidifier's set_mode); two different specs under one name would make one command mean two things, so
 * that stops the hub at once rather than letting the first one win quietly.
 */
export const COMMAND_SPECS: ReadonlyMap<DeviceCommandName, KindCommandSpec> = (() => {
  const specs = new Map<DeviceCommandName, KindCommandSpec>();
  const by = new Map<string, DeviceType>();
  for (const t of DEVICE_TYPES) {
    for (const [name, spec] of Object.entries(TABLE[t].commands as Record<string, CommandSpec>)) {
      const known = specs.get(name as DeviceCommandName);
      if (known && JSON.stringify(known) !== JSON.stringify(spec)) {
        throw new Error(`device kind ${t} declares the command ${name} unlike ${by.get(name)}: share one spec (devices/kinds/commonCommands.ts)`);
      }
      if (!known) {
        specs.set(name as DeviceCommandName, Object.freeze(spec) as KindCommandSpec);
        by.set(name, t);
      }
    }
  }
  return specs;
})();

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** The `devices:` keys the kinds add (minTemp, modes, minHumidity…), as the config's TypeScript type sees them. */
export type KindConfigKeys = UnionToIntersection<{ [T in DeviceType]: Static<TObject<NonNullable<(typeof TABLE)[T]['config']>['properties']>> }[DeviceType]>;

/**
 * The `devices:` keys the kinds add, merged in table order: their schemas (the config schema's device entry is
 * the common keys and these), the ones that are topics, and the ones copied into a config device's binding.
 * A key two kinds declare differently would make one key mean two things: that stops the hub at once.
 */
export const KIND_CONFIG: Readonly<{ properties: Readonly<Record<string, TSchema>>; topics: readonly string[]; binding: readonly (keyof MqttBinding)[] }> = (() => {
  const properties: Record<string, TSchema> = {};
  const topics = new Set<string>();
  const binding = new Set<keyof MqttBinding>();
  for (const t of DEVICE_TYPES) {
    const config = TABLE[t].config;
    if (!config) continue;
    for (const [key, schema] of Object.entries(config.properties as Record<string, TSchema>)) {
      if (Object.hasOwn(properties, key) && JSON.stringify(properties[key]) !== JSON.stringify(schema)) {
        throw new Error(`device kind ${t} declares the devices: key ${key} unlike an earlier kind: share one (devices/kinds/commonConfig.ts)`);
      }
      properties[key] = schema;
      if (!(config.entryOnly ?? []).includes(key)) binding.add(key as keyof MqttBinding);
    }
    for (const key of config.topics ?? []) topics.add(key);
  }
  return Object.freeze({ properties: Object.freeze(properties), topics: Object.freeze([...topics]), binding: Object.freeze([...binding]) });
})();

/** The kinds that take `command` (declare it in their `commands`). */
export function kindsTaking(command: string): DeviceType[] {
  return DEVICE_TYPES.filter((t) => Object.hasOwn(TABLE[t].commands, command));
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

/** One group of type words as the sentence lists use it: the kinds it can mean (the first names it in replies). */
export interface KindTypeWords {
  domains: DeviceType[];
  kind?: 'door' | 'window' | 'shade';
  one: string[];
  many: string[];
}

/** Every kind's type words, English and Chinese together, in table order (daemon/intents/lists.ts builds its trie from them). */
export function typeWordGroups(): KindTypeWords[] {
  return DEVICE_TYPES.flatMap((t) => TABLE[t].typeWords.map((g) => ({
    domains: [t, ...(g.shared ?? []).filter(isDeviceType)],
    ...(g.kind ? { kind: g.kind } : {}),
    one: [...g.en, ...g.zh],
    many: [...(g.enPlural ?? [])],
  })));
}

/** The plural noun a reply uses for a group of `type` ("lights", "灯"). */
export function kindNoun(type: string, lang: 'en' | 'zh'): string {
  return KINDS.get(type)?.noun[lang] ?? type;
}

/** The device intents the kinds add of their own (HassVacuumStart, HassMediaPause…). */
export function kindIntents(): string[] {
  return [...new Set(DEVICE_TYPES.flatMap((t) => TABLE[t].intents ?? []))];
}

/**
 * Every device intent, the common ones (./intentCommands.ts) and the kinds' own: what the devices plugin
 * handles (the SDK's DEVICE_INTENTS).
 */
export function deviceIntents(): string[] {
  return [...new Set([...COMMON_DEVICE_INTENTS, ...kindIntents()])];
}

/** The kinds' own sentences, in table order. */
export function kindSentences(): KindSentences[] {
  return DEVICE_TYPES.map((t) => TABLE[t].sentences).filter((s): s is KindSentences => s !== undefined);
}

/** The word lists the kinds add (light's `{color}`), every kind's together. */
export function kindLists(): Record<string, Array<readonly [string, unknown]>> {
  const out: Record<string, Array<readonly [string, unknown]>> = {};
  for (const t of DEVICE_TYPES) for (const [name, values] of Object.entries(TABLE[t].lists ?? {})) (out[name] ??= []).push(...values);
  return out;
}

/** A kind's reply template for one of its own commands ("Started {target}."); undefined when it has none. */
export function kindReply(type: string, command: string, lang: 'en' | 'zh'): string | undefined {
  const replies = KINDS.get(type)?.replies?.[lang];
  return replies && Object.hasOwn(replies, command) ? replies[command] : undefined;
}

export type { DeviceKind, IntentSlots, KindSentences, TypeWordGroup } from './kind.js';
export type { CommandParam, CommandSpec, CommandSpecs, ParamKind } from './commandSpec.js';
