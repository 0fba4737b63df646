import type { PluginApi, PluginManifest, RegisterStatus } from '../../sdk/index.js';
import type { Parts } from './conversation.js';

/**
 * The assistant (PROTOCOL §7): what the local intents do not understand goes to Claude, or any model behind
 * an Anthropic-Messages-compatible endpoint, with the home's devices as tools. Off until `assistant.url` or
 * `assistant.apiKey` is set; `assistant.mode` says which utterances it gets (`fallback`: those no local
 * intent matched; `always`: all of them, before the local intents; `off`). Transcripts leave the hub only
 * through this plugin, and only when it is configured.
 *
 * Files: client.ts (the SDK and the stream), conversation.ts (the steps of one utterance), context.ts (the
 * prompt and the relevant devices), tools.ts + toolRunner.ts (device tools through the normal command
 * path), safety.ts (confirmations), budget.ts, history.ts, texts.ts (what the hub says itself).
 */
export const manifest: PluginManifest = {
  id: 'voicehub.assistant',
  version: '1.0.0',
  name: 'Assistant',
  description: 'Sends what local intents miss to a Messages-API model, with the devices as tools',
  capabilities: ['fallback', 'assistant'],
  requiredScopes: ['cloud:request', 'devices:read', 'devices:control'],
};

/** A yes to "shall I unlock the front door?" counts for this long. */
const CONFIRM_TTL_MS = 30_000;
/** Follow-ups ("and in the bedroom?") see the session's last turns for this long. */
const HISTORY_TTL_MS = 5 * 60_000;

export async function onRegister(api: PluginApi): Promise<RegisterStatus> {
  const host = api.assistant;
  const { settings } = host;
  if (settings.mode === 'off') return { status: 'inactive', reason: 'assistant.mode is off' };
  if (!settings.configured) return { status: 'inactive', reason: 'set assistant.url or assistant.apiKey (or VOICEHUB_ASSISTANT_API_KEY) to turn it on' };
  // The rest of the plugin is read only when it is on: most hubs start without it.
  const [{ Budget }, { MessagesClient }, { answer }, { History }, { Confirmations }] = await Promise.all([
    import('./budget.js'), import('./client.js'), import('./conversation.js'), import('./history.js'), import('./safety.js'),
  ]);
  const client = new MessagesClient(settings, host.fetch);
  const now = (): number => host.now();
  const parts: Parts = {
    api,
    host,
    client: () => client,
    // All on the hub's clock, so a test can move it past an hour, five minutes or half a minute.
    budget: new Budget({ perHour: settings.maxPerHour, perMinute: settings.perMinute }, now),
    history: new History({ ttlMs: HISTORY_TTL_MS, maxTurns: 3, maxSessions: 1000 }, now),
    confirmations: new Confirmations(CONFIRM_TTL_MS, 1000, now),
  };
  api.registerFallback((utterance, ctx) => answer(parts, utterance, ctx), {
    // Its own limit covers the spoken "that took too long" after timeoutMs.
    timeoutMs: Math.min(120_000, settings.timeoutMs + 1000),
    beforeIntents: settings.mode === 'always',
  });
  // The SDK loads in the background from now (not when the hub starts with the assistant off, not on the first question's clock).
  setTimeout(() => client.preload(), 0).unref();
  api.log.info({ url: settings.url, model: settings.model, mode: settings.mode }, 'assistant on: utterances it gets leave the hub');
  return { status: 'active' };
}
