import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PendingPublishes } from '../../../daemon/mqtt/pendingPublishes.js';

/** A ring whose settlers record what they were called with, by counter. */
function ring(maxSpan: number) {
  const settled = new Map<number, string | undefined>();
  const overflowed: number[] = [];
  const pending = new PendingPublishes<string>(maxSpan, (counter, settle) => { overflowed.push(counter); settle('overflow'); });
  const add = (counter: number) => pending.add(counter, (err) => { settled.set(counter, err); });
  return { pending, settled, overflowed, add };
}

test('publishes are found by counter in order and out of order, through growth past the first ring, and only once', () => {
  const { pending, settled, add } = ring(10_000);
  // Counters with gaps (other clients' messages take counters too), more than the first ring holds.
  const counters = Array.from({ length: 300 }, (_, i) => 5 + i * 3);
  for (const c of counters) add(c);
  assert.equal(pending.size, 300);
  assert.equal(pending.take(4), undefined, 'a counter that is not the hub\'s');
  // Every third from the middle first (holes), then the rest oldest first.
  for (const c of counters.filter((_, i) => i % 3 === 1)) pending.take(c)?.();
  assert.equal(pending.take(counters[1]!), undefined, 'taken already');
  assert.equal(pending.oldest(), counters[0]);
  for (const c of counters.filter((_, i) => i % 3 !== 1)) pending.take(c)?.();
  assert.equal(pending.size, 0);
  assert.deepEqual([...settled.keys()].sort((a, b) => a - b), counters);
  assert.equal(pending.oldest(), undefined);
  add(2000);
  assert.deepEqual(pending.waiting(), [2000], 'usable again once empty');
});

test('a publish held while maxSpan later ones were made is handed to onOverflow, whether or not those settled', () => {
  const { pending, settled, overflowed, add } = ring(4);
  add(1); // held for good
  for (let c = 2; c <= 4; c++) {
    add(c);
    pending.take(c)?.();
  }
  assert.deepEqual(overflowed, []);
  add(5); // the span from 1 to 5 is 5 > 4: 1 goes
  assert.deepEqual(overflowed, [1]);
  assert.equal(settled.get(1), 'overflow');
  assert.deepEqual(pending.waiting(), [5]);
});

test('at most maxSpan wait at once: past it the oldest is refused first', () => {
  const { pending, overflowed, add } = ring(3);
  for (let c = 1; c <= 5; c++) add(c);
  assert.deepEqual(overflowed, [1, 2]);
  assert.deepEqual(pending.waiting(), [3, 4, 5]);
  assert.equal(pending.size, 3);
});
