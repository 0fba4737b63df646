import { Type } from '@sinclair/typebox';
import { ScopeSchema } from '../config/schema.js';
import { PLUGIN_ID_PATTERN } from './pluginId.js';

const ToolText = Type.String({ maxLength: 500 });
/**
 * A tool's input is a deliberately small subset of JSON Schema (flat typed properties, bounds, enums): the
 * schema comes from a plugin, and a `pattern`, a `$ref` or deep nesting would hand it a regular expression
 * to run on the model's input or a costly compile. What is not listed here is refused with the manifest.
 */
const ToolParamSchema = Type.Union([
  Type.Object({
    type: Type.Literal('string'), description: Type.Optional(ToolText),
    enum: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { minItems: 1, maxItems: 64, uniqueItems: true })),
    minLength: Type.Optional(Type.Integer({ minimum: 0, maximum: 4000 })), maxLength: Type.Optional(Type.Integer({ minimum: 1, maximum: 4000 })),
  }, { additionalProperties: false }),
  Type.Object({
    type: Type.Union([Type.Literal('number'), Type.Literal('integer')]), description: Type.Optional(ToolText),
    minimum: Type.Optional(Type.Number()), maximum: Type.Optional(Type.Number()),
  }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('boolean'), description: Type.Optional(ToolText) }, { additionalProperties: false }),
]);

export const TOOL_NAME_PATTERN = '^[a-z][a-z0-9_]{0,63}$';
const TOOL_PARAM_PATTERN = '^[a-z][a-z0-9_]{0,31}$';

const ToolSchema = Type.Object({
  name: Type.String({ pattern: TOOL_NAME_PATTERN }),
  description: Type.String({ minLength: 1, maxLength: 500 }),
  intent: Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]*$', maxLength: 64 }),
  inputSchema: Type.Object({
    type: Type.Literal('object'),
    properties: Type.Record(Type.String({ pattern: TOOL_PARAM_PATTERN }), ToolParamSchema, { maxProperties: 16, additionalProperties: false }),
    required: Type.Optional(Type.Array(Type.String({ pattern: TOOL_PARAM_PATTERN }), { uniqueItems: true, maxItems: 16 })),
  }, { additionalProperties: false }),
  clientScopes: Type.Optional(Type.Array(Type.Union([Type.Literal('voice'), Type.Literal('devices:read'), Type.Literal('devices:control'), Type.Literal('admin')]), { uniqueItems: true })),
}, { additionalProperties: false });

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
  // Tools the assistant may offer the model (PluginTool in plugins/sdk/manifest.ts).
  tools: Type.Optional(Type.Array(ToolSchema, { maxItems: 16 })),
}, { additionalProperties: false });
