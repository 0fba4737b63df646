import type { TemplateFailureCode } from '../daemon/core/errors.js';

/**
 * The shape a checked template takes: a small tree of our own, built from nunjucks' parse tree by
 * templateCompile.ts and run by templateEval.ts. It has no loops, calls or macros, so running it visits each
 * node at most once; everything that can cost more than a step (string building, filters) is charged to a
 * budget as it runs.
 */

export type Expr =
  | { k: 'lit'; v: string | number | boolean | null }
  | { k: 'var'; name: string }
  /** `target.key` / `target["key"]` / `target[0]`: own data properties of JSON values only. */
  | { k: 'get'; target: Expr; key: string | number }
  | { k: 'list'; items: Expr[] }
  | { k: 'dict'; pairs: Array<[string, Expr]> }
  | { k: 'op'; op: BinaryOp; l: Expr; r: Expr }
  | { k: 'not'; e: Expr }
  | { k: 'neg'; e: Expr }
  | { k: 'cmp'; first: Expr; ops: Array<{ op: CompareOp; e: Expr }> }
  | { k: 'if'; cond: Expr; then: Expr; else?: Expr }
  /** `e is <test>`; the test name is one of TESTS in templateFilters.ts. */
  | { k: 'is'; e: Expr; test: string }
  /** A filter (`x | f(a)`, x first) or a function (`f(x, a)`) from our table. */
  | { k: 'call'; fn: string; args: Expr[] }
  /** `x.split(",")` and the few other string methods we implement ourselves. */
  | { k: 'method'; target: Expr; name: string; args: Expr[] };

export type BinaryOp = '+' | '-' | '*' | '/' | '//' | '%' | '**' | '~' | 'and' | 'or' | 'in';
export type CompareOp = '==' | '!=' | '<' | '>' | '<=' | '>=';

export type Stmt =
  | { k: 'text'; v: string }
  | { k: 'out'; e: Expr }
  | { k: 'when'; cond: Expr; then: Stmt[]; else: Stmt[] }
  | { k: 'set'; name: string; e: Expr };

export type Program = Stmt[];

/** Thrown while running a template; template.ts turns it into a coded result. */
export class TemplateRunError extends Error {
  constructor(readonly code: Extract<TemplateFailureCode, 'TEMPLATE_UNDEFINED' | 'TEMPLATE_FAILED' | 'TEMPLATE_TOO_LONG' | 'TEMPLATE_TOO_COSTLY'>, message: string) {
    super(message);
  }
}
