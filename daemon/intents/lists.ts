/**
 * Slot lists as token tries: the fixed word lists (sentences/lists.ts) built once, and the live lists of
 * device names and areas, rebuilt by `IntentEngine.setLists` when devices or areas change (never per
 * utterance). A trie lookup costs the length of the spoken name, whatever the number of devices.
 */
import { isHan, joinTokens, nameTokens } from './normalize.js';
import { STATIC_LISTS, TYPE_WORDS } from './sentences/lists.js';
import { kindLists } from '../../devices/kinds/index.js';
import { AREA_WORDS, NAME_WORDS } from './sentences/lexicon.js';
import type { AreaSlot, FloorSlot, IntentDevice, IntentLists, TypeSlot } from './types.js';
import { buildFloors } from './floors.js';
import { modeWords } from './deviceModes.js';

export interface Reading {
  end: number;
  value: unknown;
}

interface TrieNode<V> {
  next: Map<string, TrieNode<V>> | null;
  value: V | undefined;
}

export class TokenTrie<V> {
  private readonly root: TrieNode<V> = { next: null, value: undefined };

  /** Stores `value` under `tokens` unless something is there already; returns what is stored. */
  add(tokens: readonly string[], make: () => V): V {
    let node = this.root;
    for (const t of tokens) {
      node.next ??= new Map();
      let child = node.next.get(t);
      if (!child) { child = { next: null, value: undefined }; node.next.set(t, child); }
      node = child;
    }
    node.value ??= make();
    return node.value;
  }

  get(tokens: readonly string[]): V | undefined {
    let node: TrieNode<V> | undefined = this.root;
    for (const t of tokens) {
      node = node.next?.get(t);
      if (!node) return undefined;
    }
    return node.value;
  }

  canStart(token: string | undefined): boolean {
    return token !== undefined && (this.root.next?.has(token) ?? false);
  }

  /** Pushes every entry spelled by tokens from `i`, longest first. */
  readAt(tokens: readonly string[], i: number, out: Reading[]): void {
    const found: Reading[] = [];
    let node: TrieNode<V> | undefined = this.root;
    for (let j = i; j < tokens.length; j++) {
      node = node.next?.get(tokens[j]);
      if (!node) break;
      if (node.value !== undefined) found.push({ end: j + 1, value: node.value });
    }
    for (let k = found.length - 1; k >= 0; k--) out.push(found[k]);
  }
}

/**
 * The fixed lists, all languages together, built at their first read rather than when the module loads: the
 * hub's start-up (before `listening`) compiles plugins' sentences, which ask only whether a list is a fixed
 * one, and the tries (some 10–15 ms of tokenising here) are first read by the warm-up's match after it.
 */
const pluralTypeWords = new Set<string>();
let builtLists: Map<string, TokenTrie<unknown>> | null = null;
const staticListNames: ReadonlySet<string> = new Set(['type', ...Object.keys(STATIC_LISTS), ...Object.keys(kindLists())]);
export const staticLists: Pick<ReadonlyMap<string, TokenTrie<unknown>>, 'get' | 'has'> = {
  has: (name) => staticListNames.has(name),
  get: (name) => (builtLists ??= buildStaticLists()).get(name),
};

/** Whether the fixed lists' tries exist yet (tests check that start-up does not build them). */
export function staticListsBuilt(): boolean {
  return builtLists !== null;
}

/** "lights", "灯们"…: filled while the lists are built. */
function isPluralTypeWord(key: string): boolean {
  builtLists ??= buildStaticLists();
  return pluralTypeWords.has(key);
}

function buildStaticLists(): Map<string, TokenTrie<unknown>> {
  const lists = new Map<string, TokenTrie<unknown>>();
  const types = new TokenTrie<unknown>();
  for (const group of TYPE_WORDS) {
    for (const [words, plural] of [[group.one, false], [group.many, true]] as const) {
      for (const word of words) {
        const tokens = nameTokens(word);
        if (plural) pluralTypeWords.add(tokens.join(' '));
        types.add(tokens, (): TypeSlot => ({
          domains: [...group.domains], plural, text: joinTokens(tokens), ...(group.kind ? { kind: group.kind } : {}),
        }));
      }
    }
  }
  lists.set('type', types);
  for (const [name, values] of [...Object.entries(STATIC_LISTS), ...Object.entries(kindLists())]) {
    const trie = new TokenTrie<unknown>();
    for (const v of values) {
      const [spoken, value] = typeof v === 'string' ? [v, v] : v;
      trie.add(nameTokens(spoken), () => value);
    }
    lists.set(name, trie);
  }
  return lists;
}

