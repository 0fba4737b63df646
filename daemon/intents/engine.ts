/**
 * The local intent engine: sentence templates per language (built-in and from plugins), compiled once;
 * slot lists from the device registry and config, rebuilt when they change; `match` per utterance.
 *
 * Per utterance: tokenise (normalize.ts), pick the templates that can start with the first token (an
 * index by first literal or first list, so the cost does not grow with the number of templates), run the
 * backtracking matcher on each, keep the best-scoring match. When nothing matches, a second pass lets
 * device commands take an unknown name, so "turn on the moon" gets "I don't know a device called moon".
 *
 * A household says the same few dozen sentences over and over, so the outcome of a match (no match
 * included) is kept for the most recent texts: a repeated sentence costs a lookup, not the matcher's tens
 * of microseconds. A match depends only on the text, its language and the engine's sentences and lists, so
 * the cache is emptied whenever those change. Cached matches are frozen: nobody can change a shared one, and
 * the same object comes back for the same text, so callers may remember work per match (engineAdapter.ts).
 */
import { LRUCache } from 'lru-cache';
import { deepFreeze } from '../core/deepFreeze.js';
import { HubError } from '../core/errors.js';
import { detectLang, isHan, joinTokens, langOfTag, nameTokens, tokenize } from './normalize.js';
import { DeviceLists, staticLists, type NameEntry } from './lists.js';
import { NUMBER_LISTS, SlotReader } from './slotReader.js';
import { Matcher, type Filled } from './matcher.js';
import { TemplateCompiler, firstSet, lastTokens, type CNode } from './template.js';
import { resolveTargets } from './resolve.js';
import { mayStartNumber } from './numbers.js';
import { kindSentences } from '../../devices/kinds/index.js';
import { EN_SENTENCES } from './sentences/en.js';
import { ZH_SENTENCES } from './sentences/zh.js';
import { MULTI_TARGET } from './sentences/multiTarget.js';
import { LANGS } from './types.js';
import type {
  IntentLists, IntentMatch, Lang, LangSentences, MatchOptions, MatchSlots, Resolution, SentenceBlock, TypeSlot,
} from './types.js';

const BUILTIN: Readonly<Record<Lang, LangSentences>> = { en: EN_SENTENCES, zh: ZH_SENTENCES };

interface Source {
  lang: Lang;
  intent: string;
  owner: string;
  block: SentenceBlock;
  sentence: string;
  nodes: CNode[];
  /** A device kind's own sentence: tried only when the home has a device of its block's kinds. */
  kindOwn?: boolean;
}

/**
 * Sentences added with `trusted` (the hub's own built-in plugins, whose sentences a test compiles): kept as
 * given, in their place among the others, and compiled at the first match or `prepare` with the built-in ones.
 */
interface Deferred {
  deferred: true;
  lang: Lang;
  intent: string;
  owner: string;
  blocks: readonly SentenceBlock[];
}

interface Template extends Source {
  id: number;
  hasName: boolean;
  /** Tried by the second pass, where `{name}` takes unknown words (its block allows it and it has a name). */
  unknownOk: boolean;
  /**
   * Words the utterance must hold for any parse: per mandatory part of the template, the words it can start
   * with ("…定时器…" needs one of 定/计/倒). Templates that open on a list or wildcard are tried only when
   * their mandatory words are there, which keeps "{timer_name}定时器…" off every Chinese sentence.
   */
  needs: readonly (readonly string[])[];
  /**
   * Fixed lists and numbers every parse of it reads: a text where none can be read cannot match, so it is not
   * tried ("turn on the kitchen light" runs no "… to {brightness}" sentence). (The literal words every parse reads
   * are in `needs` already, each as a part of its own.)
   */
  needsLists: readonly string[];
  /** The words it always ends with, or null (see `lastTokens`): "书房的风扇打开" does not try "<target>(亮|通电)". */
  last: ReadonlySet<string> | null;
}

