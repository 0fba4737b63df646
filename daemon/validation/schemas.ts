import { ConfigSchema } from '../config/schema.js';
import { ClientFrameSchema } from '../voice/frameSchema.js';
import { ManifestSchema } from '../plugins/manifestSchema.js';

/**
 * Every JSON Schema the hub validates at run time, by the name of its validator. The build compiles them
 * all ahead of time (compileSchemas.ts → compiled.js, Ajv standalone code), so start-up never loads
 * TypeBox or compiles a schema: that alone was most of the cold start on a Pi-class CPU.
 */
export const SCHEMAS = {
  validateConfig: ConfigSchema,
  validateClientFrame: ClientFrameSchema,
  validatePluginManifest: ManifestSchema,
} as const;
