/**
 * Text normalisation for matching. Utterances, sentence templates, device names and list words all go
 * through the same steps, so they compare token for token:
 *
 * 1. NFKC (Unicode UAX #15): full-width letters, digits and punctuation fold to half-width ("２２％" → "22%",
 *    "℃" → "°C"); then lower case.
 * 2. English contractions expand ("what's" → "what is"), degree signs become the word "degrees".
 * 3. Tokens: a run of Latin (or other non-Han) letters, a number ("22", "22.5"), "%", or ONE Han character.
 *    Chinese has no spaces, so every Han character is its own token and spaces between them do not matter;
 *    "打开 厨房的灯" and "打开厨房的灯" give the same tokens, and mixed text ("turn on 厨房灯") works too.
 *    Everything else (punctuation ASCII or CJK 。，！？、, `_`, `-`, `/`) only separates tokens.
 * 4. Filler words are dropped (sentences/fillers.ts).
 *
 * Chinese text is folded to Simplified first (chineseScript.ts: OpenCC's tables), and Cantonese words become
 * the Mandarin the sentences are written in (sentences/cantonese.ts), so Traditional and Cantonese
 * utterances, names and aliases meet the same templates.
 */
import { FILLERS } from './sentences/fillers.js';
import { CANTONESE, CANTONESE_FINAL } from './sentences/cantonese.js';
import { toSimplified } from './chineseScript.js';
import type { Lang } from './types.js';

const HAN = /\p{Script=Han}/u;
const TOKEN = /\d+(?:\.\d+)?|\p{Script=Han}|%|(?:(?!\p{Script=Han})[\p{L}\p{M}])+/gu;

/** Spellings without the apostrophe that speech-to-text and people type. */
const EXPANSIONS: ReadonlyMap<string, readonly string[]> = new Map([
  ['whats', ['what', 'is']], ['hows', ['how', 'is']], ['wheres', ['where', 'is']], ['thats', ['that', 'is']],
]);

export function isHan(token: string): boolean {
  return HAN.test(token);
}

/** The language a text is in, from its script: any Han character makes it Chinese. */
export function detectLang(text: string): Lang {
  return HAN.test(text) ? 'zh' : 'en';
}

/**
 * The engine's language for a language tag: `zh`, `zh-CN`, `zh-TW`, `zh-HK`, `zh-Hant`, `yue`, `cmn` are
 * Chinese (the script is folded, see chineseScript.ts), `en-*` English; undefined for anything else.
 */
export function langOfTag(tag: string | undefined): Lang | undefined {
  if (!tag) return undefined;
  // The tags the hub gives itself (detectLang) are asked twice per utterance: no lower-casing and split for them.
  if (tag === 'en' || tag === 'zh') return tag;
  const primary = tag.toLowerCase().split(/[-_]/)[0];
  if (primary === 'zh' || primary === 'yue' || primary === 'cmn') return 'zh';
  if (primary === 'en') return 'en';
  return undefined;
}

