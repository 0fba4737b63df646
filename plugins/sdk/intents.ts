import type { DeviceAction, DeviceCommand } from './devices.js';
import type { RefusalCode, Targets } from './api.js';
import type { PluginLogger } from './logger.js';

/** A slot value the intent engine filled from the sentence: text, a number, a flag, or a list of them. */
export type SlotValue = string | number | boolean | readonly (string | number)[];

/**
 * One matched utterance, as an intent handler receives it.
 *
 * @example "turn on the kitchen light" → `{ intent: 'HassTurnOn', lang: 'en', slots: { name: 'kitchen light' } }`
 */
export interface IntentRequest {
  /** The intent name, Home Assistant style: `HassTurnOn`, `HassStartTimer`. */
  readonly intent: string;
  /** The utterance as the user said it. */
  readonly text: string;
  /** Language of the utterance: `en`, `zh`. Answer in it. */
  readonly lang: string;
  /**
   * The slots the sentence filled. Numbers are plain numbers in the unit the slot names: `brightness`,
   * `position`, `percentage` (0–100), `temperature` (°C unless `unit` is 'F'), `duration` (seconds).
   * `name` is the spoken name, `area` the area's name, `type` a device type (`type_word` as spoken), `state`
   * the state a yes/no question expects, `measurement` what a question asks for. To act on devices, use
   * `targets` (or pass the whole request to `api.devices.resolve`) rather than reading these.
   */
  readonly slots: Readonly<Record<string, SlotValue>>;
  /** The area of the voice client that heard it, for "turn on the light" said without an area. */
  readonly area?: string;
  /**
   * For a device intent (`HassTurnOn`, `HassLightSet`, `HassGetState`…) the hub matched: the devices the
   * intent engine chose and the command each device's kind decided, with the reply's wording. Carry out
   * what it says; there is nothing to look up. Absent when `refused` is set, for other intents, for a change
   * relative to the state now ("a bit brighter": each light's level is worked out when it is carried out),
   * and for a request a plugin made itself: then `api.devices.resolve(request)` works it out.
   */
  readonly targets?: DecidedTargets;
  /**
   * For a device intent the hub matched but could not carry out as asked (no device by that name, two
   * that fit, a value out of range): the refusal to answer with, `throw api.refuse(refused.code,
   * refused.message)`. Nothing has been sent to any device.
   */
  readonly refused?: DeviceRefusal;
}

/**
 * What the hub decided for a device intent when it matched the sentence (`IntentRequest.targets`): the
 * {@link Targets} of `api.devices.resolve`, by device id, without the devices' state or a question's answer
 * (those are read when asked: `api.devices.get`, `api.devices.resolve`). Shared and frozen.
 *
 * @example "turn on the kitchen lights" → `{ ids: ['ceiling', 'counter'], commands: [{ command: 'turn_on' }, { command: 'turn_on' }],
 *   scope: 'area', area: 'kitchen', phrase: 'the kitchen lights', names: [...], done: 'Turned on the kitchen lights.' }`
 */
export interface DecidedTargets {
  /** The devices' ids, in the order the reply names them. */
  readonly ids: readonly string[];
  /**
   * The command for each device (same order), as its kind decided it ("turn on" opens a cover, locks a
   * lock; a temperature is in each thermostat's own unit and step); null where the intent only asks.
   */
  readonly commands: readonly (Readonly<DeviceCommand> | null)[];
  readonly scope: Targets['scope'];
  readonly area?: string;
  readonly phrase: string;
  readonly names: readonly string[];
  /** The reply once every command was carried out ('' for questions). */
  readonly done: string;
}

/** Why the hub could not carry out a device intent as asked (`IntentRequest.refused`). */
export interface DeviceRefusal {
  readonly code: Extract<RefusalCode, 'DEVICE_NOT_FOUND' | 'DEVICE_AMBIGUOUS' | 'DEVICE_UNSUPPORTED' | 'VALUE_OUT_OF_RANGE'>;
  /** The sentence to say, in the request's language ("I don't know a device called moon."). */
  readonly message: string;
}

/** Where a later `api.speak` should go: the session that asked (pass `ctx.session` on). */
export interface SpeakTarget {
  /** The voice session (connection) id. */
  readonly sessionId?: string;
  /** The authenticated client (token subject), stable across reconnects. */
  readonly clientId?: string;
}

/** What a handler is given besides the request. */
export interface HandlerContext {
  /** The request's trace id; it is on every line of `log` too. */
  readonly traceId: string;
  /** The plugin's logger with `traceId` added. */
  readonly log: PluginLogger;
  /** The session that asked; keep it to speak to it later (`api.speak(ctx.session, …)`). */
  readonly session: SpeakTarget;
  /** Aborted when the call has timed out or the hub is stopping: stop working and return. */
  readonly signal: AbortSignal;
  /**
   * The scopes of the asking client's token (`voice`, `devices:read`, `devices:control`, `admin`); empty when
   * no client asked. What a handler does for the client should stay within them.
   */
  readonly scopes: readonly string[];
  /**
   * Sends a piece of the reply to the asking client before the reply itself (PROTOCOL §3 `reply.delta`), so
   * a speaker can start talking while the handler is still writing; the reply then carries the whole text.
   * A no-op where the client's wire has no such frame, after the call timed out, and in an isolated plugin.
   */
  stream(text: string): void;
}

/** What a handler answers. `text` is spoken to the user. */
export interface IntentReply {
  text: string;
  /** Device commands that were sent for this request. */
  actions?: DeviceAction[];
  /** Structured detail for clients that show more than speech (a state value, a forecast). */
  data?: Record<string, unknown>;
}

export type IntentHandler = (request: IntentRequest, ctx: HandlerContext) => IntentReply | Promise<IntentReply>;

/**
 * Sentence templates a plugin adds to the local intent engine, per language, in the engine's template
 * syntax (see daemon/intents): `{ lang: 'en', intent: 'HassGetWeather', sentences: ['what is the weather [like]'] }`.
 */
export interface SentenceSet {
  lang: string;
  intent: string;
  sentences: string[];
}

/**
 * A fallback handler (capability `fallback`): asked, in order, for utterances no local intent matched.
 * Answer null to pass the utterance on to the next fallback.
 */
/** How a fallback is asked (`api.registerFallback(handler, options)`). */
export interface FallbackOptions {
  /**
   * Its own time limit per call, for a fallback that asks a slow outside service (the assistant); default
   * `plugins.timeoutMs`, at most 120000.
   */
  timeoutMs?: number;
  /**
   * Asked for every utterance before the local intents (the assistant's `mode: always`); answering null
   * lets the local intents have it. Default false: asked only for utterances no local intent matched.
   */
  beforeIntents?: boolean;
}

/**
 * A question the hub asked the client and is still waiting on ("Which lamp do you mean: the floor lamp or
 * the desk lamp?"), handed to a fallback with the unmatched text that may answer it ("the one by the window").
 */
export interface HubQuestion {
  /** The question, as the hub said it. */
  text: string;
  /** The utterance that made the hub ask ("turn on the lamp"). */
  asked: string;
  /** The devices the question named. */
  candidates: Array<{ id: string; name: string }>;
}

/** What a fallback is asked about: the text, its language, the client's area, and the hub's open question. */
export interface FallbackUtterance {
  text: string;
  lang: string;
  area?: string;
  /** Set when the hub had just asked this session a question that the local intents could not match this text to. */
  question?: HubQuestion;
}

export type FallbackHandler = (utterance: FallbackUtterance, ctx: HandlerContext) =>
  IntentReply | null | Promise<IntentReply | null>;
