/**
 * Sentence templates in the syntax of Home Assistant's hassil, parsed once and compiled to token nodes:
 *
 * - `(turn|switch) on` alternatives, `[the]` optional parts (`[a|an]` optional alternatives)
 * - `{name}` a slot filled from a list; `{degrees:temperature}` reads list `degrees` into slot `temperature`
 * - `<target>` expands a rule of the same language
 * - `light[s]`, `timer(s)` glued to a Latin word mean `(light|lights)` / `(timers)`
 *
 * Literal text is tokenised like utterances (normalize.ts), so template text and spoken text compare token
 * by token, with fillers ("the", "的") dropped from both.
 */
import { HubError } from '../core/errors.js';
import { nameTokens } from './normalize.js';

export type CNode =
  | { readonly k: 'lit'; readonly tok: string }
  | { readonly k: 'alt'; readonly opts: readonly CNode[][]; readonly optional: boolean }
  | { readonly k: 'slot'; readonly list: string; readonly slot: string };

type Ast =
  | { t: 'seq'; items: Ast[] }
  | { t: 'alt'; opts: Ast[]; optional: boolean }
  | { t: 'text'; s: string }
  | { t: 'slot'; list: string; slot: string }
  | { t: 'rule'; name: string };

export function templateError(template: string, why: string): HubError {
  return new HubError('PLUGIN_MANIFEST_INVALID', `sentence template "${template}": ${why}`, { details: { template } });
}

/** `light[s]` → `(light|lights)`, `timer(s|)` → `(timers|timer)`: hassil lets a group touch a word. */
function expandGlued(template: string): string {
  return template.replace(/([a-z]+)([[(])([a-z|]*)([\])])/gi, (all, word: string, open: string, body: string, close: string) => {
    if ((open === '[') !== (close === ']')) return all;
    const forms = body.split('|').map((b) => word + b);
    if (open === '[') forms.unshift(word);
    return `(${forms.join('|')})`;
  });
}

