import type { DeviceType } from '../../../devices/model.js';
import { nameTokens } from '../../intents/normalize.js';
import { STATIC_LISTS, TYPE_WORDS } from '../../intents/sentences/lists.js';
import { TemplateCompiler, type CNode } from '../../intents/template.js';
import type { LangSentences } from '../../intents/types.js';
import { numberWords, percentNumbers, temperatureNumbers } from './numberWords.js';

/**
 * Compiles the hub's own English sentence templates (daemon/intents/sentences/en.ts, hassil syntax) and the
 * home's current device and area names into one JSGF grammar (JSGF 1.0, W3C note 2000-06-05) for a
 * closed-vocabulary recogniser: it can hear exactly the commands this home can run.
 *
 * Each sentence block is restricted to what its device kinds can do (`domains`): `{name}`, `{area}` and
 * `{type}` in a cover block list only covers, the areas that have one and the type words for them. A grammar
 * that lets "open the pond pump" through turns some "turn off" into "open" (measured while preparing the
 * issue); one that cannot say it never hears it. Blocks whose kinds the home lacks are left out entirely.
 *
 * The intent engine drops fillers ("the", "please") from templates, so the grammar puts an optional "the"
 * before every slot, where people say it. Numbers are spelled out (0..100), as a recogniser hears them.
 * Words without a pronunciation (`canSay`) make their phrase unsayable: it is left out and reported.
 */
export interface GrammarDevice {
  name: string;
  aliases: readonly string[];
  area?: string;
  type: DeviceType;
}

export interface GrammarHome {
  devices: readonly GrammarDevice[];
  /** Config `areas` names with their aliases; areas only named by a device count too. */
  areas: readonly { name: string; aliases: readonly string[] }[];
}

export interface BuiltGrammar {
  jsgf: string;
  /** Every word the grammar uses (for the dictionary). */
  words: Set<string>;
  /** Sentence rules in the grammar. */
  sentences: number;
  /** Names and phrases left out because a word has no pronunciation. */
  unsayable: string[];
}

/**
 * Every extra word is another path the recogniser may take instead of the right one: measured on the bench
 * commands, the whole word lists (22 words for a light alone, "each", "all of", "in this room"…) made
 * "turn on the office fan" come out as "turn on the all the socket". The grammar keeps the commonest few of
 * each list (the lists put them first); the text path still understands them all.
 */
const TYPE_WORDS_SPOKEN = 2;
/** See GrammarOptions.perBlock; measured on the bench commands (README "Speech"). */
export const SENTENCES_PER_BLOCK = 2;
export const CHOICES_PER_GROUP = 99;
const LIST_WORDS_SPOKEN = 3;
/** Slots people put "the" before ("turn on the kitchen light", "the lights"); not "all", "here"… */
const THE_BEFORE = new Set(['name', 'area', 'type']);

