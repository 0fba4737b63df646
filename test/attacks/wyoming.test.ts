import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startDaemon, makeTempDir, runCli, SHIPPED_NODE_FLAGS, type DaemonProcess } from '../helpers/daemon.js';
import { VoiceClient } from '../helpers/voiceClient.js';
import { WyomingAsrStandIn, WyomingTtsStandIn } from '../helpers/wyomingStandIn.js';
import { WyomingSatelliteStandIn } from '../helpers/wyomingSatellite.js';
import { until } from '../helpers/until.js';

/**
 * Hostile Wyoming peers against the real daemon (the bundle, the unit's heap flags): a satellite that sends
 * malformed headers, oversize data_length/payload_length, endless header lines, audio in formats the hub does
 * not take, pipelines it does not run, that hangs up mid-stream, or stops reading; and a TTS service that
 * answers garbage. Each gets a coded answer (an `error` event, a closed connection logged WYOMING_INVALID or
 * SATELLITE_STALLED, a text-only reply with TTS_FAILED), the hub dials the satellite again, and a
 * well-behaved satellite and a /voice client are served throughout.
 */
let d: DaemonProcess;
let dir: string;
const asr = new WyomingAsrStandIn();
const tts = new WyomingTtsStandIn();
/** Three hostile satellites: each breaks the protocol at most twice, so the hub's growing backoff stays short here. */
const evils = [new WyomingSatelliteStandIn('hall'), new WyomingSatelliteStandIn('hall'), new WyomingSatelliteStandIn('hall')];
const evil = evils[0];
const good = new WyomingSatelliteStandIn('kitchen');
let ghostPort = 0;

function speech(ms = 400): Buffer {
  const n = Math.round((ms / 1000) * 16000);
  const out = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) out.writeInt16LE(Math.round(9000 * Math.sin((2 * Math.PI * 300 * i) / 16000)), i * 2);
  return Buffer.concat([Buffer.alloc(9600), out]);
}

/** A port nothing listens on (taken and given back). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/** The good satellite and a /voice client are both answered: the hub goes on serving everyone else. */
async function othersServed(tag: string): Promise<void> {
  const from = good.events.length;
  good.say(speech());
  const transcript = await good.waitFor((e) => e.type === 'transcript', 20_000, from);
  assert.equal(transcript.data.text, asr.text, tag);
  await good.waitFor((e) => e.type === 'synthesize', 20_000, from);
  const token = (await runCli(['token', 'create', '--sub', `phone-${tag}`, '--scope', 'voice'], { cwd: dir, env: { VOICEHUB_DATA_DIR: join(dir, 'data') } })).stdout.trim();
  const client = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, token);
  try {
    assert.equal((await client.say(`ok-${tag}`, 'turn on the kitchen light')).type, 'reply', tag);
  } finally {
    client.close();
  }
}

/** Sends `bytes` from an evil satellite and waits until the hub has dropped that connection and dialled again. */
async function dropsAndRedials(n: number, bytes: string | Buffer, code: string): Promise<void> {
  const sat = evils[n];
  const before = sat.connections;
  const logged = d.lines.filter((l) => l.code === code && l.satellite === `evil${n}`).length;
  sat.raw(bytes);
  await sat.running(before + 1, 20_000);
  assert.ok(d.lines.filter((l) => l.code === code && l.satellite === `evil${n}`).length > logged, `logged with ${code}`);
}

before(async () => {
  const [asrPort, ttsPort, goodPort] = [await asr.start(), await tts.start(), await good.start()];
  const evilPorts = [await evils[0].start(), await evils[1].start(), await evils[2].start()];
  ghostPort = await freePort();
  asr.text = 'turn on the kitchen light';
  dir = await makeTempDir();
  d = await startDaemon({
    dir, nodeArgs: SHIPPED_NODE_FLAGS, config: `devices:
  - { id: kitchen_light, name: Kitchen light, area: kitchen, type: light, commandTopic: home/kitchen/light/set, stateTopic: home/kitchen/light }
voice:
  satellites:
    - { name: evil0, host: 127.0.0.1, port: ${evilPorts[0]}, area: hall }
    - { name: evil1, host: 127.0.0.1, port: ${evilPorts[1]}, area: hall }
    - { name: evil2, host: 127.0.0.1, port: ${evilPorts[2]}, area: hall }
    - { name: good, host: 127.0.0.1, port: ${goodPort}, area: kitchen }
    - { name: ghost, host: 127.0.0.1, port: ${ghostPort} }
speech:
  stt: { provider: wyoming, url: "tcp://127.0.0.1:${asrPort}", timeoutMs: 3000 }
  tts: { provider: wyoming, url: "tcp://127.0.0.1:${ttsPort}", timeoutMs: 2000 }
`,
  });
  for (const sat of [...evils, good]) await sat.running(1);
});

