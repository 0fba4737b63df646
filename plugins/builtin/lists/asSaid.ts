/**
 * An item as the user said it. The engine's wildcard slot is normalised: lower case, filler words dropped
 * ("call the plumber" → "call plumber", 了 and 的 gone). The item is the stretch of the utterance from the
 * slot's first word to its last, so it keeps the words in between; when that cannot be found the slot is used.
 */
const HAN = /\p{Script=Han}/u;

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function find(lower: string, word: string, from: number): number {
  if (HAN.test(word)) return lower.indexOf(word, from);
  const re = new RegExp(`(?<![\\p{L}\\p{N}])${escape(word)}(?![\\p{L}\\p{N}])`, 'gu');
  re.lastIndex = from;
  return re.exec(lower)?.index ?? -1;
}

export function asSaid(text: string, slot: string): string {
  const tokens = HAN.test(slot.charAt(0)) ? [...slot.replace(/\s+/g, '')] : slot.split(/\s+/).filter(Boolean);
  if (tokens.length === 0) return slot;
  const lower = text.toLowerCase();
  const first = tokens[0].toLowerCase();
  const last = tokens[tokens.length - 1].toLowerCase();
  const start = find(lower, first, 0);
  if (start < 0) return slot;
  const end = find(lower, last, start);
  if (end < 0) return slot;
  const said = text.slice(start, end + last.length).trim();
  // Only a few dropped words fit in between; anything longer is not what the slot read.
  return said.length > 0 && said.length <= slot.length * 2 + 12 ? said : slot;
}
