import type { Scope } from './manifest.js';
import type { DeviceCommand, DeviceView } from './devices.js';
import type { EventHandler, PluginEventName } from './events.js';
import type { AssistantHost } from './assistant.js';
import type { DecidedTargets, FallbackHandler, FallbackOptions, IntentHandler, IntentRequest, SentenceSet, SpeakTarget } from './intents.js';
import type { PluginLogger } from './logger.js';
import type { SpeechToText } from './stt.js';

/**
 * The version of the API object below. Minor versions only add; a major version changes or removes
 * something, and a plugin built for another major should say so in `engines.voicehub`.
 *
 * 1.1: a matched device intent's request carries the hub's decision (`IntentRequest.targets` or `.refused`);
 * `Targets` has the devices' `ids`; a manifest may declare `tools` for the assistant.
 */
export const API_VERSION = '1.1.0';

/**
 * The one object a plugin gets from the host (in every hook). It holds only what the plugin's granted
 * scopes allow: reading a member whose scope was not granted throws an error with code
 * `PLUGIN_SCOPE_DENIED` (and `details.scope` naming it). `log`, `config`, `system`, `respond`, `intents`
 * and `events` registration need no scope.
 *
 * Registration (`intents.handle`, `intents.addSentences`, `intents.addResponses`, `events.on`,
 * `registerSpeechToText`, `registerFallback`) is allowed in `onRegister` only; later it throws
 * `REGISTER_AFTER_START`.
 */
export interface PluginApi {
  /** {@link API_VERSION} of the host that made this object. */
  readonly apiVersion: string;
  /** The plugin's id (from its manifest). */
  readonly id: string;
  /** The scopes this object was built with (the plugin's `requiredScopes`, all granted). */
  readonly scopes: readonly Scope[];
  /** A child logger named after the plugin. */
  readonly log: PluginLogger;
  /** `plugins.<id>.config`, validated against the manifest's `configSchema` with its defaults filled in; frozen. */
  readonly config: Readonly<Record<string, unknown>>;

  /** Devices: reading needs `devices:read`, `command` needs `devices:control`. */
  readonly devices: DevicesApi;
  /**
   * Pushes `{"type":"speak","text","source":<plugin id>}` to a voice session (`voice:speak`). Pass the
   * `ctx.session` a handler got (or a session id); with no target every connected client is told.
   */
  speak(target: SpeakTarget | string | undefined, text: string): void;
  /** HTTP requests through the hub's keep-alive pool (`cloud:request`). */
  readonly cloud: CloudApi;
  /** The hub's configured location (`geo:read`); fields are null when `location:` is not set. */
  readonly location: Location;
  /** Timers and cron jobs that the host cancels when the plugin stops (`schedule`). */
  readonly schedule: ScheduleApi;
  /** The plugin's own persisted document in the data dir (`storage`). */
  readonly store: StoreApi;
  /** Read-only figures about the machine, as /health shows them. */
  readonly system: SystemApi;

  /** Declares intent handlers and adds sentences and responses to the local intent engine. */
  readonly intents: IntentsApi;
  /** Subscribes to hub events (device events need `devices:read`). */
  readonly events: EventsApi;
  /**
   * Renders a response template in a language: the plugin's own (from `intents.addResponses`) first, then
   * the intent engine's shared ones (`turned_on`, `not_found`…). Falls back to English, then to the key.
   */
  respond(key: string, vars?: Record<string, unknown>, lang?: string): string;
  /** Offers speech to text for the voice audio stream (capability `stt`); one provider per hub. */
  registerSpeechToText(provider: SpeechToText): void;
  /** Adds a handler for utterances no intent matched (capability `fallback`); see {@link FallbackOptions}. */
  registerFallback(handler: FallbackHandler, options?: FallbackOptions): void;
  /**
   * The hub's `assistant:` settings (API key included), its keep-alive HTTP dispatcher, the home's areas and
   * the assistant's metrics and health check. Only the built-in `voicehub.assistant` gets it: for any other
   * plugin reading it throws PLUGIN_SCOPE_DENIED, as the key must not reach third-party code.
   */
  readonly assistant: AssistantHost;
  /**
   * Makes the error to throw when a request cannot be done as asked ("250 percent"): the user gets a clear
   * answer with `message`, and it does not count as a plugin failure.
   */
  refuse(code: RefusalCode, message: string): Error;
}

