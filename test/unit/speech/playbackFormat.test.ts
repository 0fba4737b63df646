import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linearResample, toPlayback } from '../../../daemon/speech/playbackFormat.js';
import { findProgram } from '../../../daemon/speech/childProcess.js';

function tone(rate: number, seconds: number, hz = 440): Buffer {
  const n = Math.round(rate * seconds);
  const out = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) out.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / rate)), i * 2);
  return out;
}

/** Zero crossings per second of 16-bit mono: twice the tone's frequency, whatever the rate. */
function crossingsPerSecond(pcm: Buffer, rate: number): number {
  let n = 0;
  for (let i = 2; i < pcm.length; i += 2) if ((pcm.readInt16LE(i - 2) < 0) !== (pcm.readInt16LE(i) < 0)) n++;
  return n / (pcm.length / 2 / rate);
}

test('linear resampling keeps the length in time and the pitch', () => {
  const out = linearResample(tone(22050, 1), 22050, 16000);
  assert.equal(out.length / 2, 16000);
  assert.ok(Math.abs(crossingsPerSecond(out, 16000) - 880) < 10, String(crossingsPerSecond(out, 16000)));
});

test('toPlayback: same rate and mono is the input; two channels are copies; with sox or without, the pitch holds', async () => {
  const pcm = tone(22050, 0.5);
  assert.ok((await toPlayback(pcm, 22050, { rate: 22050, channels: 1 }, { sox: null, timeoutMs: 5000 })).equals(pcm));
  const stereo = await toPlayback(pcm, 22050, { rate: 22050, channels: 2 }, { sox: null, timeoutMs: 5000 });
  assert.equal(stereo.length, pcm.length * 2);
  assert.equal(stereo.readInt16LE(4000), pcm.readInt16LE(2000));
  assert.equal(stereo.readInt16LE(4002), pcm.readInt16LE(2000));
  for (const sox of [null, await findProgram('sox')]) {
    const out = await toPlayback(pcm, 22050, { rate: 16000, channels: 1 }, { sox, timeoutMs: 5000 });
    assert.ok(Math.abs(out.length / 2 - 8000) <= 80, `${sox ?? 'linear'}: ${out.length / 2} samples`);
    assert.ok(Math.abs(crossingsPerSecond(out, 16000) - 880) < 12, `${sox ?? 'linear'}: ${crossingsPerSecond(out, 16000)}`);
  }
});
