import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitAtMost, withTimeout } from '../../../daemon/core/timeout.js';
import { backoffStep, jitteredBackoff } from '../../../daemon/core/backoff.js';

test('withTimeout answers the promise when it settles first, and the error onTimeout makes when the timer wins', async () => {
  assert.equal(await withTimeout(Promise.resolve(7), 10_000, () => new Error('late')), 7);
  await assert.rejects(withTimeout(Promise.reject(new Error('own')), 10_000, () => new Error('late')), /own/);
  await assert.rejects(withTimeout(new Promise(() => {}), 1, () => new Error('late')), /late/);
});

test('waitAtMost resolves when the promise does or when the time is up, and passes a rejection on', async () => {
  await waitAtMost(Promise.resolve('x'), 10_000);
  await waitAtMost(new Promise(() => {}), 1);
  await assert.rejects(waitAtMost(Promise.reject(new Error('own')), 10_000), /own/);
});

test('the timer is cleared once the race is decided (an injected clock sees one set and one clear)', async () => {
  const calls: string[] = [];
  const timers = {
    setTimeout: (fn: () => void, ms: number) => { calls.push(`set ${ms}`); return setTimeout(fn, ms); },
    clearTimeout: (h: NodeJS.Timeout) => { calls.push('clear'); clearTimeout(h); },
  };
  await withTimeout(Promise.resolve(1), 5000, () => new Error('late'), timers);
  await waitAtMost(Promise.resolve(), 6000, timers);
  assert.deepEqual(calls, ['set 5000', 'clear', 'set 6000', 'clear']);
});

test('backoff steps double to the cap; the jittered one lies in [step/2, step]', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 50].map((n) => backoffStep(n, 1000, 60_000)), [1000, 2000, 4000, 8000, 16_000, 60_000]);
  assert.equal(jitteredBackoff(3, 100, 1000, () => 0), 400);
  assert.equal(jitteredBackoff(3, 100, 1000, () => 1), 800);
  assert.equal(jitteredBackoff(10, 100, 1000, () => 0.5), 750);
});
