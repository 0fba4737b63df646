import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlushScheduler, type Flushable, type TickReport } from '../../../daemon/storage/flushScheduler.js';
import { ManualClock } from '../../helpers/manualClock.js';

/** A collection stand-in: counts its writes, records when each one started, and can fail or take time. */
class Doc implements Flushable {
  dirty = false;
  atOnce = true;
  writes: number[] = [];
  fail = false;
  /** A write that is still in flight until the test resolves it. */
  hold: (() => void) | null = null;
  private holding = false;
  constructor(readonly name: string, private readonly clock: ManualClock, private readonly scheduler: FlushScheduler) {}
  change(): void {
    this.dirty = true;
    this.scheduler.wake(this);
  }
  holdNext(): void { this.holding = true; }
  async flush(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    this.writes.push(this.clock.now());
    if (this.holding) {
      this.holding = false;
      await new Promise<void>((resolve) => { this.hold = resolve; });
    }
    if (this.fail) {
      this.dirty = true;
      throw new Error('EIO');
    }
  }
}

/** A ManualClock whose timers fire `earlyMs` before they are due, as libuv's may (its clock is the loop's). */
class EarlyClock extends ManualClock {
  constructor(private readonly earlyMs: number) { super(0); }
  override setTimeout(fn: () => void, ms: number): NodeJS.Timeout {
    return super.setTimeout(fn, ms > this.earlyMs ? ms - this.earlyMs : ms);
  }
}

function setup(intervalMs = 1000, clock: ManualClock = new ManualClock(0)) {
  const errors: string[] = [];
  const ticks: TickReport[] = [];
  const scheduler = new FlushScheduler({ clock, intervalMs, onError: (name) => errors.push(name), onTick: (t) => ticks.push(t) });
  const doc = (name: string) => {
    const d = new Doc(name, clock, scheduler);
    scheduler.add(d);
    return d;
  };
  return { clock, scheduler, errors, ticks, doc };
}

test('a thousand changes a second for five seconds: one write per interval, the first at once, none once quiet', async () => {
  const { clock, doc } = setup(1000);
  const devices = doc('devices');
  for (let ms = 0; ms < 5000; ms++) {
    devices.change();
    await clock.advance(1);
  }
  await clock.advance(5000);
  assert.deepEqual(devices.writes, [0, 1000, 2000, 3000, 4000, 5000], 'the first change at once, then one write per tick, the last change one tick after');
  await clock.advance(60_000);
  assert.equal(devices.writes.length, 6, 'idle: no more writes');
});

test('one clock for every collection: dirty collections are written together at the shared tick, not on timers of their own', async () => {
  const { clock, doc, ticks } = setup(1000);
  const devices = doc('devices');
  const outbox = doc('cloud-outbox');
  const timers = doc('plugin-voicehub.timers');
  devices.change();
  await clock.advance(0);
  assert.deepEqual(devices.writes, [0]);
  await clock.advance(300);
  outbox.change();
  await clock.advance(400);
  timers.change();
  devices.change();
  await clock.advance(299);
  assert.equal(outbox.writes.length + timers.writes.length, 0, 'both wait for the tick');
  await clock.advance(1);
  assert.deepEqual([devices.writes, outbox.writes, timers.writes], [[0, 1000], [1000], [1000]], 'written at the one tick at 1000 ms');
  assert.deepEqual(ticks.map((t) => [t.dueAt, t.written.sort()]), [[0, ['devices']], [1000, ['cloud-outbox', 'devices', 'plugin-voicehub.timers']]]);
});

test('no collection waits more than one interval for its tick, whichever changes first', async () => {
  const { clock, doc } = setup(200);
  const docs = [doc('a'), doc('b'), doc('c')];
  const changedAt: Array<[Doc, number]> = [];
  // Changes at uneven moments over two seconds.
  for (let ms = 0; ms < 2000; ms += 37) {
    const d = docs[(ms / 37) % 3]!;
    d.change();
    changedAt.push([d, clock.now()]);
    await clock.advance(37);
  }
  await clock.advance(1000);
  for (const [d, at] of changedAt) {
    const next = d.writes.find((w) => w >= at);
    assert.ok(next !== undefined && next - at <= 200, `${d.name} changed at ${at}: written at ${next}`);
  }
});

