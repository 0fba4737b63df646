import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RetainedLedger } from '../../../daemon/mqtt/retainedLedger.js';
import { boundOutgoingQueues, type OutgoingStore } from '../../../daemon/mqtt/boundedQueues.js';

const limits = { maxMessages: 6, maxBytes: 1000, maxMessagesPerClient: 3, maxBytesPerClient: 400 };

test('retained messages are refused past the per-client count and bytes, and past the totals', () => {
  const ledger = new RetainedLedger(limits);
  for (let i = 0; i < 3; i++) assert.equal(ledger.admit('a', `t/${i}`, 10), null);
  assert.equal(ledger.admit('a', 't/3', 10), 'retained_client_count');
  assert.equal(ledger.admit('b', 'u/0', 390), null);
  assert.equal(ledger.admit('b', 'u/1', 100), 'retained_client_bytes');
  assert.equal(ledger.admit('c', 'v/0', 390), null);
  assert.equal(ledger.admit('d', 'w/0', 390), 'retained_total_bytes');
  assert.equal(ledger.admit('d', 'w/0', 10), null);
  assert.equal(ledger.messages, 6);
  assert.equal(ledger.admit('e', 'x/0', 1), 'retained_total_count');
});

test('a client at its limit may replace its own topic with no more bytes, and clearing frees room', () => {
  const ledger = new RetainedLedger(limits);
  for (let i = 0; i < 3; i++) ledger.admit('a', `t/${i}`, 100);
  assert.equal(ledger.admit('a', 't/0', 90), null);
  assert.equal(ledger.admit('a', 't/9', 1), 'retained_client_count');
  assert.equal(ledger.admit('a', 't/1', 0), null); // an empty retained payload deletes the topic
  assert.equal(ledger.admit('a', 't/9', 1), null);
  const before = ledger.bytes;
  assert.equal(ledger.admit('a', 'never/set', 0), null);
  assert.equal(ledger.bytes, before);
});

test('the hub\'s own retained messages are recorded but never refused', () => {
  const ledger = new RetainedLedger({ ...limits, maxMessages: 1 });
  ledger.admit('a', 't/0', 1);
  assert.equal(ledger.admit('$hub', 'voicehub/status', 6, false), null);
  assert.equal(ledger.messages, 2);
});

test('persistent-session queues are bounded per client in messages and bytes; acknowledged ones free room', async () => {
  const stored: Array<{ clientId: string; packet: unknown }> = [];
  const store: OutgoingStore = {
    outgoingEnqueue: async (sub, packet) => { stored.push({ clientId: sub.clientId, packet }); },
    outgoingEnqueueCombi: async (subs, packet) => { for (const sub of subs) stored.push({ clientId: sub.clientId, packet }); },
    outgoingClearMessageId: async (client) => {
      const i = stored.findIndex((s) => s.clientId === client.id);
      return i === -1 ? undefined : stored.splice(i, 1)[0]!.packet as never;
    },
  };
  const drops: string[] = [];
  boundOutgoingQueues(store, { maxMessages: 2, maxBytes: 100 }, (id) => drops.push(id));
  const packet = { topic: 't', payload: Buffer.alloc(10) };
  for (let i = 0; i < 3; i++) await store.outgoingEnqueueCombi([{ clientId: 'gone' }, { clientId: 'here' }], packet);
  assert.equal(stored.filter((s) => s.clientId === 'gone').length, 2);
  assert.deepEqual(drops, ['gone', 'here']);
  await store.outgoingClearMessageId({ id: 'here' }, packet);
  await store.outgoingEnqueue({ clientId: 'here' }, packet);
  assert.equal(stored.filter((s) => s.clientId === 'here').length, 2);
  await store.outgoingEnqueue({ clientId: 'big' }, { topic: 't', payload: Buffer.alloc(200) });
  assert.deepEqual(drops, ['gone', 'here', 'big']);
});
