import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBus } from '../../../daemon/core/bus.js';
import { capturingLogger } from '../../helpers/context.js';

test('a throwing or rejecting listener is logged and the others still run', async () => {
  const { log, lines } = await capturingLogger();
  const bus = new EventBus(log);
  const seen: string[] = [];
  const bad = { name: 'bad' };
  bus.on('device.added', bad, () => { throw new Error('boom'); });
  bus.on('device.added', bad, async () => { throw new Error('async boom'); });
  bus.on('device.added', {}, (e) => { seen.push(e.deviceId); });
  bus.emit('device.added', { deviceId: 'lamp', ts: 1 });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(seen, ['lamp']);
  const failures = lines.filter((l) => l.msg === 'event listener failed');
  assert.equal(failures.length, 2);
  assert.equal(failures[0]!.owner, 'bad');
});

test('removeListeners drops every listener of one owner only', () => {
  const bus = new EventBus(console as never);
  const a = {};
  const b = {};
  let count = 0;
  bus.on('device.added', a, () => { count += 1; });
  bus.on('device.removed', a, () => { count += 1; });
  bus.on('device.added', b, () => { count += 10; });
  bus.removeListeners(a);
  bus.emit('device.added', { deviceId: 'x', ts: 1 });
  bus.emit('device.removed', { deviceId: 'x', ts: 1 });
  assert.equal(count, 10);
  assert.equal(bus.listenerCount('device.removed'), 0);
});