test('a change during a write goes with the next tick, one interval after the one in flight started; never two writes at once', async () => {
  const { clock, doc } = setup(100);
  const d = doc('devices');
  d.holdNext();
  d.change();
  await clock.advance(0);
  assert.deepEqual(d.writes, [0]);
  d.change();
  await clock.advance(500);
  assert.deepEqual(d.writes, [0], 'the write in flight is not overlapped');
  d.hold!();
  await clock.advance(0);
  assert.deepEqual(d.writes, [0, 500], 'the tick is overdue: it runs as soon as the slow write ends');
  d.change();
  await clock.advance(99);
  assert.equal(d.writes.length, 2);
  await clock.advance(1);
  assert.deepEqual(d.writes, [0, 500, 600]);
});

test('a failed write is retried at the next tick, once per interval, and reported each time', async () => {
  const { clock, doc, errors, ticks } = setup(1000);
  const d = doc('devices');
  d.fail = true;
  d.change();
  await clock.advance(2500);
  assert.deepEqual(d.writes, [0, 1000, 2000], 'one try per tick');
  assert.deepEqual(errors, ['devices', 'devices', 'devices']);
  d.fail = false;
  await clock.advance(1000);
  assert.deepEqual(d.writes, [0, 1000, 2000, 3000]);
  await clock.advance(5000);
  assert.equal(d.writes.length, 4, 'written: no more tries');
  assert.deepEqual(ticks.map((t) => t.failed.length), [1, 1, 1, 0]);
});

test('stop: no more ticks, and an idle scheduler holds no timer', async () => {
  const { clock, doc, scheduler } = setup(1000);
  const d = doc('devices');
  assert.equal(clock.pending, 0, 'nothing dirty: no timer');
  d.change();
  await clock.advance(0);
  assert.equal(clock.pending, 0, 'written: no timer');
  d.change();
  assert.equal(clock.pending, 1);
  scheduler.stop();
  assert.equal(clock.pending, 0);
  d.change();
  await clock.advance(5000);
  assert.deepEqual(d.writes, [0], 'the final flush is the owner\'s');
});

test('device state (not atOnce): its first change waits one interval too, so steady ingest writes once per interval from the start', async () => {
  const { clock, doc } = setup(1000);
  const devices = doc('devices');
  devices.atOnce = false;
  for (let ms = 0; ms < 5000; ms++) {
    devices.change();
    await clock.advance(1);
  }
  await clock.advance(5000);
  assert.deepEqual(devices.writes, [1000, 2000, 3000, 4000, 5000], 'five seconds of changes: five writes, the first one interval after the first change');
  await clock.advance(60_000);
  assert.equal(devices.writes.length, 5, 'idle: no more writes');
});

test('a collection that writes at once is not held back by one that waits: the tick comes early for it and takes both', async () => {
  const { clock, doc } = setup(1000);
  const devices = doc('devices');
  devices.atOnce = false;
  const timers = doc('plugin-voicehub.timers');
  devices.change();
  await clock.advance(300);
  assert.deepEqual(devices.writes, [], 'device state waits');
  timers.change();
  await clock.advance(0);
  assert.deepEqual([devices.writes, timers.writes], [[300], [300]], 'the timer set is written at once, the device state with it');
  devices.change();
  await clock.advance(999);
  assert.deepEqual(devices.writes, [300], 'then no tick sooner than one interval after the last');
  await clock.advance(1);
  assert.deepEqual(devices.writes, [300, 1300]);
});

test('ticks are never closer than the interval when the timer fires early (whole milliseconds of a stale loop clock)', async () => {
  const { clock, doc, ticks } = setup(1000, new EarlyClock(3));
  const devices = doc('devices');
  for (let ms = 0; ms < 10_000; ms += 7) {
    devices.change();
    await clock.advance(7);
  }
  await clock.advance(3000);
  const starts = ticks.map((t) => t.startedAt);
  const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
  assert.ok(gaps.length >= 9, `ticks: ${starts.join(', ')}`);
  assert.ok(gaps.every((g) => g >= 1000), `gaps between ticks: ${gaps.join(', ')}`);
  assert.ok(starts.filter((t) => t < 10_000).length <= 10, `at most 10 ticks in 10 s: ${starts.join(', ')}`);
});