interface LangIndex {
  byToken: Map<string, Template[]>;
  byList: Map<string, Template[]>;
  always: Template[];
  /**
   * The templates an utterance's first token can start, in template order, per pass (index 1: the unknown-name
   * pass), made once per first token: whether a word list, a name or an area can start at a token depends on that
   * token alone, so the hundred-odd Chinese templates that open on a name, an area or "here" are merged and
   * sorted once, not per utterance. Number lists (`{duration}` …) read more than one token: see `numberStarts`.
   * Emptied with the lists (`setLists`); bounded, as utterances bring any first word.
   */
  starts: [Map<string, readonly Template[]>, Map<string, readonly Template[]>];
  /** Lists read as numbers, with their templates: whether they start an utterance is asked per utterance. */
  numberStarts: Array<[string, readonly Template[]]>;
}

/** Texts up to this many tokens have their lists and numbers looked for before the templates that need them are tried. */
const PRECHECK_TOKENS = 64;

/** First tokens whose start lists are kept per language and pass (a few KiB each at most). */
const MAX_STARTS = 2048;

interface Candidate {
  template: Template;
  tokens: readonly string[];
  slots: MatchSlots;
  score: number;
}

/**
 * Matching steps one utterance may take over all its candidate templates (each also has its own budget,
 * matcher.ts): a hostile text that many templates can start on still costs a few milliseconds at most.
 * Ordinary sentences take a few hundred to a few thousand.
 */
export const UTTERANCE_STEP_BUDGET = 150_000;

/** How many recent texts keep their match: a home's repertoire, with room to spare (a few hundred KiB at most). */
const RECENT_MATCHES = 512;

/** Stands for "no sentence matched" in the cache, which cannot hold null. */
const NO_MATCH = Object.freeze({ none: true });

export interface AddSentencesOptions {
  /** 'builtin' or the plugin id; `removeOwner` drops them all again. */
  owner: string;
  /**
   * Compile at the first match (or `prepare`) instead of now: for sentences known to compile (the hub's own
   * plugins'), so start-up does not wait for them. Should one be refused then after all, that owner's sentences
   * are dropped and `onLateRefusal` is told.
   */
  trusted?: boolean;
}

export class IntentEngine {
  private readonly sources: (Source | Deferred)[] = [];
  private deferred = 0;
  /** Told when `trusted` sentences are refused at their late compile (their owner's sentences are gone by then). */
  onLateRefusal: ((owner: string, err: Error) => void) | null = null;
  private readonly compilers = new Map<Lang, TemplateCompiler>();
  private readonly matcher = new Matcher();
  private index: Map<Lang, LangIndex> | null = null;
  private readonly reader = new SlotReader();
  private active: ReadonlySet<string> | null = null;
  private builtinsLoaded = false;
  private readonly recent: LRUCache<string, IntentMatch | typeof NO_MATCH> | null;
  private steps = 0;
  /** Matching steps the last text matched afresh took (tests check the budget holds). */
  lastSteps = 0;

  /** `recentMatches`: how many recent texts keep their match (default 512; 0 matches every text afresh). */
  constructor(private readonly options: { builtins?: boolean; recentMatches?: number } = {}) {
    const max = options.recentMatches ?? RECENT_MATCHES;
    this.recent = max > 0 ? new LRUCache({ max }) : null;
  }

  /** Compiles the built-in sentences and the template index now (about 20 ms) instead of on the first match. */
  prepare(): void {
    this.ensureIndex();
  }

  /** Replaces the device and area lists (call when devices are added, removed or renamed, not on state). */
  setLists(lists: IntentLists): void {
    const before = this.reader.lists.typesKey();
    this.reader.lists = DeviceLists.build(lists);
    // The index leaves out the kinds' sentences for kinds the home has none of: rebuilt when that changes.
    if (this.reader.lists.typesKey() !== before) this.index = null;
    // What starts a template depends on the names and areas (`LangIndex.starts`).
    else for (const li of this.index?.values() ?? []) for (const m of li.starts) m.clear();
    this.recent?.clear();
  }

  /** The current lists, for resolution and replies. */
  get deviceLists(): DeviceLists {
    return this.reader.lists;
  }

