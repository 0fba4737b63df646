import type { ErrorObject } from 'ajv';
import { clip } from './clip.js';
import type { NumberSources } from './inspectYaml.js';

/**
 * Turns Ajv's errors into one line per problem, each naming the key path, the value and what is allowed:
 *   http.port: "seventy" is not an integer 0–65535
 *   http.prot: unknown key (did you mean "port"?)
 */
export function formatSchemaErrors(errors: ErrorObject[], data: unknown, sourceOf: (path: string) => string | undefined, numberSources: NumberSources = new Map()): string[] {
  const byPath = new Map<string, { keys: string[]; errs: ErrorObject[] }>();
  for (const err of errors) {
    const keys = keyPath(err);
    const path = keys.join('.');
    const entry = byPath.get(path) ?? { keys, errs: [] };
    entry.errs.push(err);
    byPath.set(path, entry);
  }
  const lines: string[] = [];
  for (const [path, { keys, errs }] of byPath) {
    const source = sourceOf(path);
    const label = source ? `${path} (from ${source})` : path;
    // A secret's value is never echoed (the lines go to stderr and the journal): a key of digits read as a number is still a key.
    if (SECRET_KEYS.has(keys.at(-1) ?? '')) {
      const value = valueAt(data, keys);
      lines.push(`${clip(label, 80)}: ${describe(errs, value === undefined ? undefined : `(${typeof value}, not shown)`)}${typeof value === 'number' ? '; quote it' : ''}`);
      continue;
    }
    lines.push(`${clip(label, 80) || '(top level)'}: ${describe(errs, valueAt(data, keys))}${quoteHint(errs, valueAt(data, keys), numberSources.get(path))}`);
  }
  return lines;
}

/** Keys whose values are secrets (assistant.apiKey, cloud.token, mqtt.password): named in a problem line, never shown. */
const SECRET_KEYS = new Set(['apiKey', 'token', 'password']);

/** The dotted key path an error is about (`devices.0.id`), as the problem lines name it. */
export const errorPath = (err: ErrorObject): string => keyPath(err).join('.');

function keyPath(err: ErrorObject): string[] {
  const keys = err.instancePath.split('/').slice(1).map(unescapePointer);
  if (err.keyword === 'additionalProperties') keys.push(String(err.params.additionalProperty));
  if (err.keyword === 'required') keys.push(String(err.params.missingProperty));
  return keys;
}

const unescapePointer = (s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~');

function valueAt(data: unknown, keys: string[]): unknown {
  let cur: unknown = data;
  for (const key of keys) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function describe(errs: ErrorObject[], value: unknown): string {
  const shown = show(value);
  const unknownKey = errs.find((e) => e.keyword === 'additionalProperties');
  if (unknownKey) {
    const allowed = Object.keys((unknownKey.parentSchema?.properties as object | undefined) ?? {}).filter((k) => k !== '$schema');
    const guess = closest(String(unknownKey.params.additionalProperty), allowed);
    return `unknown key${guess ? ` (did you mean "${guess}"?)` : ''}; allowed: ${allowed.join(', ')}`;
  }
  if (errs.some((e) => e.keyword === 'required')) return 'is required';
  if (errs.some((e) => e.keyword === 'anyOf')) {
    // A nullable key (string or null) that got a string of the wrong shape: the string branch's own
    // complaint (pattern, length, range) says more than "is not a string or null".
    const specific = errs.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'type' && e.keyword !== 'const' && e.keyword !== 'enum');
    if (specific.length > 0) return describe(specific, value);
  }
  const schema = errs[0]!.parentSchema as Record<string, unknown> | undefined;
  const numeric = errs.find((e) => ['type', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'].includes(e.keyword)
    && (e.parentSchema as Record<string, unknown> | undefined)?.type !== undefined
    && ['integer', 'number'].includes(String((e.parentSchema as Record<string, unknown>).type)));
  if (numeric) return `${shown} is not ${numberRange(numeric.parentSchema as Record<string, unknown>)}`;
  const enumErr = errs.find((e) => e.keyword === 'const' || e.keyword === 'enum');
  if (enumErr || errs.some((e) => e.keyword === 'anyOf')) {
    const options = errs.flatMap((e) => {
      if (e.keyword === 'const') return [JSON.stringify(e.params.allowedValue)];
      if (e.keyword === 'enum') return (e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v));
      if (e.keyword === 'type') return [article(String(e.params.type))];
      return [];
    });
    return `${shown} is not ${[...new Set(options)].join(' or ')}`;
  }
  const first = errs[0]!;
  switch (first.keyword) {
    case 'type': return `${shown} is not ${article(String(first.params.type))}`;
    case 'pattern': return `${shown} does not match ${String(first.params.pattern)}`;
    case 'minLength': return `${shown} is shorter than ${String(first.params.limit)} character(s)`;
    case 'minItems': return `needs at least ${String(first.params.limit)} item(s)`;
    default: return `${shown} ${first.message ?? 'is invalid'}${schema?.description ? ` (${String(schema.description)})` : ''}`;
  }
}

/**
 * YAML reads an unquoted `0x00158d0001a2b3c4` (a Zigbee IEEE address) or `0012` as a number: where a
 * string was wanted, say how it was written and to quote it.
 */
function quoteHint(errs: ErrorObject[], value: unknown, written: string | undefined): string {
  if (typeof value !== 'number' || !errs.some((e) => e.keyword === 'type' && String(e.params.type).split(',').includes('string'))) return '';
  const source = clip(written ?? String(value));
  return `${written === undefined ? '' : ` (written ${source})`}; quote it: '${source}'`;
}

function numberRange(schema: Record<string, unknown>): string {
  const kind = schema.type === 'integer' ? 'an integer' : 'a number';
  const min = schema.minimum ?? schema.exclusiveMinimum;
  const max = schema.maximum ?? schema.exclusiveMaximum;
  if (min !== undefined && max !== undefined) return `${kind} ${String(min)}–${String(max)}`;
  if (schema.exclusiveMinimum !== undefined) return `${kind} above ${String(min)}`;
  if (min !== undefined) return `${kind} ≥ ${String(min)}`;
  if (max !== undefined) return `${kind} ≤ ${String(max)}`;
  return kind;
}

const article = (type: string) => (type === 'integer' || type === 'object' || type === 'array' ? `an ${type}` : type === 'null' ? 'null' : `a ${type}`);

function show(value: unknown): string {
  if (value === undefined) return '(missing)';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The allowed key nearest to a typo, if it is near enough to be a likely meaning. */
export function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) { best = candidate; bestDistance = d; }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
