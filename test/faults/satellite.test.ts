import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import { makeTempDir, startDaemon, SHIPPED_NODE_FLAGS, type DaemonProcess } from '../helpers/daemon.js';
import { VoiceClient } from '../helpers/voiceClient.js';
import { WyomingAsrStandIn, WyomingTtsStandIn } from '../helpers/wyomingStandIn.js';
import { WyomingSatelliteStandIn } from '../helpers/wyomingSatellite.js';
import { readKey } from '../../daemon/auth/keys.js';
import { signToken } from '../../daemon/auth/tokens.js';
import { encodeEvent } from '../../daemon/speech/wyoming/framing.js';
import { crashLines, deepJson, jsonValue, params, assertMemoryBack, hubMemory, splitAt as split, undocumentedCodes, FUZZ_TIMEOUT } from './fuzz.js';

/**
 * The hub's other Wyoming side: the satellites it dials (`voice.satellites`, PROTOCOL §8). A hostile satellite
 * sends generated event streams once it is run — the events a satellite sends (run-pipeline with any stages and
 * formats, audio-start/chunk/stop with any rate, width, channels and payload, detection, played, pause) with
 * data of any shape, events it never sends, lying data_length/payload_length, garbage, deep JSON, long lines —
 * written in pieces cut anywhere. After each run a well-behaved satellite's utterance makes the whole round
 * trip (transcript and spoken reply) and a /voice client is answered; a hostile connection the hub dropped is
 * dialled again. At the end: no crash, stderr empty, only documented codes in the log, memory near baseline.
 * (The ASR and TTS peers' side is test/faults/wyoming.test.ts.)
 */

let d: DaemonProcess;
let phone: VoiceClient;
const asr = new WyomingAsrStandIn();
const tts = new WyomingTtsStandIn();
const evil = new WyomingSatelliteStandIn('hall');
const good = new WyomingSatelliteStandIn('kitchen');

function speech(ms = 400): Buffer {
  const n = Math.round((ms / 1000) * 16000);
  const out = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) out.writeInt16LE(Math.round(9000 * Math.sin((2 * Math.PI * 300 * i) / 16000)), i * 2);
  return Buffer.concat([Buffer.alloc(9600), out]);
}
const PCM = speech();

before(async () => {
  const [asrPort, ttsPort, goodPort, evilPort] = [await asr.start(), await tts.start(), await good.start(), await evil.start()];
  asr.text = 'turn on the kitchen light';
  const dir = await makeTempDir();
  d = await startDaemon({
    dir, nodeArgs: SHIPPED_NODE_FLAGS, config: `devices:
  - { id: kitchen_light, name: Kitchen light, area: kitchen, type: light, commandTopic: home/kitchen/light/set, stateTopic: home/kitchen/light }
voice:
  rateLimit: { perSecond: 1000, burst: 1000 }
  satellites:
    - { name: evil, host: 127.0.0.1, port: ${evilPort}, area: hall }
    - { name: good, host: 127.0.0.1, port: ${goodPort}, area: kitchen }
speech:
  stt: { provider: wyoming, url: "tcp://127.0.0.1:${asrPort}", timeoutMs: 3000 }
  tts: { provider: wyoming, url: "tcp://127.0.0.1:${ttsPort}", timeoutMs: 2000 }
`,
  });
  phone = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, await signToken((await readKey(join(dir, 'data')))!, { sub: 'phone', scopes: ['voice'] }));
  await evil.running(1);
  await good.running(1);
});

after(async () => {
  phone?.ws.terminate();
  await d?.cleanup();
  for (const peer of [evil, good, asr, tts]) await peer.stop();
});

const enc = (header: unknown, data?: Buffer, payload?: Buffer): Buffer =>
  Buffer.concat([Buffer.from(`${JSON.stringify(header) ?? 'null'}\n`), data ?? Buffer.alloc(0), payload ?? Buffer.alloc(0)]);
