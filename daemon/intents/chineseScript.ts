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
 * Every character that folding can change, by code point: text with none of them is Simplified already, and
 * is returned without building the converter (its tables cost 1.6 MB of heap and some 25 ms). A character counts when
 * its variant and Traditional→Simplified images differ from it, or when a phrase entry changes it ("乾燥" →
 * "干燥" through 乾, whose own character entry keeps it). A variant that comes back to itself (台 → 臺 →
 * 台, 兑 → 兌 → 兑) does not count: the hub's own words ("台灯") then never build the converter.
 */
let foldable: Set<number> | null = null;
/**
 * `foldable` as daemon/build/bundle.ts computed it (`foldableCharacters` over the same tables, a string of
 * the characters): the bundle carries it, so the hub's first Chinese text — a plugin's sentences, compiled
 * before `listening` — does not scan the tables (some 15–25 ms of CPU here). tsc's output computes it.
 */
declare const VOICEHUB_FOLDABLE: string | undefined;
/**
 * Characters the hub's own sentence and word tables use as written, which OpenCC would still change:
 * 么 (什么) is common Simplified, yet TSCharacters turns it into 幺; HKVariantsRev turns the Cantonese 嗰 and
 * 喎 into rare variants the Cantonese table (sentences/cantonese.ts) would no longer find. Keeping them as
 * they are also means no built-in sentence builds the converter at start-up.
 */
const KEPT = new Set(['么', '嗰', '喎']);
const traditional = new Map<'tw' | 'hk', ConverterFunction>();

const HAN = /\p{Script=Han}/u;
/**
 * Below this every code unit is outside the Han script (its first block, CJK Radicals Supplement, starts here),
 * so Latin, Cyrillic or Greek text is passed over without a lookup and never builds `foldable`.
 */
const FIRST_HAN_UNIT = 0x2e80;

/**
 * The text in Simplified characters; text without a character folding can change comes back as it is (the
 * same string). One pass over its UTF-16 units that allocates nothing (iterating `for (const c of text)`
 * made a string per character of every Chinese utterance); OpenCC runs only when a character can change.
 */
export function toSimplified(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < FIRST_HAN_UNIT) continue;
    let code = unit;
    // A surrogate pair is one character (CJK Extension B and beyond); a lone surrogate is looked up as it is.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        code = (unit - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
        i++;
      }
    }
    if ((foldable ??= foldableCodes()).has(code)) return simplifier()(text);
  }
  return text;
}

/** `foldable` from the bundle's string (daemon/build/bundle.ts) or, in tsc's output, from the tables. */
function foldableCodes(): Set<number> {
  const codes = new Set<number>();
  for (const c of typeof VOICEHUB_FOLDABLE === 'string' ? VOICEHUB_FOLDABLE : foldableCharacters()) codes.add(c.codePointAt(0)!);
  return codes;
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

/**
 * See `foldable`: from the tables' text alone, without building OpenCC's tries (a few ms, once). Every
 * character a table changes counts, but for one its variant table sends out and Traditional→Simplified
 * brings back (台 → 臺 → 台), unless a phrase holding either of the two writes something else there.
 */
export function foldableCharacters(): Set<string> {
  const out = new Set<string>();
  const simplified = new Map<string, string>();
  const variant = new Map<string, string | null>(); // null: more than one table names it
  for (const table of [HKVariantsRev, TWVariantsRev, TSCharacters]) {
    for (const entry of table.split('|')) {
      const space = entry.indexOf(' ');
      if (space <= 0) continue;
      const from = entry.slice(0, space);
      const to = entry.slice(space + 1); // "乾 乾 干": every target
      if (KEPT.has(from)) continue;
      if (to !== from) out.add(from);
      const first = to.split(' ')[0]!;
      if (table === TSCharacters) simplified.set(from, first);
      else variant.set(from, variant.has(from) ? null : first);
    }
  }
  // The round trips, by both of their characters: 台 → 台, 臺 → 台.
  const roundTrip = new Map<string, string>();
  for (const [c, v] of variant) {
    if (v !== null && simplified.get(v) === c && !simplified.has(c)) {
      roundTrip.set(c, c);
      roundTrip.set(v, c);
    }
  }
  const spoilt = new Set<string>();
  for (const table of [HKVariantsRevPhrases, TWVariantsRevPhrases, TSPhrases]) {
    for (const entry of table.split('|')) {
      const space = entry.indexOf(' ');
      const from = [...entry.slice(0, space)];
      const to = [...entry.slice(space + 1)];
      from.forEach((c, i) => {
        const same = from.length === to.length && to[i] === c;
        // Characters the phrase writes otherwise than it reads them ("乾燥" → "干燥": 乾's own entry keeps it).
        if (!same && !KEPT.has(c)) out.add(c);
        // What the phrase leaves must come out as the round trip's character: at once for a
        // Traditional→Simplified phrase, through the character table for a variant phrase.
        const trip = roundTrip.get(c);
        const comesOut = table === TSPhrases ? to[i] : simplified.get(to[i]!) ?? to[i];
        if (trip !== undefined && (from.length !== to.length || comesOut !== trip)) spoilt.add(trip);
      });
    }
  }
  for (const c of roundTrip.values()) if (!spoilt.has(c)) out.delete(c);
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
