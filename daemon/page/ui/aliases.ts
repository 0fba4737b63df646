/** "tea maker, kettle,, " → ["tea maker", "kettle"]. Commas (and Chinese commas) separate aliases. */
export function parseAliases(text: string): string[] {
  return text.split(/[,，、]/).map((a) => a.trim()).filter((a) => a.length > 0);
}