  /**
   * Adds sentences for an intent. Templates are checked now: a bad one throws PLUGIN_MANIFEST_INVALID and
   * nothing of the call is added. Sentences may use the language's rules (`<target>`, `<in_area>`…).
   */
  addSentences(lang: string, intent: string, sentences: readonly (string | SentenceBlock)[], options: AddSentencesOptions): void {
    if (!(LANGS as readonly string[]).includes(lang)) {
      throw new HubError('PLUGIN_MANIFEST_INVALID', `sentences for unsupported language "${lang}" (have ${LANGS.join(', ')})`);
    }
    if (!/^[A-Za-z][\w.]*$/.test(intent)) throw new HubError('PLUGIN_MANIFEST_INVALID', `bad intent name "${intent}"`);
    const blocks = sentences.map((s) => (typeof s === 'string' ? { sentences: [s] } : s));
    if (options.trusted === true) {
      this.sources.push({ deferred: true, lang: lang as Lang, intent, owner: options.owner, blocks });
      this.deferred++;
    } else {
      this.sources.push(...this.compileBlocks(lang as Lang, intent, blocks, options.owner));
    }
    this.index = null;
    this.recent?.clear();
  }

  /** Sentence sets added `trusted` and not compiled yet (0 once anything was matched or `prepare` ran). */
  get waitingSentenceSets(): number {
    return this.deferred;
  }

  /** Drops every sentence an owner added (a plugin that stopped). */
  removeOwner(owner: string): void {
    for (let i = this.sources.length - 1; i >= 0; i--) {
      if (this.sources[i].owner !== owner) continue;
      if ('deferred' in this.sources[i]) this.deferred--;
      this.sources.splice(i, 1);
    }
    this.index = null;
    this.recent?.clear();
  }

  /** Only these intents match from now on (those some handler answers); null for all. */
  setActiveIntents(intents: Iterable<string> | null): void {
    this.active = intents === null ? null : new Set(intents);
    this.recent?.clear();
  }

  /** Intent names with sentences, per language or all. */
  intents(lang?: Lang): string[] {
    const sources = this.compiledSources();
    return [...new Set(sources.filter((s) => !lang || s.lang === lang).map((s) => s.intent))].sort();
  }

  /** The best match for an utterance, or null when no sentence fits. */
  match(text: string, options: MatchOptions = {}): IntentMatch | null {
    if (typeof text !== 'string' || text.length === 0 || text.length > 2000) return null;
    // A match limited to some intents is a different question; it is rare (a request made outside the engine).
    if (options.intents || !this.recent) return this.compute(text, options);
    // The area is part of the key: it is on the match ("in here"), and the same object comes back each time.
    const key = `${options.lang ?? ''}\n${options.area ?? ''}\n${text}`;
    let found = this.recent.get(key);
    if (found === undefined) {
      const computed = this.compute(text, options);
      found = computed ? deepFreeze(computed) : NO_MATCH;
      this.recent.set(key, found);
    }
    return found === NO_MATCH ? null : (found as IntentMatch);
  }

  /** The matcher itself: every candidate template, best score wins. */
  private compute(text: string, options: MatchOptions): IntentMatch | null {
    const tokens = tokenize(text);
    this.steps = 0;
    this.lastSteps = 0;
    if (tokens.length === 0) return null;
    const first: Lang = langOfTag(options.lang) ?? detectLang(text);
    const langs: Lang[] = [first];
    // Mixed text ("turn on 厨房的灯"): let the other language's sentences try too.
    const other: Lang = first === 'en' ? 'zh' : 'en';
    if (first === 'en' ? tokens.some(isHan) : tokens.some((t) => !isHan(t) && /[a-z]/.test(t))) langs.push(other);
    const best = this.best(tokens, langs, options, false)
      // A sentence that itself starts or ends with a word people drop ("hello …", "tell me …"):
      ?? this.retryWithFillers(text, tokens, langs, options)
      // "打开家里的咖啡机", "the coffee machine at home": "at home" before or after one device says where it is, not "all".
      ?? this.retryWithoutHome(tokens, langs, options)
      ?? this.best(tokens, langs, options, true);
    this.lastSteps = this.steps;
    if (!best) return null;
    return {
      intent: best.template.intent,
      lang: best.template.lang,
      slots: best.slots,
      text,
      normalized: joinTokens(best.tokens),
      owner: best.template.owner,
      ...(best.slots.name?.unknown || best.slots.name?.unsupported ? { partial: true } : {}),
      ...(options.area ? { sessionArea: options.area } : {}),
    };
  }

