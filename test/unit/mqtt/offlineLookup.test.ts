import { test } from 'node:test';
import assert from 'node:assert/strict';
import { skipOfflineLookupWithoutSessions, type OfflineStore } from '../../../daemon/mqtt/offlineLookup.js';

/** A store that records what reached it: lookups answer one subscriber, enqueues are counted. */
function recordingStore(): OfflineStore & { lookups: number; enqueued: unknown[][] } {
  const store = {
    lookups: 0,
    enqueued: [] as unknown[][],
    addSubscriptions: async () => {},
    cleanSubscriptions: async () => ({}),
    subscriptionsByTopic: async () => { store.lookups++; return [{ clientId: 'lamp' }]; },
    outgoingEnqueueCombi: async (subs: unknown[]) => { store.enqueued.push(subs); },
  };
  return store;
}

test('with no persistent session a lookup answers nobody without asking the store, and that answer queues nothing', async () => {
  const store = recordingStore();
  const tracked = skipOfflineLookupWithoutSessions(store);
  const subs = await store.subscriptionsByTopic('devices/lamp/set');
  assert.deepEqual(subs, []);
  await store.outgoingEnqueueCombi(subs, {});
  assert.equal(store.lookups, 0);
  assert.deepEqual(store.enqueued, []);
  assert.equal(tracked.persistentClients, 0);
});

test('once a client stores a subscription every lookup goes to the store, until that client is cleaned', async () => {
  const store = recordingStore();
  const tracked = skipOfflineLookupWithoutSessions(store);
  await store.addSubscriptions({ id: 'lamp' }, [{ topic: 'devices/#', qos: 1 }]);
  assert.equal(tracked.persistentClients, 1);
  const subs = await store.subscriptionsByTopic('devices/lamp/set');
  assert.deepEqual(subs, [{ clientId: 'lamp' }]);
  await store.outgoingEnqueueCombi(subs, {});
  assert.equal(store.lookups, 1);
  assert.deepEqual(store.enqueued, [[{ clientId: 'lamp' }]]);
  // A filtered copy of "nobody" (aedes filters the list for $SYS topics) is an ordinary list: passed on.
  await store.outgoingEnqueueCombi([], {});
  assert.equal(store.enqueued.length, 2);
  await store.cleanSubscriptions({ id: 'lamp' });
  assert.equal(tracked.persistentClients, 0);
  assert.deepEqual(await store.subscriptionsByTopic('devices/lamp/set'), []);
  assert.equal(store.lookups, 1);
});
