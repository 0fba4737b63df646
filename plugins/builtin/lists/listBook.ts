/**
 * The lists as stored in the plugin's document: two lists (shopping and to-do), each a bounded array of
 * items. The stored file may be old, edited by hand or damaged into other valid JSON: entries that do not
 * fit are dropped one by one, a document of the wrong shape starts empty, and start-up goes on either way.
 */
export type ListId = 'shopping' | 'todo';
export const LIST_IDS: readonly ListId[] = ['shopping', 'todo'];

export interface ListItem {
  text: string;
  done: boolean;
  /** When it was added (the hub's clock, ms). */
  added: number;
}

export interface ListsDoc {
  lists: Record<ListId, ListItem[]>;
}

/** At most this many items per list, each at most this long: spoken items are a few words. */
export const MAX_ITEMS = 200;
export const MAX_ITEM_CHARS = 100;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function emptyDoc(): ListsDoc {
  return { lists: { shopping: [], todo: [] } };
}

/** The stored document made safe: what fits is kept, the rest is counted in `dropped`. */
export function checkListsDoc(data: unknown): { doc: ListsDoc; dropped: number } {
  const doc = emptyDoc();
  let dropped = 0;
  const lists = isObject(data) && isObject(data.lists) ? data.lists : {};
  for (const id of LIST_IDS) {
    const entries = Array.isArray(lists[id]) ? (lists[id] as unknown[]) : [];
    for (const e of entries) {
      const fits = isObject(e) && typeof e.text === 'string' && e.text.trim() !== '' && e.text.length <= MAX_ITEM_CHARS
        && typeof e.done === 'boolean' && typeof e.added === 'number' && Number.isFinite(e.added);
      if (!fits || doc.lists[id].length >= MAX_ITEMS) { dropped++; continue; }
      doc.lists[id].push({ text: e.text as string, done: e.done as boolean, added: e.added as number });
    }
  }
  return { doc, dropped };
}

/** How items compare: case, spaces and end punctuation do not count. */
export function itemKey(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[\s.,!?\u3002\uff0c\uff01\uff1f]+/gu, ' ').trim();
}

/** The open item a spoken one means: the same words, else one that contains them or is contained in them. */
export function findItem(items: readonly ListItem[], spoken: string): number {
  const key = itemKey(spoken);
  if (!key) return -1;
  const open = (i: number) => !items[i].done;
  const idx = items.findIndex((it, i) => open(i) && itemKey(it.text) === key);
  if (idx >= 0) return idx;
  return items.findIndex((it, i) => open(i) && (itemKey(it.text).includes(key) || key.includes(itemKey(it.text))));
}
