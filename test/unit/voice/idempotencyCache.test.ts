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

test('subjects that use the same id keep their own runs, outcomes and forgets, in either generation', async () => {
  const clock = new ManualClock();
  const cache = new IdempotencyCache<string>({ ttlMs: 1000, maxEntries: 8 }, clock);
  const subjects = ['alice', 'bob', 'carol'];
  const runs = new Map(subjects.map((s) => [s, cache.run(s, 'u1', async () => `${s} 1`)]));
  for (const s of subjects) {
    const run = runs.get(s)!;
    assert.equal(run.fresh, true, s);
    cache.settle(run, await run.result);
  }
  // bob's is forgotten (its work never ran): alice's and carol's, before and after it in the chain, stay.
  const bob = runs.get('bob')!;
  const copy = cache.run('bob', 'u1', async () => 'bob again');
  assert.equal(copy.fresh, false, 'settled: replayed');
  const refused = cache.run('dave', 'u1', async () => 'dave refused');
  cache.forget('dave', 'u1', refused.result);
  cache.forget('bob', 'u1', bob.result); // settled long ago: not the running one, kept
  assert.equal(await cache.run('bob', 'u1', async () => 'x').result, 'bob 1');
  assert.equal(cache.run('dave', 'u1', async () => 'dave ran').fresh, true, 'dave forgotten: runs');
  for (const s of ['alice', 'carol']) assert.equal(await cache.run(s, 'u1', async () => 'x').result, `${s} 1`);
  // Into the previous generation (4 ids make a generation): still found, per subject.
  for (let i = 0; i < 4; i++) cache.run('erin', `e${i}`, async () => 'e');
  assert.equal(await cache.run('alice', 'u1', async () => 'x').result, 'alice 1');
  assert.equal(await cache.run('carol', 'u1', async () => 'x').result, 'carol 1');
  assert.equal(cache.run('frank', 'u1', async () => 'frank').fresh, true);
});

test('an id run again after its TTL is a new run, and the old run can no longer settle it', async () => {
  const clock = new ManualClock();
  const cache = new IdempotencyCache<string>({ ttlMs: 1000, maxEntries: 100 }, clock);
  const first = cache.run('s', 'k', async () => 'first');
  await clock.advance(500);
  cache.run('s', 'other', async () => 'o');
  await clock.advance(500); // k is a TTL old (the generation turned at 1000 ms: it is in the previous one)
  const second = cache.run('s', 'k', async () => 'second');
  assert.equal(second.fresh, true);
  cache.settle(first, 'first');
  assert.equal(await cache.run('s', 'k', async () => 'x').result, 'second', 'the old run settles nothing');
  cache.settle(second, 'second');
  assert.equal(cache.run('s', 'k', async () => 'x').fresh, false);
  await clock.advance(1000); // a TTL after the second run: runs again
  const third = cache.run('s', 'k', async () => 'third');
  assert.equal(third.fresh, true);
  cache.settle(second, 'stale');
  cache.settle(third, 'third');
  assert.equal(await cache.run('s', 'k', async () => 'x').result, 'third');
});

test('the first subject to use an id forgets it: the others that share the id keep theirs, and a newcomer gets its own', async () => {
  const clock = new ManualClock();
  const cache = new IdempotencyCache<string>({ ttlMs: 1000, maxEntries: 100 }, clock);
  const alice = cache.run('alice', 'u1', () => new Promise<string>(() => {})); // still running
  const bob = cache.run('bob', 'u1', async () => 'bob 1');
  cache.settle(bob, await bob.result);
  assert.equal(cache.size, 2);
  cache.forget('bob', 'u1', alice.result); // not bob's run: nothing forgotten
  assert.equal(cache.size, 2);
  cache.forget('alice', 'u1', alice.result);
  assert.equal(cache.size, 1);
  assert.equal(await cache.run('bob', 'u1', async () => 'x').result, 'bob 1', 'bob keeps his');
  const carol = cache.run('carol', 'u1', async () => 'carol 1');
  assert.equal(carol.fresh, true);
  cache.settle(carol, await carol.result);
  const again = cache.run('alice', 'u1', async () => 'alice 2');
  assert.equal(again.fresh, true, 'alice forgot hers: it runs');
  cache.settle(again, await again.result);
  assert.equal(cache.size, 3);
  for (const [s, want] of [['alice', 'alice 2'], ['bob', 'bob 1'], ['carol', 'carol 1']] as const) {
    assert.equal(await cache.run(s, 'u1', async () => 'x').result, want, s);
  }
  cache.forget('bob', 'u1', bob.result); // settled: kept
  assert.equal(await cache.run('bob', 'u1', async () => 'x').result, 'bob 1');
});