const length = fc.oneof(fc.nat({ max: 64 }), fc.constantFrom(-1, 0.5, 1e15, 300_000, 2 ** 31, Number.MAX_SAFE_INTEGER), jsonValue());
const rate = fc.oneof(fc.constantFrom(16000, 22050, 44100, 48000, 8000, 0, -1, 1e9, 0.5), jsonValue());
const width = fc.oneof(fc.constantFrom(2, 1, 4, 3, 0, -2, 1e6), jsonValue());
const channels = fc.oneof(fc.constantFrom(1, 2, 0, 255, -1), jsonValue());
const stage = fc.oneof(fc.constantFrom('wake', 'asr', 'handle', 'intent', 'tts', ''), jsonValue());
const format = fc.record({ rate, width, channels }, { requiredKeys: [] });
/** What a satellite sends, with its fields present, missing or of any shape. */
const satelliteEvent = fc.oneof(
  fc.record({ start_stage: stage, end_stage: stage, wake_word_name: jsonValue(), restart_on_end: jsonValue(), snd_format: fc.oneof(format, jsonValue()), announce_text: jsonValue() }, { requiredKeys: [] })
    .map((data) => encodeEvent('run-pipeline', data as Record<string, unknown>)),
  format.map((data) => encodeEvent('audio-start', data)),
  fc.tuple(format, fc.oneof(fc.uint8Array({ maxLength: 4000 }).map((b) => Buffer.from(b)), fc.constant(PCM.subarray(0, 3200)), fc.constant(Buffer.alloc(0))))
    .map(([data, payload]) => encodeEvent('audio-chunk', data, payload)),
  fc.constant(encodeEvent('audio-stop')),
  fc.tuple(fc.constantFrom('detection', 'played', 'pause-satellite', 'run-satellite', 'describe', 'info', 'transcript', 'synthesize', 'error',
    'voice-started', 'voice-stopped', 'satellite-connected', 'ping', 'pong', 'timer-started', 'audio-stop', 'x'), jsonValue(['name', 'text', 'code', 'rate', 'timestamp', 'satellite']))
    .map(([type, data]) => encodeEvent(type, (data !== null && typeof data === 'object' && !Array.isArray(data) ? data : { value: data }) as Record<string, unknown>)),
);
/** A well-formed utterance with odd formats: the hub must refuse or take it, never hang or throw. */
const utterance = fc.tuple(fc.constantFrom(16000, 22050, 48000, 8000, 44100), fc.constantFrom(2, 2, 1, 4), fc.constantFrom(1, 1, 2), fc.constantFrom(512, 2048, 7))
  .map(([r, w, c, chunk]) => {
    const out: Buffer[] = [encodeEvent('run-pipeline', { start_stage: 'asr', end_stage: 'tts', restart_on_end: false }), encodeEvent('audio-start', { rate: r, width: w, channels: c })];
    for (let at = 0; at < PCM.length; at += chunk * 64) out.push(encodeEvent('audio-chunk', { rate: r, width: w, channels: c }, PCM.subarray(at, at + chunk * 64)));
    out.push(encodeEvent('audio-stop'));
    return Buffer.concat(out);
  });
const piece: fc.Arbitrary<Buffer> = fc.oneof(
  { arbitrary: satelliteEvent, weight: 8 },
  { arbitrary: utterance, weight: 2 },
  { arbitrary: fc.tuple(fc.constantFrom('audio-chunk', 'run-pipeline', 'audio-start', 'x'), length, length, fc.uint8Array({ maxLength: 80 }))
    .map(([type, dl, pl, bytes]) => enc({ type, data_length: dl, payload_length: pl }, Buffer.from(bytes))), weight: 1 },
  { arbitrary: fc.tuple(jsonValue(['type', 'data', 'data_length', 'payload_length', 'version']), fc.uint8Array({ maxLength: 40 })).map(([h, b]) => enc(h, Buffer.from(b))), weight: 1 },
  { arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)), weight: 1 },
  { arbitrary: deepJson.map((s) => Buffer.from(`${s}\n`)), weight: 1 },
);
const stream = fc.array(piece, { minLength: 1, maxLength: 6 }).map((ps) => Buffer.concat(ps));

/** The good satellite's utterance goes the whole way, and a /voice client is answered. */
async function othersServed(n: number): Promise<void> {
  const from = good.events.length;
  good.say(PCM);
  const transcript = await good.waitFor((e) => e.type === 'transcript', 30_000, from);
  assert.equal(transcript.data.text, asr.text, `run ${n}: the good satellite's transcript`);
  await good.waitFor((e) => e.type === 'synthesize' || e.type === 'audio-stop', 30_000, from);
  const typed = await phone.say(`p${n}`, 'turn on the kitchen light');
  assert.equal(typed.type, 'reply', `run ${n}: ${JSON.stringify(typed)}`);
}

test('a hostile Wyoming satellite (events of any shape, lying lengths, garbage, cut anywhere): the hub drops or answers it, dials it again, and serves a good satellite and /voice throughout; no crash, memory near baseline', { timeout: FUZZ_TIMEOUT }, async () => {
  const baseline = await hubMemory(d);
  let run = 0;
  let dropped = 0;
  await fc.assert(fc.asyncProperty(stream, fc.array(fc.nat(), { maxLength: 6 }), async (bytes, cuts) => {
    const n = run++;
    // A hub that died makes every later run (and each shrinking step) wait out its deadlines: say so at once.
    assert.equal(d.child.exitCode, null, `the hub exited: ${d.stderr.slice(-2000)} ${crashLines(d.lines).join('\n')}`);
    const connection = evil.connections;
    for (const p of split(bytes, cuts)) {
      evil.raw(p);
      await new Promise((r) => setImmediate(r));
    }
    await othersServed(n);
    assert.equal(d.child.exitCode, null, 'the hub is still running');
    if (!evil.connected || evil.connections !== connection) {
      // The hub dropped it (WYOMING_INVALID and the like): it must dial again. A clean restart of the satellite
      // once it runs again resets the hub's backoff, so the next runs do not wait out a growing delay.
      dropped++;
      await evil.running(connection + 1, 30_000);
      evil.hangUp();
      await evil.running(connection + 2, 30_000);
    }
  }), params(30));
  assert.deepEqual(crashLines(d.lines), []);
  assert.deepEqual(undocumentedCodes(d.lines), [], 'only documented codes in the hub\'s log');
  assert.equal(d.stderr, '');
  const memory = await assertMemoryBack(d, baseline, 'satellite fuzz');
  console.log(`satellite fuzz: ${run} runs, ${dropped} dropped and dialled again (${evil.connections} connections); ${memory}`);
});
