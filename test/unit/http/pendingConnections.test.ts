import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { PendingConnections } from '../../../daemon/http/pendingConnections.js';
import { clientTraceId, traceIdFrom } from '../../../daemon/http/traceId.js';

function fakeSocket(remoteAddress: string): Socket & { destroyedByUs: boolean } {
  const s = new EventEmitter() as unknown as Socket & { destroyedByUs: boolean };
  Object.assign(s, { remoteAddress, destroyedByUs: false, destroy() { s.destroyedByUs = true; s.emit('close'); return s; } });
  return s;
}

test('at most max pending per address (IPv4-mapped counts as IPv4); settling or closing frees a place; exempt ones are not counted', () => {
  const pending = new PendingConnections(2, 60_000, (a) => a === '10.0.0.9');
  const [a, b] = [fakeSocket('10.0.0.1'), fakeSocket('::ffff:10.0.0.1')];
  assert.ok(pending.admit(a));
  assert.ok(pending.admit(b));
  assert.equal(pending.admit(fakeSocket('10.0.0.1')), false);
  assert.ok(pending.admit(fakeSocket('10.0.0.2')), 'another address is not affected');
  for (let i = 0; i < 5; i++) assert.ok(pending.admit(fakeSocket('10.0.0.9')), 'exempt');
  pending.settled(a);
  assert.ok(pending.admit(fakeSocket('10.0.0.1')));
  b.emit('close');
  assert.ok(pending.admit(fakeSocket('10.0.0.1')));
  assert.equal(pending.admit(fakeSocket('10.0.0.1')), false);
  pending.clear();
  assert.equal(pending.size, 0);
});

test('a connection that never completes its head is closed after timeoutMs', async () => {
  const pending = new PendingConnections(8, 50, () => false);
  const silent = fakeSocket('10.0.0.1');
  const settled = fakeSocket('10.0.0.1');
  pending.admit(silent);
  pending.admit(settled);
  pending.settled(settled);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(silent.destroyedByUs, true);
  assert.equal(settled.destroyedByUs, false);
  assert.equal(pending.size, 0);
});

test('trace ids: a sane client one is kept; too long, empty, odd characters or repeated headers are replaced', () => {
  assert.equal(traceIdFrom('kitchen-1.trace:42_a'), 'kitchen-1.trace:42_a');
  for (const bad of ['', 'x'.repeat(65), 'a b', 'a"b', 'ü', ['a', 'b'], undefined]) {
    assert.equal(clientTraceId(bad), null, JSON.stringify(bad));
    assert.match(traceIdFrom(bad), /^[0-9a-f-]{36}$/);
  }
});
