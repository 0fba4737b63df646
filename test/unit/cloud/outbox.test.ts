import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Adapter } from 'lowdb';
import { CoalescedCollection } from '../../../daemon/storage/coalescedCollection.js';
import { FlushScheduler } from '../../../daemon/storage/flushScheduler.js';
import { emptyOutbox, Outbox, type OutboxDocument } from '../../../daemon/cloud/outbox.js';
import { ManualClock } from '../../helpers/manualClock.js';

/** Storage's own collection and shared flush clock over an adapter that keeps in memory what a write "put on disk". */
class MemoryAdapter<T> implements Adapter<T> {
  writes = 0;
  onDisk: string | null = null;
  fail = false;
  async read(): Promise<T | null> { return null; }
  async write(data: T): Promise<void> {
    const text = JSON.stringify(data); // taken before the first await, as the real adapter does
    await Promise.resolve();
    if (this.fail) throw new Error('EIO');
    this.writes++;
    this.onDisk = text;
  }
}

function make(max = 100, data: OutboxDocument = emptyOutbox()) {
  const clock = new ManualClock();
  const counts = { dropped: 0, folded: 0, persisted: 0, writeErrors: 0 };
  const scheduler = new FlushScheduler({ clock, intervalMs: 100, onError: () => { counts.writeErrors++; } });
  const adapter = new MemoryAdapter<OutboxDocument>();
  const collection = new CoalescedCollection<OutboxDocument>({ name: 'cloud-outbox', adapter, defaults: data, scheduler });
  scheduler.add(collection);
  const outbox = new Outbox(collection, {
    max, clock,
    onDropped: (n) => { counts.dropped += n; }, onFolded: (n) => { counts.folded += n; },
    onPersisted: () => { counts.persisted++; },
  });
  return { clock, disk: adapter, outbox, counts };
}

const seqsOf = (b: { texts: string[] } | null) => (b?.texts ?? []).map((t) => (JSON.parse(t) as { seq: number }).seq);

test('seqs are monotonic; an event is offered only once a coalesced write holds it', async () => {
  const { clock, disk, outbox, counts } = make();
  for (let i = 0; i < 50; i++) outbox.record('device.state', { device: `d${i}`, state: { v: i } });
  assert.equal(outbox.batch(0, 100, 1e6), null, 'nothing offered before it is on disk');
  await clock.advance(100);
  assert.equal(disk.writes, 1, 'fifty events, one write');
  assert.equal(counts.persisted, 1);
  assert.deepEqual(seqsOf(outbox.batch(0, 100, 1e6)), Array.from({ length: 50 }, (_, i) => i + 1));
  outbox.record('device.availability', { device: 'd1', available: false });
  assert.deepEqual(seqsOf(outbox.batch(50, 100, 1e6)), [], 'the new one waits for its write');
  await clock.advance(100);
  assert.deepEqual(seqsOf(outbox.batch(50, 100, 1e6)), [51]);
});

test('batches are bounded by count and bytes, and always carry at least one event', async () => {
  const { clock, outbox } = make();
  for (let i = 0; i < 30; i++) outbox.record('device.state', { device: 'x', state: { text: 'y'.repeat(100) } });
  await clock.advance(100);
  assert.equal(outbox.batch(0, 10, 1e6)!.texts.length, 10);
  const small = outbox.batch(0, 100, 500)!;
  assert.ok(small.texts.join(',').length <= 500 && small.texts.length >= 1);
  assert.equal(outbox.batch(0, 100, 1)!.texts.length, 1, 'one event even when it alone is over the byte bound');
  assert.equal(outbox.batch(0, 10, 1e6)!.lastSeq, 10);
});

test('an ack removes everything up to its seq; a stale ack changes nothing', async () => {
  const { clock, outbox, disk } = make();
  for (let i = 0; i < 10; i++) outbox.record('hub.health', { status: 'ok' });
  await clock.advance(100);
  outbox.ack(6);
  assert.equal(outbox.size, 4);
  assert.equal(outbox.lastAckedSeq, 6);
  outbox.ack(3);
  assert.equal(outbox.lastAckedSeq, 6);
  await clock.advance(100);
  const stored = JSON.parse(disk.onDisk!) as OutboxDocument;
  assert.deepEqual([stored.lastAckedSeq, stored.events.map((e) => e.seq)], [6, [7, 8, 9, 10]]);
});

test('restarting from the stored document resumes after the last acked seq and never reuses a seq', async () => {
  const first = make();
  for (let i = 0; i < 5; i++) first.outbox.record('device.state', { device: 'a', state: { v: i } });
  await first.clock.advance(100);
  first.outbox.ack(2);
  await first.clock.advance(100);
  const stored = JSON.parse(first.disk.onDisk!) as OutboxDocument;
  const second = make(100, stored);
  assert.deepEqual(seqsOf(second.outbox.batch(second.outbox.lastAckedSeq, 100, 1e6)), [3, 4, 5], 'stored events count as persisted');
  assert.equal(second.outbox.record('device.state', { device: 'a', state: {} }), 6);
});

