/**
 * Traditional ↔ Simplified Chinese, the one module that uses `opencc-js` (OpenCC's conversion tables, MIT /
 * Apache-2.0). The engine matches Simplified only: every text with Han characters is folded to Simplified
 * before tokenising (normalize.ts), so "打開客廳的燈" (Taiwan, Hong Kong) is "打开客厅的灯". Replies go back
 * in the script the user wrote.
 *
 * Folding uses the Taiwan and Hong Kong variant tables, then OpenCC's Traditional→Simplified phrases and
 * characters (about 110 KB). Replies use the Simplified→Traditional character table with OpenCC's regional
 * phrases, then the region's variants (about 60 KB): the full phrase table (1 MB) is not worth its size for
 * the hub's short replies. The tables are built on first use (a hub that never hears Chinese never builds them).
 */
import { ConverterFactory, type ConverterFunction } from 'opencc-js/core';
import HKVariantsRevPhrases from 'opencc-js/dict/HKVariantsRevPhrases';
import HKVariantsRev from 'opencc-js/dict/HKVariantsRev';
import TWVariantsRevPhrases from 'opencc-js/dict/TWVariantsRevPhrases';
import TWVariantsRev from 'opencc-js/dict/TWVariantsRev';
import TSPhrases from 'opencc-js/dict/TSPhrases';
import TSCharacters from 'opencc-js/dict/TSCharacters';
import STCharacters from 'opencc-js/dict/STCharacters';
import STRegionalPhrases from 'opencc-js/dict/STPhrases_GeneratedFromRegionalPhrases';
import TWVariants from 'opencc-js/dict/TWVariants';
import HKVariants from 'opencc-js/dict/HKVariants';

/** Which script a Chinese text is written in; `hk` and `tw` differ in a few variant characters. */
export type ChineseScript = 'hans' | 'tw' | 'hk';

let simplify: ConverterFunction | null = null;
/**
 * Every character that folding can change: text with none of them is Simplified already, and is returned
 * without building the converter (its tables cost 1.6 MB of heap and some 25 ms). A character counts when
 * its variant and Traditional→Simplified images differ from it, or when a phrase entry changes it ("乾燥" →
 * "干燥" through 乾, whose own character entry keeps it). A variant that comes back to itself (台 → 臺 →
 * 台, 兑 → 兌 → 兑) does not count: the hub's own words ("台灯") then never build the converter.
 */
let foldable: Set<string> | null = null;
/**
 * Characters the hub's own sentence and word tables use as written, which OpenCC would still change:
 * 么 (什么) is common Simplified, yet TSCharacters turns it into 幺; HKVariantsRev turns the Cantonese 嗰 and
 * 喎 into rare variants the Cantonese table (sentences/cantonese.ts) would no longer find. Keeping them as
 * they are also means no built-in sentence builds the converter at start-up.
 */
const KEPT = new Set(['么', '嗰', '喎']);
const traditional = new Map<'tw' | 'hk', ConverterFunction>();

const HAN = /\p{Script=Han}/u;

/** The text in Simplified characters; text without Han characters comes back as it is. */
export function toSimplified(text: string): string {
  if (!HAN.test(text)) return text;
  // OpenCC's converter costs about 15 µs a call; most Chinese text is Simplified already and needs a scan only.
  foldable ??= foldableCharacters();
  let any = false;
  for (const c of text) {
    if (foldable.has(c)) {
      any = true;
      break;
    }
  }
  return any ? simplifier()(text) : text;
}

/** OpenCC's folding without the scan: tests check that the scan never skips a text this would change. */
export function foldAlways(text: string): string {
  return simplifier()(text);
}

/** Whether the folding tables have been built (tests: the hub's own words and sentences never build them). */
export function simplifierBuilt(): boolean {
  return simplify !== null;
}

function simplifier(): ConverterFunction {
  simplify ??= ConverterFactory(
    [HKVariantsRevPhrases, withoutKept(HKVariantsRev), TWVariantsRevPhrases, withoutKept(TWVariantsRev)],
    [TSPhrases, withoutKept(TSCharacters)],
  );
  return simplify;
}