after(async () => {
  await d?.cleanup();
  for (const peer of [...evils, good, asr, tts]) await peer.stop();
});

test('a malformed header, bad data JSON, an oversize data_length or payload_length, an endless header line: WYOMING_INVALID, dropped, dialled again', async () => {
  await dropsAndRedials(0, '{"type": "run-pipeline", oops\n', 'WYOMING_INVALID');
  await dropsAndRedials(1, '{"type":"run-pipeline","data_length":5}\nnope!', 'WYOMING_INVALID');
  await dropsAndRedials(2, '{"type":"audio-chunk","data_length":999999999}\n', 'WYOMING_INVALID');
  await dropsAndRedials(0, '{"type":"audio-chunk","payload_length":99999999999}\n', 'WYOMING_INVALID');
  await dropsAndRedials(1, Buffer.alloc(64 * 1024, 0x61), 'WYOMING_INVALID');
  await othersServed('framing');
});

test('audio the hub does not take and pipelines it does not run are refused with an error event (BAD_REQUEST); the connection stays', async () => {
  const connection = evil.connections;
  const from = evil.events.length;
  evil.send('run-pipeline', { start_stage: 'wake', end_stage: 'tts' });
  evil.send('run-pipeline', { start_stage: 'asr', end_stage: 'asr' });
  for (const format of [{ rate: 16000, width: 4, channels: 1 }, { rate: 16000, width: 2, channels: 2 }, { rate: 1e9, width: 2, channels: 1 }, { rate: 'fast', width: 2, channels: 1 }]) {
    evil.send('run-pipeline', { start_stage: 'asr', end_stage: 'tts' });
    evil.send('audio-chunk', format, Buffer.alloc(3200));
    evil.send('audio-chunk', format, Buffer.alloc(3200)); // the rest of a refused stream: no second error
  }
  // Audio outside any pipeline is a streaming satellite between commands: ignored.
  evil.send('audio-chunk', { rate: 16000, width: 2, channels: 1 }, Buffer.alloc(3200));
  evil.send('ping', { text: 'still there?' });
  await evil.waitFor((e) => e.type === 'pong', 10_000, from);
  const errors = evil.events.slice(from).filter((e) => e.type === 'error');
  assert.equal(errors.length, 6, JSON.stringify(errors));
  assert.ok(errors.every((e) => e.data.code === 'BAD_REQUEST' && typeof e.data.text === 'string'));
  assert.equal(evil.connections, connection, 'still the same connection');
  assert.equal(evil.events.slice(from).find((e) => e.type === 'pong')?.data.text, 'still there?');
});

test('issue 18 fault suite: a run-pipeline with no start_stage, or no end_stage, is refused with an error event (BAD_REQUEST) on the same connection; it used to throw and take the whole hub down (shrunk case kept as found)', async () => {
  const connection = evil.connections;
  const from = evil.events.length;
  evil.send('run-pipeline'); // no data at all: the fuzz's shrunk case
  evil.send('run-pipeline', { start_stage: 'asr' });
  evil.send('ping', { text: 'after' });
  await evil.waitFor((e) => e.type === 'pong', 10_000, from);
  const errors = evil.events.slice(from).filter((e) => e.type === 'error');
  assert.equal(errors.length, 2, JSON.stringify(errors));
  assert.ok(errors.every((e) => e.data.code === 'BAD_REQUEST' && /missing/.test(String(e.data.text))), JSON.stringify(errors));
  assert.equal(evil.connections, connection, 'still the same connection');
  assert.equal(d.child.exitCode, null, 'the hub is still running');
  await othersServed('no stages');
});

