import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionLimiter } from '../../../daemon/mqtt/connectionLimiter.js';

test('each address gets one second worth of connections, refilled over time', () => {
  let now = 0;
  const limiter = new ConnectionLimiter(5, () => now);
  for (let i = 0; i < 5; i++) assert.equal(limiter.tryAcquire('10.0.0.1'), true);
  assert.equal(limiter.tryAcquire('10.0.0.1'), false);
  // Another address is not affected by the first one's burst.
  assert.equal(limiter.tryAcquire('10.0.0.2'), true);
  now += 200; // one token back at 5/s
  assert.equal(limiter.tryAcquire('10.0.0.1'), true);
  assert.equal(limiter.tryAcquire('10.0.0.1'), false);
  now += 10_000; // refills to the cap, not beyond
  for (let i = 0; i < 5; i++) assert.equal(limiter.tryAcquire('10.0.0.1'), true);
  assert.equal(limiter.tryAcquire('10.0.0.1'), false);
});

test('the number of tracked addresses stays bounded', () => {
  let now = 0;
  const limiter = new ConnectionLimiter(2, () => now, 100);
  for (let i = 0; i < 1000; i++) {
    limiter.tryAcquire(`10.0.${i >> 8}.${i & 255}`);
    now += 1;
  }
  assert.ok(limiter.tracked <= 100, `tracked ${limiter.tracked}`);
});
