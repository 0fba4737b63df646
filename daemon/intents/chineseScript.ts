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
 * Every character the folding tables change: text with none of them is Simplified already (a phrase entry
 * changes text only through such a character, "乾燥" → "干燥" through 乾).
 */
let foldable: Set<number> | null = null;
/**
 * Characters the hub's own sentence and word tables use as written, which OpenCC would still change:
 * 么 (什么) is common Simplified, yet TSCharacters turns it into 幺; HKVariantsRev turns the Cantonese 嗰 and
 * 喎 into rare variants the Cantonese table (sentences/cantonese.ts) would no longer find. Keeping them as
 * they are also means no built-in sentence builds the converter at start-up (its tables cost megabytes).
 */
const KEPT = new Set(['么', '嗰', '喎']);
const CHARACTER_TABLES: readonly string[] = [HKVariantsRev, TWVariantsRev, TSCharacters];
const traditional = new Map<'tw' | 'hk', ConverterFunction>();

const HAN = /\p{Script=Han}/u;

/** The text in Simplified characters; text without Han characters comes back as it is. */
export function toSimplified(text: string): string {
  if (!HAN.test(text)) return text;
  // OpenCC's converter costs about 15 µs a call; most Chinese text is Simplified already and needs a scan only.
  foldable ??= changedCharacters(CHARACTER_TABLES);
  let any = false;
  for (let i = 0; i < text.length && !any; i++) any = foldable.has(text.codePointAt(i)!);
  if (!any) return text;
  simplify ??= ConverterFactory(
    [HKVariantsRevPhrases, withoutKept(HKVariantsRev), TWVariantsRevPhrases, withoutKept(TWVariantsRev)],
    [TSPhrases, withoutKept(TSCharacters)],
  );
  return simplify(text);
}

/** The characters OpenCC's character tables ("source target target|…") turn into something else. */
function changedCharacters(tables: readonly string[]): Set<number> {
  const out = new Set<number>();
  for (const table of tables) {
    for (const entry of table.split('|')) {
      const [from, to] = entry.split(' ');
      if (from && to !== undefined && from !== to && !KEPT.has(from)) out.add(from.codePointAt(0)!);
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
