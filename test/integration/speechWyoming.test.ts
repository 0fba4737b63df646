import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { startDaemon, runCli, makeTempDir, type DaemonProcess } from '../helpers/daemon.js';
import { VoiceClient, type Frame } from '../helpers/voiceClient.js';
import { WyomingAsrStandIn } from '../helpers/wyomingStandIn.js';

/**
 * `speech.stt.provider: wyoming` end to end: the real daemon streams a client's audio to a Wyoming ASR
 * stand-in (a real TCP server written from the protocol docs), its transcript drives the intent pipeline to
 * the MQTT command; a peer that answers garbage fails that utterance alone (STT_FAILED).
 */
let d: DaemonProcess;
let device: MqttClient;
let voice: VoiceClient;
const peer = new WyomingAsrStandIn();
const received: Array<{ topic: string; payload: string }> = [];

/** Quiet, then a tone: "speech" to the hub's VAD, which learns the noise floor in the first 100 ms. */
function tone(ms: number): Buffer {
  const n = Math.round((ms / 1000) * 16000);
  const out = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) out.writeInt16LE(Math.round(9000 * Math.sin((2 * Math.PI * 300 * i) / 16000)), i * 2);
  return Buffer.concat([Buffer.alloc(9600), out]);
}

const answer = (id: string): Promise<Frame> => voice.waitFor((f) => (f.type === 'reply' || f.type === 'error') && f.id === id, 20_000);

before(async () => {
  const port = await peer.start();
  const dir = await makeTempDir();
  d = await startDaemon({ dir, config: `speech:\n  stt:\n    provider: wyoming\n    url: tcp://127.0.0.1:${port}\n    timeoutMs: 2000\n  tts:\n    provider: none\n` });
  device = await connectAsync(`mqtt://127.0.0.1:${d.mqttPort}`, { reconnectPeriod: 0 });
  device.on('message', (topic, payload) => received.push({ topic, payload: payload.toString() }));
  await device.subscribeAsync(['home/+/set']);
  await device.publishAsync('homeassistant/switch/kitchen_light/config', JSON.stringify({
    name: null, uniq_id: 'kitchen_light', cmd_t: 'home/kitchen_light/set', dev: { ids: ['kl'], name: 'Kitchen light', sa: 'Kitchen' },
  }), { retain: true, qos: 1 });
  const token = (await runCli(['token', 'create', '--sub', 'sat', '--scope', 'voice'], { cwd: dir, env: { VOICEHUB_DATA_DIR: join(dir, 'data') } })).stdout.trim();
  voice = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, token);
  for (let i = 0; (await voice.say(`w${i}`, 'turn off the kitchen light')).type !== 'reply'; i++) {
    if (i > 100) throw new Error('the device never appeared');
    await new Promise((r) => setTimeout(r, 50));
  }
});

after(async () => {
  voice?.close();
  await device?.endAsync();
  await d?.cleanup();
  await peer.stop();
});

test('audio goes to the Wyoming service; its transcript becomes the MQTT command', async () => {
  peer.mode = 'ok';
  peer.text = 'turn on the kitchen light';
  voice.send({ type: 'audio.start', id: 'y1', rate: 16000, format: 's16le' });
  const pcm = tone(600);
  for (let at = 0; at < pcm.length; at += 3200) voice.ws.send(pcm.subarray(at, at + 3200));
  voice.send({ type: 'audio.end', id: 'y1' });
  const reply = await answer('y1');
  assert.equal(reply.type, 'reply', JSON.stringify(reply));
  assert.equal(voice.frames.find((f) => f.type === 'transcript' && f.id === 'y1')?.text, 'turn on the kitchen light');
  for (let i = 0; i < 200 && !received.some((m) => m.payload === 'ON'); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(received.some((m) => m.topic === 'home/kitchen_light/set' && m.payload === 'ON'));
});

test('a Wyoming peer that sends a malformed header or hangs up fails that utterance (STT_FAILED); the next works', async () => {
  for (const mode of ['garbage', 'hangup'] as const) {
    peer.mode = mode;
    voice.send({ type: 'audio.start', id: `bad-${mode}`, rate: 16000, format: 's16le' });
    voice.ws.send(tone(600));
    voice.send({ type: 'audio.end', id: `bad-${mode}` });
    assert.equal((await answer(`bad-${mode}`)).code, 'STT_FAILED', mode);
  }
  peer.mode = 'ok';
  voice.send({ type: 'audio.start', id: 'y2', rate: 16000, format: 's16le' });
  voice.ws.send(tone(600));
  voice.send({ type: 'audio.end', id: 'y2' });
  assert.equal((await answer('y2')).type, 'reply');
});
