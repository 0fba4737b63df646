import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeEvent, WyomingDecoder } from '../../../daemon/speech/wyoming/framing.js';

const isInvalid = (err: Error & { code?: string }): boolean => err.code === 'WYOMING_INVALID';

test('events round-trip, cut into pieces anywhere: header, data merged with inline data, payload', () => {
  const audio = Buffer.from(Array.from({ length: 3200 }, (_, i) => i % 256));
  const bytes = Buffer.concat([
    encodeEvent('describe'),
    encodeEvent('audio-start', { rate: 16000, width: 2, channels: 1 }),
    encodeEvent('audio-chunk', { rate: 16000, width: 2, channels: 1 }, audio),
    Buffer.from('{"type":"transcript","data":{"text":"inline"},"data_length":17}\n{"language":"en"}'),
  ]);
  for (const piece of [1, 7, 100, bytes.length]) {
    const d = new WyomingDecoder();
    const events = [];
    for (let at = 0; at < bytes.length; at += piece) events.push(...d.push(bytes.subarray(at, at + piece)));
    assert.deepEqual(events.map((e) => e.type), ['describe', 'audio-start', 'audio-chunk', 'transcript']);
    assert.deepEqual(events[1].data, { rate: 16000, width: 2, channels: 1 });
    assert.deepEqual(events[2].payload, audio);
    assert.deepEqual(events[3].data, { text: 'inline', language: 'en' });
  }
});

test('malformed headers, oversize lengths and endless header lines are WYOMING_INVALID; the decoder then refuses more', () => {
  const cases = [
    'not json\n', '[1,2]\n', '{"type":5}\n', '{"type":"Bad Type!"}\n', '{"type":"x","data_length":-1}\n',
    '{"type":"x","data_length":1.5}\n', '{"type":"x","payload_length":99999999999}\n', '{"type":"x","data_length":300000}\n',
    '{"type":"x","data":[1]}\n', '{"type":"x","data_length":4}\nnull',
  ];
  for (const c of cases) {
    const d = new WyomingDecoder();
    assert.throws(() => d.push(Buffer.from(c)), isInvalid, c);
    assert.throws(() => d.push(encodeEvent('describe')), isInvalid, 'refused after');
  }
  const d = new WyomingDecoder({ maxHeaderBytes: 64, maxDataBytes: 64, maxPayloadBytes: 64 });
  assert.throws(() => d.push(Buffer.alloc(100, 0x61)), isInvalid, 'a line with no newline past the cap');
});

test('a peer that stops mid-event holds only what it sent (no event, no throw)', () => {
  const d = new WyomingDecoder();
  const whole = encodeEvent('audio-chunk', { rate: 16000 }, Buffer.alloc(1000));
  assert.deepEqual(d.push(whole.subarray(0, whole.length - 1)), []);
  assert.equal(d.push(whole.subarray(whole.length - 1)).length, 1);
});
