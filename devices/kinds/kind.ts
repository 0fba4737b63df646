import type { DeviceConfig } from '../../daemon/config/schema.js';
import type { Capability, Device, DeviceCommand, MqttBinding, MqttPublish } from '../model.js';
import type { DecodedMessage } from '../payload.js';
import type { StatePatch } from '../stateReading.js';
import type { Zigbee2MqttSend } from '../commandParts.js';
import type { SentenceBlock } from '../../daemon/intents/types.js';
import type { CommandSpecs } from './commandSpec.js';
import type { TProperties } from '@sinclair/typebox';

/**
 * Everything about one device kind, in one module (devices/kinds/<kind>.ts): how Home Assistant discovery
 * announces it, how its state reads, how a hub command becomes MQTT (HA's default/JSON conventions and
 * Zigbee2MQTT's), which Zigbee2MQTT exposes make one, what a `devices:` config entry of it can do, and the
 * intents and state words it answers to. The table in ./index.ts lists the kinds; every list of kinds in
 * the hub is derived from it. The shared conventions (payload defaults, scaling, templates) stay in
 * devices/defaults.ts, scaling.ts, stateReading.ts and commandParts.ts, which the kinds call.
 */

/** A discovery config with its keys expanded to full names and `~` replaced. */
export type DiscoveryConfig = Record<string, unknown>;

/** Why a discovery config was refused. */
export type DiscoveryRefusal = { code: 'DISCOVERY_INVALID' | 'COMPONENT_UNSUPPORTED'; reason: string };

/** One Zigbee2MQTT expose being read: its features by name, and whether one is settable. */
export interface ExposeReader {
  /** The `state` feature, already read into the binding's z2mProperty and value_on/off/toggle. */
  readonly state: Record<string, unknown> | undefined;
  feature(...names: string[]): Record<string, unknown> | undefined;
  settable(feature: Record<string, unknown> | undefined): boolean;
}

/** The intents a device intent means for a device of this kind: a hub command, or null for one that only asks. */
export type IntentSlots = Readonly<{ brightness?: unknown; position?: unknown; percentage?: unknown; temperature?: unknown; [slot: string]: unknown }>;

/**
 * Words people use for devices of a kind, per language ("lights", "灯"). A word that can mean other kinds too
 * ("door": a lock, a garage door or a door contact) is listed once, by the kind replies name first, with the
 * others in `shared`. `kind` narrows covers and sensors by what they are (see daemon/intents/resolve.ts).
 */
export interface TypeWordGroup {
  readonly kind?: 'door' | 'window' | 'shade';
  readonly shared?: readonly string[];
  /** English words for one device. */
  readonly en: readonly string[];
  /** English plurals: "turn off the lights" means every light in scope. */
  readonly enPlural?: readonly string[];
  /** Chinese words (no plural). */
  readonly zh: readonly string[];
}

/** Sentences of a kind's own intents, per language, in the template syntax of daemon/intents/template.ts. */
export type KindSentences = Readonly<Partial<Record<'en' | 'zh', Readonly<Record<string, readonly SentenceBlock[]>>>>>;

/**
 * `devices:` keys of a kind (voicehub.yaml) beyond the common ones (id, name, area, type, commandTopic,
 * stateTopic… in daemon/config/schema.ts): the config schema's device entry is the common keys and every
 * kind's, so a kind that needs a key of its own (a humidifier's humidity range) declares it only here.
 */
export interface KindConfig<K extends TProperties = TProperties> {
  /** Each key's schema (`Type.Optional(…)`); a key several kinds take is shared (./commonConfig.ts). */
  readonly properties: K;
  /** The keys that are MQTT topics: an entry that sets one defines a device of its own, else it only names a discovered one. */
  readonly topics?: readonly string[];
  /** Keys the entry keeps to itself (read by configCapabilities); every other key is copied into the binding as it is. */
  readonly entryOnly?: readonly string[];
}

