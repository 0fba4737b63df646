import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { budgetChannel, CHANNEL_BURST_BYTES, CHANNEL_BYTES_PER_S } from '../../../daemon/plugins/isolated/channelBudget.js';
import { MAX_MESSAGE_BYTES } from '../../../daemon/plugins/isolated/channel.js';
import { flushMicrotasks, ManualClock } from '../../helpers/manualClock.js';

/** A stream read the way the host reads a child's channel, with a budget of 1,000 B/s after a 2,000 B burst. */
function budgeted() {
  const clock = new ManualClock();
  const stream = new PassThrough();
  const received: number[] = [];
  const waits: number[] = [];
  let read = 0;
  const stop = budgetChannel(stream, clock, { read: (n) => { read += n; }, throttled: (ms) => waits.push(ms) }, { bytesPerSecond: 1000, burstBytes: 2000 });
  stream.on('data', (chunk: Buffer) => received.push(chunk.length));
  return { clock, stream, received, waits, stop, read: () => read };
}

test('the defaults: 1 MiB a second after four of the largest messages at once', () => {
  assert.equal(CHANNEL_BYTES_PER_S, 1024 * 1024);
  assert.equal(CHANNEL_BURST_BYTES, 4 * MAX_MESSAGE_BYTES);
});

test('within the burst everything is read at once; past it the stream is paused until the debt is refilled, then read again', async () => {
  const b = budgeted();
  for (let i = 0; i < 5; i++) b.stream.write(Buffer.alloc(1000));
  await flushMicrotasks();
  // 2,000 in the bucket: two chunks fit, the third goes 1,000 into debt (it was read already) and pauses the rest.
  assert.deepEqual(b.received, [1000, 1000, 1000]);
  assert.deepEqual(b.waits, [1000]);
  await b.clock.advance(999);
  assert.equal(b.received.length, 3, 'nothing more while in debt');
  await b.clock.advance(1);
  assert.equal(b.received.length, 4, 'the debt paid, one more chunk, and into debt again');
  assert.deepEqual(b.waits, [1000, 1000]);
  await b.clock.advance(1000);
  assert.equal(b.received.length, 5);
  assert.equal(b.read(), 5000, 'every byte read is counted');
  b.stop();
});

test('however fast the writer, what is read in T ms is at most the burst, plus T × the rate, plus one chunk', async () => {
  const b = budgeted();
  for (let i = 0; i < 200; i++) b.stream.write(Buffer.alloc(100));
  for (let elapsed = 0; elapsed <= 10_000; elapsed += 250) {
    const read = b.received.reduce((a, n) => a + n, 0);
    assert.ok(read <= 2000 + elapsed + 100, `${read} bytes in ${elapsed} ms`);
    await b.clock.advance(250);
  }
  assert.ok(b.received.length > 100, 'and it goes on reading at the rate');
  b.stop();
});

test('a quiet spell refills the bucket to the burst, not beyond', async () => {
  const b = budgeted();
  await b.clock.advance(60_000);
  for (let i = 0; i < 3; i++) b.stream.write(Buffer.alloc(1000));
  await flushMicrotasks();
  assert.deepEqual(b.received, [1000, 1000, 1000]);
  assert.equal(b.waits.length, 1, 'the third is over a 2,000-byte burst however long it was quiet');
  b.stop();
});

test('stop drops the pending resume and stops counting', async () => {
  const b = budgeted();
  for (let i = 0; i < 4; i++) b.stream.write(Buffer.alloc(1000));
  await flushMicrotasks();
  assert.equal(b.clock.pending, 1);
  b.stop();
  assert.equal(b.clock.pending, 0);
  await b.clock.advance(10_000);
  assert.equal(b.received.length, 3, 'still paused: the child is gone');
  b.stream.resume();
  await flushMicrotasks();
  assert.equal(b.read(), 3000, 'not counted after stop');
});
