import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { startDaemon, runCli, makeTempDir, type DaemonProcess } from '../helpers/daemon.js';
import { VoiceClient, type Frame } from '../helpers/voiceClient.js';
import { silence, speakRaw } from '../helpers/speechAudio.js';
import { until } from '../helpers/until.js';

/**
 * Speech end to end, with the real engines CI installs (espeak-ng, pocketsphinx, pocketsphinx-en-us, sox):
 * espeak-ng speaks a command, a real `ws` client streams it to /voice, the hub's grammar recogniser hears
 * it, the intent pipeline publishes the MQTT command a subscribed device client receives, and the reply
 * comes back as espeak's audio. A device announced by discovery afterwards is heard without a restart.
 */
let d: DaemonProcess;
let device: MqttClient;
let voice: VoiceClient;
const received: Array<{ topic: string; payload: string }> = [];

const LIGHT = {
  name: null, uniq_id: 'kitchen_light', cmd_t: 'home/kitchen_light/set', stat_t: 'home/kitchen_light/state',
  dev: { ids: ['kitchen-light'], name: 'Kitchen light', sa: 'Kitchen' },
};
const PORCH = {
  name: null, uniq_id: 'porch_light', cmd_t: 'home/porch_light/set', stat_t: 'home/porch_light/state',
  dev: { ids: ['porch-light'], name: 'Porch light', sa: 'Garden' },
};

/** Resolves once the hub has logged more grammar builds than `after`. */
async function grammarBuilt(after: number): Promise<void> {
  await until(() => (d.lines.filter((l) => l.msg === 'speech grammar built').length > after ? true : undefined), 'a grammar rebuild', 15_000);
}

function grammarBuilds(): number {
  return d.lines.filter((l) => l.msg === 'speech grammar built').length;
}

/** Streams audio in frames of 100 ms, as a microphone would (without waiting in real time). */
function stream(client: VoiceClient, pcm: Buffer, frameBytes = 3200): void {
  for (let at = 0; at < pcm.length; at += frameBytes) client.ws.send(pcm.subarray(at, at + frameBytes));
}

function answerOf(id: string): Promise<Frame> {
  return voice.waitFor((f) => (f.type === 'reply' || f.type === 'error') && f.id === id, 20_000);
}

before(async () => {
  const dir = await makeTempDir();
  d = await startDaemon({ dir, config: 'speech:\n  stt:\n    grammarDebounceMs: 50\n  vad:\n    silenceMs: 400\n' });
  device = await connectAsync(`mqtt://127.0.0.1:${d.mqttPort}`, { reconnectPeriod: 0 });
  device.on('message', (topic, payload) => received.push({ topic, payload: payload.toString() }));
  await device.subscribeAsync(['home/+/set']);
  const builds = grammarBuilds();
  await device.publishAsync('homeassistant/switch/kitchen_light/config', JSON.stringify({ ...LIGHT }), { retain: true, qos: 1 });
  await grammarBuilt(builds);
  const token = (await runCli(['token', 'create', '--sub', 'kitchen-satellite', '--scope', 'voice'], { cwd: dir, env: { VOICEHUB_DATA_DIR: join(dir, 'data') } })).stdout.trim();
  voice = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, token);
});

after(async () => {
  voice?.close();
  await device?.endAsync();
  await d?.cleanup();
});

