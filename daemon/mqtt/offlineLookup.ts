/**
 * aedes 1.x looks up, for every QoS ≥ 1 message, the persistent sessions (clean: false) it must be queued for
 * while they are offline (aedes.js `enqueueOffline`: `subscriptionsByTopic`, then `outgoingEnqueueCombi` with
 * what it found). Its in-memory store answers from a trie that holds only such sessions' subscriptions
 * (aedes' subscribe handler stores nothing for a clean session). Most homes have none: then every lookup costs a
 * trie match, two promises and their closures (about 0.6 KB an utterance's device command) to find nothing.
 *
 * Here the store remembers which clients have stored a subscription and not cleaned them since:
 * `addSubscriptions` adds the client, `cleanSubscriptions` (a clean connect, a session's end) removes it, and
 * `removeSubscriptions` leaves it, so the set may hold a client with nothing left, never miss one with
 * something. The in-memory store changes its trie when called (its methods are async functions that do not
 * await before that), so the set changes in the same step as the trie. While the set is empty the lookup
 * answers "no one" at once, with no trie match and no promise of its own, and the enqueue of that answer is
 * skipped: what the store would have done. Only for aedes' own in-memory store, which starts empty; install
 * last, over the other wrappers (boundedQueues.ts, lookupFailure.ts), so a skipped lookup skips them too.
 */
export interface OfflineStore {
  addSubscriptions(client: { id: string }, subs: unknown[]): Promise<void>;
  cleanSubscriptions(client: { id: string }): Promise<unknown>;
  subscriptionsByTopic(topic: string): Promise<unknown[]>;
  outgoingEnqueueCombi(subs: unknown[], packet: unknown): Promise<void>;
}

/** The answer "no persistent session subscribes", shared: aedes only reads it (or filters it into a new array). */
const NOBODY: unknown[] = Object.freeze([]) as unknown as unknown[];
const NOBODY_FOUND = Promise.resolve(NOBODY);
const NOTHING_QUEUED = Promise.resolve();

export function skipOfflineLookupWithoutSessions(store: OfflineStore): { readonly persistentClients: number } {
  const persistent = new Set<string>();
  const add = store.addSubscriptions.bind(store);
  const clean = store.cleanSubscriptions.bind(store);
  const lookup = store.subscriptionsByTopic.bind(store);
  const enqueue = store.outgoingEnqueueCombi.bind(store);
  store.addSubscriptions = (client, subs) => {
    persistent.add(client.id);
    return add(client, subs);
  };
  store.cleanSubscriptions = (client) => {
    persistent.delete(client.id);
    return clean(client);
  };
  store.subscriptionsByTopic = (topic) => (persistent.size === 0 ? NOBODY_FOUND : lookup(topic));
  store.outgoingEnqueueCombi = (subs, packet) => (subs === NOBODY ? NOTHING_QUEUED : enqueue(subs, packet));
  return { get persistentClients() { return persistent.size; } };
}
