import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMetricsRegistry } from '../../../daemon/core/metrics.js';
import { EspeakTts, parseWav } from '../../../daemon/speech/espeakTts.js';
import { SpeechMetrics } from '../../../daemon/speech/metrics.js';

const isCode = (code: string) => (err: Error & { code?: string }): boolean => err.code === code;

test('espeak-ng speaks English and Mandarin at 22050 Hz s16le; the text goes in on stdin, so "-" cannot be an option', async () => {
  const registry = createMetricsRegistry();
  const tts = new EspeakTts({ voice: null, timeoutMs: 10_000, metrics: new SpeechMetrics(registry) });
  await tts.start();
  const en = await tts.synthesize('Turned on the kitchen light.', 'en');
  assert.equal(en.rate, 22050);
  assert.equal(en.format, 's16le');
  assert.ok(en.pcm.length > 22050, `${en.pcm.length} bytes`);
  const zh = await tts.synthesize('已打开厨房的灯。', 'zh');
  assert.ok(zh.pcm.length > 22050);
  const dash = await tts.synthesize('--version', 'en');
  assert.ok(dash.pcm.length > 4410, 'spoken, not taken as an option');
  assert.match(await registry.metrics(), /voicehub_tts_latency_seconds_count\{provider="espeak-ng"\} 3/);
});

test('hostile WAVs: not RIFF, no data, wrong sample format, sizes past the end', () => {
  assert.throws(() => parseWav(Buffer.from('hello')), isCode('TTS_FAILED'));
  const header = (bits: number, channels: number, dataSize: number, data: Buffer): Buffer => {
    const h = Buffer.alloc(44);
    h.write('RIFF', 0, 'latin1');
    h.writeUInt32LE(0xffffffff, 4);
    h.write('WAVEfmt ', 8, 'latin1');
    h.writeUInt32LE(16, 16);
    h.writeUInt16LE(1, 20);
    h.writeUInt16LE(channels, 22);
    h.writeUInt32LE(22050, 24);
    h.writeUInt16LE(bits, 34);
    h.write('data', 36, 'latin1');
    h.writeUInt32LE(dataSize, 40);
    return Buffer.concat([h, data]);
  };
  assert.throws(() => parseWav(header(8, 1, 4, Buffer.alloc(4))), isCode('TTS_FAILED'));
  assert.throws(() => parseWav(header(16, 2, 4, Buffer.alloc(4))), isCode('TTS_FAILED'));
  const streamed = parseWav(header(16, 1, 0xffffffff, Buffer.alloc(11)));
  assert.equal(streamed.pcm.length, 10, 'to the end, whole samples');
  assert.throws(() => parseWav(Buffer.from('RIFF\0\0\0\0WAVE')), isCode('TTS_FAILED'));
});
