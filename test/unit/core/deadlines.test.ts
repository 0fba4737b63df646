import { test } from 'node:test';
import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import { Deadlines } from '../../../daemon/core/deadlines.js';
import { ManualClock } from '../../helpers/manualClock.js';

test('each deadline fires once, at its own time, in start order; a cancelled one never does', async () => {
  const clock = new ManualClock();
  const deadlines = new Deadlines(clock);
  const fired: string[] = [];
  deadlines.start(100, () => fired.push('a'));
  await clock.advance(30);
  const b = deadlines.start(100, () => fired.push('b'));
  await clock.advance(30);
  deadlines.start(100, () => fired.push('c'));
  b.cancel();
  b.cancel(); // twice is harmless
  await clock.advance(39);
  assert.deepEqual(fired, [], 'nothing before 100 ms');
  await clock.advance(1);
  assert.deepEqual(fired, ['a']);
  await clock.advance(59);
  assert.deepEqual(fired, ['a'], 'c is due at 160 ms, b was cancelled');
  await clock.advance(1);
  assert.deepEqual(fired, ['a', 'c']);
  assert.equal(deadlines.pending, 0);
});

test('one timer per length, however many deadlines are pending', async () => {
  const clock = new ManualClock();
  const deadlines = new Deadlines(clock);
  const started = Array.from({ length: 1000 }, () => deadlines.start(5000, () => assert.fail('cancelled in time')));
  assert.equal(clock.pending, 1, 'a thousand deadlines, one timer');
  let short = 0;
  deadlines.start(200, () => { short++; });
  assert.equal(clock.pending, 2, 'another length, its own timer');
  for (const d of started) d.cancel();
  assert.equal(deadlines.pending, 1);
  deadlines.start(5000, () => {}).cancel();
  assert.equal(clock.pending, 2, 'an emptied lane keeps its timer for the next start instead of making one');
  await clock.advance(5000);
  assert.equal(short, 1);
  assert.equal(clock.pending, 0, 'a timer that fires on an empty lane is not armed again');
  assert.equal(deadlines.pending, 0);
});

test('with the system clock, pending deadlines keep the process alive and cancelled ones do not', async () => {
  const module = new URL('../../../daemon/core/deadlines.js', import.meta.url).href;
  const context = new URL('../../../daemon/core/context.js', import.meta.url).href;
  const run = (body: string) => new Promise<{ code: number | null; out: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e',
      `import { Deadlines } from '${module}'; import { systemClock } from '${context}'; const d = new Deadlines(systemClock); ${body}`]);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
    // A process held by a 60 s timer would still be running: a bound far above a normal exit, far below the timer.
    const guard = setTimeout(() => { child.kill(); reject(new Error(`still running after 15 s; printed ${JSON.stringify(out)}`)); }, 15_000);
    child.once('exit', (code) => { clearTimeout(guard); resolve({ code, out }); });
  });
  const cancelled = await run("d.start(60_000, () => console.log('fired')).cancel(); console.log('done');");
  assert.deepEqual(cancelled, { code: 0, out: 'done\n' }, 'the emptied lane lets the process exit');
  const pending = await run("d.start(300, () => console.log('fired'));");
  assert.deepEqual(pending, { code: 0, out: 'fired\n' }, 'a pending deadline holds the process until it fires');
  // Only the lane's timer can hold this one: the timeout that cancels is unref'd.
  const again = await run("d.start(60_000, () => {}).cancel(); const e = d.start(60_000, () => {}); setTimeout(() => { e.cancel(); console.log('cancelled'); }, 300).unref();");
  assert.deepEqual(again, { code: 0, out: 'cancelled\n' }, 'a lane taken up again holds the process, and lets go when emptied again');
});

test('when the oldest entries are cancelled, the early timer re-arms for the oldest one left', async () => {
  const clock = new ManualClock();
  const deadlines = new Deadlines(clock);
  const fired: number[] = [];
  const first = deadlines.start(100, () => fired.push(1));
  await clock.advance(50);
  deadlines.start(100, () => fired.push(2)); // due at 150
  first.cancel();
  await clock.advance(50); // the timer armed for the first one fires at 100 and finds nothing due
  assert.deepEqual(fired, []);
  assert.equal(clock.pending, 1, 're-armed');
  await clock.advance(49);
  assert.deepEqual(fired, []);
  await clock.advance(1);
  assert.deepEqual(fired, [2]);
});

test('a deadline started from a firing one goes to the back of the lane and fires on its own time', async () => {
  const clock = new ManualClock();
  const deadlines = new Deadlines(clock);
  const fired: string[] = [];
  deadlines.start(100, () => {
    fired.push('first');
    deadlines.start(100, () => fired.push('second'));
  });
  await clock.advance(100);
  assert.deepEqual(fired, ['first']);
  await clock.advance(99);
  assert.deepEqual(fired, ['first']);
  await clock.advance(1);
  assert.deepEqual(fired, ['first', 'second']);
});

test('due times come from the monotonic clock when there is one: a wall-clock step fires nothing early', async () => {
  const clock = new ManualClock();
  let wallStep = 0;
  const steppingClock = {
    now: () => clock.now() + wallStep, // the wall clock, which NTP may move
    monotonic: () => clock.now(), // time that only moves forward with the timers
    setTimeout: (fn: () => void, ms: number) => clock.setTimeout(fn, ms),
    clearTimeout: (h: NodeJS.Timeout) => clock.clearTimeout(h),
  };
  const deadlines = new Deadlines(steppingClock);
  const fired: string[] = [];
  const a = deadlines.start(100, () => fired.push('a'));
  await clock.advance(50);
  deadlines.start(100, () => fired.push('b')); // due 100 ms from now
  a.cancel();
  wallStep = 3_600_000; // NTP sets the clock an hour forward
  await clock.advance(50); // the lane's timer fires (armed for a) and must not take b as due
  assert.deepEqual(fired, []);
  await clock.advance(50);
  assert.deepEqual(fired, ['b']);
});
