import { TemplateRunError } from './templateProgram.js';

/**
 * The filters, functions, string methods and `is` tests a template may use, all implemented here with a cost
 * bounded by the size of their inputs and charged to the run's budget. Nothing takes a regular expression or
 * a callable from the template, and nothing grows a string or a list past the caps below.
 *
 * The set is what Home Assistant value and command templates commonly use (HA's template docs, and the
 * templates Zigbee2MQTT, ESPHome and Tasmota announce); `regex_*`, loops and anything that reaches states or
 * time are not offered.
 */

/** No string a template builds is longer than this (a state payload is at most 64 KiB too). */
export const MAX_STRING_CHARS = 64 * 1024;
/** No list a template builds (`split`, `list`) has more items than this. */
export const MAX_ITEMS = 1024;

export interface Budget { charge(units: number): void }

type Impl = (args: unknown[], budget: Budget) => unknown;

const fail = (message: string): never => { throw new TemplateRunError('TEMPLATE_FAILED', message); };

/** Charges for a string about to be made and refuses one past the cap. */
export function checkedLength(length: number, budget: Budget): void {
  if (length > MAX_STRING_CHARS) throw new TemplateRunError('TEMPLATE_TOO_LONG', `a string would exceed ${MAX_STRING_CHARS} characters`);
  budget.charge(length);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** How a value prints: JSON for lists and mappings, nothing for undefined and none, as nunjucks printed scalars. */
export function toText(v: unknown, budget: Budget): string {
  let out: string;
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') out = String(v);
  else out = JSON.stringify(v) ?? '';
  checkedLength(out.length, budget);
  return out;
}

export function toNumber(v: unknown, fallback?: unknown): unknown {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : typeof v === 'boolean' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : fallback;
}

export function toBool(v: unknown): boolean {
  if (typeof v === 'string') return ['true', 'on', 'yes', 'enable', '1'].includes(v.trim().toLowerCase());
  if (Array.isArray(v)) return v.length > 0;
  return Boolean(v);
}

/** Python's truthiness, which `if` and `and`/`or` use: empty strings, lists and mappings are false. */
export function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (isPlainObject(v)) return Object.keys(v).length > 0;
  return Boolean(v);
}

const text = (v: unknown, budget: Budget): string => toText(v, budget);
const items = (v: unknown, budget: Budget): unknown[] => {
  if (Array.isArray(v)) {
    budget.charge(v.length);
    return v;
  }
  if (typeof v === 'string') {
    if (v.length > MAX_ITEMS) fail(`a list would have more than ${MAX_ITEMS} items`);
    budget.charge(v.length);
    return [...v];
  }
  if (isPlainObject(v)) {
    const keys = Object.keys(v);
    budget.charge(keys.length);
    return keys;
  }
  return fail('not a list');
};

function toInt(v: unknown, fallback?: unknown): unknown {
  const n = toNumber(v, undefined);
  return typeof n === 'number' ? Math.trunc(n) : fallback;
}

function round(v: unknown, precision: unknown = 0, method: unknown = 'common'): unknown {
  const n = toNumber(v);
  if (typeof n !== 'number') return fail('round needs a number');
  const digits = Math.min(Math.max(Math.trunc(Number(toNumber(precision, 0))), 0), 15);
  const factor = 10 ** digits;
  const how = method === 'floor' ? Math.floor : method === 'ceil' ? Math.ceil : Math.round;
  return how(n * factor) / factor;
}

function extreme(pick: (a: number, b: number) => number): Impl {
  return (args, budget) => {
    const values = Array.isArray(args[0]) && args.length === 1 ? items(args[0], budget) : args;
    let best: number | undefined;
    for (const v of values) {
      const n = toNumber(v);
      if (typeof n === 'number') best = best === undefined ? n : pick(best, n);
    }
    return best;
  };
}

function replaceAll(s: string, search: string, by: string, budget: Budget): string {
  if (search === '') return fail('replace needs a non-empty search string');
  budget.charge(s.length);
  // Count first, so a short search replaced by a long string cannot build a huge one before the cap.
  let count = 0;
  for (let i = s.indexOf(search); i !== -1 && count <= MAX_STRING_CHARS; i = s.indexOf(search, i + search.length)) count++;
  checkedLength(s.length + count * (by.length - search.length), budget);
  return s.split(search).join(by);
}

function split(s: string, sep: unknown, budget: Budget): string[] {
  budget.charge(s.length);
  if (sep === undefined || sep === null) {
    const words = s.trim() === '' ? [] : s.trim().split(/\s+/, MAX_ITEMS + 1);
    if (words.length > MAX_ITEMS) fail(`a list would have more than ${MAX_ITEMS} items`);
    return words;
  }
  if (typeof sep !== 'string' || sep === '') return fail('split needs a non-empty separator');
  const parts = s.split(sep, MAX_ITEMS + 1);
  if (parts.length > MAX_ITEMS) fail(`a list would have more than ${MAX_ITEMS} items`);
  return parts;
}