test('spoken "turn on the kitchen light" streamed without audio.end: transcript, reply, the MQTT command, and the reply spoken back', async () => {
  const pcm = Buffer.concat([silence(300), await speakRaw('turn on the kitchen light'), silence(800)]);
  voice.send({ type: 'audio.start', id: 's1', rate: 16000, format: 's16le', tts: true });
  stream(voice, pcm);
  // No audio.end: the hub's voice-activity detection ends the utterance.
  const transcript = await voice.waitFor((f) => f.type === 'transcript' && f.id === 's1', 20_000);
  assert.equal(transcript.text, 'turn on the kitchen light');
  const reply = await answerOf('s1');
  assert.equal(reply.type, 'reply', JSON.stringify(reply));
  assert.deepEqual(reply.actions, [{ device: 'kitchen_light', command: 'turn_on' }]);
  const command = await until(() => received.find((m) => m.topic === 'home/kitchen_light/set'), 'the MQTT command', 15_000);
  assert.equal(command.payload, 'ON');
  // The reply as speech: audio.start (22050 Hz s16le), binary frames, audio.end, after the reply.
  const start = await voice.waitFor((f) => f.type === 'audio.start' && f.id === 's1', 20_000);
  assert.deepEqual([start.rate, start.format], [22050, 's16le']);
  const end = await voice.waitFor((f) => f.type === 'audio.end' && f.id === 's1', 20_000);
  assert.ok(end);
  const startAt = voice.frames.indexOf(start);
  const endAt = voice.frames.indexOf(end);
  const audio = voice.audio.filter((a) => a.after > startAt && a.after <= endAt);
  const bytes = audio.reduce((n, a) => n + a.data.length, 0);
  // "Turned on the kitchen light." is over half a second of espeak's speech.
  assert.ok(bytes > 22050, `only ${bytes} bytes of speech`);
  assert.ok(voice.frames.indexOf(reply) < startAt, 'the text reply comes first');
  // The rest of the stream, sent after the VAD had ended it, is ignored quietly, as is a late audio.end.
  voice.send({ type: 'audio.end', id: 's1' });
  voice.send({ type: 'ping' });
  await voice.waitFor((f) => f.type === 'pong');
  assert.deepEqual(voice.frames.filter((f) => f.type === 'error'), []);
});

test('audio at 22050 Hz is resampled; a client that asks for no speech gets none', async () => {
  const before = voice.audio.length;
  const pcm = await speakRaw('turn off the kitchen light', { rate: 22050 });
  voice.send({ type: 'audio.start', id: 's2', rate: 22050, format: 's16le' });
  stream(voice, pcm, 4411); // odd frame sizes: samples split across frames
  voice.send({ type: 'audio.end', id: 's2' });
  const reply = await answerOf('s2');
  assert.equal(reply.type, 'reply', JSON.stringify(reply));
  assert.deepEqual(reply.actions, [{ device: 'kitchen_light', command: 'turn_off' }]);
  await until(() => received.find((m) => m.topic === 'home/kitchen_light/set' && m.payload === 'OFF'), 'OFF', 15_000);
  assert.equal(voice.audio.length, before);
});

test('silence answers NO_MATCH, and no recogniser is left running for it', async () => {
  voice.send({ type: 'audio.start', id: 's3', rate: 16000, format: 's16le' });
  stream(voice, silence(1000));
  voice.send({ type: 'audio.end', id: 's3' });
  const answer = await answerOf('s3');
  assert.equal(answer.code, 'NO_MATCH');
});

test('a device announced by discovery is heard without a restart', async () => {
  const builds = grammarBuilds();
  await device.publishAsync('homeassistant/switch/porch_light/config', JSON.stringify(PORCH), { retain: true, qos: 1 });
  await grammarBuilt(builds);
  const pcm = await speakRaw('turn on the porch light');
  voice.send({ type: 'audio.start', id: 's4', rate: 16000, format: 's16le' });
  stream(voice, pcm);
  voice.send({ type: 'audio.end', id: 's4' });
  const reply = await answerOf('s4');
  assert.equal(reply.type, 'reply', JSON.stringify(reply));
  const heard = voice.frames.find((f) => f.type === 'transcript' && f.id === 's4');
  assert.deepEqual(reply.actions, [{ device: 'porch_light', command: 'turn_on' }], `heard: ${heard?.text}`);
  await until(() => received.find((m) => m.topic === 'home/porch_light/set' && m.payload === 'ON'), 'the porch light command', 15_000);
});

test('/health reports the speech providers', async () => {
  const res = await fetch(`${d.url}/health`);
  const body = await res.json() as { checks: Record<string, { stt?: { ok: boolean }; tts?: { ok: boolean } }> };
  assert.equal(body.checks.speech?.stt?.ok, true);
  assert.equal(body.checks.speech?.tts?.ok, true);
});
