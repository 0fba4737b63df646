import type { BinaryOp, CompareOp, Expr, Program, Stmt } from './templateProgram.js';
import { FILTERS, FUNCTIONS, METHODS, TESTS } from './templateFilters.js';

/**
 * Turns nunjucks' parse tree into our own Program, accepting only a whitelist of node shapes. Templates arrive
 * in discovery payloads from any MQTT client that may publish under the discovery prefix, so nothing here
 * trusts them: nunjucks' compiler and runtime are never used (a lookup like `range.constructor("…")()` or a
 * string method reached through `{% set %}` ran code or regular expressions in the hub before).
 *
 * Accepted: text, `{{ … }}`, `{% if/elif/else %}`, `{% set name = expression %}`, literals, names, lookups
 * with a literal key, list and mapping literals, arithmetic, `~`, comparisons, `and/or/not/in`, `x if c else y`,
 * `is <test>`, and calls to filters, functions and string methods of templateFilters.ts, whose names and
 * arguments are checked here. Everything else is refused with a reason, at discovery time.
 */

/** How deeply expressions may nest; HA templates nest a handful of levels. */
const MAX_DEPTH = 64;
/** How many nodes a template may have (a 4 KiB template has a few hundred). */
const MAX_NODES = 2000;
/** Names a template may not use or assign: prototype escapes and the variables HA defines. */
const FORBIDDEN_NAMES = new Set([
  'constructor', 'prototype', '__proto__', '__defineGetter__', '__defineSetter__', '__lookupGetter__',
  '__lookupSetter__', 'caller', 'callee', 'arguments',
]);
const RESERVED_TARGETS = new Set(['value', 'value_json', ...FILTERS.keys(), ...FUNCTIONS.keys()]);
const CONSTANTS: Record<string, boolean | null> = { True: true, False: false, None: null, true: true, false: false, none: null };
const BINARY: Record<string, BinaryOp> = {
  Add: '+', Sub: '-', Mul: '*', Div: '/', FloorDiv: '//', Mod: '%', Pow: '**', Concat: '~', And: 'and', Or: 'or', In: 'in',
};
const COMPARE: Record<string, CompareOp> = { '==': '==', '===': '==', '!=': '!=', '!==': '!=', '<': '<', '>': '>', '<=': '<=', '>=': '>=' };

/** The nunjucks parse tree as we read it: every node has a `typename` and its named fields. */
interface AstNode {
  typename: string;
  value?: unknown;
  children?: unknown[];
  [field: string]: unknown;
}

export class TemplateRefusal extends Error {}

const refuse = (reason: string): never => { throw new TemplateRefusal(reason); };

function isNode(x: unknown): x is AstNode {
  return typeof x === 'object' && x !== null && typeof (x as AstNode).typename === 'string';
}

function node(x: unknown): AstNode {
  return isNode(x) ? x : refuse('unexpected template structure');
}

function children(x: unknown): unknown[] {
  const n = node(x);
  return Array.isArray(n.children) ? n.children : refuse(`unexpected ${n.typename}`);
}

