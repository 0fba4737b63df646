import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff } from '../../../daemon/core/backoff.js';

test('delays double up to the cap and always lie in [ceiling/2, ceiling]', () => {
  const lows = new Backoff({ initialMs: 100, maxMs: 1000 }, () => 0);
  assert.deepEqual(Array.from({ length: 6 }, () => lows.next()), [50, 100, 200, 400, 500, 500]);
  const highs = new Backoff({ initialMs: 100, maxMs: 1000 }, () => 1);
  assert.deepEqual(Array.from({ length: 6 }, () => highs.next()), [100, 200, 400, 800, 1000, 1000]);
});

test('jitter spreads the delays and reset starts over', () => {
  const backoff = new Backoff({ initialMs: 1000, maxMs: 60_000 });
  const seen = new Set<number>();
  for (let i = 0; i < 20; i++) {
    backoff.reset();
    for (let j = 0; j < 3; j++) backoff.next();
    const d = backoff.next(); // ceiling 8000
    assert.ok(d >= 4000 && d <= 8000, String(d));
    seen.add(d);
  }
  assert.ok(seen.size > 1, 'jitter varies the delay');
  backoff.reset();
  assert.ok(backoff.next() <= 1000);
});

test('a huge attempt count does not overflow', () => {
  const backoff = new Backoff({ initialMs: 500, maxMs: 30_000 }, () => 0.5);
  for (let i = 0; i < 2000; i++) backoff.next();
  assert.equal(backoff.next(), 22_500);
});