  private retryWithFillers(text: string, tokens: readonly string[], langs: Lang[], options: MatchOptions): Candidate | null {
    const kept = nameTokens(text);
    return kept.length !== tokens.length ? this.best(kept, langs, options, false) : null;
  }

  /**
   * Only for a text no sentence matched: the words for "at home" taken out. Where they mean the whole home ("关掉家里的灯",
   * "turn off the lights in the house") a sentence already read them as such, so this pass never sees that text.
   */
  private retryWithoutHome(tokens: readonly string[], langs: Lang[], options: MatchOptions): Candidate | null {
    const kept = withoutHome(tokens);
    return kept.length !== tokens.length && kept.length > 0 ? this.best(kept, langs, options, false) : null;
  }

  private best(tokens: readonly string[], langs: readonly Lang[], options: MatchOptions, unknownPass: boolean): Candidate | null {
    const index = this.ensureIndex();
    this.reader.reset(unknownPass);
    let best: Candidate | null = null;
    const present = new Set(tokens);
    const listHere = new Map<string, boolean>();
    // Whether the list reads something somewhere in the text; the readings are the matcher's own (remembered per pass).
    // A text longer than any sentence is not read at every place ahead of the matcher (a hostile 500 numerals would
    // cost more than the templates it saves): there a list counts as present when a word of it is.
    const scan = tokens.length <= PRECHECK_TOKENS;
    const canRead = (list: string) => {
      let v = listHere.get(list);
      if (v === undefined) {
        v = false;
        const trie = staticLists.get(list);
        if (!scan) v = trie ? tokens.some((t) => trie.canStart(t)) : true;
        for (let i = 0; scan && i < tokens.length && !v; i++) {
          if (trie ? !trie.canStart(tokens[i]) : !mayStartNumber(tokens[i])) continue;
          v = this.reader.read(list, tokens, i).some((r) => r.end > i);
        }
        listHere.set(list, v);
      }
      return v;
    };
    const lastToken = tokens[tokens.length - 1];
    try {
      for (const lang of langs) {
        const li = index.get(lang);
        if (!li) continue;
        for (const template of this.candidates(li, tokens, unknownPass)) {
          if (unknownPass && !template.unknownOk) continue;
          if (template.last && !template.last.has(lastToken)) continue;
          // Checked once per template, in template order, with a set of the utterance's tokens: this runs for a
          // hundred templates per Chinese utterance, and a scan of the tokens per word was a tenth of the time.
          if (!hasWords(template.needs, present)) continue;
          if (!this.allowed(template.intent, options)) continue;
          if (this.steps > UTTERANCE_STEP_BUDGET) break;
          if (template.needsLists.length > 0 && !template.needsLists.every(canRead)) continue;
          const found = this.tryTemplate(template, tokens);
          this.steps += this.matcher.stepsTaken;
          if (found && (!best || found.score > best.score)) best = found;
        }
      }
    } finally {
      this.reader.reset(false);
    }
    return best;
  }

  /** The devices a match means, or why none can be chosen (see resolve.ts). */
  resolve(match: IntentMatch, options: { sessionArea?: string } = {}): Resolution {
    return resolveTargets(match, this.reader.lists, options);
  }

  private allowed(intent: string, options: MatchOptions): boolean {
    if (this.active && !this.active.has(intent)) return false;
    return !options.intents || options.intents.has(intent);
  }

