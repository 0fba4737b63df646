import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evenBytes, f32ToS16, SampleAligner, toPcm16k } from '../../../daemon/speech/pcm.js';

test('SampleAligner: frames split in the middle of samples come out whole, in order', () => {
  const all = Buffer.from(Array.from({ length: 101 }, (_, i) => i));
  const aligner = new SampleAligner();
  const out: Buffer[] = [];
  // The sizes sum to 101: the last odd byte stays held.
  let at = 0;
  for (const size of [1, 2, 3, 7, 33, 55]) {
    out.push(aligner.push(all.subarray(at, at + size)));
    at += size;
  }
  const joined = Buffer.concat(out);
  assert.equal(joined.length, 100);
  assert.ok(out.every((b) => b.length % 2 === 0));
  assert.deepEqual(joined, all.subarray(0, 100));
});

test('evenBytes drops a trailing half sample; f32 is clamped and NaN is silence', () => {
  assert.equal(evenBytes(Buffer.alloc(5)).length, 4);
  const f = Buffer.alloc(16);
  f.writeFloatLE(0.5, 0);
  f.writeFloatLE(7, 4);
  f.writeFloatLE(Number.NaN, 8);
  f.writeFloatLE(-Infinity, 12);
  const s = f32ToS16(f);
  assert.deepEqual([0, 1, 2, 3].map((i) => s.readInt16LE(i * 2)), [16384, 32767, 0, 0]);
});

test('16 kHz s16le passes through; other rates need sox, and say so when it is missing', async () => {
  const pcm = Buffer.alloc(3201);
  assert.equal((await toPcm16k(pcm, 16000, 's16le', { sox: null, timeoutMs: 1000, maxBytes: 1 << 20 })).length, 3200);
  await assert.rejects(toPcm16k(pcm, 22050, 's16le', { sox: null, timeoutMs: 1000, maxBytes: 1 << 20 }),
    (err: Error & { code?: string }) => err.code === 'BAD_REQUEST' && /apt install sox/.test(err.message));
  await assert.rejects(toPcm16k(pcm, 16000, 'opus', { sox: '/usr/bin/sox', timeoutMs: 1000, maxBytes: 1 << 20 }),
    (err: Error & { code?: string }) => err.code === 'BAD_REQUEST');
});

test('sox resamples 8 kHz to 16 kHz (twice the samples)', async () => {
  const pcm = Buffer.alloc(8000 * 2);
  const out = await toPcm16k(pcm, 8000, 's16le', { sox: '/usr/bin/sox', timeoutMs: 5000, maxBytes: 1 << 20 });
  assert.ok(Math.abs(out.length - 32000) <= 8, `${out.length}`);
});

test('a WAV that is not one is refused with BAD_REQUEST, not a crash', async () => {
  await assert.rejects(toPcm16k(Buffer.from('RIFF-garbage-garbage'), 16000, 'wav', { sox: '/usr/bin/sox', timeoutMs: 5000, maxBytes: 1 << 20 }),
    (err: Error & { code?: string }) => err.code === 'BAD_REQUEST');
});
