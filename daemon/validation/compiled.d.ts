// Types of the validators that compileSchemas.ts generates into compiled.js at build time.
import type { ErrorObject } from 'ajv';

export interface CompiledValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

export const validateConfig: CompiledValidator;
export const validateClientFrame: CompiledValidator;
export const validatePluginManifest: CompiledValidator;
