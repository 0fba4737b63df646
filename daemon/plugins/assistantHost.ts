import type { HubContext } from '../core/context.js';
import { Counter, getOrCreate, Histogram } from '../core/metrics.js';
import { HubError } from '../core/errors.js';
import type { AssistantHost, AssistantMetrics, AssistantSettings, OfferedTool } from '../../plugins/sdk/assistant.js';
import type { HandlerContext, IntentReply, IntentRequest } from '../../plugins/sdk/intents.js';
import type { PluginTool } from '../../plugins/sdk/manifest.js';
import { closedSchema, toolSlots } from './toolInput.js';

/** The plugin host as the assistant reaches other plugins' intents and tools (daemon/plugins/pluginHost.ts fits). */
export interface IntentRunner {
  intentOwner(intent: string): string | null;
  isRunning(intent: string): boolean;
  handleIntent(request: IntentRequest, call: { traceId: string; session: HandlerContext['session']; scopes?: readonly string[] }): Promise<{ reply: IntentReply }>;
  tools(): Array<{ pluginId: string; tool: PluginTool }>;
}

/** A plugin tool's clientScopes when it names none: whoever may speak a command. */
const DEFAULT_CLIENT_SCOPES = ['voice'] as const;

/** Whether a client with `scopes` may use `tool` (`admin` holds every scope, as for tokens). */
function mayUse(tool: PluginTool, scopes: readonly string[]): boolean {
  if (scopes.includes('admin')) return true;
  return (tool.clientScopes ?? DEFAULT_CLIENT_SCOPES).every((s) => scopes.includes(s));
}

/** The model's view of a tool, made once per declared tool. */
const offered = new WeakMap<PluginTool, OfferedTool>();
function offer(pluginId: string, tool: PluginTool): OfferedTool {
  let o = offered.get(tool);
  if (!o) {
    o = Object.freeze({ name: tool.name, description: tool.description, plugin: pluginId, inputSchema: closedSchema(tool.inputSchema) });
    offered.set(tool, o);
  }
  return o;
}

/** The Messages API's own address, used when only `assistant.apiKey` is set. */
const DEFAULT_URL = 'https://api.anthropic.com';
/** A small, fast model: a home's commands need speed more than depth. */
const DEFAULT_MODEL = 'claude-haiku-4-5';

/**
 * What the hub hands the built-in assistant as `api.assistant` (plugins/sdk/assistant.ts): the `assistant:`
 * settings (VOICEHUB_ASSISTANT_API_KEY is already folded into `apiKey` by config/load.ts), the fetch its
 * requests ride on (the cloud request pool's: one pool, its limits and metrics), the home's areas, the `sensitive: true` devices, its metrics, and the `assistant` health
 * check, registered only when the assistant is configured (before its first request it reads `ok` with
 * `checked: false`). Nothing here logs the key.
 */
