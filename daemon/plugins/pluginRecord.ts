import type { Logger } from '../core/log.js';
import type { PluginApi } from '../../plugins/sdk/api.js';
import type { EventHandler, PluginEventName } from '../../plugins/sdk/events.js';
import type { FallbackHandler, FallbackOptions, IntentHandler, SentenceSet } from '../../plugins/sdk/intents.js';
import type { PluginManifest, PluginModule, Scope } from '../../plugins/sdk/manifest.js';
import type { SpeechToText } from '../../plugins/sdk/stt.js';
import type { PluginCandidate } from './discovery.js';
import type { PluginSource } from './grants.js';
import type { PluginGuard } from './guard.js';
import type { JobSet } from './scheduler.js';
import type { IsolatedPlugin } from './isolated/isolatedPlugin.js';

/**
 * A plugin's state as `plugins list`, /health and /api/plugins report it:
 * - `running`: started and answering;
 * - `paused`: running but failing too often; calls are refused until `pausedUntil`; or, isolated, its process
 *   was stopped for its CPU share or memory (`errorCode` PLUGIN_CPU_QUOTA / PLUGIN_MEMORY_LIMIT) until its restart;
 * - `waiting-for-grant`: the config does not grant every required scope (`missingScopes` says which);
 * - `failed`: it could not be loaded, registered or started (`reason` says why);
 * - `disabled`: `plugins.<id>.enabled: false`, or its `onRegister` answered `inactive`;
 * - `ready`: loaded with every scope granted; it runs when the hub starts (seen by `plugins list` while
 *   no hub runs, and during start-up);
 * - `stopped`: the hub stopped it (only seen during shutdown).
 */
export type PluginState = 'running' | 'paused' | 'waiting-for-grant' | 'failed' | 'disabled' | 'ready' | 'stopped';

/** Registrations a plugin makes in `onRegister`; applied only if `onRegister` succeeds. */
export interface Registrations {
  intents: Map<string, IntentHandler>;
  sentences: SentenceSet[];
  responses: Map<string, Record<string, string>>;
  events: Array<[PluginEventName, EventHandler<PluginEventName>]>;
  stt: SpeechToText | null;
  fallbacks: Array<{ handler: FallbackHandler; options: FallbackOptions }>;
}

export function emptyRegistrations(): Registrations {
  return { intents: new Map(), sentences: [], responses: new Map(), events: [], stt: null, fallbacks: [] };
}

/** Everything the host keeps about one plugin, from discovery to stop. */
export interface PluginRecord {
  readonly candidate: PluginCandidate;
  manifest: PluginManifest | null;
  module: PluginModule | null;
  /** The lifecycle state; `paused` is derived from the guard when reporting. */
  state: Exclude<PluginState, 'paused'>;
  reason: string | null;
  /** The error code behind a `failed` state (PLUGIN_MANIFEST_INVALID, REGISTER_AFTER_START…). */
  errorCode: string | null;
  granted: Scope[];
  missing: Scope[];
  log: Logger;
  guard: PluginGuard | null;
  api: PluginApi | null;
  jobs: JobSet | null;
  registrations: Registrations;
  /** Registration is allowed only while onRegister runs (fastify: hooks after start are an error). */
  registrationOpen: boolean;
  /** The owner object for the plugin's bus listeners (`bus.removeListeners(owner)` on stop). */
  readonly owner: { name: string };
  /** Where its code runs: in the hub (`none`) or in a child process of its own (`process`). */
  isolation: 'none' | 'process';
  /** The child process behind an isolated plugin, once imported. */
  isolated: IsolatedPlugin | null;
}

/** One line of `voicehub plugins list --json` and of GET /api/plugins. */
export interface PluginInfo {
  id: string | null;
  name: string | null;
  version: string | null;
  source: PluginSource;
  location: string;
  state: PluginState;
  reason: string | null;
  /** The error code behind `failed` (or PLUGIN_PAUSED, PLUGIN_CPU_QUOTA, PLUGIN_MEMORY_LIMIT while paused). */
  errorCode: string | null;
  requiredScopes: Scope[];
  grantedScopes: Scope[];
  missingScopes: Scope[];
  capabilities: string[];
  intents: string[];
  failures: number;
  consecutiveFailures: number;
  pausedUntil: string | null;
  /** Timers and cron jobs the plugin has scheduled right now. */
  jobs: number;
  /** `process` when the plugin runs in a child process of its own. */
  isolation: 'none' | 'process';
}

export function describe(record: PluginRecord): PluginInfo {
  const m = record.manifest;
  // An isolated plugin's process the hub stopped for its CPU share or memory is down until its restart.
  const limited = record.state === 'running' ? record.isolated?.stoppedByLimit() ?? null : null;
  const guardUntil = record.state === 'running' && !limited ? record.guard?.pausedUntil() ?? null : null;
  const pausedUntil = limited ? limited.until : guardUntil;
  const paused = limited !== null || guardUntil !== null;
  return {
    id: m?.id ?? null,
    name: m?.name ?? m?.id ?? null,
    version: m?.version ?? null,
    source: record.candidate.source,
    location: record.candidate.entry,
    state: paused ? 'paused' : record.state,
    reason: limited ? `its process was stopped: it ${limited.reason}; restarted with back-off`
      : guardUntil !== null ? `paused after ${record.guard?.consecutiveFailures} failures in a row: ${record.guard?.lastError}` : record.reason,
    errorCode: limited ? limited.code : guardUntil !== null ? 'PLUGIN_PAUSED' : record.errorCode,
    requiredScopes: m?.requiredScopes ?? [],
    grantedScopes: record.granted,
    missingScopes: record.missing,
    capabilities: m?.capabilities ?? [],
    intents: m?.intents ?? [],
    failures: record.guard?.totalFailures ?? 0,
    consecutiveFailures: record.guard?.consecutiveFailures ?? 0,
    pausedUntil: pausedUntil !== null ? new Date(pausedUntil).toISOString() : null,
    jobs: record.jobs?.size ?? 0,
    isolation: record.isolation,
  };
}

/**
 * `checks.plugins` of /health: each plugin's state (and why, and the missing scopes). Not ok while a plugin
 * is failed or paused; a plugin waiting for a grant is configuration, not a fault.
 */
export function pluginsHealth(infos: readonly PluginInfo[]): { ok: boolean; plugins: Record<string, { state: string; reason?: string; errorCode?: string; missingScopes?: string[] }> } {
  const plugins: Record<string, { state: string; reason?: string; errorCode?: string; missingScopes?: string[] }> = {};
  let ok = true;
  for (const info of infos) {
    plugins[info.id ?? info.location] = {
      state: info.state,
      ...(info.reason ? { reason: info.reason } : {}),
      // Why it is failed or paused, as a code a monitor can match (PLUGIN_CPU_QUOTA, PLUGIN_PAUSED…).
      ...(info.errorCode && (info.state === 'failed' || info.state === 'paused') ? { errorCode: info.errorCode } : {}),
      ...(info.missingScopes.length ? { missingScopes: info.missingScopes } : {}),
    };
    if (info.state === 'failed' || info.state === 'paused') ok = false;
  }
  return { ok, plugins };
}