test('a satellite that hangs up mid-stream is dialled again (soon: a restart is no fault); its half utterance harms nobody', async () => {
  const before = evil.connections;
  evil.say(speech(800).subarray(0, 12_000), { stop: false });
  evil.hangUp();
  await evil.running(before + 1, 20_000);
  await othersServed('hangup');
});

test('a satellite that stops reading what the hub sends is dropped (SATELLITE_STALLED) and dialled again', { timeout: 120_000 }, async () => {
  const stalled = evils[2];
  const before = stalled.connections;
  stalled.stopReading();
  const ping = { text: 'x'.repeat(256) };
  // Each ping is answered with a pong the satellite never reads; past 4 MiB unread (and the kernel's buffers) the hub lets go.
  for (let i = 0; i < 200 && stalled.connections === before; i++) {
    for (let j = 0; j < 500; j++) stalled.send('ping', ping);
    await new Promise((r) => setTimeout(r, 10));
  }
  await stalled.running(before + 1, 30_000);
  assert.ok(d.lines.some((l) => l.code === 'SATELLITE_STALLED' && l.satellite === 'evil2'), 'logged with SATELLITE_STALLED');
  await othersServed('stalled');
});

test('a TTS service that answers garbage leaves the reply as text (TTS_FAILED logged); the next reply is spoken', async () => {
  tts.mode = 'garbage';
  const from = good.events.length;
  good.say(speech());
  await good.waitFor((e) => e.type === 'synthesize', 20_000, from);
  await until(() => d.lines.find((l) => l.code === 'TTS_FAILED'), 'TTS_FAILED in the log', 15_000);
  assert.ok(!good.events.slice(from).some((e) => e.type === 'audio-start'), 'no audio for a reply that could not be spoken');
  assert.match(await (await fetch(`${d.url}/metrics`)).text(), /^voicehub_tts_requests_total\{provider="wyoming",outcome="TTS_FAILED"\} [1-9]/m);
  tts.mode = 'ok';
  const next = good.events.length;
  good.say(speech());
  await good.waitFor((e) => e.type === 'audio-stop', 20_000, next);
});

test('a satellite nobody answers for: /health degraded with SATELLITE_UNREACHABLE for it, the others connected', async () => {
  const h = await (await fetch(`${d.url}/health`)).json() as { status: string; checks: { satellites: { ok: boolean; satellites: Array<{ name: string; state: string; error?: { code: string; message: string } }> } } };
  assert.equal(h.status, 'degraded');
  const byName = Object.fromEntries(h.checks.satellites.satellites.map((s) => [s.name, s]));
  assert.equal(byName.good.state, 'connected');
  assert.notEqual(byName.ghost.state, 'connected');
  assert.equal(byName.ghost.error?.code, 'SATELLITE_UNREACHABLE');
  assert.match(byName.ghost.error?.message ?? '', /ECONNREFUSED/, 'the cause is kept');
  // One warning for the outage, however many times it was dialled since.
  assert.equal(d.lines.filter((l) => l.satellite === 'ghost' && l.level === 'warn').length, 1);
});

test('a Wyoming speech service nobody answers at: /health degraded, the speech check names the address', { timeout: 60_000 }, async () => {
  const port = await freePort();
  const other = await startDaemon({ dir: await makeTempDir(), config: `speech:\n  stt: { provider: none }\n  tts: { provider: wyoming, url: "tcp://127.0.0.1:${port}" }\n` });
  try {
    let last: { status: string; checks: { speech: { ok: boolean; tts: { ok: boolean; detail: string } } } } | null = null;
    for (let i = 0; i < 100; i++) {
      last = await (await fetch(`${other.url}/health`)).json() as typeof last;
      if (last!.checks.speech.tts.detail.includes('unreachable')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(last!.status, 'degraded');
    assert.equal(last!.checks.speech.ok, false);
    assert.match(last!.checks.speech.tts.detail, new RegExp(`tcp://127\\.0\\.0\\.1:${port} unreachable`));
  } finally {
    await other.cleanup();
  }
});
