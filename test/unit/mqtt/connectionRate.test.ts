import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter } from '../../../daemon/core/rateLimiter.js';
import { ManualClock } from '../../helpers/manualClock.js';

/** The embedded broker's new-connection limit: the shared token bucket, a second's worth per address. */
const perAddress = (perSecond: number, clock: ManualClock, maxKeys = 4096) => new RateLimiter({ perSecond, burst: perSecond, maxKeys }, clock);

test('each address gets one second worth of connections, refilled over time', async () => {
  const clock = new ManualClock();
  const limiter = perAddress(5, clock);
  for (let i = 0; i < 5; i++) assert.equal(limiter.take('10.0.0.1'), true);
  assert.equal(limiter.take('10.0.0.1'), false);
  // Another address is not affected by the first one's burst.
  assert.equal(limiter.take('10.0.0.2'), true);
  await clock.advance(200); // one token back at 5/s
  assert.equal(limiter.take('10.0.0.1'), true);
  assert.equal(limiter.take('10.0.0.1'), false);
  await clock.advance(10_000); // refills to the cap, not beyond
  for (let i = 0; i < 5; i++) assert.equal(limiter.take('10.0.0.1'), true);
  assert.equal(limiter.take('10.0.0.1'), false);
});

test('the number of tracked addresses stays bounded', async () => {
  const clock = new ManualClock();
  const limiter = perAddress(2, clock, 100);
  for (let i = 0; i < 1000; i++) {
    limiter.take(`10.0.${i >> 8}.${i & 255}`);
    await clock.advance(1);
  }
  assert.ok(limiter.size <= 100, `tracked ${limiter.size}`);
});