/** Drops `<…>` tags and folds whitespace in one linear pass (no regular expression to backtrack). */
function stripTags(s: string, budget: Budget): string {
  budget.charge(s.length);
  let out = '';
  let inTag = false;
  let space = false;
  for (const ch of s) {
    if (inTag) { if (ch === '>') inTag = false; continue; }
    if (ch === '<') { inTag = true; continue; }
    if (ch === ' ' || ch === '\n' || ch === '\t' || ch === '\r') { space = out !== ''; continue; }
    if (space) { out += ' '; space = false; }
    out += ch;
  }
  return out;
}

/** `'%.1f' | format(x)`: only %s, %d/%i and %f with a precision; enough for HA's number formatting. */
function format(pattern: string, args: unknown[], budget: Budget): string {
  budget.charge(pattern.length);
  let next = 0;
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch !== '%') { out += ch; continue; }
    let j = i + 1;
    let precision: number | undefined;
    if (pattern[j] === '.') {
      let digits = '';
      for (j++; j < pattern.length && pattern[j]! >= '0' && pattern[j]! <= '9' && digits.length < 2; j++) digits += pattern[j];
      precision = Math.min(Number(digits || '0'), 20);
    }
    const kind = pattern[j];
    if (kind === '%') out += '%';
    else if (kind === 's') out += text(args[next++], budget);
    else if (kind === 'd' || kind === 'i') out += String(toInt(args[next++], 0));
    else if (kind === 'f') out += Number(toNumber(args[next++], 0)).toFixed(precision ?? 6);
    else return fail(`format: unsupported conversion %${kind ?? ''}`);
    checkedLength(out.length, budget);
    i = j;
  }
  return out;
}

function fromJson(v: unknown, budget: Budget): unknown {
  const s = text(v, budget);
  budget.charge(s.length);
  try {
    return JSON.parse(s);
  } catch {
    return fail('from_json: not JSON');
  }
}

function toJson(v: unknown, budget: Budget): string {
  const out = JSON.stringify(v) ?? 'null';
  checkedLength(out.length, budget);
  return out;
}

const stringOnly = (f: (s: string) => string): Impl => (args, budget) => {
  const s = text(args[0], budget);
  budget.charge(s.length);
  return f(s);
};

function isDefined(args: unknown[]): unknown {
  if (args[0] === undefined) throw new TemplateRunError('TEMPLATE_UNDEFINED', 'value is undefined');
  return args[0];
}

const iif = (args: unknown[]) => (toBool(args[0]) ? (args.length > 1 ? args[1] : true) : (args.length > 2 ? args[2] : false));

/** Filters: `x | name(a, b)` is called with `[x, a, b]`. */
export const FILTERS: ReadonlyMap<string, Impl> = new Map<string, Impl>([
  ['float', (a) => toNumber(a[0], a[1])],
  ['int', (a) => toInt(a[0], a.length > 1 ? a[1] : 0)],
  ['round', (a) => round(a[0], a[1], a[2])],
  ['abs', (a) => { const n = toNumber(a[0]); return typeof n === 'number' ? Math.abs(n) : fail('abs needs a number'); }],
  ['multiply', (a) => { const n = toNumber(a[0]); const m = toNumber(a[1]); return typeof n === 'number' && typeof m === 'number' ? n * m : a[2]; }],
  ['default', (a) => (a[0] === undefined || (a[2] === true && !truthy(a[0])) ? a[1] : a[0])],
  ['d', (a) => (a[0] === undefined || (a[2] === true && !truthy(a[0])) ? a[1] : a[0])],
  ['is_defined', isDefined],
  ['bool', (a) => toBool(a[0])],
  ['iif', iif],
  ['min', extreme(Math.min)],
  ['max', extreme(Math.max)],
  ['lower', stringOnly((s) => s.toLowerCase())],
  ['upper', stringOnly((s) => s.toUpperCase())],
  ['trim', stringOnly((s) => s.trim())],
  ['capitalize', stringOnly((s) => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase())],
  ['title', stringOnly((s) => s.toLowerCase().replace(/(^|\s)(\S)/g, (_m, sp: string, c: string) => sp + c.toUpperCase()))],
  ['string', (a, b) => text(a[0], b)],
  ['safe', (a) => a[0]],
  ['urlencode', stringOnly((s) => encodeURIComponent(s))],
  ['striptags', (a, b) => stripTags(text(a[0], b), b)],
  ['wordcount', (a, b) => split(text(a[0], b), undefined, b).length],
  ['replace', (a, b) => replaceAll(text(a[0], b), text(a[1], b), text(a[2], b), b)],
  ['format', (a, b) => format(text(a[0], b), a.slice(1), b)],
  ['length', (a, b) => (typeof a[0] === 'string' ? a[0].length : items(a[0], b).length)],
  ['count', (a, b) => (typeof a[0] === 'string' ? a[0].length : items(a[0], b).length)],
  ['first', (a, b) => (typeof a[0] === 'string' ? a[0].charAt(0) : items(a[0], b)[0])],
  ['last', (a, b) => (typeof a[0] === 'string' ? a[0].slice(-1) : items(a[0], b).at(-1))],
  ['list', (a, b) => [...items(a[0], b)]],
  ['reverse', (a, b) => (typeof a[0] === 'string' ? (b.charge(a[0].length), [...a[0]].reverse().join('')) : [...items(a[0], b)].reverse())],
  ['sort', (a, b) => sortList(items(a[0], b), b)],
  ['sum', (a, b) => items(a[0], b).reduce((t: number, v) => t + Number(toNumber(v, 0)), 0)],
  ['join', (a, b) => join(items(a[0], b), a[1] === undefined ? '' : text(a[1], b), b)],
  ['to_json', (a, b) => toJson(a[0], b)],
  ['tojson', (a, b) => toJson(a[0], b)],
  ['dump', (a, b) => toJson(a[0], b)],
  ['from_json', (a, b) => fromJson(a[0], b)],
]);

