/**
 * Matches one compiled template against an utterance's tokens by backtracking: alternatives in order,
 * optional parts tried present first, slots tried with each reading their list gives (longest first).
 * The first complete parse the caller accepts wins. A step budget bounds pathological templates.
 */
import type { CNode } from './template.js';
import type { Reading } from './lists.js';

/** Reads the values a list offers at a token position. */
export type SlotReader = (list: string, tokens: readonly string[], i: number) => readonly Reading[];

/** One filled slot: name, value, and how many tokens it took. */
export interface Filled {
  list: string;
  slot: string;
  value: unknown;
  span: number;
}

/** Called with a complete parse; answer false to make the matcher look for another. */
export type Accept = (filled: readonly Filled[]) => boolean;

interface Cont {
  readonly nodes: readonly CNode[];
  readonly i: number;
  readonly next: Cont | null;
}

/** Steps one template may take on one utterance (a backtracking step: a node tried at a position). */
export const STEP_BUDGET = 20_000;

export class Matcher {
  private tokens: readonly string[] = [];
  private read: SlotReader = () => [];
  private accept: Accept = () => true;
  private readonly filled: Filled[] = [];
  private steps = 0;

  /** Steps the last run took (at most STEP_BUDGET + 1): the engine adds them up per utterance. */
  get stepsTaken(): number {
    return this.steps;
  }

  /** True when some parse of `nodes` covers all `tokens` and was accepted. */
  run(nodes: readonly CNode[], tokens: readonly string[], read: SlotReader, accept: Accept): boolean {
    this.tokens = tokens;
    this.read = read;
    this.accept = accept;
    this.filled.length = 0;
    this.steps = 0;
    return this.step(nodes, 0, 0, null);
  }

  private step(nodes: readonly CNode[], i: number, pos: number, k: Cont | null): boolean {
    for (;;) {
      if (++this.steps > STEP_BUDGET) return false;
      if (i === nodes.length) {
        if (k === null) return pos === this.tokens.length && this.accept(this.filled);
        nodes = k.nodes;
        i = k.i;
        k = k.next;
        continue;
      }
      const node = nodes[i];
      if (node.k === 'lit') {
        if (this.tokens[pos] !== node.tok) return false;
        pos++;
        i++;
        continue;
      }
      if (node.k === 'alt') {
        const tok = this.tokens[pos];
        let cont: Cont | null = null;
        for (const opt of node.opts) {
          // An option opening on another word fails at once: counted as the step it would take, without the call.
          const head = opt[0];
          if (head?.k === 'lit' && head.tok !== tok) { ++this.steps; continue; }
          cont ??= { nodes, i: i + 1, next: k };
          if (this.step(opt, 0, pos, cont)) return true;
        }
        if (!node.optional) return false;
        i++;
        continue;
      }
      if (pos >= this.tokens.length) return false;
      for (const r of this.read(node.list, this.tokens, pos)) {
        if (r.end <= pos) continue;
        this.filled.push({ list: node.list, slot: node.slot, value: r.value, span: r.end - pos });
        if (this.step(nodes, i + 1, r.end, k)) return true;
        this.filled.pop();
      }
      return false;
    }
  }
}
