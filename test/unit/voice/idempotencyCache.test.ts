import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IdempotencyCache } from '../../../daemon/voice/idempotencyCache.js';
import { ManualClock } from '../../helpers/manualClock.js';

test('a second copy while the first runs shares its result and runs nothing', async () => {
  const clock = new ManualClock();
  const cache = new IdempotencyCache<string>({ ttlMs: 600_000, maxEntries: 10 }, clock);
  let runs = 0;
  let finish!: (v: string) => void;
  const work = () => { runs++; return new Promise<string>((resolve) => { finish = resolve; }); };
  const a = cache.run('s', 'k', work);
  const b = cache.run('s', 'k', work);
  assert.equal(a.fresh, true);
  assert.equal(b.fresh, false);
  finish('first');
  assert.deepEqual(await Promise.all([a.result, b.result]), ['first', 'first']);
  assert.equal(runs, 1);
});

test('a copy after completion gets the first outcome until the TTL passes, then runs again', async () => {
  const clock = new ManualClock();
  const cache = new IdempotencyCache<number>({ ttlMs: 1000, maxEntries: 10 }, clock);
  let runs = 0;
  const work = async () => ++runs;
  assert.equal(await cache.run('s', 'k', work).result, 1);
  await clock.advance(999);
  assert.equal(await cache.run('s', 'k', work).result, 1);
  await clock.advance(1);
  const again = cache.run('s', 'k', work);
  assert.equal(again.fresh, true);
  assert.equal(await again.result, 2);
});

test('different keys do not share (per-subject scoping is the caller\'s key)', async () => {
  const cache = new IdempotencyCache<string>({ ttlMs: 1000, maxEntries: 10 }, new ManualClock());
  assert.equal(await cache.run('alice', '1', async () => 'alice').result, 'alice');
  assert.equal(await cache.run('bob', '1', async () => 'bob').result, 'bob');
});

test('bounded: never more than maxEntries, the most recent half always kept, the oldest forgotten, expired ones dropped', async () => {
  const clock = new ManualClock();
  const cache = new IdempotencyCache<number>({ ttlMs: 1000, maxEntries: 4 }, clock);
  for (let i = 0; i < 10; i++) {
    cache.run('s', `k${i}`, async () => i);
    assert.ok(cache.size <= 4, `size ${cache.size} after ${i + 1} ids`);
  }
  assert.equal(cache.run('s', 'k9', async () => -1).fresh, false, 'newest kept');
  assert.equal(cache.run('s', 'k8', async () => -1).fresh, false, 'the most recent half kept');
  assert.equal(cache.run('s', 'k0', async () => -1).fresh, true, 'oldest forgotten');
  await clock.advance(2000);
  cache.run('s', 'x', async () => 0);
  assert.equal(cache.size, 1, 'expired entries dropped on insert');
});

test('an id is remembered for its whole TTL even when its generation moves on', async () => {
  const clock = new ManualClock();
  const cache = new IdempotencyCache<number>({ ttlMs: 1000, maxEntries: 100 }, clock);
  await clock.advance(900);
  assert.equal(cache.run('s', 'late', async () => 1).fresh, true); // inserted near the end of the first generation
  await clock.advance(200); // the generation turns over at 1000 ms
  cache.run('s', 'other', async () => 2);
  assert.equal(cache.run('s', 'late', async () => 3).fresh, false, '300 ms old: still remembered');
  await clock.advance(799);
  assert.equal(cache.run('s', 'late', async () => 3).fresh, false, '999 ms old: still remembered');
  await clock.advance(1);
  assert.equal(cache.run('s', 'late', async () => 3).fresh, true, 'a TTL old: runs again');
});

test('a settled run is replayed from its kept outcome', async () => {
  const cache = new IdempotencyCache<string>({ ttlMs: 1000, maxEntries: 10 }, new ManualClock());
  const first = cache.run('s', 'k', async () => 'first');
  cache.settle(first, await first.result);
  const copy = cache.run('s', 'k', async () => 'second');
  assert.equal(copy.fresh, false);
  assert.equal(await copy.result, 'first');
});

test('ttl 0 turns idempotency off', async () => {
  const cache = new IdempotencyCache<number>({ ttlMs: 0, maxEntries: 3 }, new ManualClock());
  let runs = 0;
  await cache.run('s', 'k', async () => ++runs).result;
  await cache.run('s', 'k', async () => ++runs).result;
  assert.equal(runs, 2);
  assert.equal(cache.size, 0);
});

test('forget drops an outcome that must not be replayed, and only that one', async () => {
  const cache = new IdempotencyCache<string>({ ttlMs: 1000, maxEntries: 10 }, new ManualClock());
  const first = cache.run('s', 'k', async () => 'refused before running');
  cache.forget('s', 'k', first.result);
  const second = cache.run('s', 'k', async () => 'ran');
  assert.equal(second.fresh, true);
  assert.equal(await second.result, 'ran');
  cache.forget('s', 'k', first.result); // stale: does not touch the newer entry
  assert.equal(cache.run('s', 'k', async () => 'again').fresh, false);
});
