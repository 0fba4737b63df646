import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EnergyVad, hasSpeech } from '../../../daemon/speech/vad.js';

const RATE = 16000;

function tone(ms: number, amplitude: number, hz = 220): Buffer {
  const n = Math.round((ms / 1000) * RATE);
  const out = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) out.writeInt16LE(Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / RATE)), i * 2);
  return out;
}

function noise(ms: number, amplitude: number, seed = 1): Buffer {
  const n = Math.round((ms / 1000) * RATE);
  const out = Buffer.alloc(n * 2);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out.writeInt16LE(Math.round(((x / 2147483648) * 2 - 1) * amplitude), i * 2);
  }
  return out;
}

const quiet = (ms: number): Buffer => Buffer.alloc(Math.round((ms / 1000) * RATE) * 2);

test('speech after quiet starts, and ends after silenceMs of quiet: once', () => {
  const vad = new EnergyVad({ rate: RATE, silenceMs: 300 });
  assert.equal(vad.push(quiet(200)), null);
  assert.equal(vad.push(tone(500, 8000)), 'speech-start');
  assert.equal(vad.push(quiet(200)), null, 'a short pause does not end it');
  assert.equal(vad.push(tone(200, 8000)), null);
  assert.equal(vad.push(quiet(400)), 'speech-end');
  assert.equal(vad.push(tone(500, 8000)), null, 'ended once');
  assert.equal(vad.speechFound, true);
});

test('frames cut anywhere (odd sizes) give the same answer', () => {
  const all = Buffer.concat([quiet(200), tone(500, 8000), quiet(400)]);
  const vad = new EnergyVad({ rate: RATE, silenceMs: 300 });
  const events: string[] = [];
  for (let at = 0; at < all.length; at += 333) {
    const e = vad.push(all.subarray(at, at + 333));
    if (e) events.push(e);
  }
  assert.deepEqual(events, ['speech-start', 'speech-end']);
});

test('silence, digital zeros and steady noise are not speech', () => {
  assert.equal(hasSpeech(quiet(2000), RATE), false);
  assert.equal(hasSpeech(noise(2000, 200), RATE), false, 'low hiss');
  assert.equal(hasSpeech(noise(2000, 4000), RATE), false, 'loud steady noise from the start');
  assert.equal(hasSpeech(Buffer.concat([noise(300, 1000), noise(600, 1000, 7), tone(500, 12000)]), RATE), true, 'speech over noise');
});

test('a click shorter than the start hysteresis is not speech', () => {
  assert.equal(hasSpeech(Buffer.concat([quiet(300), tone(30, 20000), quiet(1000)]), RATE), false);
});
