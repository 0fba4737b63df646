import type { HandlerContext, IntentReply, IntentRequest } from './intents.js';
import type { ToolInputSchema } from './manifest.js';

/**
 * What the hub hands the built-in assistant (`api.assistant`, PROTOCOL §7): its settings from the `assistant:`
 * config block, the fetch its requests ride on (the hub's keep-alive pool), what the home looks like
 * beyond its devices, and where its figures and reachability go. Only `voicehub.assistant` may read it.
 */
export interface AssistantHost {
  readonly settings: Readonly<AssistantSettings>;
  /**
   * fetch over the hub's one keep-alive request pool (`cloud.pool`: its connection limit, rate limit and
   * `voicehub_cloud_request_seconds` apply; a wait past `maxWaitMs` rejects with code CLOUD_BUSY, as the
   * `cause` of the error an HTTP client wraps it in): hand it to an HTTP client as its fetch.
   */
  readonly fetch: typeof globalThis.fetch;
  /** The configured areas by name, with their aliases and floor (when the config names one). */
  readonly areas: Readonly<Record<string, { readonly aliases: readonly string[]; readonly floor?: string | null }>>;
  /** `location.timezone`, for the local time in the prompt; null: the hub's own zone. */
  readonly timezone: string | null;
  /** The hub's clock in ms since the epoch (what budgets, follow-up history and confirmations expire by; tests move it). */
  now(): number;
  /** Whether the config marks this device `sensitive: true` (a command for it needs a spoken confirmation). */
  isSensitive(deviceId: string): boolean;
  readonly metrics: AssistantMetrics;
  /**
   * The assistant's reachability as its last request found it; `/health` shows it under `checks.assistant`
   * (unreachable makes the hub `degraded`, never `down`).
   */
  reachability(state: { ok: boolean; error?: string }): void;
  /** Whether a running plugin answers this intent (`HassStartTimer`): the assistant offers a tool for it only then. */
  hasIntent(intent: string): boolean;
  /**
   * Runs an intent in the plugin that owns it, through its guard, as a spoken command would (the timers
   * plugin starts a timer for `start_timer`); rejects with that plugin's refusal or failure.
   */
  runIntent(request: IntentRequest, ctx: HandlerContext): Promise<IntentReply>;
  /**
   * The tools running plugins declare in their manifests (`PluginManifest.tools`) that a client with these
   * token scopes may use, with the input schema the model is shown (closed, strings bounded).
   */
  pluginTools(clientScopes: readonly string[]): readonly OfferedTool[];
  /**
   * Runs a plugin's tool for the utterance: the input is checked against the tool's schema (else rejects with
   * code ASSISTANT_TOOL_INPUT_INVALID, the plugin not called), the asking client's scopes again
   * (ASSISTANT_UNKNOWN_TOOL), then the tool's intent runs in its plugin through its guard, as a spoken command's
   * would (PLUGIN_FAILED, TIMEOUT, or the plugin's own refusal).
   */
  runTool(name: string, input: unknown, utterance: { text: string; lang: string; area?: string }, ctx: HandlerContext): Promise<IntentReply>;
}

/** A plugin's tool as the assistant offers it to the model. */
export interface OfferedTool {
  name: string;
  description: string;
  /** The plugin's schema, closed (`additionalProperties: false`) and with every string bounded. */
  inputSchema: ToolInputSchema & { additionalProperties: false };
  /** The plugin that declares it. */
  plugin: string;
}

/** `assistant:` in voicehub.yaml, with the API key taken from VOICEHUB_ASSISTANT_API_KEY when set. */
export interface AssistantSettings {
  mode: 'fallback' | 'always' | 'off';
  /** The endpoint's base (`POST {url}/v1/messages`). */
  url: string;
  apiKey: string | null;
  model: string;
  maxTokens: number;
  timeoutMs: number;
  maxPerHour: number;
  perMinute: number;
  maxToolCalls: number;
  /** Whether `url` or `apiKey` was configured: the assistant is off until one is. */
  configured: boolean;
}

/**
 * The assistant's metrics: `voicehub_assistant_requests_total{outcome}`, `voicehub_assistant_latency_seconds`,
 * `voicehub_assistant_tokens_total{direction}` and `voicehub_assistant_tool_calls_total{tool,outcome}`.
 */
export interface AssistantMetrics {
  /** One utterance answered (or not) by the assistant: `ok`, `timeout`, `unreachable`, `rate_limited`, `over_budget`, `error`, `confirm`. */
  request(outcome: string, seconds: number): void;
  tokens(input: number, output: number): void;
  toolCall(tool: string, outcome: 'ok' | 'error' | 'refused' | 'confirm'): void;
}
