import { createRequire } from 'node:module';
import type { Ajv as AjvType, ValidateFunction } from 'ajv';
import { HubError } from '../core/errors.js';
import type { PluginTool, ToolInputSchema, ToolParam } from '../../plugins/sdk/manifest.js';
import type { SlotValue } from '../../plugins/sdk/intents.js';

/** A string property without a maxLength of its own may hold this much: slots are a few words. */
export const DEFAULT_MAX_STRING = 200;

/**
 * The JSON Schema the model is shown and its input is checked against: the plugin's, closed
 * (`additionalProperties: false`) and with every string bounded. The manifest schema already allows only
 * flat typed properties (daemon/plugins/manifestSchema.ts), so compiling it runs no pattern of the plugin's.
 */
export function closedSchema(schema: ToolInputSchema): ToolInputSchema & { additionalProperties: false } {
  const properties: Record<string, ToolParam> = {};
  for (const [name, param] of Object.entries(schema.properties)) {
    properties[name] = param.type === 'string' && param.maxLength === undefined && param.enum === undefined ? { ...param, maxLength: DEFAULT_MAX_STRING } : { ...param };
  }
  return { type: 'object', properties, ...(schema.required?.length ? { required: [...schema.required] } : {}), additionalProperties: false };
}

let ajv: AjvType | null = null;
/** One validator per declared tool, compiled at its first call (most hubs never call one). */
const compiled = new WeakMap<PluginTool, ValidateFunction>();

/**
 * The model's input for a plugin's tool as slots, or ASSISTANT_TOOL_INPUT_INVALID naming each problem
 * (`/item must NOT have more than 100 characters`). The input is hostile like any other: its shape, sizes
 * and types are checked before the plugin sees any of it.
 */
export function toolSlots(tool: PluginTool, input: unknown): Record<string, SlotValue> {
  let check = compiled.get(tool);
  if (!check) {
    if (!ajv) {
      const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
      ajv = new Ajv({ allErrors: true, strict: false });
    }
    check = ajv.compile(closedSchema(tool.inputSchema));
    compiled.set(tool, check);
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input) || !check(input)) {
    const problems = input === null || typeof input !== 'object' || Array.isArray(input)
      ? ['the input is not a JSON object']
      : (check.errors ?? []).slice(0, 8).map((e) => e.keyword === 'additionalProperties'
        ? `${e.instancePath || '/'} has an unknown property ${JSON.stringify((e.params as { additionalProperty: string }).additionalProperty).slice(0, 40)}`
        : `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
    throw new HubError('ASSISTANT_TOOL_INPUT_INVALID', `${tool.name}: ${problems.join('; ')}`, { details: { tool: tool.name, problems } });
  }
  return { ...(input as Record<string, SlotValue>) };
}