/** Why a request was refused; each maps to a voice error code (VALUE_OUT_OF_RANGE → BAD_REQUEST, DEVICE_NOT_FOUND → NO_MATCH…). */
export type RefusalCode =
  | 'VALUE_OUT_OF_RANGE' | 'DEVICE_NOT_FOUND' | 'DEVICE_AMBIGUOUS' | 'DEVICE_UNSUPPORTED' | 'CLOUD_UNAVAILABLE' | 'BAD_REQUEST';

export interface DevicesApi {
  /** Every known device (`devices:read`). */
  list(): DeviceView[];
  /** One device by id (`devices:read`). */
  get(id: string): DeviceView | undefined;
  /**
   * A device's availability alone (`devices:read`): as `get(id)?.available`, without copying the device:
   * `true`/`false` as the device last announced, `null` when it never did, `undefined` for an unknown id.
   */
  available(id: string): boolean | null | undefined;
  /**
   * The devices an intent request targets (its name/area/type slots and the asking client's area), resolved
   * by the intent engine the same way for every plugin (`devices:read`), with the engine's wording for
   * replies. A device intent's request the hub matched already carries this decision (`request.targets`,
   * or `request.refused`): this adds the devices' current state and a question's answer, and works out the
   * same for a request made elsewhere. When no device can be chosen it throws a refusal whose message is the sentence to say, in the
   * request's language: DEVICE_NOT_FOUND ("I don't know a device called moon."), DEVICE_AMBIGUOUS ("Which
   * lamp do you mean: …?"), DEVICE_UNSUPPORTED, or VALUE_OUT_OF_RANGE ("Brightness must be between 0 and
   * 100%."). Nothing has been sent to any device then.
   * With `isolation: process` the request being handled is answered at once too, but any other request
   * gets a Promise of the Targets (the engine is in the hub): `await` the result, which works everywhere.
   */
  resolve(request: IntentRequest): Targets;
  /**
   * Sends a command (`devices:control`). Resolves once the broker has it; rejects with
   * DEVICE_NOT_FOUND, DEVICE_UNSUPPORTED or VALUE_OUT_OF_RANGE (nothing is published then), or
   * MQTT_UNAVAILABLE: with `details.sent === false` nothing left the hub and nothing will (the broker was
   * away); without it the command was given up unacknowledged and may have reached the device (in-process
   * plugins see `details`; an isolated plugin's error carries only the code, so read it as "may have").
   */
  command(id: string, command: DeviceCommand, options?: { traceId?: string }): Promise<void>;
}

/** What `api.devices.resolve` found: the hub's decision (as a matched request carries it) and more. */
export interface Targets extends DecidedTargets {
  /** The devices, with their current state (same order as `ids`). */
  devices: DeviceView[];
  /**
   * The command the intent means for each device (same order); null where the intent only asks. The
   * commands are shared with later requests for the same sentence and frozen: make a new one to change it.
   */
  commands: (Readonly<DeviceCommand> | null)[];
  /** How they were chosen: by `name`, by `area`, `here` (the client's area), `all`, by `type`, or `none`. */
  scope: 'none' | 'name' | 'area' | 'here' | 'all' | 'type';
  /** The area they were limited to, when one was. */
  area?: string;
  /** How a reply names them, in the request's language: "the kitchen light", "the living room lights", "客厅的灯". */
  phrase: string;
  /** Each device's name as a reply says it (same order), for lists. */
  names: string[];
  /** The reply once every command was carried out: "Turned on the kitchen light." / "已打开厨房灯。" ('' for questions). */
  done: string;
  /**
   * For a question (HassGetState, HassClimateGetTemperature): the answer from the devices' current state,
   * "Yes, the front door is locked.", "The humidity in the living room is 45%."; '' for commands.
   */
  answer: string;
}

