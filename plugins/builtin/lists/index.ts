import type { IntentReply, IntentRequest, PluginApi, PluginCollection, PluginManifest } from '../../sdk/index.js';
import { checkListsDoc, emptyDoc, findItem, itemKey, MAX_ITEM_CHARS, MAX_ITEMS, type ListId, type ListsDoc } from './listBook.js';
import { asSaid } from './asSaid.js';
import { SENTENCES } from './sentences.js';
import { TEXTS } from './texts.js';

/**
 * A shopping list and a to-do list: add ("add milk to the shopping list", "把牛奶加到购物清单"), check off,
 * read back, clear what is checked off. Stored in the plugin's own document (`api.store`, written coalesced
 * soon after each change, so a restart loses nothing); a damaged document starts what cannot be read empty.
 * Home Assistant's intent names (HassShoppingListAddItem, HassListAddItem, HassListCompleteItem) plus two of
 * ours for reading back and clearing.
 */
export const manifest: PluginManifest = {
  id: 'voicehub.lists',
  version: '1.0.0',
  name: 'Shopping and to-do lists',
  description: 'A shopping list and a to-do list kept by voice',
  capabilities: ['lists'],
  requiredScopes: ['storage'],
  intents: ['HassShoppingListAddItem', 'HassListAddItem', 'HassListCompleteItem', 'HassListGetItems', 'HassListClearCompleted'],
  // The assistant's add_to_list: the same handler "add milk to the shopping list" reaches, the list named by a slot.
  tools: [{
    name: 'add_to_list',
    description: 'Add one or two items to the shopping list or the to-do list (an item already on it is not added twice).',
    intent: 'HassListAddItem',
    inputSchema: {
      type: 'object', required: ['item', 'list'],
      properties: {
        item: { type: 'string', minLength: 1, maxLength: MAX_ITEM_CHARS, description: 'the item in a few words, in the user\'s language' },
        item2: { type: 'string', minLength: 1, maxLength: MAX_ITEM_CHARS, description: 'a second item, when there are two' },
        list: { type: 'string', enum: ['shopping', 'todo'] },
      },
    },
  }],
};

/** Per API object: the host may register the plugin again in one process (a restart), so nothing is global. */
const stores = new WeakMap<PluginApi, PluginCollection<ListsDoc>>();

type Lang = 'en' | 'zh';

export function onRegister(api: PluginApi): void {
  for (const lang of ['en', 'zh'] as const) {
    api.intents.addResponses(lang, TEXTS[lang]);
    for (const [intent, sentences] of Object.entries(SENTENCES[lang])) api.intents.addSentences({ lang, intent, sentences });
  }
  api.intents.handle('HassShoppingListAddItem', (req) => add(api, req, 'shopping'));
  api.intents.handle('HassListAddItem', (req) => add(api, req, listOf(req) ?? 'todo'));
  api.intents.handle('HassListCompleteItem', (req) => complete(api, req));
  api.intents.handle('HassListGetItems', (req) => read(api, req));
  api.intents.handle('HassListClearCompleted', (req) => clear(api, req));
}

export async function onStart(api: PluginApi): Promise<void> {
  const store = await api.store.open(emptyDoc);
  const { doc, dropped } = checkListsDoc(store.data);
  if (dropped > 0) api.log.warn({ dropped }, 'stored list items that do not fit were dropped');
  store.data = doc;
  if (dropped > 0) store.markDirty();
  stores.set(api, store);
}

export async function onStop(api: PluginApi): Promise<void> {
  await stores.get(api)?.flush();
}

