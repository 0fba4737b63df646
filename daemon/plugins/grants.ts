import type { HubConfig, PluginEntryConfig } from '../config/schema.js';
import type { PluginManifest, Scope } from '../../plugins/sdk/manifest.js';

export type PluginSource = 'builtin' | 'npm' | 'dir';

export interface GrantDecision {
  /** false: `plugins.<id>.enabled: false`. */
  enabled: boolean;
  /** The scopes the config grants (for built-ins: their required scopes unless the config lists some). */
  granted: Scope[];
  /** Required scopes not granted: the plugin waits until the config grants them. */
  missing: Scope[];
  /** `process`: the plugin runs in a child process of its own (isolated/isolatedPlugin.ts). */
  isolation: 'none' | 'process';
  config: Readonly<Record<string, unknown>>;
}

const NO_CONFIG: Readonly<Record<string, unknown>> = Object.freeze({});

/** The config entry `plugins.<id>`, if any. Ids contain dots, so this is one key, not a path. */
export function pluginEntry(config: HubConfig, id: string): PluginEntryConfig | undefined {
  const entry = (config.plugins as Record<string, unknown>)[id];
  return entry && typeof entry === 'object' ? entry as PluginEntryConfig : undefined;
}

/**
 * What the config allows a plugin. Default grants:
 * - the hub's own built-ins (source `builtin`, id `voicehub.*`) ship with it and are granted their required
 *   scopes unless `plugins.<id>.grant` lists scopes, in which case exactly those (a narrower list leaves the
 *   plugin waiting for the rest; to switch a built-in off, set `enabled: false`);
 * - every other plugin gets only what `plugins.<id>.grant` lists: nothing by default. That includes the
 *   bundled example `com.example.weather`, which shows how a third-party plugin waits for its grant.
 */
export function decideGrant(manifest: PluginManifest, source: PluginSource, config: HubConfig): GrantDecision {
  const entry = pluginEntry(config, manifest.id);
  const listed = entry?.grant ?? [];
  const granted = isHubBuiltin(manifest.id, source) && listed.length === 0 ? [...manifest.requiredScopes] : [...listed];
  return {
    enabled: entry?.enabled ?? true,
    granted,
    missing: manifest.requiredScopes.filter((s) => !granted.includes(s)),
    isolation: entry?.isolation ?? (manifest.isolation === 'process' ? 'process' : isHubBuiltin(manifest.id, source) ? 'none' : config.plugins.isolation),
    config: entry?.config ?? NO_CONFIG,
  };
}

/** A plugin the hub vouches for: shipped in its own plugins/builtin and in its own id namespace. */
export function isHubBuiltin(id: string, source: PluginSource): boolean {
  return source === 'builtin' && id.startsWith('voicehub.');
}