const english = (phrases: readonly string[]): string[] => phrases.filter((p) => /^[a-z0-9' ]+$/i.test(p));

const PERCENT_SLOTS = new Set(['brightness', 'position', 'percentage', 'pct']);
const TEMPERATURE_SLOTS = new Set(['temperature', 'degrees']);
const WORD = /^[a-z][a-z']*$/;

/**
 * The intents a spoken command may have: the ones that act on devices. Every sentence costs recogniser
 * states (measured: all 131 English device sentences load in 1 s and decode in ~1× real time on this
 * machine; the commands alone in a fraction), and questions are answered well by typing; a plugin's
 * intents are not in here yet.
 */
export const SPOKEN_INTENTS: readonly string[] = [
  'HassTurnOn', 'HassTurnOff', 'HassToggle', 'HassStopMoving', 'HassSetPosition', 'HassLightSet', 'HassFanSetSpeed',
  'HassClimateSetTemperature',
];

export interface GrammarOptions {
  intents?: readonly string[];
  /** The first this many templates of each sentence block (blocks list their commonest phrasing first). */
  perBlock?: number;
  /** The first this many choices of each `(a|b|c)` group (templates list the commonest first). */
  perGroup?: number;
}

export function buildGrammar(home: GrammarHome, sentences: LangSentences, canSay: (word: string) => boolean, options: GrammarOptions = {}): BuiltGrammar {
  return new Builder(home, canSay, options.perGroup ?? CHOICES_PER_GROUP).build(sentences, options.intents ?? SPOKEN_INTENTS, options.perBlock ?? SENTENCES_PER_BLOCK);
}

class Builder {
  private readonly words = new Set<string>();
  private readonly rules = new Map<string, string>();
  private readonly unsayable = new Set<string>();

  constructor(private readonly home: GrammarHome, private readonly canSay: (word: string) => boolean, private readonly perGroup: number) {}

  build(data: LangSentences, intents: readonly string[], perBlock: number): BuiltGrammar {
    const compiler = new TemplateCompiler(data.rules);
    const bodies = new Set<string>();
    for (const intent of intents) {
      const blocks = data.intents[intent] ?? [];
      for (const block of blocks) {
        const domains = block.domains ?? null;
        if (domains && !this.home.devices.some((d) => domains.includes(d.type))) continue;
        for (const template of block.sentences.slice(0, perBlock)) {
          const body = this.sequence(compiler.compile(template), domains);
          if (body && body.trim()) bodies.add(body);
        }
      }
    }
    const sentenceRules = [...bodies].map((body, i) => `<s${i}> = ${body};`);
    const publicRule = bodies.size > 0 ? [...bodies].map((_, i) => `<s${i}>`).join(' | ') : '<VOID>';
    const jsgf = [
      '#JSGF V1.0;', 'grammar voicehub;', `public <command> = ${publicRule};`, ...sentenceRules,
      ...[...this.rules].map(([name, body]) => `<${name}> = ${body};`), '',
    ].join('\n');
    return { jsgf, words: this.words, sentences: bodies.size, unsayable: [...this.unsayable] };
  }

  /** A sequence of nodes, or null when it cannot be said (a word or a list that has nothing sayable). */
  private sequence(nodes: readonly CNode[], domains: readonly DeviceType[] | null): string | null {
    const parts: string[] = [];
    for (const node of nodes) {
      const part = this.node(node, domains);
      if (part === null) return null;
      if (part) parts.push(part);
    }
    return parts.join(' ');
  }

  private node(node: CNode, domains: readonly DeviceType[] | null): string | null {
    switch (node.k) {
      case 'lit':
        return this.word(node.tok);
      case 'slot': {
        const rule = this.slot(node.list, domains);
        if (rule === null) return null;
        if (!THE_BEFORE.has(node.list)) return `<${rule}>`;
        this.words.add('the');
        return `[the] <${rule}>`;
      }
      case 'alt': {
        const opts = [...new Set(node.opts.map((o) => this.sequence(o, domains)).filter((o): o is string => o !== null && o !== ''))].slice(0, this.perGroup);
        if (opts.length === 0) return node.optional ? '' : null;
        return node.optional ? `[${opts.join(' | ')}]` : `(${opts.join(' | ')})`;
      }
    }
  }

  private word(tok: string): string | null {
    if (!WORD.test(tok) || !this.canSay(tok)) return null;
    this.words.add(tok);
    return tok;
  }

  /** Spoken phrase → JSGF words, or null when a word cannot be said (digits are spelled out). */
  private phrase(text: string): string | null {
    const out: string[] = [];
    for (const tok of nameTokens(text.replace(/_/g, ' '))) {
      const n = /^\d+$/.test(tok) ? Number(tok) : NaN;
      const spelled = n >= 0 && n <= 100 ? numberWords(n).split(' ') : [tok];
      for (const w of spelled) {
        const said = this.word(w);
        if (said === null) {
          if (/[a-z]/.test(w)) this.unsayable.add(text); // other scripts belong to the other languages' grammars
          return null;
        }
        out.push(said);
      }
    }
    return out.length ? out.join(' ') : null;
  }

  /** The rule for a slot list in a block of these kinds; made once per (list, kinds). */
  private slot(list: string, domains: readonly DeviceType[] | null): string | null {
    const key = PERCENT_SLOTS.has(list) ? 'percent' : TEMPERATURE_SLOTS.has(list) ? 'temperature'
      : ['name', 'area', 'type'].includes(list) && domains ? `${list}_${[...domains].sort().join('_')}` : list;
    if (this.rules.has(key)) return key;
    const phrases = this.phrases(list, domains);
    if (phrases === null) return null;
    const sayable = [...new Set(phrases.map((p) => this.phrase(p)).filter((p): p is string => p !== null))];
    if (key === 'percent' || key === 'temperature') {
      const numbers = key === 'percent' ? percentNumbers() : temperatureNumbers();
      for (const w of `${numbers} percent half full degrees`.split(/[ |]+/)) this.word(w);
      this.rules.set(key, key === 'percent' ? `(${numbers}) [percent] | half | full` : `(${numbers}) [degrees]`);
      return key;
    }
    if (sayable.length === 0) return null;
    this.rules.set(key, sayable.join(' | '));
    return key;
  }

  private phrases(list: string, domains: readonly DeviceType[] | null): string[] | null {
    if (PERCENT_SLOTS.has(list) || TEMPERATURE_SLOTS.has(list)) return [];
    const devices = this.home.devices.filter((d) => !domains || domains.includes(d.type));
    switch (list) {
      case 'name':
        return devices.flatMap((d) => [d.name, ...d.aliases]);
      case 'area': {
        const used = new Set(devices.map((d) => d.area).filter((a): a is string => !!a));
        const out = [...used];
        for (const a of this.home.areas) if (used.has(a.name) || !domains) out.push(a.name, ...a.aliases);
        return out;
      }
      case 'type': {
        const present = new Set(devices.map((d) => d.type));
        return TYPE_WORDS.filter((g) => g.domains.some((t) => present.has(t)))
          .flatMap((g) => [...english(g.one).slice(0, TYPE_WORDS_SPOKEN), ...english(g.many).slice(0, TYPE_WORDS_SPOKEN)]);
      }
      default: {
        const values = STATIC_LISTS[list];
        if (!values) return null; // a list the grammar cannot spell (a plugin's): its sentences are left out
        return english(values.map((v) => (typeof v === 'string' ? v : v[0]))).slice(0, LIST_WORDS_SPOKEN);
      }
    }
  }
}
