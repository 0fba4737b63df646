import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { startDaemon, runCli, makeTempDir, type DaemonProcess } from '../helpers/daemon.js';
import { VoiceClient } from '../helpers/voiceClient.js';
import { standInSpeech, TTS_STAND_IN_RATE, WyomingAsrStandIn, WyomingTtsStandIn } from '../helpers/wyomingStandIn.js';
import { WyomingSatelliteStandIn } from '../helpers/wyomingSatellite.js';
import { until } from '../helpers/until.js';

/**
 * Wyoming satellites end to end (PROTOCOL §8): the real daemon dials a satellite stand-in (a real TCP server
 * written from the protocol's documentation), runs it, and each `run-pipeline` with its audio becomes an
 * utterance in the satellite's area: the Wyoming ASR stand-in's transcript, the MQTT command at a subscribed
 * device client, `transcript`, `synthesize` and the reply audio that the Wyoming TTS stand-in made, `played`.
 * A plugin's `speak` reaches the satellite and a `/voice` client that connected with `?tts=true` as audio.
 * The satellite going away is dialled again.
 */
let d: DaemonProcess;
let device: MqttClient;
let dir: string;
const asr = new WyomingAsrStandIn();
const tts = new WyomingTtsStandIn();
const satellite = new WyomingSatelliteStandIn('bedroom');
/** Configured without an area: its `info` says it is in the kitchen. */
const kitchen = new WyomingSatelliteStandIn('kitchen');
const received: Array<{ topic: string; payload: string }> = [];

/** Quiet, then a tone: "speech" to the hub's VAD (it learns the noise floor in the first 100 ms), then quiet. */
function utterance(ms: number, trailingMs = 0): Buffer {
  const n = Math.round((ms / 1000) * 16000);
  const out = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) out.writeInt16LE(Math.round(9000 * Math.sin((2 * Math.PI * 300 * i) / 16000)), i * 2);
  return Buffer.concat([Buffer.alloc(9600), out, Buffer.alloc(Math.round((trailingMs / 1000) * 16000) * 2)]);
}

async function health(): Promise<{ status: string; checks: Record<string, Record<string, unknown>> }> {
  return (await fetch(`${d.url}/health`)).json() as Promise<{ status: string; checks: Record<string, Record<string, unknown>> }>;
}

