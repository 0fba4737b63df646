import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HubError } from '../../../daemon/core/errors.js';
import { silentLogger } from '../../../daemon/core/log.js';
import { JobSet, SHORT_TIMER_BURST, SHORT_TIMERS_PER_SECOND } from '../../../daemon/plugins/scheduler.js';
import { MIN_EVERY_MS } from '../../../plugins/sdk/api.js';
import { ManualClock } from '../../helpers/manualClock.js';

function jobSet(clock = new ManualClock()) {
  const ran: string[] = [];
  const jobs = new JobSet({
    clock, log: silentLogger(), timezone: null,
    run: (what, fn) => { ran.push(what); void Promise.resolve().then(fn).catch(() => undefined); },
  });
  return { jobs, clock, ran };
}

test('after runs once, every repeats, cancel stops both', async () => {
  const { jobs, clock } = jobSet();
  let once = 0;
  let many = 0;
  jobs.after(100, () => { once++; });
  const repeating = jobs.every(1000, () => { many++; });
  await clock.advance(4000);
  assert.equal(once, 1);
  assert.equal(many, 4);
  repeating.cancel();
  await clock.advance(4000);
  assert.equal(many, 4);
  assert.equal(jobs.size, 0);
});

test('a delay beyond setTimeout\'s limit is waited in steps, not fired at once', async () => {
  const { jobs, clock } = jobSet();
  let fired = false;
  const thirtyDays = 30 * 24 * 3600 * 1000;
  jobs.after(thirtyDays, () => { fired = true; });
  await clock.advance(2_147_483_647);
  assert.equal(fired, false);
  await clock.advance(thirtyDays - 2_147_483_647);
  assert.equal(fired, true);
});

test('clear cancels every timer and cron job', async () => {
  const { jobs, clock } = jobSet();
  let fired = 0;
  jobs.after(10, () => { fired++; });
  jobs.every(1000, () => { fired++; });
  jobs.cron('0 0 1 1 *', () => { fired++; });
  assert.equal(jobs.size, 3);
  jobs.clear();
  assert.equal(jobs.size, 0);
  await clock.advance(2000);
  assert.equal(fired, 0);
});

test('bad input is refused with BAD_REQUEST: invalid cron, a script path instead of a function, a negative delay', () => {
  const { jobs } = jobSet();
  const bad = (err: unknown) => err instanceof HubError && err.code === 'BAD_REQUEST';
  assert.throws(() => jobs.cron('every tuesday', () => {}), bad);
  assert.throws(() => jobs.cron('* * * * *', './evil.js' as unknown as () => void), bad);
  assert.throws(() => jobs.after(-1, () => {}), bad);
  assert.throws(() => jobs.every(Number.NaN, () => {}), bad);
  assert.equal(jobs.size, 0);
});

test('every takes a period of at least MIN_EVERY_MS (1 s): shorter is SCHEDULE_TOO_FREQUENT and nothing is scheduled (issue 18)', async () => {
  const { jobs, clock } = jobSet();
  assert.equal(MIN_EVERY_MS, 1000);
  const tooFrequent = (err: unknown) => err instanceof HubError && err.code === 'SCHEDULE_TOO_FREQUENT';
  for (const ms of [0, 10, 999, 999.9]) assert.throws(() => jobs.every(ms, () => {}), tooFrequent, String(ms));
  assert.throws(() => jobs.every(-5, () => {}), (err: unknown) => err instanceof HubError && err.code === 'BAD_REQUEST');
  assert.equal(jobs.size, 0);
  let fired = 0;
  jobs.every(MIN_EVERY_MS, () => { fired++; });
  jobs.after(10, () => { fired++; }); // a one-off may be as short as it likes
  await clock.advance(3000);
  assert.equal(fired, 4);
  jobs.clear();
});

test('a cron job runs its function through the plugin\'s guard', async () => {
  const { jobs, ran } = jobSet();
  let fired = false;
  const keepAlive = setInterval(() => {}, 1000); // cron timers are unref'd: something must hold the loop open
  await new Promise<void>((resolve) => {
    jobs.cron('* * * * * *', () => { fired = true; resolve(); });
  });
  clearInterval(keepAlive);
  jobs.clear();
  assert.equal(fired, true);
  assert.deepEqual(ran, ['cron * * * * * *']);
});

test('after: timers under MIN_EVERY_MS are held to a budget (SHORT_TIMER_BURST, then SHORT_TIMERS_PER_SECOND): a chain of after(0) ends with SCHEDULE_TIMER_BUDGET; longer delays are not counted; the budget refills (issue 18)', async () => {
  const { jobs, clock } = jobSet();
  let runs = 0;
  let refused: unknown = null;
  const loop = () => {
    runs++;
    try { jobs.after(0, loop); } catch (err) { refused = err; }
  };
  jobs.after(0, loop);
  for (let i = 0; i < 400 && refused === null; i++) await clock.advance(0);
  assert.ok(refused instanceof HubError && refused.code === 'SCHEDULE_TIMER_BUDGET', String(refused));
  assert.equal(runs, SHORT_TIMER_BURST, 'the burst, then the chain ends (no time passed on the manual clock)');
  assert.doesNotThrow(() => jobs.after(MIN_EVERY_MS, () => {}), 'a delay of a second is not counted');
  assert.throws(() => jobs.after(999, () => {}), (err: unknown) => err instanceof HubError && err.code === 'SCHEDULE_TIMER_BUDGET');
  await clock.advance(1000 / SHORT_TIMERS_PER_SECOND);
  assert.doesNotThrow(() => jobs.after(10, () => {}), 'one more after its refill');
});