  /**
   * The built-in sentences are compiled at the first match (or `prepare`, which the hub runs right after
   * `listening`), not when the first plugin adds its own: compiling them all is most of the engine's cost
   * and nothing on the start-up path needs them. They go before every plugin's, where they always were
   * (an earlier template wins a tie).
   */
  private loadBuiltins(): void {
    if (this.builtinsLoaded) return;
    this.builtinsLoaded = true;
    if (this.options.builtins === false) return;
    const builtins: Source[] = [];
    for (const data of Object.values(BUILTIN)) {
      for (const [intent, blocks] of Object.entries(data.intents)) {
        builtins.push(...this.compileBlocks(data.lang, intent, blocks, 'builtin'));
      }
      for (const [intent, blocks] of Object.entries(MULTI_TARGET[data.lang])) builtins.push(...this.compileBlocks(data.lang, intent, blocks, 'builtin'));
    }
    // Each device kind's own sentences (devices/kinds/<kind>.ts `sentences`), after the language's.
    for (const own of kindSentences()) {
      for (const lang of LANGS) {
        for (const [intent, blocks] of Object.entries(own[lang] ?? {})) {
          builtins.push(...this.compileBlocks(lang, intent, blocks, 'builtin').map((s) => ({ ...s, kindOwn: true })));
        }
      }
    }
    const plugins = this.sources.splice(0, this.sources.length);
    for (const source of [builtins, plugins].flat()) this.sources.push(source);
  }

  private compiler(lang: Lang): TemplateCompiler {
    let c = this.compilers.get(lang);
    if (!c) {
      c = new TemplateCompiler(this.options.builtins === false ? {} : BUILTIN[lang].rules);
      this.compilers.set(lang, c);
    }
    return c;
  }

  private compileBlocks(lang: Lang, intent: string, blocks: readonly SentenceBlock[], owner: string): Source[] {
    const out: Source[] = [];
    for (const block of blocks) {
      for (const sentence of block.sentences) {
        const nodes = this.compiler(lang).compile(sentence);
        if (nodes.length > 0) out.push({ lang, intent, owner, block, sentence, nodes });
      }
    }
    return out;
  }

  /** Every source compiled: the built-in sentences loaded and the deferred ones compiled in their place. */
  private compiledSources(): Source[] {
    this.loadBuiltins();
    if (this.deferred > 0) this.compileDeferred();
    return this.sources as Source[];
  }

  private compileDeferred(): void {
    const refused = new Map<string, Error>();
    const compiled: Source[] = [];
    for (const source of this.sources) {
      if (!('deferred' in source)) { compiled.push(source); continue; }
      if (refused.has(source.owner)) continue;
      try {
        compiled.push(...this.compileBlocks(source.lang, source.intent, source.blocks, source.owner));
      } catch (err) {
        refused.set(source.owner, err as Error);
      }
    }
    this.sources.splice(0, this.sources.length, ...compiled.filter((s) => !refused.has(s.owner)));
    this.deferred = 0;
    this.index = null;
    this.recent?.clear();
    for (const [owner, err] of refused) this.onLateRefusal?.(owner, err);
  }

  private ensureIndex(): Map<Lang, LangIndex> {
    const sources = this.compiledSources();
    if (this.index) return this.index;
    const index = new Map<Lang, LangIndex>();
    sources.forEach((source, id) => {
      // A home without a vacuum does not pay for the vacuum's sentences on every utterance.
      if (source.kindOwn && source.block.domains && !this.reader.lists.hasAnyOf(source.block.domains)) return;
      let li = index.get(source.lang);
      if (!li) { li = { byToken: new Map(), byList: new Map(), always: [], starts: [new Map(), new Map()], numberStarts: [] }; index.set(source.lang, li); }
      const hasName = usesList(source.nodes, 'name');
      const template: Template = {
        ...source, id, hasName, unknownOk: hasName && source.block.unknownNames === true, needs: mandatoryWords(source.nodes), needsLists: requiredLists(source.nodes), last: lastTokens(source.nodes),
      };
      const first = firstSet(source.nodes);
      if (first.nullable) { li.always.push(template); return; }
      for (const tok of first.tokens) push(li.byToken, tok, template);
      for (const list of first.lists) push(li.byList, list, template);
    });
    for (const li of index.values()) for (const [list, templates] of li.byList) if (NUMBER_LISTS.has(list)) li.numberStarts.push([list, templates]);
    this.index = index;
    return index;
  }

