import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter } from '../../../daemon/core/rateLimiter.js';
import { ManualClock } from '../../helpers/manualClock.js';

test('a burst is allowed, then one more per refill interval', async () => {
  const clock = new ManualClock();
  const limiter = new RateLimiter({ perSecond: 20, burst: 40, maxKeys: 100 }, clock);
  let allowed = 0;
  for (let i = 0; i < 100; i++) if (limiter.take('a')) allowed++;
  assert.equal(allowed, 40);
  await clock.advance(49);
  assert.equal(limiter.take('a'), false, '0.98 of a token is not a token');
  await clock.advance(1);
  assert.equal(limiter.take('a'), true);
  assert.equal(limiter.take('a'), false);
  await clock.advance(1000);
  allowed = 0;
  for (let i = 0; i < 100; i++) if (limiter.take('a')) allowed++;
  assert.equal(allowed, 20);
});

test('keys are independent: one flooding client does not limit another', () => {
  const clock = new ManualClock();
  const limiter = new RateLimiter({ perSecond: 1, burst: 2, maxKeys: 100 }, clock);
  assert.equal(limiter.take('flood'), true);
  assert.equal(limiter.take('flood'), true);
  assert.equal(limiter.take('flood'), false);
  assert.equal(limiter.take('calm'), true);
});

test('waitMs says how long until the next token, and takes nothing', async () => {
  const clock = new ManualClock();
  const limiter = new RateLimiter({ perSecond: 4, burst: 2, maxKeys: 10 }, clock);
  assert.equal(limiter.waitMs('new'), 0, 'an unknown key has a full bucket');
  limiter.take('a');
  assert.equal(limiter.waitMs('a'), 0);
  limiter.take('a');
  assert.equal(limiter.waitMs('a'), 250);
  await clock.advance(100);
  assert.equal(limiter.waitMs('a'), 150);
  assert.equal(limiter.waitMs('a'), 150, 'asking twice takes nothing');
  await clock.advance(150);
  assert.equal(limiter.waitMs('a'), 0);
  assert.equal(limiter.take('a'), true);
});

test('a long quiet spell refills only up to the burst', async () => {
  const clock = new ManualClock();
  const limiter = new RateLimiter({ perSecond: 100, burst: 3, maxKeys: 10 }, clock);
  for (let i = 0; i < 3; i++) limiter.take('a');
  await clock.advance(3_600_000);
  let allowed = 0;
  for (let i = 0; i < 10; i++) if (limiter.take('a')) allowed++;
  assert.equal(allowed, 3);
});

test('memory is bounded: refilled buckets go first, then the oldest', async () => {
  const clock = new ManualClock();
  const limiter = new RateLimiter({ perSecond: 1, burst: 1, maxKeys: 3 }, clock);
  limiter.take('a');
  limiter.take('b');
  limiter.take('c');
  assert.equal(limiter.size, 3);
  limiter.take('d'); // none refilled: the oldest (a) goes
  assert.equal(limiter.size, 3);
  assert.equal(limiter.take('b'), false, 'b is still remembered as empty');
  await clock.advance(1000); // all refilled
  limiter.take('e');
  assert.ok(limiter.size <= 3);
  for (let i = 0; i < 1000; i++) limiter.take(`k${i}`);
  assert.ok(limiter.size <= 3);
});

test('issue 18: the buckets of a spray of keys are dropped once they have refilled, at the next take after one refill time, not only at maxKeys; a key still draining is kept', async () => {
  const clock = new ManualClock();
  // Refill time: burst 10 at 5 a second = 2 s.
  const limiter = new RateLimiter({ perSecond: 5, burst: 10, maxKeys: 100_000 }, clock);
  for (let i = 0; i < 10; i++) limiter.take('steady');
  for (let i = 0; i < 20_000; i++) limiter.take(`10.0.${i >> 8}.${i & 255}`);
  assert.equal(limiter.size, 20_001);
  await clock.advance(1_000);
  for (let i = 0; i < 10; i++) limiter.take('x');
  assert.equal(limiter.size, 20_002, 'within one refill time nothing is swept (the sweep costs a pass at most once per refill time)');
  await clock.advance(1_100);
  assert.equal(limiter.size, 20_002, 'nothing runs while nobody asks');
  // 'steady' spent its 10 tokens 2.1 s ago, so it is full again; 'x' spent its 10 1.1 s ago and has 5.5.
  assert.equal(limiter.take('y'), true);
  assert.equal(limiter.size, 2, 'the sprayed and refilled keys are gone: x (draining) and y remain');
  for (let i = 0; i < 5; i++) assert.equal(limiter.take('x'), true);
  assert.equal(limiter.take('x'), false, 'x kept its state: its bucket was not forgotten while draining');
});