/** English ↔ Chinese forms of rooms and name words, keyed by token sequence; built at first use, like the lists. */
let lexicons: { area: TokenTrie<string[]>; name: TokenTrie<string[]> } | null = null;
function lexicon(): { area: TokenTrie<string[]>; name: TokenTrie<string[]> } {
  if (lexicons) return lexicons;
  const areaLexicon = new TokenTrie<string[]>();
  const nameLexicon = new TokenTrie<string[]>();
  for (const [en, zh] of AREA_WORDS) {
    for (const form of en) areaLexicon.add(nameTokens(form), () => [...zh]);
    for (const form of zh) areaLexicon.add(nameTokens(form), () => [...en]);
    for (const form of en) nameLexicon.add(nameTokens(form), () => [...zh]);
  }
  for (const [en, zh] of NAME_WORDS) for (const form of en) nameLexicon.add(nameTokens(form), () => [...zh]);
  return (lexicons = { area: areaLexicon, name: nameLexicon });
}

/**
 * Chinese forms of an English name made only of lexicon words and numbers ("Kitchen Light" → 厨房灯,
 * "Lamp 2" → 台灯2), at most four; none when any word is unknown.
 */
export function derivedChinese(tokens: readonly string[]): string[] {
  if (tokens.length === 0 || tokens.some(isHan)) return [];
  let forms = [''];
  for (let i = 0; i < tokens.length;) {
    if (/^\d/.test(tokens[i])) { forms = forms.map((f) => f + tokens[i]); i++; continue; }
    const found: Reading[] = [];
    lexicon().name.readAt(tokens, i, found);
    if (found.length === 0) return [];
    const zh = found[0].value as string[];
    forms = forms.flatMap((f) => zh.map((z) => f + z)).slice(0, 4);
    i = found[0].end;
  }
  return forms;
}

/** `{name}` list entry. */
export interface NameEntry {
  text: string;
  ids: string[];
  weakIds: string[];
  typeWord?: TypeSlot;
}

interface AreaInfo {
  slot: AreaSlot;
  /** Every spoken form's tokens (for taking the area off device names). */
  forms: string[][];
  zh?: string;
}

/** The live lists: device names and areas, and the lookups resolution needs. */
export class DeviceLists {
  readonly names = new TokenTrie<NameEntry>();
  readonly areas = new TokenTrie<AreaSlot>();
  /** Floor words ("upstairs", "first floor", "二楼"): see floors.ts. */
  floors = new TokenTrie<FloorSlot>();
  /** The modes and presets the devices announce (`{device_mode}`, deviceModes.ts): spoken form → the mode. */
  readonly modes = new TokenTrie<string>();
  private readonly floorOfArea = new Map<string, string>();
  private readonly types = new Set<string>();
  /** The devices of each kind, in list order: "the lights" need not walk every device of the home. */
  private readonly byType = new Map<string, IntentDevice[]>();
  private readonly byId = new Map<string, IntentDevice>();
  private readonly areaOf = new Map<string, string>();
  private readonly info = new Map<string, AreaInfo>();
  private readonly zhNames = new Map<string, string>();
  /** `ofTypes` of several kinds, and `areaId` of a text, remembered: both are asked per utterance with the same few keys. */
  private readonly ofSeveral = new Map<string, readonly IntentDevice[]>();
  private readonly areaIds = new Map<string, string | undefined>();
  private list: IntentDevice[] = [];

  static build(lists: IntentLists): DeviceLists {
    const dl = new DeviceLists();
    for (const area of lists.areas ?? []) {
      const id = dl.addArea(area.name, area.aliases ?? []);
      if (id && area.floor) dl.floorOfArea.set(id, area.floor);
    }
    dl.floors = buildFloors(lists.floors ?? []);
    for (const device of lists.devices) {
      dl.byId.set(device.id, device);
      if (device.area) {
        const id = dl.areaId(device.area) ?? dl.addArea(device.area, []);
        if (id) dl.areaOf.set(device.id, id);
      }
    }
    dl.list = [...dl.byId.values()];
    for (const device of dl.list) {
      dl.types.add(device.type);
      const same = dl.byType.get(device.type);
      if (same) same.push(device);
      else dl.byType.set(device.type, [device]);
    }
    for (const device of dl.list) dl.addNames(device);
    for (const { tokens, value } of modeWords(dl.list)) dl.modes.add(tokens, () => value);
    // Areas were added above after some were looked up: nothing remembered while building stays.
    dl.areaIds.clear();
    dl.ofSeveral.clear();
    return dl;
  }

  private addArea(name: string, aliases: readonly string[]): string | undefined {
    const key = nameTokens(name);
    if (key.length === 0) return undefined;
    const id = key.join(' ');
    if (this.info.has(id)) return id;
    const slot: AreaSlot = { id, name };
    const info: AreaInfo = { slot, forms: [] };
    const spoken = [name, ...aliases];
    for (const form of [name, ...aliases]) {
      const translated = lexicon().area.get(nameTokens(form));
      if (translated) spoken.push(...translated);
    }
    for (const form of spoken) {
      const tokens = nameTokens(form);
      if (tokens.length === 0) continue;
      if (this.areas.add(tokens, () => slot) !== slot) continue; // another area has this word already
      info.forms.push(tokens);
      if (info.zh === undefined && tokens.some(isHan)) info.zh = joinTokens(tokens);
    }
    this.info.set(id, info);
    return id;
  }