export function createAssistantHost(ctx: Pick<HubContext, 'config' | 'metrics' | 'health' | 'clock'>, pool: { readonly fetch: typeof globalThis.fetch },
  intents?: () => IntentRunner): AssistantHost {
  const a = ctx.config.assistant;
  const settings: AssistantSettings = Object.freeze({
    mode: a.mode, url: (a.url ?? DEFAULT_URL).replace(/\/+$/, ''), apiKey: a.apiKey, model: a.model ?? DEFAULT_MODEL,
    maxTokens: a.maxTokens, timeoutMs: a.timeoutMs, maxPerHour: a.maxPerHour, perMinute: a.perMinute, maxToolCalls: a.maxToolCalls,
    configured: a.url !== null || a.apiKey !== null,
  });
  const sensitive = new Set(ctx.config.devices.filter((d) => d.sensitive === true).map((d) => d.id));
  const areas: Record<string, { aliases: readonly string[]; floor?: string | null }> = {};
  for (const [name, area] of Object.entries(ctx.config.areas)) {
    const floor = (area as { floor?: unknown }).floor;
    areas[name] = Object.freeze({ aliases: Object.freeze([...area.aliases]), ...(typeof floor === 'string' ? { floor } : {}) });
  }
  // Made when the plugin first asks (it is only asked for once the assistant runs), not for every hub.
  let metrics: AssistantMetrics | null = null;
  let reach: { ok: boolean; error?: string; at: number } | null = null;
  if (settings.configured && settings.mode !== 'off') {
    ctx.health.register('assistant', () => reach
      ? { ok: reach.ok, url: settings.url, at: new Date(reach.at).toISOString(), ...(reach.error ? { error: reach.error } : {}) }
      : { ok: true, url: settings.url, checked: false });
  }
  return Object.freeze({
    settings,
    fetch: pool.fetch,
    areas: Object.freeze(areas),
    timezone: ctx.config.location.timezone,
    now: () => ctx.clock.now(),
    isSensitive: (id: string) => sensitive.has(id),
    get metrics() { return (metrics ??= assistantMetrics(ctx)); },
    hasIntent: (intent: string) => intents?.().isRunning(intent) ?? false,
    async runIntent(request: IntentRequest, handler: HandlerContext) {
      if (!intents) throw new Error('no intents to run');
      const { reply } = await intents().handleIntent(request, { traceId: handler.traceId, session: handler.session, scopes: handler.scopes });
      return reply;
    },
    pluginTools(clientScopes: readonly string[]): readonly OfferedTool[] {
      if (!intents) return [];
      return intents().tools().filter(({ tool }) => mayUse(tool, clientScopes)).map(({ pluginId, tool }) => offer(pluginId, tool));
    },
    async runTool(name: string, input: unknown, utterance: { text: string; lang: string; area?: string }, handler: HandlerContext): Promise<IntentReply> {
      // Looked up again at the call: the plugin may have stopped, and the client's scopes are checked here too.
      const found = intents?.().tools().find(({ tool }) => tool.name === name);
      if (!found || !mayUse(found.tool, handler.scopes)) throw new HubError('ASSISTANT_UNKNOWN_TOOL', `no tool named ${JSON.stringify(name.slice(0, 64))} is offered to this client`);
      const slots = toolSlots(found.tool, input);
      const request: IntentRequest = {
        intent: found.tool.intent, text: utterance.text, lang: utterance.lang, slots, ...(utterance.area ? { area: utterance.area } : {}),
      };
      const { reply } = await intents!().handleIntent(request, { traceId: handler.traceId, session: handler.session, scopes: handler.scopes });
      return reply;
    },
    reachability(state: { ok: boolean; error?: string }) {
      reach = { ok: state.ok === true, at: ctx.clock.now(), ...(typeof state.error === 'string' ? { error: state.error.slice(0, 200) } : {}) };
    },
  });
}

function assistantMetrics(ctx: Pick<HubContext, 'metrics'>): AssistantMetrics {
  const registers = [ctx.metrics];
  const requests = getOrCreate(ctx.metrics, 'voicehub_assistant_requests_total', () => new Counter({
    name: 'voicehub_assistant_requests_total', help: 'Utterances the assistant was asked about, by outcome', labelNames: ['outcome'] as const, registers,
  }));
  const latency = getOrCreate(ctx.metrics, 'voicehub_assistant_latency_seconds', () => new Histogram({
    name: 'voicehub_assistant_latency_seconds', help: 'Time from asking the assistant to its whole answer', registers,
    buckets: [0.25, 0.5, 1, 2, 4, 8, 16, 32],
  }));
  const tokens = getOrCreate(ctx.metrics, 'voicehub_assistant_tokens_total', () => new Counter({
    name: 'voicehub_assistant_tokens_total', help: 'Model tokens the assistant used, by direction (in, out)', labelNames: ['direction'] as const, registers,
  }));
  const tools = getOrCreate(ctx.metrics, 'voicehub_assistant_tool_calls_total', () => new Counter({
    name: 'voicehub_assistant_tool_calls_total', help: 'Tool calls the model made, by tool and outcome', labelNames: ['tool', 'outcome'] as const, registers,
  }));
  return Object.freeze({
    request(outcome: string, seconds: number) {
      requests.inc({ outcome });
      if (Number.isFinite(seconds) && seconds >= 0) latency.observe(seconds);
    },
    tokens(input: number, output: number) {
      if (Number.isFinite(input) && input > 0) tokens.inc({ direction: 'in' }, input);
      if (Number.isFinite(output) && output > 0) tokens.inc({ direction: 'out' }, output);
    },
    toolCall(tool: string, outcome: 'ok' | 'error' | 'refused' | 'confirm') {
      tools.inc({ tool, outcome });
    },
  });
}