/** Compiles a parsed template; throws TemplateRefusal with the reason when any part is not allowed. */
export function compileAst(root: unknown): Program {
  let nodes = 0;
  const count = (): void => {
    if (++nodes > MAX_NODES) refuse(`more than ${MAX_NODES} template nodes`);
  };

  function statements(list: unknown, depth: number): Stmt[] {
    const out: Stmt[] = [];
    for (const item of children(list)) out.push(...statement(node(item), depth));
    return out;
  }

  function statement(n: AstNode, depth: number): Stmt[] {
    count();
    if (depth > MAX_DEPTH) refuse('template is nested too deeply');
    switch (n.typename) {
      case 'Output':
        return children(n).map((c) => {
          const part = node(c);
          if (part.typename === 'TemplateData') return { k: 'text', v: String(part.value ?? '') } as Stmt;
          return { k: 'out', e: expr(part, depth + 1) } as Stmt;
        });
      case 'If': {
        const otherwise = n.else_ === undefined || n.else_ === null ? [] : isNode(n.else_) && n.else_.typename === 'If'
          ? statement(n.else_, depth + 1) : statements(n.else_, depth + 1);
        return [{ k: 'when', cond: expr(node(n.cond), depth + 1), then: statements(n.body, depth + 1), else: otherwise }];
      }
      case 'Set': {
        const targets = Array.isArray(n.targets) ? n.targets : refuse('set takes one name');
        const target = targets.length === 1 ? node(targets[0]) : refuse('set takes one name');
        const name = target.typename === 'Symbol' && typeof target.value === 'string' ? target.value : refuse('set takes one name');
        if (FORBIDDEN_NAMES.has(name) || RESERVED_TARGETS.has(name)) refuse(`"${name}" may not be assigned`);
        if (!isNode(n.value)) refuse('set needs an expression ({% set x %}…{% endset %} is not allowed)');
        return [{ k: 'set', name, e: expr(node(n.value), depth + 1) }];
      }
      default:
        return refuse(`${n.typename.toLowerCase()} tags are not allowed`);
    }
  }

  function expr(n: AstNode, depth: number): Expr {
    count();
    if (depth > MAX_DEPTH) refuse('template is nested too deeply');
    const sub = (x: unknown): Expr => expr(node(x), depth + 1);
    switch (n.typename) {
      case 'Literal':
        return literal(n.value);
      case 'Symbol': {
        const name = String(n.value);
        if (Object.hasOwn(CONSTANTS, name)) return { k: 'lit', v: CONSTANTS[name]! };
        if (FORBIDDEN_NAMES.has(name)) refuse(`name "${name}" is not allowed`);
        return { k: 'var', name };
      }
      case 'Group': {
        const items = children(n);
        return items.length === 1 ? sub(items[0]) : { k: 'list', items: items.map(sub) };
      }
      case 'Array':
        return { k: 'list', items: children(n).map(sub) };
      case 'Dict':
        return {
          k: 'dict',
          pairs: children(n).map((p) => {
            const pair = node(p);
            const key = node(pair.key);
            const name = key.typename === 'Literal' && typeof key.value === 'string' ? key.value
              : key.typename === 'Symbol' ? String(key.value) : refuse('mapping keys must be literal strings');
            if (FORBIDDEN_NAMES.has(name)) refuse(`"${name}" is not allowed`);
            return [name, sub(pair.value)] as [string, Expr];
          }),
        };
      case 'LookupVal':
        return { k: 'get', target: sub(n.target), key: lookupKey(n.val) };
      case 'Not':
        return { k: 'not', e: sub(n.target) };
      case 'Neg':
        return { k: 'neg', e: sub(n.target) };
      case 'Pos':
        return sub(n.target);
      case 'Compare':
        return {
          k: 'cmp',
          first: sub(n.expr),
          ops: (Array.isArray(n.ops) ? n.ops : refuse('bad comparison')).map((o) => {
            const operand = node(o);
            const op = COMPARE[String(operand.type)] ?? refuse(`operator ${String(operand.type)} is not allowed`);
            return { op, e: sub(operand.expr) };
          }),
        };
      case 'InlineIf':
        return { k: 'if', cond: sub(n.cond), then: sub(n.body), ...(isNode(n.else_) ? { else: sub(n.else_) } : {}) };
      case 'Is':
        return { k: 'is', e: sub(n.left), test: testName(node(n.right)) };
      case 'Filter': {
        const name = symbolName(n.name);
        if (!name || !FILTERS.has(name)) refuse(`filter "${name ?? '?'}" is not allowed`);
        const list = args(n.args, sub);
        if (name === 'replace') literalSearch(list[1], 'replace()');
        return { k: 'call', fn: `|${name}`, args: list };
      }
      case 'FunCall': {
        const name = symbolName(n.name);
        if (name !== null) {
          if (!FUNCTIONS.has(name)) refuse(`function "${name}" is not allowed`);
          return { k: 'call', fn: name, args: args(n.args, sub) };
        }
        const callee = node(n.name);
        const method = callee.typename === 'LookupVal' && isNode(callee.val) && callee.val.typename === 'Literal' ? callee.val.value : undefined;
        if (typeof method !== 'string' || !METHODS.has(method)) return refuse('only simple string methods (split, strip, lower…) may be called');
        const list = args(n.args, sub);
        // A split on "" makes one string per character (the doubling-then-split attack), a replace of "" inserts
        // between every character: their separators are literals, known to be non-empty here.
        if ((method === 'split' && list.length > 0) || method === 'replace') literalSearch(list[0], `${method}()`);
        return { k: 'method', target: sub(callee.target), name: method, args: list };
      }
      default: {
        const op = BINARY[n.typename];
        if (op) return { k: 'op', op, l: sub(n.left), r: sub(n.right) };
        return refuse(`${n.typename} is not allowed`);
      }
    }
  }

  return statements(root, 0);
}

function literal(value: unknown): Expr {
  // nunjucks also parses r/…/ into a RegExp literal: only JSON scalars pass.
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return { k: 'lit', v: value };
  if (typeof value === 'number' && Number.isFinite(value)) return { k: 'lit', v: value };
  return refuse('only string, number, boolean and none literals are allowed');
}

function lookupKey(val: unknown): string | number {
  const key = node(val);
  if (key.typename !== 'Literal' || (typeof key.value !== 'string' && typeof key.value !== 'number')) {
    return refuse('computed subscripts (x[expression]) are not allowed');
  }
  if (typeof key.value === 'string' && FORBIDDEN_NAMES.has(key.value)) refuse(`"${key.value}" is not allowed`);
  if (typeof key.value === 'number' && !Number.isInteger(key.value)) refuse('list indexes are integers');
  return key.value;
}

function literalSearch(arg: Expr | undefined, what: string): void {
  if (!arg || arg.k !== 'lit' || typeof arg.v !== 'string' || arg.v === '') refuse(`${what} takes a literal, non-empty search string`);
}

function testName(right: AstNode): string {
  const name = right.typename === 'Symbol' ? String(right.value)
    : right.typename === 'Literal' && (right.value === null || typeof right.value === 'boolean') ? String(right.value ?? 'none')
      : refuse('only simple tests (is defined, is none, is number…) are allowed');
  if (!TESTS.has(name)) refuse(`test "${name}" is not allowed`);
  return name;
}

function symbolName(x: unknown): string | null {
  return isNode(x) && x.typename === 'Symbol' && typeof x.value === 'string' ? x.value : null;
}

/** Positional arguments; of keyword arguments only `default=` (HA's `float(default=0)`), which is the second. */
function args(list: unknown, sub: (x: unknown) => Expr): Expr[] {
  const out: Expr[] = [];
  for (const item of children(list)) {
    const a = node(item);
    if (a.typename !== 'KeywordArgs') {
      out.push(sub(a));
      continue;
    }
    for (const p of children(a)) {
      const pair = node(p);
      if (symbolName(pair.key) !== 'default' || out.length !== 1) refuse('only default= may be passed by name');
      out.push(sub(pair.value));
    }
  }
  return out;
}