  private addNames(device: IntentDevice): void {
    const exact: string[][] = [];
    for (const form of [device.name, ...device.aliases]) {
      const tokens = nameTokens(form);
      if (tokens.length > 0) exact.push(tokens);
    }
    for (const zh of derivedChinese(nameTokens(device.name))) exact.push(nameTokens(zh));
    const zhName = [device.name, ...device.aliases].find((n) => isHan(n)) ?? exact.map((t) => joinTokens(t)).find((n) => isHan(n));
    if (zhName) this.zhNames.set(device.id, zhName);
    const areaForms = this.info.get(this.areaOf.get(device.id) ?? '')?.forms ?? [];
    const seen = new Set<string>();
    for (const tokens of exact) {
      const key = tokens.join(' ');
      if (seen.has(key)) continue;
      seen.add(key);
      this.entry(tokens).ids.push(device.id);
    }
    for (const tokens of exact) {
      for (const form of areaForms) {
        const weak = strip(tokens, form);
        const key = weak?.join(' ');
        // A plural type word ("lights") or a measurement ("temperature") left over means the group or the
        // reading, not this one device: "turn off the lights", "what's the temperature in the bathroom".
        if (!weak || key === undefined || seen.has(key) || isPluralTypeWord(key) || staticLists.get('measurement')?.get(weak) !== undefined) continue;
        seen.add(key);
        this.entry(weak).weakIds.push(device.id);
      }
    }
  }

  private entry(tokens: readonly string[]): NameEntry {
    return this.names.add(tokens, () => {
      const typeWord = staticLists.get('type')?.get(tokens) as TypeSlot | undefined;
      return { text: joinTokens(tokens), ids: [], weakIds: [], ...(typeWord ? { typeWord } : {}) };
    });
  }

  device(id: string): IntentDevice | undefined {
    return this.byId.get(id);
  }

  devices(): readonly IntentDevice[] {
    return this.list;
  }

  /** The devices of these kinds, in list order (do not change the array). */
  ofTypes(types: readonly string[]): readonly IntentDevice[] {
    if (types.length === 1) return this.byType.get(types[0]) ?? [];
    const key = types.join(',');
    let found = this.ofSeveral.get(key);
    if (!found) {
      found = this.list.filter((d) => types.includes(d.type));
      if (this.ofSeveral.size >= MAX_REMEMBERED) this.ofSeveral.clear();
      this.ofSeveral.set(key, found);
    }
    return found;
  }

  /** The kinds present, as one comparable string. */
  typesKey(): string {
    return [...this.types].sort().join(',');
  }

  /** Whether any device is of one of these kinds. */
  hasAnyOf(types: readonly string[]): boolean {
    return types.some((t) => this.types.has(t));
  }

  /** The floor key of a device: its own (set by its user), else its area's; or undefined. */
  floorOf(deviceId: string): string | undefined {
    const own = this.byId.get(deviceId)?.floor;
    if (own !== undefined) return own;
    const area = this.areaOf.get(deviceId);
    return area === undefined ? undefined : this.floorOfArea.get(area);
  }

  /** The area id of a device, or undefined when it has none. */
  areaIdOf(deviceId: string): string | undefined {
    return this.areaOf.get(deviceId);
  }

  /** The area id for any spoken or configured form of an area ("Living Room", "living_room", "客厅"). */
  areaId(text: string): string | undefined {
    // Every resolution asks for the satellite's own area by its configured name: tokenising it each time was half of `resolve`.
    if (this.areaIds.has(text)) return this.areaIds.get(text);
    const id = this.areas.get(nameTokens(text))?.id;
    if (this.areaIds.size >= MAX_REMEMBERED) this.areaIds.clear();
    this.areaIds.set(text, id);
    return id;
  }

  /** An area's name for replies: as configured in English, its first Chinese form in Chinese. */
  areaName(id: string, lang: string): string {
    const info = this.info.get(id);
    if (!info) return id;
    if (lang === 'zh' && info.zh) return info.zh;
    return info.slot.name;
  }

  /** A device's Chinese name: a Chinese alias, or one derived from its English name. */
  zhName(deviceId: string): string | undefined {
    return this.zhNames.get(deviceId);
  }

  /** Whether a token sequence is a device name (exact or without its area). */
  hasName(tokens: readonly string[]): NameEntry | undefined {
    return this.names.get(tokens);
  }
}

/** Keys `ofTypes` and `areaId` remember per set of lists (the lists are rebuilt whenever devices or areas change). */
const MAX_REMEMBERED = 256;

/** The name with an area form taken off its start or end ("bedroom lamp" − "bedroom" → "lamp"). */
function strip(tokens: readonly string[], area: readonly string[]): string[] | null {
  if (area.length >= tokens.length) return null;
  if (area.every((t, i) => tokens[i] === t)) return tokens.slice(area.length);
  const off = tokens.length - area.length;
  if (area.every((t, i) => tokens[off + i] === t)) return tokens.slice(0, off);
  return null;
}
