import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue } from '../../../daemon/voice/workQueue.js';
import { HubError } from '../../../daemon/core/errors.js';
import { ManualClock } from '../../helpers/manualClock.js';

const opts = { concurrency: 2, maxWaiting: 2, timeoutMs: 1000, retries: 3, backoffBaseMs: 100, backoffMaxMs: 1000 };

test('at most `concurrency` jobs run at once; the rest wait in order', async () => {
  const clock = new ManualClock();
  const q = new WorkQueue(opts, clock);
  const started: number[] = [];
  const finishers: Array<() => void> = [];
  const job = (n: number) => () => { started.push(n); return new Promise<number>((resolve) => finishers.push(() => resolve(n))); };
  const runs = [q.run(job(1)), q.run(job(2)), q.run(job(3)), q.run(job(4))];
  await clock.advance(0);
  assert.deepEqual(started, [1, 2]);
  assert.equal(q.running, 2);
  assert.equal(q.waiting, 2);
  await assert.rejects(q.run(job(5)), { code: 'BUSY' });
  finishers[0]!();
  await clock.advance(0);
  assert.deepEqual(started, [1, 2, 3]);
  for (const f of finishers.slice(1)) f();
  await clock.advance(0);
  finishers.at(-1)!();
  assert.deepEqual(await Promise.all(runs), [1, 2, 3, 4]);
  assert.equal(q.running, 0);
});

test('an attempt past timeoutMs fails with TIMEOUT, aborts its signal, and frees its slot', async () => {
  const clock = new ManualClock();
  const q = new WorkQueue({ ...opts, concurrency: 1 }, clock);
  let signal: AbortSignal | undefined;
  const hung = q.run((a) => { signal = a.signal; return new Promise(() => {}); });
  const rejected = assert.rejects(hung, { code: 'TIMEOUT' });
  await clock.advance(999);
  assert.equal(signal?.aborted, false);
  await clock.advance(1);
  await rejected;
  assert.equal(signal?.aborted, true);
  assert.equal(await q.run(async () => 'next'), 'next');
});

test('timeouts are not retried (the handler may have acted already)', async () => {
  const clock = new ManualClock();
  const q = new WorkQueue(opts, clock);
  let attempts = 0;
  const run = q.run(() => { attempts++; return new Promise(() => {}); });
  const rejected = assert.rejects(run, { code: 'TIMEOUT' });
  await clock.advance(10_000);
  await rejected;
  assert.equal(attempts, 1);
});

test('retryable failures are retried with growing, jittered backoff up to `retries` times', async () => {
  const clock = new ManualClock();
  const q = new WorkQueue(opts, clock, () => 0.5);
  const attemptTimes: number[] = [];
  const delays: number[] = [];
  const run = q.run((a) => {
    attemptTimes.push(clock.now());
    if (a.number < 3) throw new HubError('PLUGIN_FAILED', 'flaky', { retryable: true });
    return 'ok';
  }, { onRetry: (_n, delay) => delays.push(delay) });
  await clock.advance(5000);
  assert.equal(await run, 'ok');
  assert.equal(attemptTimes.length, 4);
  // step = 100·2ⁿ; delay = step/2 + 0.5·step/2 = 0.75·step
  assert.deepEqual(delays, [75, 150, 300]);
  assert.deepEqual(attemptTimes.slice(1).map((t, i) => t - attemptTimes[i]!), [75, 150, 300]);
});

test('retries stop after `retries` and the last error is final', async () => {
  const clock = new ManualClock();
  const q = new WorkQueue({ ...opts, retries: 2 }, clock);
  let attempts = 0;
  const run = q.run(() => { attempts++; throw new HubError('PLUGIN_FAILED', 'down', { retryable: true }); });
  const rejected = assert.rejects(run, { code: 'PLUGIN_FAILED' });
  await clock.advance(10_000);
  await rejected;
  assert.equal(attempts, 3);
});

test('failures not marked retryable are not retried', async () => {
  const clock = new ManualClock();
  const q = new WorkQueue(opts, clock);
  let attempts = 0;
  await assert.rejects(q.run(() => { attempts++; throw new HubError('NO_MATCH', 'nope'); }), { code: 'NO_MATCH' });
  await assert.rejects(q.run(() => { attempts++; throw new Error('plain'); }), /plain/);
  assert.equal(attempts, 2);
});

test('backoff is capped and its jitter stays within [step/2, step]', () => {
  const lo = new WorkQueue(opts, new ManualClock(), () => 0);
  const hi = new WorkQueue(opts, new ManualClock(), () => 0.999999);
  assert.equal(lo.backoff(0), 50);
  assert.equal(hi.backoff(0), 100);
  assert.equal(lo.backoff(10), 500);
  assert.equal(hi.backoff(10), 1000);
});

test('after beginStop a retryable failure is final', async () => {
  const clock = new ManualClock();
  const q = new WorkQueue(opts, clock);
  q.beginStop();
  let attempts = 0;
  await assert.rejects(q.run(() => { attempts++; throw new HubError('PLUGIN_FAILED', 'x', { retryable: true }); }), { code: 'PLUGIN_FAILED' });
  assert.equal(attempts, 1);
});

test('start() calls back once per run with the value, the final error, or BUSY, and makes no promise of its own', async () => {
  const clock = new ManualClock();
  const q = new WorkQueue({ ...opts, concurrency: 1, maxWaiting: 1 }, clock);
  const calls: Array<[boolean, unknown]> = [];
  const settled = (ok: boolean, value: unknown): void => { calls.push([ok, value]); };
  q.start(() => 7, undefined, settled); // a synchronous answer settles at once
  assert.deepEqual(calls, [[true, 7]]);
  let finish: (() => void) | undefined;
  q.start(() => new Promise<void>((resolve) => { finish = resolve; }), undefined, settled);
  q.start(() => { throw new HubError('NO_MATCH', 'no'); }, undefined, settled); // waits for the slot
  q.start(() => 1, undefined, settled); // no room to wait
  assert.equal(calls.length, 2);
  assert.equal(calls[1]![0], false);
  assert.equal((calls[1]![1] as HubError).code, 'BUSY');
  finish!();
  await clock.advance(0);
  assert.equal(calls.length, 4);
  assert.deepEqual(calls[2], [true, undefined]);
  assert.equal((calls[3]![1] as HubError).code, 'NO_MATCH');
  assert.equal(q.running, 0);
});
