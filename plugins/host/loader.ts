import { pathToFileURL } from 'node:url';
import { HubError } from '../../daemon/errors.js';
import type { PluginEventName } from '../sdk/events.js';
import type { PluginManifest, PluginModule } from '../sdk/manifest.js';
import type { PluginCandidate } from './discovery.js';
import { validateManifest } from './manifest.js';

export const PLUGIN_EVENTS: readonly PluginEventName[] = ['device.state', 'device.availability', 'device.added', 'device.removed', 'device.changed'];
const HOOKS = ['onRegister', 'onStart', 'onStop'] as const;

export interface LoadedModule {
  manifest: PluginManifest;
  module: PluginModule;
}

/**
 * Imports a candidate and checks its shape: a `manifest` export (or a default export object holding the
 * manifest and hooks), hooks that are functions, event handlers for known events. Throws a HubError
 * (PLUGIN_MANIFEST_INVALID, or PLUGIN_FAILED for an import that throws) with a reason fit for the log.
 */
export async function loadPluginModule(candidate: PluginCandidate, hubVersion: string): Promise<LoadedModule> {
  let ns: Record<string, unknown>;
  try {
    ns = await import(pathToFileURL(candidate.entry).href) as Record<string, unknown>;
  } catch (err) {
    throw new HubError('PLUGIN_FAILED', `cannot import ${candidate.entry}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  }
  const fromDefault = !('manifest' in ns) && ns.default && typeof ns.default === 'object' && 'manifest' in (ns.default as object);
  const exported = (fromDefault ? ns.default : ns) as Record<string, unknown>;
  if (!('manifest' in exported)) {
    throw new HubError('PLUGIN_MANIFEST_INVALID', `${candidate.entry} exports no \`manifest\` (export const manifest = { id, version, capabilities, requiredScopes })`);
  }
  const manifest = validateManifest(exported.manifest, hubVersion);
  const problems: string[] = [];
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
  const module: PluginModule = {
    manifest,
    // Bound, so a default-export object's hooks may use `this`.
    onRegister: bindHook(exported, 'onRegister') as PluginModule['onRegister'],
    onStart: bindHook(exported, 'onStart') as PluginModule['onStart'],
    onStop: bindHook(exported, 'onStop') as PluginModule['onStop'],
    events: events as PluginModule['events'],
  };
  return { manifest, module };
}

function bindHook(exported: Record<string, unknown>, hook: (typeof HOOKS)[number]): unknown {
  const fn = exported[hook] as ((...args: unknown[]) => unknown) | undefined;
  return fn?.bind(exported);
}