/** Characters literal template text may hold: letters, digits, marks, spaces and the few a tokeniser keeps or folds. */
const LITERAL = /[\p{L}\p{N}\p{M}\s%'\u00b0.\-/]/u;

class Parser {
  private pos = 0;
  constructor(private readonly src: string, private readonly original: string) {}

  parse(): Ast {
    const ast = this.alternatives();
    if (this.pos < this.src.length) throw templateError(this.original, `unexpected "${this.src[this.pos]}" at ${this.pos}`);
    return ast;
  }

  private alternatives(): Ast {
    const opts: Ast[] = [this.sequence()];
    while (this.src[this.pos] === '|') {
      this.pos++;
      opts.push(this.sequence());
    }
    return opts.length === 1 ? opts[0] : { t: 'alt', opts, optional: false };
  }

  private sequence(): Ast {
    const items: Ast[] = [];
    let text = '';
    const flush = () => { if (text) { items.push({ t: 'text', s: text }); text = ''; } };
    for (;;) {
      const c = this.src[this.pos];
      if (c === undefined || c === '|' || c === ')' || c === ']') break;
      if (c === '(' || c === '[') {
        flush();
        this.pos++;
        const inner = this.alternatives();
        const close = c === '(' ? ')' : ']';
        if (this.src[this.pos] !== close) throw templateError(this.original, `missing "${close}"`);
        this.pos++;
        const opts = inner.t === 'alt' && !inner.optional ? inner.opts : [inner];
        items.push({ t: 'alt', opts, optional: c === '[' });
      } else if (c === '{' || c === '<') {
        flush();
        const close = c === '{' ? '}' : '>';
        const end = this.src.indexOf(close, this.pos);
        if (end < 0) throw templateError(this.original, `missing "${close}"`);
        const body = this.src.slice(this.pos + 1, end).trim();
        if (!/^[\p{L}\p{N}_]+(:[\p{L}\p{N}_]+)?$/u.test(body)) throw templateError(this.original, `bad name "${body}"`);
        this.pos = end + 1;
        if (c === '<') items.push({ t: 'rule', name: body });
        else {
          const [list, slot] = body.split(':');
          items.push({ t: 'slot', list, slot: slot ?? list });
        }
      } else if (c === '}' || c === '>') {
        throw templateError(this.original, `unexpected "${c}"`);
      } else if (!LITERAL.test(c)) {
        // Tokenising drops punctuation, so a stray `?` would vanish and `(是)?` would silently mean a mandatory
        // 是 (a regular-expression habit the syntax does not have): refuse it and say what to write instead.
        throw templateError(this.original, `"${c}" at ${this.pos} is not template syntax (an optional part is written [x])`);
      } else {
        text += c;
        this.pos++;
      }
    }
    flush();
    return items.length === 1 ? items[0] : { t: 'seq', items };
  }
}

export function parseTemplate(template: string): Ast {
  return new Parser(expandGlued(template), template).parse();
}

/** Compiles templates of one language; rules are compiled once and shared. */
export class TemplateCompiler {
  private readonly compiledRules = new Map<string, CNode[]>();
  private readonly expanding = new Set<string>();

  constructor(private readonly rules: Readonly<Record<string, string>>) {}

  compile(template: string): CNode[] {
    return this.nodes(parseTemplate(template), template);
  }

  private rule(name: string, template: string): CNode[] {
    const done = this.compiledRules.get(name);
    if (done) return done;
    const src = this.rules[name];
    if (src === undefined) throw templateError(template, `unknown rule <${name}>`);
    if (this.expanding.has(name)) throw templateError(template, `rule <${name}> refers to itself`);
    this.expanding.add(name);
    const nodes = this.nodes(parseTemplate(src), src);
    this.expanding.delete(name);
    this.compiledRules.set(name, nodes);
    return nodes;
  }

  private nodes(ast: Ast, template: string): CNode[] {
    switch (ast.t) {
      case 'text':
        return literalNodes(ast.s);
      case 'slot':
        return [{ k: 'slot', list: ast.list, slot: ast.slot }];
      case 'rule':
        return this.rule(ast.name, template);
      case 'seq':
        return ast.items.flatMap((item) => this.nodes(item, template));
      case 'alt': {
        const opts = ast.opts.map((o) => this.nodes(o, template));
        const nonEmpty = opts.filter((o) => o.length > 0);
        const optional = ast.optional || nonEmpty.length < opts.length;
        if (nonEmpty.length === 0) return [];
        if (nonEmpty.length === 1 && !optional) return nonEmpty[0];
        return [{ k: 'alt', opts: nonEmpty, optional }];
      }
    }
  }
}

/** What a template can start with: literal tokens, lists, or nothing at all. */
export interface FirstSet {
  tokens: Set<string>;
  lists: Set<string>;
  nullable: boolean;
}

export function firstSet(nodes: readonly CNode[]): FirstSet {
  const set: FirstSet = { tokens: new Set(), lists: new Set(), nullable: true };
  addFirst(nodes, set);
  return set;
}

/** Adds the firsts of a sequence; leaves `nullable` true only if the whole sequence can be empty. */
function addFirst(nodes: readonly CNode[], set: FirstSet): void {
  for (const node of nodes) {
    if (node.k === 'lit') { set.tokens.add(node.tok); set.nullable = false; return; }
    if (node.k === 'slot') { set.lists.add(node.list); set.nullable = false; return; }
    let anyNullable = node.optional;
    for (const opt of node.opts) {
      const sub: FirstSet = { tokens: set.tokens, lists: set.lists, nullable: true };
      addFirst(opt, sub);
      if (sub.nullable) anyNullable = true;
    }
    if (!anyNullable) { set.nullable = false; return; }
  }
}

/**
 * The words a template always ends with, when it ends with a word whatever the parse (`<target> 打开`, `… (on|off)`);
 * null when it can end with a slot or be empty. An utterance whose last token is none of them cannot match it.
 */
export function lastTokens(nodes: readonly CNode[]): Set<string> | null {
  const set = new Set<string>();
  return addLast(nodes, set) === 'word' ? set : null;
}

/** Adds the last words of a sequence: 'word' when it always ends with one, 'empty' when it can be empty, 'slot' when it can end with a slot. */
function addLast(nodes: readonly CNode[], set: Set<string>): 'word' | 'empty' | 'slot' {
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i];
    if (node.k === 'lit') { set.add(node.tok); return 'word'; }
    if (node.k === 'slot') return 'slot';
    let canBeEmpty = node.optional;
    for (const opt of node.opts) {
      const end = addLast(opt, set);
      if (end === 'slot') return 'slot';
      if (end === 'empty') canBeEmpty = true;
    }
    if (!canBeEmpty) return 'word';
  }
  return 'empty';
}

/**
 * The nodes of a template's literal text. The same few words ("turn on", "the", 打开, 的) recur in hundreds of
 * templates: tokenising each once, and sharing the frozen nodes, takes most of the sentence compile off the
 * hub's start. Bounded, as plugins bring sentences of their own.
 */
const literals = new Map<string, readonly CNode[]>();
const MAX_LITERALS = 20_000;

function literalNodes(text: string): CNode[] {
  let nodes = literals.get(text);
  if (!nodes) {
    if (literals.size >= MAX_LITERALS) literals.clear();
    nodes = Object.freeze(nameTokens(text).map((tok): CNode => Object.freeze({ k: 'lit', tok })));
    literals.set(text, nodes);
  }
  return [...nodes];
}