test('a damaged stored document is replaced, not trusted', () => {
  const { outbox } = make(100, { version: 1, nextSeq: 'x', events: null } as unknown as OutboxDocument);
  assert.equal(outbox.size, 0);
  assert.equal(outbox.record('hub.health', {}), 1);
});

test('at the cap, state events of one device fold to the latest; the others stay in order', async () => {
  const { outbox, counts, clock } = make(20);
  outbox.record('device.availability', { device: 'lamp', available: false });
  for (let i = 0; i < 15; i++) outbox.record('device.state', { device: 'temp', state: { v: i } });
  for (let i = 0; i < 4; i++) outbox.record('device.state', { device: 'lamp', state: { v: i } });
  outbox.record('device.state', { device: 'temp', state: { v: 99 } }); // the 21st: folds what is there first
  await clock.advance(100);
  const events = outbox.batch(0, 100, 1e6)!.texts.map((t) => JSON.parse(t) as { seq: number; kind: string; device: string; state?: { v: number } });
  assert.deepEqual(events.map((e) => `${e.kind}:${e.device}:${e.state?.v ?? '-'}`), [
    'device.availability:lamp:-', 'device.state:temp:14', 'device.state:lamp:3', 'device.state:temp:99',
  ]);
  assert.equal(counts.folded, 17);
  assert.equal(counts.dropped, 0);
  assert.deepEqual(events.map((e) => e.seq), [1, 16, 20, 21], 'folded seqs are gaps; seqs stay increasing');
});

test('when folding frees too little, the oldest are dropped and counted', async () => {
  const { outbox, counts, clock } = make(10);
  for (let i = 0; i < 25; i++) outbox.record('voice.interaction', { outcome: 'ok', n: i });
  await clock.advance(100);
  assert.equal(outbox.size, 10);
  assert.equal(counts.dropped, 15);
  assert.deepEqual(seqsOf(outbox.batch(0, 100, 1e6)), Array.from({ length: 10 }, (_, i) => 16 + i), 'the newest ten are kept');
});

test('a failed write keeps the events in memory, unoffered, and is retried', async () => {
  const { outbox, disk, clock, counts } = make();
  disk.fail = true;
  outbox.record('hub.health', {});
  await clock.advance(100);
  assert.ok(counts.writeErrors >= 1);
  assert.equal(outbox.batch(0, 10, 1e6), null);
  disk.fail = false;
  await clock.advance(100);
  assert.deepEqual(seqsOf(outbox.batch(0, 10, 1e6)), [1]);
});

test('the first event after a quiet spell is written at once; a burst waits for the interval', async () => {
  const { clock, disk, outbox } = make();
  outbox.record('hub.health', {});
  await clock.advance(0);
  assert.equal(disk.writes, 1, 'written at once');
  for (let i = 0; i < 10; i++) outbox.record('hub.health', {});
  await clock.advance(99);
  assert.equal(disk.writes, 1, 'the burst waits for the interval since the last write');
  await clock.advance(1);
  assert.equal(disk.writes, 2);
});

test('a wall-clock jump changes only the ts an event carries: seqs, order and batches follow recording order', async () => {
  const { clock, outbox } = make();
  outbox.record('hub.health', { n: 1 });
  (clock as unknown as { time: number }).time -= 3_600_000; // an NTP correction of an hour back
  outbox.record('hub.health', { n: 2 });
  (clock as unknown as { time: number }).time += 7_200_000;
  outbox.record('hub.health', { n: 3 });
  await clock.advance(100);
  const events = outbox.batch(0, 10, 1e6)!.texts.map((t) => JSON.parse(t) as { seq: number; n: number; ts: number });
  assert.deepEqual(events.map((e) => [e.seq, e.n]), [[1, 1], [2, 2], [3, 3]]);
  assert.ok(events[1]!.ts < events[0]!.ts, 'the ts says what the clock said');
});

test('a stored copy that says a hub was running marks a crash; markRunning writes that, stop writes the clean stop', async () => {
  const crashed = make(100, { ...emptyOutbox(), running: true });
  assert.equal(crashed.outbox.resumedAfterCrash, true);
  assert.equal(make(100, { ...emptyOutbox(), running: false }).outbox.resumedAfterCrash, false);
  assert.equal(make().outbox.resumedAfterCrash, false, 'a copy from an older version (no flag) is taken as a clean stop');

  const { clock, disk, outbox } = make();
  outbox.markRunning();
  await clock.advance(0);
  assert.equal((JSON.parse(disk.onDisk!) as OutboxDocument).running, true, 'written even with no event to send');
  outbox.record('device.state', { device: 'd', state: { v: 1 } });
  outbox.stop();
  await outbox.flush();
  assert.equal((JSON.parse(disk.onDisk!) as OutboxDocument).running, false);
  assert.equal((JSON.parse(disk.onDisk!) as OutboxDocument).events.length, 1);
});
