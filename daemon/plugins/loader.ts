import { pathToFileURL } from 'node:url';
import { HubError } from '../core/errors.js';
import type { PluginEventName } from '../../plugins/sdk/events.js';
import type { PluginManifest, PluginModule } from '../../plugins/sdk/manifest.js';
import type { PluginCandidate } from './discovery.js';
import { validateManifest } from './manifest.js';
import { readStaticManifest } from './staticManifest.js';
import { withTimeout } from '../core/timeout.js';
import { importEsm } from '../core/importEsm.js';

export const PLUGIN_EVENTS: readonly PluginEventName[] = ['device.state', 'device.availability', 'device.added', 'device.removed', 'device.changed'];
const HOOKS = ['onRegister', 'onStart', 'onStop'] as const;

/**
 * The candidate's manifest, validated. A third-party plugin's is read as data (staticManifest.ts): nothing
 * of its code runs before the config has enabled it and granted every scope it requires. A built-in (the
 * hub's own code, without a manifest file) is imported for it. Throws PLUGIN_MANIFEST_INVALID, or
 * PLUGIN_FAILED for a built-in whose import throws.
 */
export async function readManifest(candidate: PluginCandidate, hubVersion: string): Promise<PluginManifest> {
  if (candidate.manifestFile) return validateManifest(await readStaticManifest(candidate.manifestFile, candidate.manifestField), hubVersion);
  const exported = exportsOf(await importEntry(candidate));
  if (!('manifest' in exported)) {
    throw new HubError('PLUGIN_MANIFEST_INVALID', `${candidate.entry} exports no \`manifest\` (export const manifest = { id, version, capabilities, requiredScopes })`);
  }
  return validateManifest(exported.manifest, hubVersion);
}

/**
 * Imports an enabled, granted plugin and checks its shape: hooks that are functions, event handlers for
 * known events, and a `manifest` export (optional) that says the same as the manifest file. The import has
 * `timeoutMs` like a hook: a top-level await that never settles fails the plugin (TIMEOUT) instead of
 * holding the hub's start-up forever. Throws a HubError (PLUGIN_MANIFEST_INVALID, PLUGIN_FAILED, TIMEOUT).
 */
export async function loadPluginModule(candidate: PluginCandidate, manifest: PluginManifest, timeoutMs: number): Promise<PluginModule> {
  const exported = exportsOf(await withTimeout(importEntry(candidate), timeoutMs, () => new HubError('TIMEOUT',
    `plugin ${manifest.id} did not finish importing within ${timeoutMs} ms (a top-level await that never settles?)`, { details: { plugin: manifest.id, what: 'import' } })));
  const problems: string[] = [];
  if ('manifest' in exported && candidate.manifestFile && !sameJson(exported.manifest, manifest)) {
    problems.push(`its \`manifest\` export differs from the manifest in ${candidate.manifestFile}; the file is the one used, keep them equal or drop the export`);
  }
  for (const hook of HOOKS) {
    if (exported[hook] !== undefined && typeof exported[hook] !== 'function') problems.push(`\`${hook}\` must be a function`);
  }
  const events = exported.events;
  if (events !== undefined) {
    if (!events || typeof events !== 'object') problems.push('`events` must be an object of handlers');
    else {
      for (const [name, handler] of Object.entries(events)) {
        if (!(PLUGIN_EVENTS as readonly string[]).includes(name)) problems.push(`\`events\` names an unknown event "${name}" (known: ${PLUGIN_EVENTS.join(', ')})`);
        else if (typeof handler !== 'function') problems.push(`\`events.${name}\` must be a function`);
      }
    }
  }
  if (problems.length > 0) {
    throw new HubError('PLUGIN_MANIFEST_INVALID', `plugin ${manifest.id}: ${problems.join('; ')}`, { details: { plugin: manifest.id, problems } });
  }
  return {
    manifest,
    // Bound, so a default-export object's hooks may use `this`.
    onRegister: bindHook(exported, 'onRegister') as PluginModule['onRegister'],
    onStart: bindHook(exported, 'onStart') as PluginModule['onStart'],
    onStop: bindHook(exported, 'onStop') as PluginModule['onStop'],
    events: events as PluginModule['events'],
  };
}

async function importEntry(candidate: PluginCandidate): Promise<Record<string, unknown>> {
  try {
    return await importEsm(pathToFileURL(candidate.entry).href) as Record<string, unknown>;
  } catch (err) {
    throw new HubError('PLUGIN_FAILED', `cannot import ${candidate.entry}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  }
}

/** The named exports, or the default export object when it holds the manifest or hooks instead. */
function exportsOf(ns: Record<string, unknown>): Record<string, unknown> {
  const fallback = ns.default;
  if (!fallback || typeof fallback !== 'object') return ns;
  const holds = (o: object) => ['manifest', ...HOOKS, 'events'].some((k) => k in o);
  return holds(ns) ? ns : holds(fallback) ? fallback as Record<string, unknown> : ns;
}

function sameJson(a: unknown, b: unknown): boolean {
  try {
    return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
  } catch {
    return false;
  }
}

/** Keys sorted at every level, so two equal manifests written in another key order compare equal. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  return value;
}

function bindHook(exported: Record<string, unknown>, hook: (typeof HOOKS)[number]): unknown {
  const fn = exported[hook] as ((...args: unknown[]) => unknown) | undefined;
  return fn?.bind(exported);
}
