/**
 * aedes 1.x publishes a QoS ≥ 1 message in steps (aedes.js: storeRetained, enqueueOffline, emitPacket), each
 * calling the next back. In enqueueOffline it asks its store for the sessions the message must be queued for
 * (`subscriptionsByTopic`); when that rejects it emits 'error' and calls nothing back, so the publish never
 * settles: a device's QoS 1 publish, or the hub's own (an utterance's command waits until its deadline, issue
 * 18). Here a failed lookup answers an empty list marked with its error, and the next step, which aedes does call
 * back (`outgoingEnqueueCombi`, handed that very list), rejects with it: aedes then fails that one publish through
 * its own callback, as it does when storing a retained copy fails. Install after boundOutgoingQueues, so this
 * `outgoingEnqueueCombi` runs first (the bounded one skips an empty list without calling further).
 */
export interface LookupStore {
  subscriptionsByTopic(topic: string): Promise<unknown[]>;
  outgoingEnqueueCombi(subs: unknown[], packet: unknown): Promise<void>;
}

export function failPublishOnLookupError(store: LookupStore, onError: (err: unknown, topic: string) => void): void {
  const failed = new WeakMap<unknown[], Error>();
  const lookup = store.subscriptionsByTopic.bind(store);
  const enqueue = store.outgoingEnqueueCombi.bind(store);
  store.subscriptionsByTopic = (topic) => lookup(topic).catch((err: unknown) => {
    onError(err, topic);
    const none: unknown[] = [];
    // An Error whatever was thrown: aedes reads a falsy one as success.
    failed.set(none, err instanceof Error ? err : new Error('the broker store could not look up the sessions of a topic'));
    return none;
  });
  store.outgoingEnqueueCombi = (subs, packet) => {
    // aedes copies the list (a filter) only for `$SYS/` topics: those, never the hub's, go on queued for nobody.
    if (failed.has(subs)) return Promise.reject(failed.get(subs));
    return enqueue(subs, packet);
  };
}