export interface CloudRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  headers?: Record<string, string>;
  /** A string is sent as is; an object is sent as JSON. */
  body?: string | Record<string, unknown> | unknown[];
  /** Aborts the request (pass the handler's `ctx.signal`). */
  signal?: AbortSignal;
}

export interface CloudResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text(): Promise<string>;
  json<T = unknown>(): Promise<T>;
}

export interface CloudApi {
  /**
   * An HTTP request. A path (`/v1/weather?…`) goes to the hub's cloud (`cloud.url`, with its token) and
   * throws CLOUD_UNAVAILABLE when no cloud is configured; an absolute `https://` URL goes to that origin.
   * Network failures reject with CLOUD_UNAVAILABLE. Each origin has one keep-alive connection pool.
   */
  request(url: string, init?: CloudRequest): Promise<CloudResponse>;
  /** Whether `cloud.url` is configured (a path request can be made). */
  readonly configured: boolean;
}

export interface Location {
  readonly latitude: number | null;
  readonly longitude: number | null;
  readonly timezone: string | null;
}

/** A timer or cron job; `cancel` is idempotent. */
export interface Job {
  cancel(): void;
}

/**
 * The shortest period `schedule.every` takes, in ms: a second, cron's finest granularity. A shorter one
 * throws SCHEDULE_TOO_FREQUENT (250 jobs every 10 ms cost the hub about 70 ms of CPU a second); something
 * that must react faster reacts to an event (`events.on`) instead of polling.
 */
export const MIN_EVERY_MS = 1000;

export interface ScheduleApi {
  /** The hub's clock in ms since the epoch: the one `after` and `every` run on (tests may move it). */
  now(): number;
  /** Runs `fn` once after `ms` milliseconds. */
  after(ms: number, fn: () => void | Promise<void>): Job;
  /** Runs `fn` every `ms` milliseconds; `ms` under {@link MIN_EVERY_MS} (1 s) throws SCHEDULE_TOO_FREQUENT. */
  every(ms: number, fn: () => void | Promise<void>): Job;
  /**
   * Runs `fn` on a cron schedule (`'0 7 * * *'`, optional seconds field), in `timezone` or the hub's
   * `location.timezone`. Throws BAD_REQUEST for an invalid expression.
   */
  cron(expression: string, fn: () => void | Promise<void>, options?: { timezone?: string }): Job;
}

/** A persisted JSON document: mutate `data`, then call `markDirty()`; it reaches disk soon after. */
export interface PluginCollection<T> {
  data: T;
  markDirty(): void;
  flush(): Promise<void>;
}

export interface StoreApi {
  /** Opens the plugin's document (`plugin-<id>.json` in the data dir), made from `defaults` the first time. */
  open<T extends object>(defaults: () => T): Promise<PluginCollection<T>>;
}

export interface SystemStatus {
  cpuTempC: number | null;
  load1: number;
  memFreeMB: number | null;
  diskFreeMB: number | null;
  /** Machine uptime in seconds. */
  uptimeS: number;
  /** Hub process uptime in seconds. */
  hubUptimeS: number;
}

export interface SystemApi {
  /** The latest sample (refreshed every few seconds by the hub; reading it is free). */
  latest(): SystemStatus;
}

export interface IntentsApi {
  /** Answers an intent listed in the manifest's `intents`. */
  handle(intent: string, handler: IntentHandler): void;
  /** Adds sentence templates for the plugin's intents to the local engine. */
  addSentences(set: SentenceSet): void;
  /** Adds response templates in a language (`{ timer_done: 'Your {{ name }} timer is done.' }`) for `api.respond`. */
  addResponses(lang: string, responses: Record<string, string>): void;
}

export interface EventsApi {
  /** Listens to a hub event while the plugin runs; the host removes the listener when it stops. */
  on<K extends PluginEventName>(event: K, handler: EventHandler<K>): void;
}
