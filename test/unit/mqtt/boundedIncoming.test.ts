import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundIncomingQos2, MAX_INCOMING_TOTAL_BYTES, type IncomingStore } from '../../../daemon/mqtt/boundedQueues.js';

/** aedes-persistence's inbound QoS 2 store, reduced to a map per client. */
function memoryStore(): IncomingStore & { held: Map<string, Map<number, unknown>> } {
  const held = new Map<string, Map<number, unknown>>();
  return {
    held,
    incomingStorePacket: async (client, packet) => { (held.get(client.id) ?? held.set(client.id, new Map()).get(client.id)!).set(packet.messageId!, packet); },
    incomingDelPacket: async (client, packet) => { held.get(client.id)?.delete(packet.messageId!); },
    cleanIncoming: async (client) => { held.delete(client.id); },
  };
}

const packet = (messageId: number, bytes: number) => ({ messageId, topic: 't', payload: Buffer.alloc(bytes) });

test('boundIncomingQos2: a client holds at most maxBytes awaiting PUBREL; a release, a DUP or a clean session frees its share; other clients are charged apart', async () => {
  const store = memoryStore();
  const refused: string[] = [];
  boundIncomingQos2(store, 1000, (id) => refused.push(id));
  const a = { id: 'a' };
  await store.incomingStorePacket(a, packet(1, 499));
  await store.incomingStorePacket(a, packet(2, 499));
  await assert.rejects(store.incomingStorePacket(a, packet(3, 10)), /over mqtt.maxQueuedBytes/);
  assert.deepEqual(refused, ['a']);
  assert.equal(store.held.get('a')?.has(3), false, 'the refused packet was not stored');
  await store.incomingStorePacket({ id: 'b' }, packet(3, 900)); // another client has its own share
  await store.incomingStorePacket(a, packet(2, 499)); // a DUP of packet 2 replaces its first copy, no double charge
  await store.incomingDelPacket(a, { messageId: 1 }); // PUBREL of 1
  await store.incomingStorePacket(a, packet(4, 499));
  await store.cleanIncoming!(a);
  await store.incomingStorePacket(a, packet(5, 998));
  assert.deepEqual(refused, ['a']);
});

test('boundIncomingQos2: all clients together hold at most MAX_INCOMING_TOTAL_BYTES', async () => {
  const store = memoryStore();
  const per = 4 * 1024 * 1024;
  boundIncomingQos2(store, per, () => {});
  const clients = MAX_INCOMING_TOTAL_BYTES / per;
  for (let i = 0; i < clients; i++) await store.incomingStorePacket({ id: `c${i}` }, packet(1, per - 1));
  await assert.rejects(store.incomingStorePacket({ id: 'one-more' }, packet(1, clients + 1)));
  await store.incomingDelPacket({ id: 'c0' }, { messageId: 1 });
  await store.incomingStorePacket({ id: 'one-more' }, packet(1, 1000));
});
