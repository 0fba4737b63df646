import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpreadSweep } from '../../../daemon/core/spreadSweep.js';

/** A sweep over `items` with a hand-driven timer: `tick()` is one timer run; visits are recorded per tick. */
function sweep(items: Set<number> | Map<number, number>, slices = 10, intervalMs = 1000) {
  let fn: (() => void) | null = null;
  let every = 0;
  const visits: number[][] = [];
  let current: number[] = [];
  const s = new SpreadSweep<number>({
    intervalMs, slices,
    entries: () => (items instanceof Map ? items.keys() : items.values()),
    count: () => items.size,
    visit: (n) => current.push(n),
    setInterval: (f, ms) => { fn = f; every = ms; return {}; },
    clearInterval: () => { fn = null; },
  });
  return {
    s,
    get every() { return every; },
    get running() { return fn !== null; },
    tick(times = 1) {
      for (let i = 0; i < times; i++) {
        current = [];
        fn!();
        visits.push(current);
      }
    },
    visits,
  };
}

test('each entry is visited once per interval, a slice per tick, from where the last tick stopped', () => {
  const items = new Set(Array.from({ length: 25 }, (_, i) => i));
  const h = sweep(items);
  h.s.start();
  assert.equal(h.every, 100);
  h.tick(10);
  // 25 over 10 ticks: 3 a tick, so the cycle ends in its ninth tick and the tenth has nothing left.
  assert.deepEqual(h.visits.map((v) => v.length), [3, 3, 3, 3, 3, 3, 3, 3, 1, 0]);
  assert.deepEqual(h.visits.flat(), [...items]);
  h.tick(10);
  assert.deepEqual(h.visits.slice(10).flat(), [...items], 'the next cycle visits everyone again, in order');
});

test('a single entry is visited once per cycle, not on every tick', () => {
  const h = sweep(new Set([7]));
  h.s.start();
  h.tick(30);
  const ticksWithVisit = h.visits.flatMap((v, i) => (v.length ? [i] : []));
  assert.deepEqual(ticksWithVisit, [0, 10, 20]);
});

test('entries removed during a cycle are not visited; entries added are, this cycle or the next', () => {
  const items = new Map(Array.from({ length: 10 }, (_, i) => [i, i] as [number, number]));
  const h = sweep(items);
  h.s.start();
  h.tick(2); // 0 and 1 visited
  items.delete(5);
  items.set(100, 100);
  h.tick(8);
  assert.deepEqual(h.visits.flat(), [0, 1, 2, 3, 4, 6, 7, 8, 9, 100]);
  // With more added than the cycle's slices hold, the rest waits for the next cycle (whose slices are sized anew).
  for (let i = 200; i < 215; i++) items.set(i, i);
  h.tick(10);
  const second = h.visits.slice(10).flat();
  assert.equal(second.length, items.size);
  assert.deepEqual(new Set(second), new Set(items.keys()));
});

test('stop ends the ticks and the next start begins a fresh cycle', () => {
  const items = new Set([1, 2, 3, 4]);
  const h = sweep(items, 2, 100);
  h.s.start();
  h.tick(1);
  assert.deepEqual(h.visits.flat(), [1, 2]);
  h.s.stop();
  assert.equal(h.running, false);
  h.s.start();
  h.tick(1);
  assert.deepEqual(h.visits[1], [1, 2], 'a fresh cycle, not the rest of the stopped one');
});

test('an interval shorter than the slices ticks every millisecond at most', () => {
  const h = sweep(new Set([1]), 10, 4);
  h.s.start();
  assert.equal(h.every, 1);
  h.tick(8);
  assert.deepEqual(h.visits.flatMap((v, i) => (v.length ? [i] : [])), [0, 4]);
});
