import { Type } from '@sinclair/typebox';
import { Ajv } from 'ajv';
import semver from 'semver';
import { ScopeSchema } from '../../daemon/config/schema.js';
import { HubError } from '../../daemon/errors.js';
import type { PluginManifest } from '../sdk/manifest.js';

/**
 * The manifest schema (PROTOCOL §5). The id pattern is the one the config uses for `plugins.<id>` keys, so
 * every valid id can be granted scopes in voicehub.yaml.
 */
export const PLUGIN_ID_PATTERN = '^[a-z0-9-]+(\\.[a-z0-9-]+)+$';

const ManifestSchema = Type.Object({
  id: Type.String({ pattern: PLUGIN_ID_PATTERN, maxLength: 128 }),
  version: Type.String({ minLength: 1, maxLength: 64 }),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  description: Type.Optional(Type.String({ maxLength: 1000 })),
  capabilities: Type.Array(Type.String({ pattern: '^[a-z][a-z0-9_:.-]*$', maxLength: 64 }), { uniqueItems: true, maxItems: 64 }),
  requiredScopes: Type.Array(ScopeSchema, { uniqueItems: true }),
  intents: Type.Optional(Type.Array(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]*$', maxLength: 64 }), { uniqueItems: true, maxItems: 256 })),
  configSchema: Type.Optional(Type.Object({}, { additionalProperties: true })),
  engines: Type.Optional(Type.Object({ voicehub: Type.Optional(Type.String({ minLength: 1 })) }, { additionalProperties: true })),
}, { additionalProperties: false });

const ajv = new Ajv({ allErrors: true, strict: false });
const validateShape = ajv.compile(ManifestSchema);

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
  if (!semver.valid(manifest.version)) problems.push(`/version must be a semver version (1.2.3), got ${JSON.stringify(manifest.version)}`);
  const range = manifest.engines?.voicehub;
  if (range !== undefined) {
    if (!semver.validRange(range)) problems.push(`/engines/voicehub must be a semver range, got ${JSON.stringify(range)}`);
    else if (!semver.satisfies(hubVersion, range, { includePrerelease: true })) {
      problems.push(`/engines/voicehub wants voicehub ${range}, this hub is ${hubVersion}`);
    }
  }
  if (manifest.configSchema !== undefined) {
    try {
      ajv.compile(manifest.configSchema);
    } catch (err) {
      problems.push(`/configSchema is not a usable JSON Schema: ${(err as Error).message}`);
    }
  }
  if (problems.length > 0) throw invalid(problems, raw);
  return structuredClone(manifest);
}

/**
 * Validates `plugins.<id>.config` against the manifest's schema, filling its defaults; returns a frozen copy.
 * Throws PLUGIN_MANIFEST_INVALID naming each bad key (the config belongs to the plugin's contract).
 */
export function validatePluginConfig(manifest: PluginManifest, config: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  const copy = structuredClone(config) as Record<string, unknown>;
  if (manifest.configSchema) {
    const check = configAjv.compile(manifest.configSchema);
    if (!check(copy)) {
      const problems = (check.errors ?? []).map((e) => `plugins.${manifest.id}.config${e.instancePath.replaceAll('/', '.')} ${e.message ?? 'is invalid'}`);
      throw new HubError('PLUGIN_MANIFEST_INVALID', problems.join('; '), { details: { plugin: manifest.id, problems } });
    }
  }
  return deepFreeze(copy);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

const configAjv = new Ajv({ allErrors: true, strict: false, useDefaults: true });

function invalid(problems: string[], raw?: unknown): HubError {
  const id = raw && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : undefined;
  return new HubError('PLUGIN_MANIFEST_INVALID', `invalid plugin manifest${id ? ` (${id})` : ''}: ${problems.join('; ')}`, { details: { plugin: id, problems } });
}