  /** The templates that can start on these tokens, in template order (see `LangIndex.starts`). */
  private candidates(li: LangIndex, tokens: readonly string[], unknownPass: boolean): readonly Template[] {
    const first = tokens[0];
    const cache = li.starts[unknownPass ? 1 : 0];
    let fixed = cache.get(first);
    if (!fixed) {
      const pool = new Set<Template>(li.byToken.get(first));
      for (const [list, templates] of li.byList) {
        if (!NUMBER_LISTS.has(list) && this.reader.canStart(list, tokens)) for (const t of templates) pool.add(t);
      }
      for (const t of li.always) pool.add(t);
      fixed = [...pool].sort((a, b) => a.id - b.id);
      if (cache.size >= MAX_STARTS) cache.clear();
      cache.set(first, fixed);
    }
    let numbered: Set<Template> | null = null;
    for (const [list, templates] of li.numberStarts) {
      if (!this.reader.canStart(list, tokens)) continue;
      numbered ??= new Set(fixed);
      for (const t of templates) numbered.add(t);
    }
    return numbered ? [...numbered].sort((a, b) => a.id - b.id) : fixed;
  }

  private tryTemplate(template: Template, tokens: readonly string[]): Candidate | null {
    let result: Candidate | null = null;
    this.matcher.run(template.nodes, tokens, this.reader.read, (filled) => {
      result = this.accept(template, tokens, filled);
      return result !== null;
    });
    return result;
  }

  /**
   * Turns a parse into slots and checks the block's domain constraint; null rejects the parse.
   * Score: 2 per token read by a literal or a list (0 for a wildcard), plus a bonus for the more specific
   * readings, so a device name beats area + type, which beats a wildcard.
   */
  private accept(template: Template, tokens: readonly string[], filled: readonly Filled[]): Candidate | null {
    const block = template.block;
    const slots: MatchSlots = { ...(block.slots ?? {}) };
    let score = tokens.length * 2;
    for (const f of filled) {
      if (f.list === 'name') {
        // `{name:name2}`: the second of two names (sentences/multiTarget.ts).
        const key = f.slot === 'name2' ? 'name2' : 'name';
        if (this.reader.unknownNames) {
          const text = f.value as string;
          const known = this.reader.lists.hasName(nameTokens(text));
          slots[key] = known
            ? { text, ids: [...known.ids], weakIds: [...known.weakIds], unsupported: true }
            : { text, ids: [], weakIds: [], unknown: true };
          score -= f.span * 2;
        } else {
          const entry = f.value as NameEntry;
          slots[key] = { text: entry.text, ids: entry.ids, weakIds: entry.weakIds, ...(entry.typeWord ? { typeWord: entry.typeWord } : {}) };
          score += entry.ids.length > 0 ? 3 : 2;
        }
      } else if (f.list === 'type') {
        slots.type = { ...(f.value as TypeSlot) };
        score += 1;
      } else if (f.list === 'temperature' || f.list === 'degrees') {
        const r = f.value as { value: number; scale: 'C' | 'F' };
        slots[f.slot] = r.value;
        if (r.scale === 'F') slots.unit = 'F';
      } else if (isExtremeReading(f.value)) {
        // "set the fan to its lowest setting": the percentage as said (1 or 100), and which end it was.
        slots[f.slot] = f.value.value;
        slots.setting = f.value.extreme;
      } else if (NUMBER_LISTS.has(f.list) || f.list === 'area' || f.list === 'floor' || f.list === 'device_mode' || staticLists.has(f.list)) {
        slots[f.slot] = f.value;
        if (f.list === 'area' || f.list === 'floor') score += 1;
      } else {
        slots[f.slot] = f.value;
        score -= f.span * 2;
      }
    }
    if (!this.constrain(block, slots)) return null;
    return { template, tokens, slots, score };
  }

