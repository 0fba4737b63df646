import type { HubConfig } from '../config/schema.js';
import { silentLogger, type Logger } from '../core/log.js';
import { API_VERSION } from '../../plugins/sdk/api.js';
import { buildCatalog, type CatalogOptions } from './catalog.js';
import { describe, type PluginInfo } from './pluginRecord.js';
import { textTable } from '../core/textTable.js';

/**
 * `voicehub plugins list`: discovers and loads every plugin, validates manifests and computes grant states
 * from the config, without starting a hub or running any plugin hook. Plugins that would run show
 * `ready`; the others `waiting-for-grant` (with `missingScopes`), `disabled` or `failed` (with `reason`).
 */
export async function listPlugins(config: HubConfig, options: CatalogOptions & { log?: Logger } = {}): Promise<PluginInfo[]> {
  const records = await buildCatalog(config, options.log ?? silentLogger(), options);
  return records.map(describe);
}

/** The body of GET /api/plugins (and of `plugins list --json`). */
export function pluginsBody(plugins: readonly PluginInfo[]): { apiVersion: string; plugins: readonly PluginInfo[] } {
  return { apiVersion: API_VERSION, plugins };
}

/** The human table of `voicehub plugins list`: one line per plugin, then why for those not running. */
export function formatPluginTable(plugins: readonly PluginInfo[]): string {
  const rows = plugins.map((p) => [p.id ?? '(unknown)', p.version ?? '-', p.source, p.state]);
  const out = [textTable([['ID', 'VERSION', 'SOURCE', 'STATE'], ...rows])];
  for (const p of plugins) {
    if (p.reason) out.push(`  ${p.id ?? p.location}: ${p.reason}`);
  }
  return `${out.join('\n')}\n`;
}
