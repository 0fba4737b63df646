import type { Expr, Program, Stmt } from './templateProgram.js';
import { TemplateRunError } from './templateProgram.js';
import { checkedLength, FILTERS, FUNCTIONS, METHODS, TESTS, toNumber, toText, truthy, type Budget } from './templateFilters.js';

/**
 * Runs a compiled Program over HA's variables. A Program has no loops, so each node runs at most once; what
 * a node costs beyond that (characters copied, list items visited) is charged to a budget, and the run stops
 * with TEMPLATE_TOO_COSTLY when the budget is spent. Lookups read only own properties of JSON-shaped values,
 * so nothing reaches a prototype, a method or a getter.
 */

/** Work units per render: one per node, plus one per character or list item touched. */
export const MAX_WORK = 1_000_000;
/** Rendered output longer than this is refused (nothing a device state needs is this long). */
export const MAX_OUTPUT_CHARS = 64 * 1024;

class WorkBudget implements Budget {
  private left = MAX_WORK;
  charge(units: number): void {
    this.left -= units;
    if (this.left < 0) throw new TemplateRunError('TEMPLATE_TOO_COSTLY', `template needs more than ${MAX_WORK} work units`);
  }
}

export function runProgram(program: Program, variables: Readonly<Record<string, unknown>>): string {
  const budget = new WorkBudget();
  // Assigned names live in a Map: a name such as "toString" must not find Object.prototype.
  const scope = new Map<string, unknown>();
  for (const [name, value] of Object.entries(variables)) scope.set(name, value);
  let out = '';

  const emit = (s: string): void => {
    if (out.length + s.length > MAX_OUTPUT_CHARS) throw new TemplateRunError('TEMPLATE_TOO_LONG', 'rendered output is too long');
    budget.charge(s.length);
    out += s;
  };

  const run = (stmts: Stmt[]): void => {
    for (const s of stmts) {
      budget.charge(1);
      switch (s.k) {
        case 'text': emit(s.v); break;
        case 'out': emit(toText(evaluate(s.e), budget)); break;
        case 'when': run(truthy(evaluate(s.cond)) ? s.then : s.else); break;
        case 'set': scope.set(s.name, evaluate(s.e)); break;
      }
    }
  };

  const evaluate = (e: Expr): unknown => {
    budget.charge(1);
    switch (e.k) {
      case 'lit': return e.v;
      case 'var': return scope.get(e.name);
      case 'get': return lookup(evaluate(e.target), e.key);
      case 'list': return e.items.map(evaluate);
      case 'dict': {
        const d: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
        for (const [key, value] of e.pairs) d[key] = evaluate(value);
        return d;
      }
      case 'not': return !truthy(evaluate(e.e));
      case 'neg': return -Number(toNumber(evaluate(e.e), NaN));
      case 'if': return truthy(evaluate(e.cond)) ? evaluate(e.then) : e.else ? evaluate(e.else) : undefined;
      case 'is': return TESTS.get(e.test)!(evaluate(e.e));
      case 'cmp': {
        let left = evaluate(e.first);
        for (const { op, e: next } of e.ops) {
          const right = evaluate(next);
          if (!compare(op, left, right)) return false;
          left = right;
        }
        return true;
      }
      case 'call': {
        const impl = e.fn.startsWith('|') ? FILTERS.get(e.fn.slice(1))! : FUNCTIONS.get(e.fn)!;
        return impl(e.args.map(evaluate), budget);
      }
      case 'method': {
        const target = evaluate(e.target);
        if (typeof target !== 'string') throw new TemplateRunError('TEMPLATE_FAILED', `${e.name}() needs a string`);
        return METHODS.get(e.name)!(target, e.args.map(evaluate), budget);
      }
      case 'op': return operate(e.op, e.l, e.r);
    }
  };

  const operate = (op: Extract<Expr, { k: 'op' }>['op'], l: Expr, r: Expr): unknown => {
    // and/or short-circuit and return an operand, as in Jinja.
    if (op === 'and') { const a = evaluate(l); return truthy(a) ? evaluate(r) : a; }
    if (op === 'or') { const a = evaluate(l); return truthy(a) ? a : evaluate(r); }
    const a = evaluate(l);
    const b = evaluate(r);
    if (op === '~') {
      const x = toText(a, budget);
      const y = toText(b, budget);
      checkedLength(x.length + y.length, budget);
      return x + y;
    }
    if (op === 'in') return contains(b, a, budget);
    if (op === '+' && (typeof a === 'string' || typeof b === 'string')) {
      const x = toText(a, budget);
      const y = toText(b, budget);
      checkedLength(x.length + y.length, budget);
      return x + y;
    }
    // Numbers only from here: no string repetition, no object arithmetic.
    const x = Number(toNumber(a, NaN));
    const y = Number(toNumber(b, NaN));
    switch (op) {
      case '+': return x + y;
      case '-': return x - y;
      case '*': return x * y;
      case '/': return x / y;
      case '//': return Math.floor(x / y);
      case '%': return x % y;
      case '**': return x ** y;
    }
  };

  run(program);
  return out;
}

function lookup(target: unknown, key: string | number): unknown {
  if (typeof target === 'string') {
    if (typeof key !== 'number') return undefined;
    return target.at(key);
  }
  if (Array.isArray(target)) return typeof key === 'number' ? target.at(key) : undefined;
  if (typeof target === 'object' && target !== null) {
    const name = String(key);
    return Object.hasOwn(target, name) ? (target as Record<string, unknown>)[name] : undefined;
  }
  return undefined;
}

function contains(haystack: unknown, needle: unknown, budget: Budget): boolean {
  if (typeof haystack === 'string') {
    budget.charge(haystack.length);
    return haystack.includes(toText(needle, budget));
  }
  if (Array.isArray(haystack)) {
    budget.charge(haystack.length);
    return haystack.some((v) => v === needle);
  }
  if (typeof haystack === 'object' && haystack !== null) return Object.hasOwn(haystack, String(needle));
  return false;
}

/** `==` between scalars as nunjucks did (loosely: "1" == 1); lists and mappings equal only themselves. */
function compare(op: string, a: unknown, b: unknown): boolean {
  const scalar = (v: unknown) => v === null || v === undefined || typeof v !== 'object';
  switch (op) {
    // eslint-disable-next-line eqeqeq
    case '==': return scalar(a) && scalar(b) ? a == b : a === b;
    // eslint-disable-next-line eqeqeq
    case '!=': return scalar(a) && scalar(b) ? a != b : a !== b;
    default: {
      const x = typeof a === 'string' && typeof b === 'string' ? a : toNumber(a, NaN) as number;
      const y = typeof a === 'string' && typeof b === 'string' ? b : toNumber(b, NaN) as number;
      if (op === '<') return x < y;
      if (op === '>') return x > y;
      if (op === '<=') return x <= y;
      return x >= y;
    }
  }
}
