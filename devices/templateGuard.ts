/**
 * Checks a parsed nunjucks template before it is compiled. Templates arrive in discovery payloads from any
 * MQTT client that may publish under the discovery prefix, and nunjucks is not a sandbox: a lookup such as
 * `range.constructor("…")()` reaches the Function constructor and runs code in the hub. So a template may
 * only use the shapes Home Assistant value templates use, and everything else is refused before compiling:
 *
 * - member lookups with a literal name (`value_json.x`, `value_json["x"]`, `v[0]`); a computed subscript
 *   (`x[a ~ b]`) is refused, as is any name in FORBIDDEN_NAMES;
 * - filters from ALLOWED_FILTERS only (no `center`/`indent`/`wordwrap`, which can build huge strings);
 * - calls only to ALLOWED_FUNCTIONS (our globals) and ALLOWED_METHODS on a looked-up value;
 * - no loops, macros, includes, imports, blocks or extensions (nothing to run long or to read files).
 */

export const ALLOWED_FILTERS = new Set([
  'float', 'int', 'round', 'default', 'd', 'lower', 'upper', 'is_defined', 'abs', 'trim', 'replace', 'string',
  'length', 'first', 'last', 'join', 'capitalize', 'title', 'bool', 'to_json', 'tojson', 'from_json', 'min',
  'max', 'iif', 'list', 'reverse', 'sort', 'sum', 'dump', 'safe', 'striptags', 'urlencode', 'wordcount',
]);
export const ALLOWED_FUNCTIONS = new Set(['float', 'int', 'bool', 'iif', 'min', 'max']);
const ALLOWED_METHODS = new Set([
  'split', 'trim', 'toLowerCase', 'toUpperCase', 'includes', 'startsWith', 'endsWith', 'indexOf', 'slice',
  'substring', 'replace',
]);
const FORBIDDEN_NAMES = new Set([
  'constructor', 'prototype', '__proto__', '__defineGetter__', '__defineSetter__', '__lookupGetter__',
  '__lookupSetter__', 'caller', 'callee', 'arguments', 'range', 'cycler', 'joiner', 'apply', 'call', 'bind',
]);
const FORBIDDEN_NODES = new Set([
  'For', 'AsyncEach', 'AsyncAll', 'Macro', 'Caller', 'Import', 'FromImport', 'Include', 'Extends', 'Block',
  'Super', 'CallExtension', 'CallExtensionAsync', 'FilterAsync', 'Capture',
]);

/** The nunjucks AST as the guard sees it: every node has a `typename` and lists its child `fields`. */
interface AstNode {
  typename: string;
  fields: string[];
  value?: unknown;
  [field: string]: unknown;
}

function isNode(x: unknown): x is AstNode {
  return typeof x === 'object' && x !== null && typeof (x as AstNode).typename === 'string';
}

/** Returns why the template is refused, or null when every node is allowed. */
export function checkTemplateAst(root: unknown): string | null {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const item = stack.pop();
    if (Array.isArray(item)) {
      stack.push(...item);
      continue;
    }
    if (!isNode(item)) continue;
    const problem = checkNode(item);
    if (problem) return problem;
    for (const field of item.fields) stack.push(item[field]);
  }
  return null;
}

function checkNode(node: AstNode): string | null {
  if (FORBIDDEN_NODES.has(node.typename)) return `${node.typename.toLowerCase()} tags are not allowed`;
  switch (node.typename) {
    case 'Symbol':
      return typeof node.value === 'string' && FORBIDDEN_NAMES.has(node.value) ? `name "${node.value}" is not allowed` : null;
    case 'Literal':
      return typeof node.value === 'string' && FORBIDDEN_NAMES.has(node.value) ? `"${node.value}" is not allowed` : null;
    case 'LookupVal': {
      const key = node.val;
      if (!isNode(key) || key.typename !== 'Literal') return 'computed subscripts (x[expression]) are not allowed';
      return null;
    }
    case 'Filter': {
      const name = symbolName(node.name);
      if (!name || !ALLOWED_FILTERS.has(name)) return `filter "${name ?? '?'}" is not allowed`;
      if (name === 'replace' && !literalArgs(node.args, 1)) return 'replace() needs literal, non-empty arguments';
      return null;
    }
    case 'FunCall': {
      const callee = node.name;
      const name = symbolName(callee);
      if (name !== null) return ALLOWED_FUNCTIONS.has(name) ? null : `function "${name}" is not allowed`;
      if (isNode(callee) && callee.typename === 'LookupVal' && isNode(callee.val)) {
        const method = callee.val.value;
        if (typeof method === 'string' && ALLOWED_METHODS.has(method)) {
          return method === 'replace' && !literalArgs(node.args, 0) ? 'replace() needs literal, non-empty arguments' : null;
        }
      }
      return 'only simple string methods (split, trim…) may be called';
    }
    default:
      return null;
  }
}

function symbolName(node: unknown): string | null {
  return isNode(node) && node.typename === 'Symbol' && typeof node.value === 'string' ? node.value : null;
}

/**
 * `replace` with an empty search string inserts the replacement between every character, so its search and
 * replacement must be literals and the search non-empty. `skip` is how many leading args are not those two.
 */
function literalArgs(args: unknown, skip: number): boolean {
  const list = isNode(args) && Array.isArray(args.children) ? (args.children as unknown[]).slice(skip, skip + 2) : [];
  if (list.length < 2) return false;
  return list.every((a) => isNode(a) && a.typename === 'Literal' && typeof a.value === 'string') &&
    (list[0] as AstNode).value !== '';
}
