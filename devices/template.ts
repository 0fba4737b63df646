import nunjucks from 'nunjucks';
import { checkTemplateAst } from './templateGuard.js';

/**
 * Home Assistant `value_template` / `json_attributes_template` evaluation with nunjucks (Jinja's syntax, in
 * JavaScript). The only module that imports nunjucks. Templates are checked (templateGuard.ts), compiled once
 * and cached; rendering never throws: every failure comes back as a coded result.
 *
 * Variables are HA's: `value` (the payload as text) and `value_json` (the payload parsed as JSON, undefined
 * when it is not JSON). Filters: nunjucks' own (`float`, `int`, `round`, `default`, `lower`, `upper`…) plus the
 * HA ones templates use (`is_defined`, `bool`, `to_json`/`tojson`, `from_json`, `iif`, `min`, `max`).
 */

export type TemplateFailureCode =
  | 'TEMPLATE_INVALID' // does not parse
  | 'TEMPLATE_FORBIDDEN' // parses, but uses something the guard refuses
  | 'TEMPLATE_UNDEFINED' // `is_defined` met an undefined value (HA raises there too)
  | 'TEMPLATE_FAILED' // threw while rendering
  | 'TEMPLATE_TOO_LONG';

export interface TemplateFailure { ok: false; code: TemplateFailureCode; reason: string }
export type TemplateResult = { ok: true; value: string } | TemplateFailure;

export interface TemplateVariables {
  value: string;
  value_json?: unknown;
  [name: string]: unknown;
}

/** HA templates are one-liners; a longer source is more likely an attack than a template. */
export const MAX_TEMPLATE_CHARS = 4096;
/** Rendered output longer than this is refused (nothing a device state needs is this long). */
const MAX_OUTPUT_CHARS = 65536;
const CACHE_LIMIT = 2048;

class UndefinedValueError extends Error {}

interface NunjucksInternals {
  parser: { parse(src: string, extensions?: unknown[], opts?: unknown): unknown };
}

// An empty loader list: with `null` nunjucks would fall back to a FileSystemLoader on ./views.
const env = new nunjucks.Environment([], { autoescape: false, throwOnUndefined: false });

const toNumber = (v: unknown, fallback?: unknown): unknown => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : typeof v === 'boolean' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : fallback;
};
const toBool = (v: unknown): boolean => {
  if (typeof v === 'string') return ['true', 'on', 'yes', 'enable', '1'].includes(v.trim().toLowerCase());
  return Boolean(v);
};
const iif = (cond: unknown, ifTrue: unknown = true, ifFalse: unknown = false) => (toBool(cond) ? ifTrue : ifFalse);
const extreme = (pick: (a: number, b: number) => number) => (first: unknown, ...rest: unknown[]) => {
  const values = (Array.isArray(first) && rest.length === 0 ? first : [first, ...rest]).map((v) => toNumber(v));
  return values.reduce((a, b) => (typeof a === 'number' && typeof b === 'number' ? pick(a, b) : a ?? b), undefined);
};

// HA's `float`/`int` take an optional default: nunjucks' own already do; these accept "21.5" with spaces too.
env.addFilter('float', (v: unknown, fallback?: unknown) => toNumber(v, fallback));
env.addFilter('is_defined', (v: unknown) => {
  if (v === undefined) throw new UndefinedValueError('value is undefined');
  return v;
});
env.addFilter('bool', toBool);
env.addFilter('iif', iif);
env.addFilter('to_json', (v: unknown) => JSON.stringify(v));
env.addFilter('tojson', (v: unknown) => JSON.stringify(v));
env.addFilter('from_json', (v: unknown) => JSON.parse(String(v)));
env.addFilter('min', extreme(Math.min));
env.addFilter('max', extreme(Math.max));
env.addGlobal('float', (v: unknown, fallback?: unknown) => toNumber(v, fallback));
env.addGlobal('int', (v: unknown, fallback?: unknown) => {
  const n = toNumber(v, undefined);
  return typeof n === 'number' ? Math.trunc(n) : fallback;
});
env.addGlobal('bool', toBool);
env.addGlobal('iif', iif);
env.addGlobal('min', extreme(Math.min));
env.addGlobal('max', extreme(Math.max));

type Compiled = { ok: true; template: nunjucks.Template } | TemplateFailure;
const cache = new Map<string, Compiled>();

/** Parses, checks and compiles a template once; later calls with the same source hit the cache. */
export function compileTemplate(source: string): { ok: true } | TemplateFailure {
  const compiled = lookup(source);
  return compiled.ok ? { ok: true } : compiled;
}

function lookup(source: string): Compiled {
  const hit = cache.get(source);
  if (hit) return hit;
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
    ast = (nunjucks as unknown as NunjucksInternals).parser.parse(source, [], {});
  } catch (err) {
    return { ok: false, code: 'TEMPLATE_INVALID', reason: message(err) };
  }
  const refused = checkTemplateAst(ast);
  if (refused) return { ok: false, code: 'TEMPLATE_FORBIDDEN', reason: refused };
  try {
    return { ok: true, template: new nunjucks.Template(source, env, undefined, true) };
  } catch (err) {
    return { ok: false, code: 'TEMPLATE_INVALID', reason: message(err) };
  }
}

/** Renders a template with HA's variables; trims the result as HA does. Never throws. */
export function renderTemplate(source: string, variables: TemplateVariables): TemplateResult {
  const compiled = lookup(source);
  if (!compiled.ok) return compiled;
  let out: string;
  try {
    out = compiled.template.render(variables);
  } catch (err) {
    const undefinedValue = err instanceof UndefinedValueError || (err as { cause?: unknown })?.cause instanceof UndefinedValueError ||
      /value is undefined/.test(message(err));
    return { ok: false, code: undefinedValue ? 'TEMPLATE_UNDEFINED' : 'TEMPLATE_FAILED', reason: message(err) };
  }
  if (out.length > MAX_OUTPUT_CHARS) return { ok: false, code: 'TEMPLATE_TOO_LONG', reason: 'rendered output is too long' };
  return { ok: true, value: out.trim() };
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
