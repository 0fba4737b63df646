import type { PluginApi } from './api.js';
import type { EventHandlers } from './events.js';

/**
 * The powers a plugin may ask for (PROTOCOL §5). A plugin runs only once the config grants every scope in
 * its `requiredScopes`; its API object then holds exactly what those scopes allow.
 *
 * - `devices:read`: `api.devices.list/get/resolve/state` and device events
 * - `devices:control`: `api.devices.command`
 * - `voice:speak`: `api.speak`
 * - `cloud:request`: `api.cloud.request`
 * - `geo:read`: `api.location`
 * - `schedule`: `api.schedule`
 * - `storage`: `api.store`
 */
export type Scope =
  | 'devices:read' | 'devices:control' | 'voice:speak' | 'cloud:request' | 'geo:read' | 'schedule' | 'storage';

/** Every scope, in the order the docs list them. */
export const SCOPES: readonly Scope[] = [
  'devices:read', 'devices:control', 'voice:speak', 'cloud:request', 'geo:read', 'schedule', 'storage',
];

/**
 * What a plugin says about itself; validated before any hook runs.
 *
 * @example
 * ```ts
 * export const manifest: PluginManifest = {
 *   id: 'com.example.weather', version: '1.0.0',
 *   capabilities: ['weather_query'], requiredScopes: ['geo:read', 'cloud:request'],
 *   intents: ['HassGetWeather'],
 * };
 * ```
 */
export interface PluginManifest {
  /** Reverse-DNS id, lower case: `com.example.weather`. It is also the config key: `plugins.<id>`. */
  id: string;
  /** The plugin's own version, semver. */
  version: string;
  /** A human name for `voicehub plugins list`; the id when absent. */
  name?: string;
  description?: string;
  /**
   * What the plugin offers, as free-form words (`weather_query`, `timers`). Two have a meaning to the host:
   * `stt` (it may call `api.registerSpeechToText`) and `fallback` (it may call `api.registerFallback`).
   */
  capabilities: string[];
  /** Scopes the plugin cannot run without; see {@link Scope}. */
  requiredScopes: Scope[];
  /** Intent names this plugin answers (`HassTurnOn`); each needs a handler from `api.intents.handle`. */
  intents?: string[];
  /** A JSON Schema (draft-07) for `plugins.<id>.config`; defaults in it are filled in before `onRegister`. */
  configSchema?: Record<string, unknown>;
  /** Hub versions this plugin works with, as a semver range: `{ voicehub: '>=0.1 <2' }`. */
  engines?: { voicehub?: string };
  /**
   * `process`: the plugin asks to run in a child process of its own (see the SDK README, "Process
   * isolation"); `plugins.<id>.isolation` in the config still decides. `none` (the default) asks nothing:
   * a plugin cannot lower the isolation the config sets with `plugins.isolation`.
   */
  isolation?: 'none' | 'process';
  /**
   * Tools the assistant (`voicehub.assistant`, PROTOCOL §7) may offer the model while this plugin runs: each
   * is one of the plugin's intents, called with the model's input as its slots, through the same guard
   * (timeout, containment) as a spoken command. See {@link PluginTool}.
   */
  tools?: PluginTool[];
}

/**
 * A tool a plugin declares for the assistant. The model's input is checked against `inputSchema` before the
 * plugin sees it (a bad one is the model's tool error `ASSISTANT_TOOL_INPUT_INVALID`, never a call); then
 * `intent` runs in this plugin with the input as `request.slots`, the utterance's text, language and area,
 * and the asking client's scopes in `ctx.scopes`. The reply's `text` (and `data`) is what the model reads.
 *
 * @example
 * ```ts
 * tools: [{
 *   name: 'add_to_list', description: 'Add an item to the shopping list or the to-do list.', intent: 'HassListAddItem',
 *   inputSchema: { type: 'object', required: ['item', 'list'], properties: {
 *     item: { type: 'string', maxLength: 100 }, list: { type: 'string', enum: ['shopping', 'todo'] } } },
 * }]
 * ```
 */
export interface PluginTool {
  /** The name the model calls it by: lower case letters, digits and `_`, at most 64. The hub's own tools' names win. */
  name: string;
  /** What it does and when to use it, for the model (at most 500 characters). */
  description: string;
  /** The intent of this plugin that runs it (listed in `intents`). */
  intent: string;
  /** Its input: flat, at most 16 properties, each a string, number, integer or boolean; no other keys pass. */
  inputSchema: ToolInputSchema;
  /**
   * Token scopes the asking client must hold (all of them; `admin` holds every one) for the tool to be offered
   * and run. Default `['voice']`: whoever may say a command may have the assistant do it.
   */
  clientScopes?: Array<'voice' | 'devices:read' | 'devices:control' | 'admin'>;
}

/** A tool's input, a subset of JSON Schema: an object of flat properties. */
export interface ToolInputSchema {
  type: 'object';
  /** Property names: lower case letters, digits and `_`, at most 32 characters. */
  properties: Record<string, ToolParam>;
  required?: string[];
}

/** One property of a tool's input. A string without `maxLength` may be at most 200 characters. */
export type ToolParam =
  | { type: 'string'; description?: string; enum?: string[]; minLength?: number; maxLength?: number }
  | { type: 'number' | 'integer'; description?: string; minimum?: number; maximum?: number }
  | { type: 'boolean'; description?: string };

/** What `onRegister` answers: `inactive` keeps the plugin loaded but not started, with the reason shown. */
export type RegisterStatus = { status: 'active' } | { status: 'inactive'; reason: string };

/**
 * An ES module the host loads: it exports `manifest` and any hooks (named exports, or one default export
 * object holding them).
 *
 * Order: `onRegister` (declare intent handlers, sentences, event handlers; nothing may be registered
 * later: REGISTER_AFTER_START) → `onStart` (begin work: timers, connections) → … → `onStop` (release).
 * Each hook has `plugins.timeoutMs` to finish. Timers, cron jobs and event listeners made through the API
 * are released by the host when the plugin stops, whatever `onStop` does.
 */
export interface PluginModule {
  manifest: PluginManifest;
  onRegister?(api: PluginApi): RegisterStatus | void | Promise<RegisterStatus | void>;
  onStart?(api: PluginApi): void | Promise<void>;
  onStop?(api: PluginApi): void | Promise<void>;
  /** Event handlers by event name; the same as calling `api.events.on` in `onRegister`. */
  events?: EventHandlers;
}