/** Functions: `name(a, b)`. */
export const FUNCTIONS: ReadonlyMap<string, Impl> = new Map<string, Impl>([
  ['float', (a) => toNumber(a[0], a[1])],
  ['int', (a) => toInt(a[0], a.length > 1 ? a[1] : 0)],
  ['bool', (a) => toBool(a[0])],
  ['iif', iif],
  ['min', extreme(Math.min)],
  ['max', extreme(Math.max)],
]);

/** String methods: `s.name(a)`, with Python's names and the JavaScript ones templates used before. */
type Method = (s: string, args: unknown[], budget: Budget) => unknown;
const lower: Method = (s, _a, b) => { b.charge(s.length); return s.toLowerCase(); };
const upper: Method = (s, _a, b) => { b.charge(s.length); return s.toUpperCase(); };
const strip: Method = (s, _a, b) => { b.charge(s.length); return s.trim(); };
const startsWith: Method = (s, a, b) => { const p = text(a[0], b); b.charge(p.length); return s.startsWith(p); };
const endsWith: Method = (s, a, b) => { const p = text(a[0], b); b.charge(p.length); return s.endsWith(p); };
const slice: Method = (s, a, b) => { const out = s.slice(Number(toInt(a[0], 0)), a[1] === undefined ? undefined : Number(toInt(a[1], 0))); b.charge(out.length); return out; };
export const METHODS: ReadonlyMap<string, Method> = new Map<string, Method>([
  ['split', (s, a, b) => split(s, a[0], b)],
  ['strip', strip], ['trim', strip],
  ['lower', lower], ['toLowerCase', lower],
  ['upper', upper], ['toUpperCase', upper],
  ['startswith', startsWith], ['startsWith', startsWith],
  ['endswith', endsWith], ['endsWith', endsWith],
  ['includes', (s, a, b) => { b.charge(s.length); return s.includes(text(a[0], b)); }],
  ['replace', (s, a, b) => replaceAll(s, text(a[0], b), text(a[1], b), b)],
  ['slice', slice], ['substring', slice],
]);

/** `x is name` tests. */
export const TESTS: ReadonlyMap<string, (v: unknown) => boolean> = new Map<string, (v: unknown) => boolean>([
  ['defined', (v) => v !== undefined],
  ['undefined', (v) => v === undefined],
  ['none', (v) => v === null],
  ['number', (v) => typeof v === 'number'],
  ['string', (v) => typeof v === 'string'],
  ['boolean', (v) => typeof v === 'boolean'],
  ['true', (v) => v === true],
  ['false', (v) => v === false],
  ['mapping', isPlainObject],
  ['sequence', (v) => Array.isArray(v) || typeof v === 'string'],
  ['iterable', (v) => Array.isArray(v) || typeof v === 'string' || isPlainObject(v)],
]);

function sortList(list: unknown[], budget: Budget): unknown[] {
  if (list.length > MAX_ITEMS) fail(`sort takes at most ${MAX_ITEMS} items`);
  budget.charge(list.length * Math.ceil(Math.log2(list.length + 1)));
  return [...list].sort((x, y) => (typeof x === 'number' && typeof y === 'number' ? x - y : String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0));
}

function join(list: unknown[], sep: string, budget: Budget): string {
  let length = 0;
  const parts = list.map((v) => {
    const s = text(v, budget);
    length += s.length + sep.length;
    checkedLength(length, budget);
    return s;
  });
  return parts.join(sep);
}