export interface DeviceKind<C extends CommandSpecs = CommandSpecs, K extends TProperties = {}> {
  /** Its own `devices:` config keys, if it has any. */
  readonly config?: KindConfig<K>;
  /**
   * The commands this kind takes (./commandSpec.ts), shared ones listed from ./commonCommands.ts. The hub's
   * DeviceCommand type, the command-body parser and the assistant's tools are derived from these.
   */
  readonly commands: C;
  /**
   * Home Assistant discovery (the MQTT integration page of this platform): fills the binding's fields and
   * the capabilities from the config, or refuses it. The common fields (command/state topic, value and
   * command templates, JSON attributes) are already in the binding.
   */
  readDiscovery(c: DiscoveryConfig, b: MqttBinding, caps: Capability[]): DiscoveryRefusal | null;
  /** One message on one of a discovered or config device's topics, read per its binding. */
  parseState(device: Device, msg: DecodedMessage, out: StatePatch): void;
  /** A Zigbee2MQTT device's JSON state (the whole device state on `<base>/<friendly_name>`). */
  parseZigbee2Mqtt(device: Device, json: Record<string, unknown>, out: StatePatch): void;
  /** A hub command as HA's MQTT conventions for this platform (throws DEVICE_UNSUPPORTED / VALUE_OUT_OF_RANGE). */
  translate(device: Device, command: DeviceCommand): MqttPublish[];
  /** A hub command as one JSON object to a Zigbee2MQTT device's `/set` topic. */
  translateZigbee2Mqtt(device: Device, command: DeviceCommand, send: Zigbee2MqttSend): MqttPublish[];
  /**
   * An actuator expose of this type (`exposes[].type` is the kind's name): fills the binding's Zigbee2MQTT
   * fields and returns the capabilities, or null when it lacks what the kind needs. Absent for kinds that
   * Zigbee2MQTT only gives as measurements (sensors).
   */
  readZigbee2MqttExpose?(x: ExposeReader, b: MqttBinding & { z2m: NonNullable<MqttBinding['z2m']> }): Capability[] | null;
  /** What a `devices:` config entry of this kind can do, from the topics it sets. */
  configCapabilities(e: DeviceConfig, b: MqttBinding): Capability[];
  /** Adjusts a config entry's binding where this kind reads a field differently (climate's stateTopic). */
  configBinding?(e: DeviceConfig, b: MqttBinding): void;
  /** Topics of its own beyond the shared binding fields (a media player has one per field): subscribed and guarded. */
  extraTopics?(b: MqttBinding): { state: readonly (string | undefined)[]; command: readonly (string | undefined)[] };
  /** The device intents this kind answers when a sentence names no type ("turn everything off" → lights…). */
  readonly defaultIntents: readonly string[];
  /** State words that can ask about this kind ("is the door locked" asks locks). Sentences: daemon/intents/sentences. */
  readonly stateWords: readonly string[];
  /** What an asked state word means for this kind: a lock only knows locked or not, so "is it closed" asks "locked". */
  readonly askedState?: Readonly<Record<string, string>>;
  /** Device classes whose on/off is spoken as open/closed (a door contact that is "on" is open). */
  readonly openingClasses?: ReadonlySet<string>;
  /** The hub command a device intent means for this kind; null for intents that only ask. */
  commandFor(intent: string, slots: IntentSlots): DeviceCommand | null;
  /** The words that name this kind in sentences, per language. */
  readonly typeWords: readonly TypeWordGroup[];
  /** The plural noun replies use for a group of this kind ("all the lights", "所有灯"). */
  readonly noun: Readonly<{ en: string; zh: string }>;
  /** Device intents of this kind's own (HassVacuumStart…), besides the common ones resolve.ts knows. */
  readonly intents?: readonly string[];
  /** Sentences for those intents (and for common intents said the kind's own way: "activate the scene"). */
  readonly sentences?: KindSentences;
  /** Word lists its sentences use (`{color}`): spoken form → the value it stands for. */
  readonly lists?: Readonly<Record<string, ReadonlyArray<readonly [string, unknown]>>>;
  /** Replies to this kind's own commands, by command name ("Started {target}."). */
  readonly replies?: Readonly<{ en: Readonly<Record<string, string>>; zh: Readonly<Record<string, string>> }>;
}
