import { resolve } from 'node:path';
import type { HubConfig } from '../config/schema.js';
import type { Logger } from '../core/log.js';
import { isHubError } from '../core/errors.js';
import { defaultBuiltinDir, defaultNodeModulesDirs, discoverPlugins, hubVersion, type PluginCandidate } from './discovery.js';
import { decideGrant } from './grants.js';
import { readManifest } from './loader.js';
import { emptyRegistrations, type PluginRecord } from './pluginRecord.js';

export interface CatalogOptions {
  /** Compiled built-ins; default dist/plugins/builtin. null: none (tests). */
  builtinDir?: string | null;
  /** Where npm plugin packages are looked for; default the hub's node_modules (tests pass a fixture tree). */
  nodeModulesDirs?: readonly string[];
  /** The hub version `engines.voicehub` is checked against; default package.json's. */
  hubVersion?: string;
  /** Base for a relative `plugins.dir`; default the working directory. */
  cwd?: string;
}

/**
 * Discovers every plugin, reads and validates manifests, drops duplicates and decides grants: the part of
 * start-up that runs no plugin code (third-party manifests are files: staticManifest.ts), shared by the host
 * and `voicehub plugins list`. The host imports a `ready` plugin afterwards. A plugin that cannot be read
 * becomes a `failed` record (logged loudly); the others go on.
 */
export async function buildCatalog(config: HubConfig, log: Logger, options: CatalogOptions = {}): Promise<PluginRecord[]> {
  const version = options.hubVersion ?? await hubVersion();
  const { candidates, problems } = await discoverPlugins({
    builtinDir: options.builtinDir === undefined ? defaultBuiltinDir() : options.builtinDir,
    nodeModulesDirs: options.nodeModulesDirs ?? defaultNodeModulesDirs(),
    pluginsDir: config.plugins.dir ? resolve(options.cwd ?? process.cwd(), config.plugins.dir) : null,
  });
  const records: PluginRecord[] = [];
  for (const problem of problems) {
    const record = newRecord({ source: problem.source, entry: problem.location, root: problem.location }, log);
    fail(record, problem.reason);
    record.errorCode = 'PLUGIN_MANIFEST_INVALID';
    records.push(record);
  }
  const byId = new Map<string, PluginRecord>();
  for (const candidate of candidates) {
    const record = newRecord(candidate, log);
    records.push(record);
    try {
      const manifest = await readManifest(candidate, version);
      record.manifest = manifest;
      record.log = log.child({ plugin: manifest.id });
      record.owner.name = `plugin:${manifest.id}`;
    } catch (err) {
      fail(record, (err as Error).message, err);
      continue;
    }
    const id = record.manifest.id;
    const first = byId.get(id);
    if (first) {
      fail(record, `duplicate plugin id ${id}: already loaded from ${first.candidate.entry}; this copy is skipped`);
      record.errorCode = 'PLUGIN_MANIFEST_INVALID';
      continue;
    }
    byId.set(id, record);
    const grant = decideGrant(record.manifest, candidate.source, config);
    record.granted = grant.granted;
    record.missing = grant.missing;
    if (grant.isolation === 'process') record.isolation = 'process';
    if (!grant.enabled) {
      record.state = 'disabled';
      record.reason = `plugins.${id}.enabled is false`;
    } else if (grant.missing.length > 0) {
      record.state = 'waiting-for-grant';
      record.reason = `needs ${grant.missing.join(', ')}: add ${grant.missing.length === 1 ? 'it' : 'them'} to plugins.${id}.grant`;
      record.log.warn({ missingScopes: grant.missing }, `plugin ${id} waits for a grant: ${record.reason}`);
    } else {
      record.state = 'ready';
    }
  }
  return records;
}

function newRecord(candidate: PluginCandidate, log: Logger): PluginRecord {
  return {
    candidate, manifest: null, module: null, state: 'failed', reason: null, errorCode: null, granted: [], missing: [], log,
    guard: null, api: null, jobs: null, registrations: emptyRegistrations(), registrationOpen: false,
    owner: { name: `plugin:${candidate.entry}` }, isolation: 'none', isolated: null,
  };
}

/** Marks a record failed and says so loudly: a plugin that does not load is an operator's problem. */
export function fail(record: PluginRecord, reason: string, err?: unknown): void {
  record.state = 'failed';
  record.reason = reason;
  // A guard-wrapped error keeps the plugin's own code in details.reason (REGISTER_AFTER_START, …).
  record.errorCode = isHubError(err) ? String(err.details?.reason ?? err.code) : err === undefined ? null : 'PLUGIN_FAILED';
  record.log.error({ err, plugin: record.manifest?.id, location: record.candidate.entry, source: record.candidate.source }, `plugin skipped: ${reason}`);
}
