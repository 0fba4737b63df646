import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startDaemon, makeTempDir, type DaemonProcess } from '../helpers/daemon.js';
import { VoiceClient } from '../helpers/voiceClient.js';
import { readKey } from '../../daemon/auth/keys.js';
import { signToken } from '../../daemon/auth/tokens.js';

/**
 * Hostile audio against the real daemon with its real recogniser: streams that never end, samples that
 * are not numbers, frames of one byte, and a machine without the engine. Every case gets a clear answer
 * with a stable code, and the hub goes on serving.
 */
const cleanups: Array<() => Promise<void>> = [];
after(async () => { for (const c of cleanups.splice(0)) await c(); });

async function hub(config: string, env: Record<string, string> = {}): Promise<{ d: DaemonProcess; client: VoiceClient }> {
  const dir = await makeTempDir();
  const d = await startDaemon({ dir, config, env });
  cleanups.push(() => d.cleanup());
  const token = await signToken((await readKey(join(dir, 'data')))!, { sub: 'attacker', scopes: ['voice'] });
  const client = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, token);
  cleanups.push(async () => client.close());
  return { d, client };
}

function tone(ms: number, amplitude = 9000, hz = 300): Buffer {
  const n = Math.round((ms / 1000) * 16000);
  const out = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) out.writeInt16LE(Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / 16000)), i * 2);
  return out;
}

const answer = (c: VoiceClient, id: string) => c.waitFor((f) => (f.type === 'reply' || f.type === 'error') && f.id === id, 30_000);

test('endless "speech" is cut at speech.vad.maxSpeechMs and answered; frames of one byte; NaN floats; the hub goes on', async () => {
  const { client } = await hub('speech:\n  vad:\n    maxSpeechMs: 1000\n');
  // A tone that never stops, in frames of 3200 bytes, with no audio.end: the hub ends it at 1 s.
  client.send({ type: 'audio.start', id: 'endless', rate: 16000, format: 's16le' });
  const loud = tone(3000);
  for (let at = 0; at < loud.length; at += 3200) client.ws.send(loud.subarray(at, at + 3200));
  const endless = await answer(client, 'endless');
  assert.equal(endless.type, 'error');
  assert.ok(['NO_MATCH', 'STT_FAILED'].includes(String(endless.code)), JSON.stringify(endless));
  // One byte per frame: samples are put together again, nothing breaks.
  client.send({ type: 'audio.start', id: 'bytes', rate: 16000, format: 's16le' });
  for (const b of Buffer.alloc(801)) client.ws.send(Buffer.of(b));
  client.send({ type: 'audio.end', id: 'bytes' });
  assert.equal((await answer(client, 'bytes')).code, 'NO_MATCH');
  // f32le declared, the bytes NaN and infinities: clamped to silence, NO_MATCH.
  const nan = Buffer.alloc(16000 * 4);
  for (let i = 0; i < 16000; i++) nan.writeFloatLE(i % 2 ? Number.NaN : Number.POSITIVE_INFINITY, i * 4);
  client.send({ type: 'audio.start', id: 'nan', rate: 16000, format: 'f32le' });
  client.ws.send(nan);
  client.send({ type: 'audio.end', id: 'nan' });
  assert.equal((await answer(client, 'nan')).code, 'NO_MATCH');
  // A declared rate that is not the audio's (and a WAV that is not one) is answered, not crashed on.
  client.send({ type: 'audio.start', id: 'wav', rate: 16000, format: 'wav' });
  client.ws.send(Buffer.from('RIFF....WAVEjunkjunkjunk'));
  client.send({ type: 'audio.end', id: 'wav' });
  assert.equal((await answer(client, 'wav')).code, 'BAD_REQUEST');
  // Still serving.
  client.send({ type: 'ping' });
  await client.waitFor((f) => f.type === 'pong');
});

test('without the engine, audio answers NO_STT naming what to install; /health says the same', async () => {
  const { d, client } = await hub('', { PATH: '/nonexistent' });
  client.send({ type: 'audio.start', id: 'a1', rate: 16000, format: 's16le' });
  client.ws.send(tone(500));
  client.send({ type: 'audio.end', id: 'a1' });
  const a = await answer(client, 'a1');
  assert.equal(a.code, 'NO_STT');
  assert.match(String(a.message), /apt install pocketsphinx pocketsphinx-en-us/);
  const health = await (await fetch(`${d.url}/health`)).json() as { checks: { speech: { stt: { ok: boolean; detail: string } } } };
  assert.equal(health.checks.speech.stt.ok, false);
  assert.match(health.checks.speech.stt.detail, /apt install/);
});