function langOf(req: IntentRequest): Lang {
  return req.lang.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

/**
 * Which list the request names: the `list` slot when the assistant's add_to_list set it, else the sentence's
 * words ("buy" and 买 are shopping; "to do", "task", 待办 are to-do).
 */
function listOf(req: IntentRequest): ListId | undefined {
  const slot = req.slots.list;
  if (slot === 'shopping' || slot === 'todo') return slot;
  const t = req.text.toLowerCase();
  if (/\b(shopping|grocer(y|ies)|shop|buy|bought|store|supermarket)\b/.test(t) || /\u8d2d\u7269|\u4e70|\u91c7\u8d2d/.test(t)) return 'shopping';
  if (/\b(to[\s-]?dos?|tasks?|chores?|did|done)\b/.test(t) || /\u5f85\u529e|\u4efb\u52a1|\u505a/.test(t)) return 'todo';
  return undefined;
}

function doc(api: PluginApi): PluginCollection<ListsDoc> {
  const store = stores.get(api);
  if (!store) throw api.refuse('BAD_REQUEST', 'The lists are not open yet.');
  return store;
}

function say(api: PluginApi, lang: Lang, key: string, vars: Record<string, unknown>, list: ListId): string {
  const text = api.respond(key, { ...vars, list: api.respond(`list_${list}`, {}, lang) }, lang);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function spokenItems(req: IntentRequest): string[] {
  return [req.slots.item, req.slots.item2]
    .filter((v): v is string => typeof v === 'string')
    .map((v) => asSaid(req.text, v.trim()).slice(0, MAX_ITEM_CHARS))
    .filter((v) => v.length > 0);
}

function join(api: PluginApi, lang: Lang, items: readonly string[]): string {
  const and = api.respond('and', {}, lang);
  const comma = lang === 'zh' ? '\u3001' : ', ';
  return items.length <= 1 ? (items[0] ?? '') : items.slice(0, -1).join(comma) + and + items[items.length - 1];
}

function count(api: PluginApi, lang: Lang, n: number): string {
  return n === 1 ? api.respond('one_item', {}, lang) : api.respond('many_items', { n }, lang);
}

function add(api: PluginApi, req: IntentRequest, list: ListId): IntentReply {
  const lang = langOf(req);
  const store = doc(api);
  const items = store.data.lists[list];
  const spoken = spokenItems(req);
  const added: string[] = [];
  for (const text of spoken) {
    if (items.some((it) => !it.done && itemKey(it.text) === itemKey(text))) continue;
    if (items.length >= MAX_ITEMS) return { text: say(api, lang, 'full', { max: MAX_ITEMS }, list) };
    items.push({ text, done: false, added: Date.now() });
    added.push(text);
  }
  if (added.length === 0) return { text: say(api, lang, 'already', { item: spoken[0] ?? '' }, list), data: { list } };
  store.markDirty();
  return { text: say(api, lang, 'added', { items: join(api, lang, added) }, list), data: { list, added } };
}

function complete(api: PluginApi, req: IntentRequest): IntentReply {
  const lang = langOf(req);
  const store = doc(api);
  const spoken = spokenItems(req)[0] ?? '';
  const named = listOf(req);
  // The list the sentence names; else whichever list has the item (shopping first).
  const order: ListId[] = named ? [named] : ['shopping', 'todo'];
  for (const list of order) {
    const at = findItem(store.data.lists[list], spoken);
    if (at < 0) continue;
    const item = store.data.lists[list][at];
    item.done = true;
    store.markDirty();
    return { text: say(api, lang, 'completed', { item: item.text }, list), data: { list, completed: item.text } };
  }
  return { text: say(api, lang, 'not_on_list', { item: spoken }, named ?? 'shopping'), data: { list: named ?? 'shopping' } };
}

function read(api: PluginApi, req: IntentRequest): IntentReply {
  const lang = langOf(req);
  const list = listOf(req) ?? 'todo';
  const open = doc(api).data.lists[list].filter((it) => !it.done).map((it) => it.text);
  if (open.length === 0) return { text: say(api, lang, 'empty', {}, list), data: { list, items: [] } };
  return { text: say(api, lang, 'items', { count: count(api, lang, open.length), items: join(api, lang, open) }, list), data: { list, items: open } };
}

function clear(api: PluginApi, req: IntentRequest): IntentReply {
  const lang = langOf(req);
  const store = doc(api);
  const list = listOf(req) ?? 'todo';
  const before = store.data.lists[list].length;
  store.data.lists[list] = store.data.lists[list].filter((it) => !it.done);
  const removed = before - store.data.lists[list].length;
  if (removed === 0) return { text: say(api, lang, 'nothing_to_clear', {}, list), data: { list, cleared: 0 } };
  store.markDirty();
  return { text: say(api, lang, 'cleared', { count: count(api, lang, removed) }, list), data: { list, cleared: removed } };
}
