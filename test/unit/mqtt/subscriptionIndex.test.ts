import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SubscriptionIndex } from '../../../daemon/mqtt/subscriptionIndex.js';
import type { MessageHandler } from '../../../daemon/core/context.js';

function collect(index: SubscriptionIndex, topic: string): string[] {
  const calls: string[] = [];
  index.dispatch(topic, Buffer.from('x'), false, (handler, t) => { calls.push(`${(handler as MessageHandler & { tag: string }).tag}:${t}`); });
  return calls.sort();
}

function tagged(tag: string): MessageHandler {
  return Object.assign(() => {}, { tag });
}

test('exact and wildcard filters dispatch to their handlers', () => {
  const index = new SubscriptionIndex();
  const a = tagged('a'), b = tagged('b'), c = tagged('c');
  assert.equal(index.add('zigbee2mqtt/lamp', a), true);
  assert.equal(index.add('zigbee2mqtt/+', b), true);
  assert.equal(index.add('homeassistant/#', c), true);
  assert.equal(index.add('homeassistant/#', a), false, 'known filter: the broker need not be told');
  assert.deepEqual(collect(index, 'zigbee2mqtt/lamp'), ['a:zigbee2mqtt/lamp', 'b:zigbee2mqtt/lamp']);
  assert.deepEqual(collect(index, 'zigbee2mqtt/plug'), ['b:zigbee2mqtt/plug']);
  assert.deepEqual(collect(index, 'homeassistant/light/x/config'), ['a:homeassistant/light/x/config', 'c:homeassistant/light/x/config']);
  assert.deepEqual(collect(index, 'homeassistant'), ['a:homeassistant', 'c:homeassistant']);
  assert.deepEqual(collect(index, 'other'), []);
  assert.deepEqual(index.filters().sort(), ['homeassistant/#', 'zigbee2mqtt/+', 'zigbee2mqtt/lamp']);
});

test('wildcards at the first level skip $ topics', () => {
  const index = new SubscriptionIndex();
  index.add('#', tagged('all'));
  index.add('$SYS/#', tagged('sys'));
  assert.deepEqual(collect(index, '$SYS/broker/uptime'), ['sys:$SYS/broker/uptime']);
  assert.deepEqual(collect(index, 'a'), ['all:a']);
});

test('remove reports when a filter has no handler left', () => {
  const index = new SubscriptionIndex();
  const a = tagged('a'), b = tagged('b');
  index.add('x/+', a);
  index.add('x/+', b);
  assert.equal(index.remove('x/+', a), false);
  assert.equal(index.remove('x/+', a), false, 'already removed');
  assert.equal(index.remove('x/+', b), true);
  assert.equal(index.size, 0);
  assert.deepEqual(collect(index, 'x/y'), []);
});
