import { Type } from '@sinclair/typebox';
import { ScopeSchema } from '../config/schema.js';
import { PLUGIN_ID_PATTERN } from './pluginId.js';

/**
 * The manifest schema (PROTOCOL §5), compiled ahead of time with the hub's other schemas
 * (daemon/validation), so neither TypeBox nor an Ajv compile is on the start-up path.
 */
export const ManifestSchema = Type.Object({
  id: Type.String({ pattern: PLUGIN_ID_PATTERN, maxLength: 128 }),
  version: Type.String({ minLength: 1, maxLength: 64 }),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  description: Type.Optional(Type.String({ maxLength: 1000 })),
  capabilities: Type.Array(Type.String({ pattern: '^[a-z][a-z0-9_:.-]*$', maxLength: 64 }), { uniqueItems: true, maxItems: 64 }),
  requiredScopes: Type.Array(ScopeSchema, { uniqueItems: true }),
  intents: Type.Optional(Type.Array(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]*$', maxLength: 64 }), { uniqueItems: true, maxItems: 256 })),
  configSchema: Type.Optional(Type.Object({}, { additionalProperties: true })),
  engines: Type.Optional(Type.Object({ voicehub: Type.Optional(Type.String({ minLength: 1 })) }, { additionalProperties: true })),
  // A plugin may ask to run in a process of its own; it cannot ask for less than the config gives it.
  isolation: Type.Optional(Type.Union([Type.Literal('none'), Type.Literal('process')])),
}, { additionalProperties: false });