/** Asks `probe` every 50 ms for up to 10 s; true once it says so. A bound on waiting, not a timing assertion. */
async function poll(probe: () => Promise<boolean>): Promise<boolean> {
  for (const end = Date.now() + 10_000; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (await probe()) return true;
  return false;
}

before(async () => {
  const [asrPort, ttsPort, satPort, kitchenPort] = [await asr.start(), await tts.start(), await satellite.start(), await kitchen.start()];
  dir = await makeTempDir();
  d = await startDaemon({
    dir, config: `devices:
  - { id: kitchen_light, name: Kitchen light, area: kitchen, type: light, commandTopic: home/kitchen/light/set, stateTopic: home/kitchen/light }
  - { id: bedroom_light, name: Bedroom light, area: bedroom, type: light, commandTopic: home/bedroom/light/set, stateTopic: home/bedroom/light }
voice:
  satellites:
    - { name: bedroom-sat, host: 127.0.0.1, port: ${satPort}, area: bedroom }
    - { name: unplaced, host: 127.0.0.1, port: ${kitchenPort} }
speech:
  stt: { provider: wyoming, url: "tcp://127.0.0.1:${asrPort}", timeoutMs: 3000 }
  tts: { provider: wyoming, url: "tcp://127.0.0.1:${ttsPort}", timeoutMs: 3000 }
  vad: { silenceMs: 300 }
`,
  });
  device = await connectAsync(`mqtt://127.0.0.1:${d.mqttPort}`, { reconnectPeriod: 0 });
  device.on('message', (topic, payload) => received.push({ topic, payload: payload.toString() }));
  await device.subscribeAsync(['home/+/light/set']);
  await satellite.running(1);
  await kitchen.running(1);
});

after(async () => {
  await device?.endAsync();
  await d?.cleanup();
  await satellite.stop();
  await kitchen.stop();
  await asr.stop();
  await tts.stop();
});

test('the hub dials the satellite: describe, then run-satellite; /health shows it connected in its area', async () => {
  const first = satellite.events.filter((e) => e.connection === 1).map((e) => e.type);
  assert.deepEqual(first.slice(0, 2), ['describe', 'run-satellite']);
  type Sats = { ok: boolean; satellites: Array<{ name: string; state: string; area: string }> };
  // The unplaced satellite's area comes with its info, which a loaded machine may deliver after run-satellite.
  let sats = (await health()).checks.satellites as Sats;
  await poll(async () => (sats = (await health()).checks.satellites as Sats).satellites[1]?.area !== undefined);
  assert.equal(sats.ok, true);
  assert.deepEqual(sats.satellites.map((s) => [s.name, s.state, s.area]), [['bedroom-sat', 'connected', 'bedroom'], ['unplaced', 'connected', 'kitchen']]);
});

test('a satellite configured without an area is in the area its info names', async () => {
  asr.text = 'turn on the lights in here';
  const before = received.length;
  const from = kitchen.events.length;
  kitchen.say(utterance(400));
  await kitchen.waitFor((e) => e.type === 'synthesize', 15_000, from);
  const command = await until(() => received.slice(before).find((m) => m.topic.startsWith('home/')), 'a light command', 15_000);
  assert.equal(command.topic, 'home/kitchen/light/set');
});

test('run-pipeline with audio: "turn on the lights in here" acts in the satellite\'s area; transcript, synthesize, the reply audio, played', async () => {
  asr.mode = 'ok';
  asr.text = 'turn on the lights in here';
  const from = satellite.events.length;
  const played = satellite.played.length;
  const sent = received.length;
  satellite.say(utterance(500));
  const transcript = await satellite.waitFor((e) => e.type === 'transcript', 15_000, from);
  assert.equal(transcript.data.text, 'turn on the lights in here');
  const command = await until(() => received.slice(sent).find((m) => m.topic === 'home/bedroom/light/set'), 'the bedroom light command', 15_000);
  assert.equal(command.payload, 'ON');
  await satellite.waitFor((e) => e.type === 'audio-stop', 15_000, from);
  assert.ok(!received.slice(sent).some((m) => m.topic === 'home/kitchen/light/set'), '"in here" is the satellite\'s area, never the kitchen');
  const synth = await satellite.waitFor((e) => e.type === 'synthesize', 15_000, from);
  assert.match(String(synth.data.text), /bedroom light/i);
  await until(() => (satellite.played.length > played ? true : undefined), 'the reply audio', 15_000);
  const audio = satellite.played[played];
  assert.equal(audio.rate, TTS_STAND_IN_RATE);
  assert.ok(audio.pcm.equals(standInSpeech(String(synth.data.text))), 'the audio is exactly what the Wyoming TTS service made for the reply');
  assert.deepEqual(tts.texts.at(-1), synth.data.text);
  const order = satellite.events.slice(from).map((e) => e.type).filter((t) => t !== 'audio-chunk');
  assert.deepEqual(order, ['transcript', 'synthesize', 'audio-start', 'audio-stop']);
  // `played` is taken: the hub counts it for the satellite.
  const counted = await poll(async () => ((await health()).checks.satellites as { satellites: Array<{ played: number }> }).satellites[0].played >= 1);
  assert.ok(counted, 'the satellite\'s played was counted');
});

test('no audio-stop: the hub\'s VAD ends the utterance; audio after it is ignored quietly', async () => {
  asr.text = 'turn off the kitchen light';
  const from = satellite.events.length;
  const sent = received.length;
  // Speech then a second of quiet, streamed on without audio-stop (as a satellite streams until it hears back).
  satellite.say(utterance(500, 1000), { stop: false });
  const transcript = await satellite.waitFor((e) => e.type === 'transcript', 15_000, from);
  assert.equal(transcript.data.text, 'turn off the kitchen light');
  const command = await until(() => received.slice(sent).find((m) => m.topic === 'home/kitchen/light/set'), 'the kitchen light command', 15_000);
  assert.equal(command.payload, 'OFF');
  satellite.send('audio-chunk', { rate: 16000, width: 2, channels: 1 }, Buffer.alloc(3200));
  satellite.send('audio-stop');
  await satellite.waitFor((e) => e.type === 'audio-stop', 15_000, from);
  assert.ok(!satellite.events.slice(from).some((e) => e.type === 'error'), 'the tail of a stream the VAD ended is no error');
});

test('metrics: satellites connected, pipelines, Wyoming STT requests and TTS latency', async () => {
  const text = await (await fetch(`${d.url}/metrics`)).text();
  assert.match(text, /^voicehub_satellites_connected 2$/m);
  assert.match(text, /^voicehub_satellite_pipelines_total\{satellite="bedroom-sat"\} [2-9]/m);
  assert.match(text, /^voicehub_stt_requests_total\{provider="wyoming",outcome="ok"\} [2-9]/m);
  assert.match(text, /^voicehub_tts_latency_seconds_count\{provider="wyoming"\} [1-9]/m);
  assert.match(text, /^voicehub_tts_requests_total\{provider="wyoming",outcome="ok"\} [1-9]/m);
});

test('a plugin\'s speak ("tell everyone …") reaches the satellite and a /voice client that connected with ?tts=true as audio', async () => {
  const token = (await runCli(['token', 'create', '--sub', 'phone', '--scope', 'voice'], { cwd: dir, env: { VOICEHUB_DATA_DIR: join(dir, 'data') } })).stdout.trim();
  const listener = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice?tts=true`, token);
  const talker = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, token);
  try {
    const from = satellite.events.length;
    const played = satellite.played.length;
    const reply = await talker.say('b1', 'tell everyone dinner is ready');
    assert.equal(reply.type, 'reply', JSON.stringify(reply));
    const speak = await listener.waitFor((f) => f.type === 'speak', 15_000);
    assert.equal(speak.text, 'Dinner is ready.');
    const start = await listener.waitFor((f) => f.type === 'audio.start', 15_000);
    assert.equal(start.rate, TTS_STAND_IN_RATE);
    await listener.waitFor((f) => f.type === 'audio.end' && f.id === start.id, 15_000);
    assert.match(String(start.id), /^speak-\d+$/);
    const pcm = Buffer.concat(listener.audio.map((a) => a.data));
    assert.ok(pcm.equals(standInSpeech('Dinner is ready.')), 'the /voice client heard the push as the TTS service spoke it');
    const synth = await satellite.waitFor((e) => e.type === 'synthesize', 15_000, from);
    assert.equal(synth.data.text, 'Dinner is ready.');
    await until(() => (satellite.played.length > played ? true : undefined), 'the push as audio at the satellite', 15_000);
    assert.ok(satellite.played[played].pcm.equals(standInSpeech('Dinner is ready.')));
    assert.equal(talker.audio.length, 0, 'a client that never asked for speech gets the text push only');
    assert.ok(talker.frames.some((f) => f.type === 'speak'));
  } finally {
    listener.close();
    talker.close();
  }
});

test('/health reports the Wyoming speech services as reachable', async () => {
  const h = await health();
  assert.equal(h.status, 'ok', JSON.stringify(h.checks));
  const speech = h.checks.speech as { ok: boolean; stt: { ok: boolean }; tts: { ok: boolean } };
  assert.equal(speech.stt.ok, true, JSON.stringify(speech));
  assert.equal(speech.tts.ok, true, JSON.stringify(speech));
});

test('a satellite that plays 16 kHz stereo (snd_format in run-pipeline) gets the reply converted to it', async () => {
  asr.text = 'turn on the kitchen light';
  const played = satellite.played.length;
  satellite.say(utterance(400), { snd: { rate: 16000, channels: 2 } });
  await until(() => satellite.played[played], 'the converted reply audio', 15_000);
  const { rate, channels, pcm } = satellite.played[played];
  assert.deepEqual([rate, channels], [16000, 2]);
  const original = standInSpeech(String(tts.texts.at(-1))).length / 2;
  const frames = pcm.length / 4;
  assert.ok(Math.abs(frames - (original * 16000) / TTS_STAND_IN_RATE) <= original * 0.01, `${frames} frames for ${original} samples at 22050 Hz`);
  for (let i = 0; i < pcm.length; i += 4) assert.equal(pcm.readInt16LE(i), pcm.readInt16LE(i + 2), 'both channels the same');
});

test('the satellite going away is dialled again with backoff; utterances work on the new connection', async () => {
  const before = satellite.connections;
  satellite.hangUp();
  await satellite.running(before + 1, 20_000);
  asr.text = 'turn on the kitchen light';
  const from = satellite.events.length;
  satellite.say(utterance(400));
  const transcript = await satellite.waitFor((e) => e.type === 'transcript', 15_000, from);
  assert.equal(transcript.data.text, 'turn on the kitchen light');
  assert.ok(d.lines.some((l) => l.code === 'SATELLITE_UNREACHABLE'), 'the drop was logged with its code');
});
