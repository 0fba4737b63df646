import { createRequire } from 'node:module';
import type { Ajv as AjvType } from 'ajv';
import validVersion from 'semver/functions/valid.js';
import satisfies from 'semver/functions/satisfies.js';
import validRange from 'semver/ranges/valid.js';
import { HubError } from '../core/errors.js';
import { deepFreeze } from '../core/deepFreeze.js';
import { validatePluginManifest as validateShape } from '../validation/compiled.js';
export { PLUGIN_ID_PATTERN } from './pluginId.js';
import type { PluginManifest } from '../../plugins/sdk/manifest.js';

/**
 * Ajv itself is loaded only for a plugin that brings a config schema of its own (none of the built-ins
 * does): the manifest schema is compiled ahead of time.
 */
let configAjv: AjvType | null = null;
function pluginAjv(): AjvType {
  if (!configAjv) {
    const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
    configAjv = new Ajv({ allErrors: true, strict: false, useDefaults: true });
  }
  return configAjv;
}

/**
 * Checks a manifest and returns it frozen, or throws PLUGIN_MANIFEST_INVALID listing every problem
 * (`/version must be semver, got "1.x"`). `hubVersion` is checked against `engines.voicehub`.
 */
export function validateManifest(raw: unknown, hubVersion: string): PluginManifest {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw invalid(['the module exports no manifest object']);
  }
  const problems: string[] = [];
  if (!validateShape(raw)) {
    for (const e of validateShape.errors ?? []) {
      const where = e.instancePath || '/';
      problems.push(e.keyword === 'additionalProperties'
        ? `${where} has an unknown key "${(e.params as { additionalProperty: string }).additionalProperty}"`
        : `${where} ${e.message ?? 'is invalid'}`);
    }
    throw invalid(problems, raw);
  }
  const manifest = raw as PluginManifest;
  if (!validVersion(manifest.version)) problems.push(`/version must be a semver version (1.2.3), got ${JSON.stringify(manifest.version)}`);
  const range = manifest.engines?.voicehub;
  if (range !== undefined) {
    if (!validRange(range)) problems.push(`/engines/voicehub must be a semver range, got ${JSON.stringify(range)}`);
    else if (!satisfies(hubVersion, range, { includePrerelease: true })) {
      problems.push(`/engines/voicehub wants voicehub ${range}, this hub is ${hubVersion}`);
    }
  }
  problems.push(...toolProblems(manifest));
  if (problems.length > 0) throw invalid(problems, raw);
  return structuredClone(manifest);
}

/** What the schema cannot say about `tools`: each runs one of the plugin's own intents, with bounds that hold. */
function toolProblems(manifest: PluginManifest): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  for (const [i, tool] of (manifest.tools ?? []).entries()) {
    const at = `/tools/${i}`;
    if (names.has(tool.name)) problems.push(`${at}/name ${JSON.stringify(tool.name)} is declared twice`);
    names.add(tool.name);
    if (!(manifest.intents ?? []).includes(tool.intent)) problems.push(`${at}/intent ${JSON.stringify(tool.intent)} is not one of the plugin's intents`);
    const properties = tool.inputSchema.properties;
    for (const name of tool.inputSchema.required ?? []) {
      if (!Object.hasOwn(properties, name)) problems.push(`${at}/inputSchema/required names ${JSON.stringify(name)}, which is not a property`);
    }
    for (const [name, param] of Object.entries(properties)) {
      if ('minimum' in param && 'maximum' in param && param.minimum! > param.maximum!) problems.push(`${at}/inputSchema/properties/${name} has minimum above maximum`);
      if ('minLength' in param && 'maxLength' in param && param.minLength! > param.maxLength!) problems.push(`${at}/inputSchema/properties/${name} has minLength above maxLength`);
    }
  }
  return problems;
}

/**
 * Validates `plugins.<id>.config` against the manifest's schema, filling its defaults; returns a frozen copy.
 * Throws PLUGIN_MANIFEST_INVALID naming each bad key (the config belongs to the plugin's contract).
 */
export function validatePluginConfig(manifest: PluginManifest, config: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  const copy = structuredClone(config) as Record<string, unknown>;
  if (manifest.configSchema) {
    // Compiled here, when the plugin is about to run, not when its manifest is read: a plugin that waits
    // for a grant (or is disabled) costs no Ajv at start-up.
    let check: ReturnType<AjvType['compile']>;
    try {
      check = pluginAjv().compile(manifest.configSchema);
    } catch (err) {
      const problem = `/configSchema is not a usable JSON Schema: ${(err as Error).message}`;
      throw new HubError('PLUGIN_MANIFEST_INVALID', `invalid plugin manifest (${manifest.id}): ${problem}`, { details: { plugin: manifest.id, problems: [problem] } });
    }
    if (!check(copy)) {
      const problems = (check.errors ?? []).map((e) => `plugins.${manifest.id}.config${e.instancePath.replaceAll('/', '.')} ${e.message ?? 'is invalid'}`);
      throw new HubError('PLUGIN_MANIFEST_INVALID', problems.join('; '), { details: { plugin: manifest.id, problems } });
    }
  }
  return deepFreeze(copy);
}

function invalid(problems: string[], raw?: unknown): HubError {
  const id = raw && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : undefined;
  return new HubError('PLUGIN_MANIFEST_INVALID', `invalid plugin manifest${id ? ` (${id})` : ''}: ${problems.join('; ')}`, { details: { plugin: id, problems } });
}