/** See `foldable`: from the tables' text alone, without building OpenCC's tries. */
function foldableCharacters(): Set<string> {
  const variants = characterMap([HKVariantsRev, TWVariantsRev]);
  const simplified = characterMap([TSCharacters]);
  // A Traditional→Simplified phrase counts where it differs from the character table; a variant phrase
  // where what it leaves would not come back to the character it read (台山 stays 台山, then 台 stays 台).
  const bySimplifiedPhrase = changedByPhrases([TSPhrases], (c, to) => [...images(simplified, c)].some((s) => s !== to));
  const byVariantPhrase = changedByPhrases([HKVariantsRevPhrases, TWVariantsRevPhrases],
    (c, to) => bySimplifiedPhrase.has(to) || [...images(simplified, to)].some((s) => s !== c));
  const out = new Set<string>();
  for (const c of new Set([...variants.keys(), ...simplified.keys(), ...byVariantPhrase, ...bySimplifiedPhrase])) {
    let changes = byVariantPhrase.has(c) || bySimplifiedPhrase.has(c);
    for (const s of images(simplified, c)) changes ||= s !== c;
    for (const v of images(variants, c)) {
      changes ||= bySimplifiedPhrase.has(v);
      for (const s of images(simplified, v)) changes ||= s !== c;
    }
    // A kept character is used as written: a phrase may take it through a variant (什么 → 什麼 → 什么) but
    // only rare words bring it out changed, and those hold another character that counts.
    if (changes && !KEPT.has(c)) out.add(c);
  }
  return out;
}

/** What a character table may turn a character into (itself when it has no entry). */
function images(map: ReadonlyMap<string, ReadonlySet<string>>, c: string): Iterable<string> {
  return map.get(c) ?? [c];
}

/** An OpenCC character table ("source target target|…") as source → every target, the kept characters left out. */
function characterMap(tables: readonly string[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const table of tables) {
    for (const entry of table.split('|')) {
      const [from, ...to] = entry.split(' ');
      if (!from || KEPT.has(from)) continue;
      let set = out.get(from);
      if (!set) out.set(from, set = new Set());
      for (const t of to) set.add(t);
    }
  }
  return out;
}

/**
 * The characters an OpenCC phrase table ("source target|…") may change otherwise than the character tables
 * would (`differs(character, its target in the phrase)`); every one of an entry that changes length.
 */
function changedByPhrases(tables: readonly string[], differs: (c: string, to: string) => boolean): Set<string> {
  const out = new Set<string>();
  for (const table of tables) {
    for (const entry of table.split('|')) {
      const [from = '', to = ''] = entry.split(' ');
      const a = [...from];
      const b = [...to];
      a.forEach((c, i) => {
        if (a.length !== b.length || differs(c, b[i]!)) out.add(c);
      });
    }
  }
  return out;
}

/** An OpenCC character table ("source target|…") without the entries for the characters kept as written. */
function withoutKept(table: string): string {
  return table.split('|').filter((entry) => !KEPT.has(entry.split(' ')[0]!)).join('|');
}

/** Simplified text in Traditional characters, with Taiwan's (default) or Hong Kong's variants. */
export function toTraditional(text: string, region: 'tw' | 'hk' = 'tw'): string {
  if (!HAN.test(text)) return text;
  let convert = traditional.get(region);
  if (!convert) {
    convert = ConverterFactory([STRegionalPhrases, STCharacters], [region === 'hk' ? HKVariants : TWVariants]);
    traditional.set(region, convert);
  }
  return convert(text);
}

/**
 * The script a reply should be in: from the language tag when it names one (`zh-TW`, `zh-Hant`, `zh-HK`,
 * `yue`), else from the text itself (Traditional when folding it changes it), else Simplified.
 */
export function scriptOf(text: string, lang?: string): ChineseScript {
  const tag = (lang ?? '').toLowerCase();
  if (/^(yue|zh-hk|zh-mo|zh-hant-hk|zh-hant-mo)\b/.test(tag)) return 'hk';
  if (/^(zh-tw|zh-hant)\b/.test(tag)) return 'tw';
  if (/^(zh-cn|zh-sg|zh-hans)\b/.test(tag)) return 'hans';
  return HAN.test(text) && toSimplified(text) !== text ? 'tw' : 'hans';
}

/** A reply in the script the user wrote: unchanged for Simplified and for text without Han characters. */
export function inScript(reply: string, script: ChineseScript): string {
  return script === 'hans' ? reply : toTraditional(reply, script);
}
