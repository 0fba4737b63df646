/**
 * The typed messages between the hub and an isolated plugin's process (`isolation: process`), carried in
 * size-capped frames by channel.ts. Types only (erased at build): the child reads no hub module but the
 * runner, the channel and the template renderer.
 */
import type { PluginManifest, Scope } from '../../../plugins/sdk/manifest.js';
import type { DeviceView } from '../../../plugins/sdk/devices.js';
import type { Location, SystemStatus } from '../../../plugins/sdk/api.js';
import type { SentenceSet } from '../../../plugins/sdk/intents.js';
import type { PluginEventName } from '../../../plugins/sdk/events.js';

/** An error as it crosses the channel; `code` is kept only when it is one of the refusal codes. */
export interface WireError {
  message: string;
  code?: string;
}

/** What the host asks the child to run. */
export type HostCallKind = 'load' | 'register' | 'start' | 'stop' | 'intent' | 'fallback' | 'event' | 'transcribe' | 'job';

/** What the child asks the host to do for it (every one goes through the same scope checks as in-process). */
export type ApiMethod = 'devices.command' | 'devices.resolve' | 'cloud.request' | 'store.open' | 'store.save' | 'store.flush'
  | 'schedule.after' | 'schedule.every' | 'schedule.cron' | 'schedule.cancel';

export interface InitMessage {
  t: 'init';
  entry: string;
  manifest: PluginManifest;
  scopes: Scope[];
  config: Record<string, unknown>;
  location: Location | null;
  /** `api.cloud.configured` (a /path request can be made). */
  cloudConfigured: boolean;
  devices: DeviceView[] | null;
  system: SystemStatus;
  /** The hub's clock (`api.schedule.now`), which tests may move: the child keeps its offset from its own. */
  now: number;
  /** The intent engine's shared response templates by language, for `api.respond` (rendered like the engine does). */
  sharedResponses: Record<string, Record<string, string>>;
}

export type HostToChild =
  | InitMessage
  | { t: 'call'; id: number; kind: HostCallKind; name?: string; args: unknown[]; targets?: { ok: true; value: unknown } | { ok: false; error: WireError }; system: SystemStatus; now: number }
  | { t: 'abort'; id: number }
  | { t: 'ping' }
  | { t: 'result'; id: number; ok: true; value: unknown }
  | { t: 'result'; id: number; ok: false; error: WireError }
  | { t: 'devices'; devices: DeviceView[] };

/** What `register` answers: the registrations the host replays on its side. */
export interface RegisterSummary {
  status: unknown;
  intents: string[];
  sentences: SentenceSet[];
  responses: Record<string, Record<string, string>>;
  events: PluginEventName[];
  stt: string[] | null;
  fallbacks: number;
}

export type ChildToHost =
  | { t: 'ready' }
  | { t: 'pong' }
  | { t: 'done'; id: number; ok: true; value: unknown }
  | { t: 'done'; id: number; ok: false; error: WireError }
  | { t: 'api'; id: number; method: ApiMethod; args: unknown[] }
  /** The plugin aborted the signal it gave an API call (`cloud.request`): the host aborts its request. */
  | { t: 'cancel'; id: number }
  | { t: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; obj: Record<string, unknown>; msg: string }
  | { t: 'speak'; target: unknown; text: string }
  /** A rejection nobody handled inside the plugin: counted as its failure. */
  | { t: 'unhandled'; message: string };
