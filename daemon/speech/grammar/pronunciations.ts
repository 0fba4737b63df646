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
  garage: ['G ER AA ZH', 'G ER AA JH', 'G AE R IH JH'],
  thermostat: ['TH ER M AH S T AE T'],
  percent: ['P ER S EH N T'],
};

/** Upper bound on the dictionary file read (Debian's is 3.6 MB). */
const MAX_DICT_BYTES = 16 * 1024 * 1024;

export class Pronunciations {
  private entries: Map<string, string[]> | null = null;

  constructor(private readonly dictPath: string) {}

  /** Reads the main dictionary once (asynchronously); later calls reuse it. */
  async load(): Promise<void> {
    if (this.entries) return;
    const text = await readFile(this.dictPath, 'utf8');
    if (text.length > MAX_DICT_BYTES) throw new Error(`${this.dictPath} is over ${MAX_DICT_BYTES} bytes`);
    const entries = new Map<string, string[]>();
    for (const line of text.split('\n')) {
      const space = line.indexOf(' ');
      if (space <= 0) continue;
      // "word(2) P R O N": the variant number is dropped; the phones are kept as written.
      const word = line.slice(0, space).replace(/\(\d+\)$/, '');
      const phones = line.slice(space + 1).trim();
      if (!phones) continue;
      const list = entries.get(word);
      if (list) list.push(phones);
      else entries.set(word, [phones]);
    }
    this.entries = entries;
  }

  has(word: string): boolean {
    return EXTRA_PRONUNCIATIONS[word] !== undefined || (this.entries?.has(word) ?? false);
  }

  /** The dictionary file for `words`, in pocketsphinx's format (`word`, `word(2)`, …), variants first. */
  dictionary(words: Iterable<string>): string {
    const lines: string[] = [];
    for (const word of [...new Set(words)].sort()) {
      const phones = [...new Set([...(EXTRA_PRONUNCIATIONS[word] ?? []), ...(this.entries?.get(word) ?? [])])];
      phones.forEach((p, i) => lines.push(i === 0 ? `${word} ${p}` : `${word}(${i + 1}) ${p}`));
    }
    return lines.join('\n') + '\n';
  }
}
