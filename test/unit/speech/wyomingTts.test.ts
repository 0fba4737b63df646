import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { WyomingTts } from '../../../daemon/speech/wyoming/wyomingTts.js';
import { WyomingReachability } from '../../../daemon/speech/wyoming/reachability.js';
import { SpeechMetrics } from '../../../daemon/speech/metrics.js';
import { standInSpeech, TTS_STAND_IN_RATE, WyomingTtsStandIn } from '../../helpers/wyomingStandIn.js';

const isCode = (code: string) => (err: Error & { code?: string }): boolean => err.code === code;

async function peer(t: { after: (fn: () => Promise<void>) => void }): Promise<{ stand: WyomingTtsStandIn; port: number; registry: Registry; tts: (voice?: string | null, timeoutMs?: number) => WyomingTts }> {
  const stand = new WyomingTtsStandIn();
  const port = await stand.start();
  t.after(() => stand.stop());
  const registry = new Registry();
  const metrics = new SpeechMetrics(registry);
  return { stand, port, registry, tts: (voice = null, timeoutMs = 2000) => new WyomingTts({ host: '127.0.0.1', port }, { timeoutMs, voice, metrics }) };
}

test('a Wyoming TTS service: synthesize → audio-start, chunks, audio-stop is the reply audio; the voice name is passed; latency counted', async (t) => {
  const { stand, tts, registry } = await peer(t);
  const audio = await tts('en_US-lessac-medium').synthesize('Turned on the kitchen light.', 'en');
  assert.equal(audio.rate, TTS_STAND_IN_RATE);
  assert.equal(audio.format, 's16le');
  assert.ok(audio.pcm.equals(standInSpeech('Turned on the kitchen light.')), 'every sample, in order');
  assert.deepEqual(stand.texts, ['Turned on the kitchen light.']);
  assert.deepEqual(stand.voices, [{ name: 'en_US-lessac-medium' }]);
  // Without a configured voice the language is asked for instead.
  await tts(null).synthesize('Hello.', 'en');
  assert.deepEqual(stand.voices[1], { language: 'en' });
  const text = await registry.metrics();
  assert.match(text, /voicehub_tts_latency_seconds_count\{provider="wyoming"\} 2/);
});

test('stereo audio cut mid-frame is folded to mono whole samples', async (t) => {
  const { stand, tts } = await peer(t);
  stand.mode = 'stereo';
  const audio = await tts().synthesize('Two channels.', 'en');
  assert.ok(audio.pcm.equals(standInSpeech('Two channels.')), 'both channels were the same: their average is the original');
});

test('hostile or broken TTS peers are TTS_FAILED and the socket goes: garbage, oversize length, 8-bit audio, hang-up, silence, endless audio, nobody there', async (t) => {
  const { stand, tts } = await peer(t);
  for (const mode of ['garbage', 'oversize', 'badFormat', 'hangup', 'silent', 'endless'] as const) {
    stand.mode = mode;
    await assert.rejects(tts(null, 1500).synthesize('Hello there.', 'en'), isCode('TTS_FAILED'), mode);
  }
  for (let i = 0; i < 100 && stand.sockets.size > 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(stand.sockets.size, 0, 'every connection closed');
  const nobody = new WyomingTts({ host: '127.0.0.1', port: 1 }, { timeoutMs: 500, voice: null, metrics: new SpeechMetrics(new Registry()) });
  await assert.rejects(nobody.synthesize('x', 'en'), isCode('TTS_FAILED'));
});

test('an aborted synthesis is TIMEOUT and closes the connection', async (t) => {
  const { stand, tts } = await peer(t);
  stand.mode = 'silent';
  const controller = new AbortController();
  const pending = tts(null, 5000).synthesize('Never answered.', 'en', controller.signal);
  setTimeout(() => controller.abort(), 50);
  await assert.rejects(pending, isCode('TIMEOUT'));
});

test('reachability: a peer that answers describe is reachable; one that is gone is not, with the address in the detail', async (t) => {
  const { stand, port } = await peer(t);
  const probe = new WyomingReachability({ host: '127.0.0.1', port }, { intervalMs: 60_000, failingIntervalMs: 60_000, timeoutMs: 1000 });
  assert.equal(probe.check().ok, false, 'not checked yet');
  assert.equal((await probe.probe()).ok, true);
  await stand.stop();
  const after = await probe.probe();
  assert.equal(after.ok, false);
  assert.match(after.detail ?? '', new RegExp(`127\\.0\\.0\\.1:${port} unreachable`));
  probe.stop();
});
