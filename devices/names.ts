/**
 * Name normalisation for matching what a user says against device names: "Kitchen-Ceiling",
 * "kitchen_ceiling" and "ｋｉｔｃｈｅｎ　ｃｅｉｌｉｎｇ" all become "kitchen ceiling". The original name is kept on the
 * device for display; only the matching key is normalised.
 */

// `-`, `_`, `/` (Zigbee2MQTT uses `/` to group friendly names) and `.` separate words like a space does.
const SEPARATORS = /[\s\-_/.]+/gu;

/**
 * NFKC first, so full-width letters, digits, the ideographic space and full-width punctuation fold to their
 * half-width forms (Unicode UAX #15); then case-folding, then separators collapse to single spaces.
 */
export function normaliseName(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(SEPARATORS, ' ').trim();
}

/** The normalised keys a device answers to: its name and each alias, without duplicates or empty keys. */
export function nameKeys(name: string, aliases: readonly string[] = []): string[] {
  const keys = new Set<string>();
  for (const candidate of [name, ...aliases]) {
    const key = normaliseName(candidate);
    if (key) keys.add(key);
  }
  return [...keys];
}
