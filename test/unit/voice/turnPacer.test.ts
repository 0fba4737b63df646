import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { TurnPacer } from '../../../daemon/voice/turnPacer.js';

/** A clock that moves one "millisecond" each time it is read: the budget is counted in reads, not time. */
function steppingClock(): () => number {
  let t = 0;
  return () => t++;
}

const turnEnd = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));

test('work past the budget waits for a later turn, and a timer due meanwhile runs between the slices', async () => {
  const pacer = new TurnPacer(3, (err) => { throw err; }, steppingClock());
  const order: string[] = [];
  setTimeout(() => order.push('timer'), 1);
  // The first job works past the timer's due time (by the real clock), so the timer is due after the first slice.
  pacer.defer(() => {
    for (const start = performance.now(); performance.now() - start < 5;);
    order.push('job 0');
  }, null);
  for (let i = 1; i < 10; i++) pacer.defer((n: number) => order.push(`job ${n}`), i);
  while (pacer.waiting > 0 || !order.includes('timer')) await turnEnd();
  assert.deepEqual(order.filter((o) => o !== 'timer'), Array.from({ length: 10 }, (_, i) => `job ${i}`), 'every job, in order');
  const timerAt = order.indexOf('timer');
  assert.ok(timerAt > 0 && timerAt < order.length - 1, `the timer ran between two slices, not after all the work: ${order.join(', ')}`);
  assert.ok(pacer.yields >= 2, `the slices stopped at the budget (${pacer.yields} times)`);
});

test('the end of a turn runs after its slice and the slice\'s promise continuations', async () => {
  const pacer = new TurnPacer(1000, (err) => { throw err; });
  const sent: string[] = [];
  const flushed: string[][] = [];
  const flush = () => flushed.push(sent.splice(0));
  sent.push('processing');
  pacer.atTurnEnd(flush); // queued by the read, before the work
  pacer.defer(() => {
    void Promise.resolve().then(() => Promise.resolve()).then(() => sent.push('reply'));
  }, null);
  pacer.atTurnEnd(flush); // once per turn, however often asked
  await turnEnd();
  assert.deepEqual(flushed, [['processing', 'reply']], 'one flush, with the frame of the read and the answer of the work');
});

test('a task that throws is reported and the others still run', async () => {
  const errors: unknown[] = [];
  const pacer = new TurnPacer(1000, (err) => errors.push(err));
  const ran: number[] = [];
  pacer.defer(() => { throw new Error('boom'); }, null);
  pacer.defer((n: number) => ran.push(n), 2);
  await turnEnd();
  assert.deepEqual(ran, [2]);
  assert.equal((errors[0] as Error).message, 'boom');
});

test('work added at the end of a turn (by a flush) is not lost: it runs in a turn of its own', async () => {
  const pacer = new TurnPacer(1000, (err) => { throw err; });
  const ran: string[] = [];
  let waitingAtEnd = -1;
  pacer.atTurnEnd(() => {
    pacer.defer((s: string) => ran.push(s), 'late');
    waitingAtEnd = pacer.waiting;
  });
  while (pacer.waiting > 0 || waitingAtEnd < 0) await turnEnd();
  assert.equal(waitingAtEnd, 1, 'not run inside the end of the turn that added it');
  assert.deepEqual(ran, ['late']);
});
