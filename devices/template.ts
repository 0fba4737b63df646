import { createRequire } from 'node:module';
import type { TemplateFailureCode } from '../daemon/core/errors.js';
import { compileAst, TemplateRefusal } from './templateCompile.js';
import { runProgram } from './templateEval.js';
import { TemplateRunError, type Program } from './templateProgram.js';

/**
 * Home Assistant `value_template` / `command_template` / `json_attributes_template` evaluation. Templates
 * come from discovery payloads, so they are untrusted: nunjucks (the only module that imports it) is used
 * for its parser alone; templateCompile.ts accepts a whitelist of its parse tree and templateEval.ts runs
 * the result with capped work and output. A refused template is refused when it is compiled (at discovery,
 * or when devices.json is loaded), never when a message arrives. Rendering never throws: every failure comes
 * back as a coded result.
 *
 * Variables are HA's: `value` (the payload as text) and `value_json` (the payload parsed as JSON, undefined
 * when it is not JSON), plus what a command template is given (`position`…).
 */

// The failure codes live in the one error table (daemon/errors.ts, docs/ERRORS.md).
export type { TemplateFailureCode };

export interface TemplateFailure { ok: false; code: TemplateFailureCode; reason: string }
export type TemplateResult = { ok: true; value: string } | TemplateFailure;

export interface TemplateVariables {
  value: string;
  value_json?: unknown;
  [name: string]: unknown;
}

/** HA templates are one-liners; a longer source is more likely an attack than a template. */
export const MAX_TEMPLATE_CHARS = 4096;
/** Compiled programs are a few hundred bytes; the cache keeps the ones in use without growing with every announcement. */
const CACHE_LIMIT = 1024;

interface NunjucksParser {
  parse(src: string, extensions?: unknown[], opts?: unknown): unknown;
}

/**
 * nunjucks' parser (what `nunjucks.parser` is), loaded at the first template compiled rather than at
 * start-up: most hubs have no HA template until a device announces one, and the whole package (its
 * compiler, environment and loaders, none of which is used here) was 125 KB of the bundle evaluated on
 * every start. Loaded with require from node_modules, so the bundle does not carry it.
 */
let nunjucksParser: NunjucksParser | undefined;
function parser(): NunjucksParser {
  nunjucksParser ??= createRequire(import.meta.url)('nunjucks/src/parser') as NunjucksParser;
  return nunjucksParser;
}

type Compiled = { ok: true; program: Program } | TemplateFailure;
const cache = new Map<string, Compiled>();

/** Parses and checks a template once; later calls with the same source hit the cache. */
export function compileTemplate(source: string): { ok: true } | TemplateFailure {
  const compiled = lookup(source);
  return compiled.ok ? { ok: true } : compiled;
}

function lookup(source: string): Compiled {
  const hit = cache.get(source);
  if (hit) {
    // Least recently used goes first: move a hit to the end.
    cache.delete(source);
    cache.set(source, hit);
    return hit;
  }
  const result = compile(source);
  // A bounded cache: discovery can announce any number of distinct templates over time.
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(source, result);
  return result;
}

function compile(source: string): Compiled {
  if (source.length > MAX_TEMPLATE_CHARS) {
    return { ok: false, code: 'TEMPLATE_TOO_LONG', reason: `template is longer than ${MAX_TEMPLATE_CHARS} characters` };
  }
  let ast: unknown;
  try {
    ast = parser().parse(source, [], {});
  } catch (err) {
    // Includes a RangeError from the parser's recursion on thousands of nested brackets.
    return { ok: false, code: 'TEMPLATE_INVALID', reason: message(err) };
  }
  try {
    return { ok: true, program: compileAst(ast) };
  } catch (err) {
    if (err instanceof TemplateRefusal) return { ok: false, code: 'TEMPLATE_FORBIDDEN', reason: err.message };
    return { ok: false, code: 'TEMPLATE_INVALID', reason: message(err) };
  }
}

/** Renders a template with HA's variables; trims the result as HA does. Never throws. */
export function renderTemplate(source: string, variables: TemplateVariables): TemplateResult {
  const compiled = lookup(source);
  if (!compiled.ok) return compiled;
  try {
    return { ok: true, value: runProgram(compiled.program, variables).trim() };
  } catch (err) {
    if (err instanceof TemplateRunError) return { ok: false, code: err.code, reason: err.message };
    return { ok: false, code: 'TEMPLATE_FAILED', reason: message(err) };
  }
}

/** The usual case: a value template over a payload that may or may not be JSON. */
export function renderValueTemplate(source: string, payload: string, json: unknown): TemplateResult {
  return renderTemplate(source, { value: payload, value_json: json });
}

function message(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  // nunjucks prefixes "(unknown path)" and line details; keep the first line short for logs.
  return text.replace(/^\(unknown path\)\s*/, '').split('\n').map((l) => l.trim()).filter(Boolean).join(' ').slice(0, 300);
}
