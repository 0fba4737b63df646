import { readFile } from 'node:fs/promises';

/**
 * The grammar's dictionary: the pronunciation of every word the grammar uses, taken from Debian's
 * CMU dictionary (pocketsphinx-en-us), plus variants that the stock dictionary lacks and that espeak-ng and
 * many speakers use. Measured here: with the stock entries espeak's en-us "turn off" is heard as "turn on";
 * `off AA F` fixes it. A small dictionary also loads faster than the whole 135,000-word one.
 */
export const EXTRA_PRONUNCIATIONS: Readonly<Record<string, readonly string[]>> = {
  off: ['AA F', 'AO F'],
  on: ['AA N', 'AO N'],
  the: ['DH AH', 'DH IY', 'DH IH'],
  lamp: ['L AE M P'],
  // British /a/ (espeak's en-gb "f'an"): with only the US /æ/ "office fan" was heard as nothing at all.
  fan: ['F AE N', 'F AA N'],
  garage: ['G ER AA ZH', 'G ER AA JH', 'G AE R IH JH'],
  thermostat: ['TH ER M AH S T AE T'],
  percent: ['P ER S EH N T'],
};

/** Upper bound on the dictionary file read (Debian's is 3.6 MB). */
const MAX_DICT_BYTES = 16 * 1024 * 1024;

/**
 * Looks words up in the main dictionary by reading it through once per grammar build and keeping only
 * the lines asked for: the whole dictionary as a map would cost the hub ~20 MB of heap for good.
 */
export class Pronunciations {
  constructor(private readonly dictPath: string) {}

  /** Throws when the dictionary cannot be read (the model is not installed). */
  async lookup(words: ReadonlySet<string>): Promise<Map<string, string[]>> {
    const text = await readFile(this.dictPath, 'utf8');
    if (text.length > MAX_DICT_BYTES) throw new Error(`${this.dictPath} is over ${MAX_DICT_BYTES} bytes`);
    const found = new Map<string, string[]>();
    let at = 0;
    while (at < text.length) {
      let end = text.indexOf('\n', at);
      if (end < 0) end = text.length;
      const space = text.indexOf(' ', at);
      if (space > at && space < end) {
        // "word(2) P R O N": the variant number is dropped; the phones are kept as written.
        const word = text.slice(at, space).replace(/\(\d+\)$/, '');
        if (words.has(word)) {
          const phones = text.slice(space + 1, end).trim();
          const list = found.get(word);
          if (!phones) { /* skip */ } else if (list) list.push(phones);
          else found.set(word, [phones]);
        }
      }
      at = end + 1;
    }
    return found;
  }
}

/** Whether `word` can be said with the extra variants or the looked-up entries. */
export function canSay(word: string, known: ReadonlyMap<string, readonly string[]>): boolean {
  return EXTRA_PRONUNCIATIONS[word] !== undefined || known.has(word);
}

/** The dictionary file for `words`, in pocketsphinx's format (`word`, `word(2)`, …), variants first. */
export function dictionaryFile(words: Iterable<string>, known: ReadonlyMap<string, readonly string[]>): string {
  const lines: string[] = [];
  for (const word of [...new Set(words)].sort()) {
    const phones = [...new Set([...(EXTRA_PRONUNCIATIONS[word] ?? []), ...(known.get(word) ?? [])])];
    phones.forEach((p, i) => lines.push(i === 0 ? `${word} ${p}` : `${word}(${i + 1}) ${p}`));
  }
  return lines.join('\n') + '\n';
}