/** Steps 1–3: tokens with fillers kept. */
export function rawTokens(text: string): string[] {
  let s = toSimplified(text.normalize('NFKC')).toLowerCase();
  // As \u escapes (the bundle stays ASCII; see daemon/build/bundle.ts): \u00b0 is °, \u2019 \u2018 \u00b4 are ’ ‘ ´.
  if (s.includes('°')) {
    s = s.replace(/\u00b0\s*f\b/g, ' degrees fahrenheit ').replace(/\u00b0\s*c\b/g, ' degrees ').replace(/\u00b0/g, ' degrees ');
  }
  if (/['\u2019\u2018`\u00b4]/.test(s)) s = expandContractions(s.replace(/[\u2019\u2018`\u00b4]/g, "'"));
  // Thousands separators ("1,000"), a minus sign before a number, and "a/c".
  // Spoken fractions written as digits: "a 1/2 hour timer" is a half hour (the slash would only split tokens).
  if (s.includes('/')) s = s.replace(/\b1\s*\/\s*2\b/g, ' half ').replace(/\b1\s*\/\s*4\b/g, ' quarter ').replace(/\b3\s*\/\s*4\b/g, ' three quarters ');
  // Each only where its character is (most utterances have none of them: three regular expressions saved).
  if (s.includes(',')) s = s.replace(/(\d),(?=\d{3}(?!\d))/g, '$1');
  if (s.includes('-')) s = s.replace(/(^|[^\p{L}\p{N}])-(?=\d)/gu, '$1 minus ');
  if (s.includes('/')) s = s.replace(/\ba\/c\b/g, 'ac');
  const out: string[] = [];
  for (const m of s.matchAll(TOKEN)) {
    const expanded = EXPANSIONS.get(m[0]);
    if (expanded) out.push(...expanded);
    else out.push(m[0]);
  }
  // Every Han character is a token of its own, so the text has one exactly when a token is one.
  return HAN.test(s) ? mandarin(out) : out;
}

/** Token-sequence rewrites, grouped by first token, longest first. */
class Rewrites {
  private readonly byFirst = new Map<string, { from: string[]; to: string[] }[]>();

  constructor(pairs: readonly (readonly [string, string])[]) {
    for (const [from, to] of pairs) {
      const f = [...from];
      const list = this.byFirst.get(f[0]) ?? [];
      list.push({ from: f, to: [...to] });
      list.sort((a, b) => b.from.length - a.from.length);
      this.byFirst.set(f[0], list);
    }
  }

  at(tokens: readonly string[], i: number): { from: string[]; to: string[] } | undefined {
    return this.byFirst.get(tokens[i])?.find((r) => startsWith(tokens, i, r.from));
  }

  /** Whether some rewrite could start at one of the tokens (most Mandarin sentences: none). */
  any(tokens: readonly string[]): boolean {
    for (const t of tokens) if (this.byFirst.has(t)) return true;
    return false;
  }
}
/** Built at the first Chinese text, not when the module loads (see `fillers`). */
let cantoneseRewrites: { words: Rewrites; final: Rewrites } | null = null;

/** Cantonese words to the Mandarin of the sentences (Han tokens are single characters). */
function mandarin(tokens: string[]): string[] {
  const { words: cantonese, final: cantoneseFinal } = cantoneseRewrites ??= { words: new Rewrites(CANTONESE), final: new Rewrites(CANTONESE_FINAL) };
  if (!cantonese.any(tokens) && !cantoneseFinal.any(tokens)) return tokens;
  const out: string[] = [];
  for (let i = 0; i < tokens.length;) {
    const fin = cantoneseFinal.at(tokens, i);
    if (fin && i + fin.from.length === tokens.length && i > 0) { out.push(...fin.to); break; }
    const r = cantonese.at(tokens, i);
    if (r) { out.push(...r.to); i += r.from.length; } else out.push(tokens[i++]);
  }
  return out;
}

function expandContractions(s: string): string {
  return s
    .replace(/\bwon't\b/g, 'will not').replace(/\bcan't\b/g, 'can not').replace(/n't\b/g, ' not')
    .replace(/\b(what|how|it|where|there|that|who|when|here|he|she)'s\b/g, '$1 is')
    .replace(/'re\b/g, ' are').replace(/'ll\b/g, ' will').replace(/'d\b/g, ' would')
    .replace(/'m\b/g, ' am').replace(/'ve\b/g, ' have').replace(/'s\b/g, '');
}

/** Filler phrases as token sequences, grouped by first token, longest first. */
class FillerSet {
  private readonly byFirst = new Map<string, string[][]>();
  private readonly keptAfter: ReadonlyMap<string, readonly string[]>;

  constructor(phrases: readonly string[], keptAfter: Readonly<Record<string, readonly string[]>> = {}) {
    this.keptAfter = new Map(Object.entries(keptAfter));
    for (const phrase of phrases) {
      const toks = rawTokens(phrase);
      if (toks.length === 0) continue;
      const list = this.byFirst.get(toks[0]) ?? [];
      list.push(toks);
      list.sort((a, b) => b.length - a.length);
      this.byFirst.set(toks[0], list);
    }
  }

  /** Length of the filler starting at `i`, 0 when none. */
  at(tokens: readonly string[], i: number): number {
    const list = this.byFirst.get(tokens[i]);
    if (!list) return 0;
    for (const seq of list) if (startsWith(tokens, i, seq)) return seq.length;
    return 0;
  }

  /** Length of the filler ending at `end` (exclusive), 0 when none or when the word before keeps it. */
  before(tokens: readonly string[], end: number): number {
    for (const list of this.byFirst.values()) {
      for (const seq of list) {
        const start = end - seq.length;
        if (start < 0 || !startsWith(tokens, start, seq)) continue;
        if (this.keptAfter.get(seq.join(''))?.includes(tokens[start - 1])) continue;
        return seq.length;
      }
    }
    return 0;
  }
}

function startsWith(tokens: readonly string[], i: number, seq: readonly string[]): boolean {
  if (i + seq.length > tokens.length) return false;
  for (let j = 0; j < seq.length; j++) if (tokens[i + j] !== seq[j]) return false;
  return true;
}

/**
 * The filler sets are built at first use, not when the module loads: tokenising their phrases (and the
 * Chinese folding table that needs, chineseScript.ts) cost some 20 ms of the hub's start-up before
 * `listening`, where only plugins' sentences are compiled, which use `anywhere` alone; the rest wait for the
 * first utterance, which the warm-up right after `listening` provides.
 */
let anywhereSet: FillerSet | null = null;
const anywhere = (): FillerSet => (anywhereSet ??= new FillerSet(FILLERS.anywhere));
let edgeSets: { leading: FillerSet; politeLeading: FillerSet; trailing: FillerSet; politeTrailing: FillerSet } | null = null;
const edges = () => (edgeSets ??= {
  leading: new FillerSet(FILLERS.leading),
  politeLeading: new FillerSet(FILLERS.politeLeading),
  trailing: new FillerSet(FILLERS.trailing, FILLERS.trailingKeptAfter),
  politeTrailing: new FillerSet(FILLERS.politeTrailing),
});

/** Tokens of a name, list word or template literal: only the fillers that may stand anywhere are dropped. */
export function nameTokens(text: string): string[] {
  return dropAnywhere(rawTokens(text));
}

function dropAnywhere(tokens: string[]): string[] {
  const fillers = anywhere();
  const out: string[] = [];
  for (let i = 0; i < tokens.length;) {
    const n = fillers.at(tokens, i);
    if (n > 0) i += n;
    else out.push(tokens[i++]);
  }
  return out;
}

/** Tokens of an utterance: every filler rule applies. */
export function tokenize(text: string): string[] {
  let tokens = dropAnywhere(rawTokens(text));
  const { leading, politeLeading, trailing, politeTrailing } = edges();
  let start = 0;
  let polite = false;
  for (let moved = true; moved && start < tokens.length;) {
    moved = false;
    const p = politeLeading.at(tokens, start);
    if (p > 0) { start += p; polite = true; moved = true; continue; }
    const l = leading.at(tokens, start);
    if (l > 0 && start + l < tokens.length) { start += l; moved = true; }
  }
  let end = tokens.length;
  for (let moved = true; moved && end > start;) {
    moved = false;
    const t = trailing.before(tokens, end);
    if (t > 0 && end - t > start) { end -= t; moved = true; continue; }
    const q = polite ? politeTrailing.before(tokens, end) : 0;
    if (q > 0 && end - q > start) { end -= q; moved = true; }
  }
  if (start > 0 || end < tokens.length) tokens = tokens.slice(start, end);
  return tokens;
}

/** Tokens back to text: spaces between words, none between Han characters or a Han character and a number. */
export function joinTokens(tokens: readonly string[], from = 0, to = tokens.length): string {
  let s = '';
  for (let i = from; i < to; i++) {
    if (i > from && needsSpace(tokens[i - 1], tokens[i])) s += ' ';
    s += tokens[i];
  }
  return s;
}

function needsSpace(a: string, b: string): boolean {
  const hanA = isHan(a);
  const hanB = isHan(b);
  if (hanA && hanB) return false;
  if (hanA) return !NUMERIC.test(b);
  if (hanB) return !NUMERIC.test(a);
  return true;
}
const NUMERIC = /^[\d%]/;

/** The normalised form of a text, as the engine compares it. */
export function normalize(text: string): string {
  return joinTokens(tokenize(text));
}
