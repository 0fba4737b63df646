import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemorySettle } from '../../../daemon/core/memorySettle.js';
import { createLogger } from '../../../daemon/core/log.js';

const MB = 1024 * 1024;
const log = createLogger({ level: 'silent' });

/** A settle with a scripted process: CPU µs used per window, the heap's committed/used, and a counted collector. */
function scripted(options: { spare: () => number; shrinksOnTry?: number }) {
  let cpu = 0;
  let committed = 20 * MB + options.spare();
  let collections = 0;
  const settle = new MemorySettle({
    log, intervalMs: 1000, quietCpuShare: 0.05, spareBytes: 8 * MB, attempts: 3,
    cpuMicros: () => cpu,
    heap: () => ({ committed, used: 20 * MB }),
    collect: () => {
      collections++;
      if (collections >= (options.shrinksOnTry ?? 1)) committed = 20 * MB + 1 * MB;
    },
  });
  return {
    settle,
    /** One window: the process used `ms` of CPU in it, then the timer looks. */
    window(ms: number): boolean {
      cpu += ms * 1000;
      return settle.check();
    },
    grow(bytes: number) { committed += bytes; },
    get collections() { return collections; },
  };
}

test('collects once the hub has been quiet for two windows and holds spare committed memory', () => {
  const p = scripted({ spare: () => 15 * MB });
  assert.equal(p.window(10), false, 'one quiet window is not enough (the allocation rate V8 looks at spans ~5 s)');
  assert.equal(p.window(10), true);
  assert.equal(p.collections, 1);
  assert.equal(p.window(10), false, 'given back: nothing spare, no further collection');
  assert.equal(p.collections, 1);
});

test('never collects while the hub is busy, and a busy window starts the count again', () => {
  const p = scripted({ spare: () => 15 * MB });
  for (let i = 0; i < 5; i++) assert.equal(p.window(500), false, 'half a core is busy');
  assert.equal(p.window(10), false);
  assert.equal(p.window(400), false);
  assert.equal(p.window(10), false);
  assert.equal(p.collections, 0);
  assert.equal(p.window(10), true);
});

test('little spare memory: no collection', () => {
  const p = scripted({ spare: () => 3 * MB });
  for (let i = 0; i < 5; i++) assert.equal(p.window(0), false);
  assert.equal(p.collections, 0);
});

test('a collection that gave nothing back is tried again, at most `attempts` times a quiet spell', () => {
  const p = scripted({ spare: () => 15 * MB, shrinksOnTry: 99 });
  for (let i = 0; i < 10; i++) p.window(0);
  assert.equal(p.collections, 3);
  p.window(900); // busy again: a new spell
  for (let i = 0; i < 10; i++) p.window(0);
  assert.equal(p.collections, 6);
});

test('after a busy spell that grew the heap, the next quiet spell gives it back', () => {
  const p = scripted({ spare: () => 15 * MB });
  p.window(0);
  p.window(0);
  assert.equal(p.collections, 1);
  p.window(900);
  p.grow(30 * MB);
  p.window(0);
  assert.equal(p.window(0), true);
  assert.equal(p.collections, 2);
});

test('the real collector is reachable without --expose-gc, collects, and is not left on the global object', async () => {
  assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined', 'the test runs without --expose-gc');
  const settle = new MemorySettle({ log, intervalMs: 1000, spareBytes: 0, cpuMicros: () => 0 });
  let garbage: object | null = { big: new Array(1000).fill(0) };
  const ref = new WeakRef(garbage);
  garbage = null;
  // A WeakRef's target lives until the current job ends: look after a turn of the event loop.
  await new Promise((resolve) => setImmediate(resolve));
  settle.check();
  assert.equal(settle.check(), true);
  assert.equal(settle.runs, 1);
  assert.equal(ref.deref(), undefined, 'a full collection ran');
  assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined');
});

test('whenQuiet runs once as each quiet spell begins, before the collection, with or without spare memory', () => {
  let cpu = 0;
  const order: string[] = [];
  let spare = 0;
  const settle = new MemorySettle({
    log, intervalMs: 1000, quietCpuShare: 0.05, spareBytes: 8 * MB, attempts: 3,
    cpuMicros: () => cpu,
    heap: () => ({ committed: 20 * MB + spare, used: 20 * MB }),
    collect: () => { order.push('collect'); spare = 0; },
    whenQuiet: () => { order.push('quiet'); },
  });
  const window = (ms: number) => { cpu += ms * 1000; return settle.check(); };
  window(10);
  window(10);
  window(10);
  assert.deepEqual(order, ['quiet'], 'nothing spare: no collection, and whenQuiet once for the spell');
  window(900); // busy
  spare = 15 * MB;
  window(10);
  assert.deepEqual(order, ['quiet']);
  window(10);
  assert.deepEqual(order, ['quiet', 'quiet', 'collect'], 'the next spell: whenQuiet first, then the collection');
});

test('a whenQuiet that throws is logged and the collection still runs', () => {
  let cpu = 0;
  let collections = 0;
  const settle = new MemorySettle({
    log, intervalMs: 1000, spareBytes: 0,
    cpuMicros: () => cpu,
    heap: () => ({ committed: 30 * MB, used: 20 * MB }),
    collect: () => { collections++; },
    whenQuiet: () => { throw new Error('bad'); },
  });
  cpu += 10_000;
  settle.check();
  cpu += 10_000;
  assert.equal(settle.check(), true);
  assert.equal(collections, 1);
});