  /** hassil's `requires_context: domain`: the target must be one of the block's device types. */
  private constrain(block: SentenceBlock, slots: MatchSlots): boolean {
    // A name followed by its type word ("the play corner lights" for a light called Play Corner): the word must fit.
    if (slots.name && slots.type && !slots.name.unknown) {
      const types = slots.type.domains;
      const fits = (id: string) => { const d = this.reader.lists.device(id); return d !== undefined && types.includes(d.type); };
      const ids = slots.name.ids.filter(fits);
      const weakIds = slots.name.weakIds.filter(fits);
      if (ids.length === 0 && weakIds.length === 0) return false;
      slots.name = { ...slots.name, ids, weakIds };
      delete slots.type;
    }
    const domains = block.domains;
    if (!domains) return true;
    if (slots.domain === undefined && domains.length === 1) slots.domain = domains[0];
    const name = slots.name;
    if (name && !name.unknown && !name.unsupported) {
      const fits = (id: string) => { const d = this.reader.lists.device(id); return d !== undefined && domains.includes(d.type); };
      const ids = name.ids.filter(fits);
      const weakIds = name.weakIds.filter(fits);
      if (ids.length === 0 && weakIds.length === 0) return false;
      slots.name = { ...name, ids, weakIds };
    }
    if (slots.type) {
      const narrowed = slots.type.domains.filter((d) => domains.includes(d));
      if (narrowed.length === 0) return false;
      slots.type = { ...slots.type, domains: narrowed };
    }
    return true;
  }
}

/** "At home" as tokens (after folding and fillers: 家裏 is 家里, "the" is gone): 家里, 家里面, 家里头, 家中, at home. */
const HOME_WORDS: readonly (readonly string[])[] = [['家', '里', '面'], ['家', '里', '头'], ['家', '里'], ['家', '中'], ['at', 'home']];

function withoutHome(tokens: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < tokens.length;) {
    const words = HOME_WORDS.find((w) => w.every((t, k) => tokens[i + k] === t));
    if (words) i += words.length;
    else out.push(tokens[i++]);
  }
  return out;
}

function isExtremeReading(v: unknown): v is { value: number; extreme: 'min' | 'max' } {
  return typeof v === 'object' && v !== null && 'extreme' in v && typeof (v as { value?: unknown }).value === 'number';
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * The fixed-list and number slots at the top level of a template, outside any optional or alternative part: every
 * match reads them, so "turn on the attic fan" never runs a colour sentence (it has no colour word) nor a brightness
 * one (it has no number). Its top-level literal words are checked through `mandatoryWords`.
 */
function requiredLists(nodes: readonly CNode[]): string[] {
  const lists = new Set<string>();
  for (const n of nodes) if (n.k === 'slot' && (staticLists.has(n.list) || NUMBER_LISTS.has(n.list))) lists.add(n.list);
  return [...lists];
}

function usesList(nodes: readonly CNode[], list: string): boolean {
  return nodes.some((n) => (n.k === 'slot' ? n.list === list : n.k === 'alt' && n.opts.some((o) => usesList(o, list))));
}

/** Per mandatory top-level part: the words any parse of it starts with (see `Template.needs`). */
function mandatoryWords(nodes: readonly CNode[]): string[][] {
  const out: string[][] = [];
  for (const node of nodes) {
    if (node.k === 'lit') out.push([node.tok]);
    else if (node.k === 'alt' && !node.optional && node.opts.every((o) => o[0]?.k === 'lit')) {
      out.push([...new Set(node.opts.map((o) => (o[0] as { tok: string }).tok))]);
    }
  }
  return out;
}

/**
 * Whether the utterance holds one word of every part (a set of its tokens, made once per utterance).
 */
function hasWords(needs: readonly (readonly string[])[], present: ReadonlySet<string>): boolean {
  for (const words of needs) {
    let found = false;
    for (let i = 0; i < words.length && !found; i++) found = present.has(words[i]);
    if (!found) return false;
  }
  return true;
}
