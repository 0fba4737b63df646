import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import { startDaemon, SHIPPED_NODE_FLAGS, makeTempDir, type DaemonProcess } from '../helpers/daemon.js';
import { FakeCloud } from '../helpers/fakeCloud.js';
import { cloudConfig } from '../helpers/cloudHub.js';
import { VoiceClient } from '../helpers/voiceClient.js';
import { readKey } from '../../daemon/auth/keys.js';
import { signToken } from '../../daemon/auth/tokens.js';
import { DOCUMENTED_CODES, crashLines, deepJson, jsonValue, params, assertMemoryBack, hubMemory, FUZZ_TIMEOUT } from './fuzz.js';

/**
 * A hostile cloud: the fake cloud (a real WebSocket server) sends the real daemon generated frames — acks of
 * any seq, commands and utterances with fields of every shape, unknown types, non-JSON, deep nesting, frames
 * around the 256 KiB cap — a batch per run. After each run the link is up again (a frame over the cap closes
 * it; the hub dials again), a well-formed command from the cloud is answered, and a local voice client is
 * served. Every code in a result frame and in the hub's log is a documented one; at the end no crash, stderr
 * empty, the seqs the cloud holds have no gaps, and memory is back near its baseline.
 */

let d: DaemonProcess;
let cloud: FakeCloud;
let voice: VoiceClient;

before(async () => {
  cloud = await FakeCloud.start();
  cloud.resendMs = 300;
  const dir = await makeTempDir();
  const config = cloudConfig(cloud.url, { backoffMaxMs: 200, more: ', allow: [devices:control, voice]' }) + 'speech: { stt: { provider: none }, tts: { provider: none } }\n';
  d = await startDaemon({ dir, config, nodeArgs: SHIPPED_NODE_FLAGS });
  const key = (await readKey(join(dir, 'data')))!;
  voice = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, await signToken(key, { sub: 'local', scopes: ['voice'] }));
  await cloud.waitFor(() => cloud.connections === 1, 30_000, 'the link');
});
after(async () => {
  voice?.ws.terminate();
  await d?.cleanup();
  await cloud?.close();
});

const COMMANDS = ['turn_on', 'turn_off', 'toggle', 'set_brightness', 'open', 'close', 'stop', 'set_position', 'lock', 'unlock', 'set_temperature',
  'set_hvac_mode', 'set_fan_speed', 'set_color', 'set_color_temp', 'activate', 'press', 'start', 'pause', 'return_to_base', 'media_play',
  'volume_set', 'volume_step', 'volume_mute'];
const id = fc.oneof(fc.stringMatching(/^[a-z0-9]{1,12}$/), fc.string({ maxLength: 140 }), jsonValue());
const seq = fc.oneof(fc.integer({ min: -5, max: 1000 }), fc.constantFrom(0, 2 ** 53, -1, 1e308, Number.MAX_SAFE_INTEGER), jsonValue());
const paramsArb = fc.oneof(
  fc.dictionary(fc.oneof(fc.constantFrom('brightness', 'position', 'temperature', 'color', 'r', 'kelvin', 'volume', 'mode', '__proto__'), fc.string({ maxLength: 70 })),
    fc.oneof(fc.integer({ min: -1000, max: 100_000 }), fc.double(), fc.boolean(), fc.string({ maxLength: 300 }), jsonValue()), { maxKeys: 20 }),
  jsonValue(),
);
const frameObject = fc.oneof(
  fc.record({ type: fc.constant('ack'), seq }, { requiredKeys: ['type'] }),
  fc.record({
    type: fc.constant('command'), id,
    device: fc.oneof(fc.constantFrom('lamp', 'temp', 'nope', '', '__proto__', 'constructor'), fc.string({ maxLength: 300 }), jsonValue()),
    command: fc.oneof(fc.constantFrom(...COMMANDS), fc.string({ maxLength: 80 }), jsonValue()),
    params: paramsArb,
    traceId: fc.oneof(fc.stringMatching(/^[A-Za-z0-9_.:-]{1,64}$/), fc.string({ maxLength: 100 }), jsonValue()),
  }, { requiredKeys: ['type'] }),
  fc.record({
    type: fc.constant('utterance'), id,
    text: fc.oneof(fc.constantFrom('turn on the hall lamp', 'what time is it', 'add milk to the shopping list', 'set a timer for 3 hours'),
      fc.string({ maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 300 }), fc.integer({ min: 1990, max: 2100 }).map((n) => 'x'.repeat(n)), jsonValue()),
    lang: fc.oneof(fc.constantFrom('en', 'zh', 'zh-TW', 'yue', 'xx', 'en_US', ''), jsonValue()),
    area: fc.oneof(fc.constantFrom('hall', 'attic', 'nowhere'), fc.string({ maxLength: 300 }), jsonValue()),
  }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.oneof(fc.constantFrom('hello', 'events', 'command.result', 'ping', 'error', ''), jsonValue()), id, seq }, { requiredKeys: [] }),
);
const frame = fc.oneof(
  { arbitrary: frameObject.map((o) => JSON.stringify(o)), weight: 4 },
  { arbitrary: fc.tuple(frameObject, jsonValue()).map(([o, extra]) => JSON.stringify({ ...(extra && typeof extra === 'object' ? extra : {}), ...o })), weight: 2 },
  { arbitrary: jsonValue().map((v) => JSON.stringify(v) ?? 'null'), weight: 1 },
  { arbitrary: fc.string({ maxLength: 200 }), weight: 1 },
  { arbitrary: deepJson, weight: 1 },
  // Around the 256 KiB cap: just under is read (and refused as a frame), over closes the link.
  { arbitrary: fc.integer({ min: 262_000, max: 263_000 }).map((n) => JSON.stringify({ type: 'utterance', id: 'big', text: 'a'.repeat(n) })), weight: 1 },
);

/** Every `code` anywhere in a value. */
function codesIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) codesIn(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'code' && typeof v === 'string') out.push(v);
      else codesIn(v, out);
    }
  }
  return out;
}

test('cloud frames of any shape and size: only documented codes, the link comes back, commands and local clients are served, no crash, memory near baseline', { timeout: FUZZ_TIMEOUT }, async () => {
  const baseline = await hubMemory(d);
  let run = 0;
  let reconnects = 0;
  await fc.assert(fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 8 }), async (frames) => {
    const n = run++;
    // A hub that died makes every later run (and each shrinking step) wait out its deadlines: say so at once.
    assert.equal(d.child.exitCode, null, `the hub exited: ${d.stderr.slice(-2000)} ${crashLines(d.lines).join('\n')}`);
    const hellos = cloud.hellos.length;
    for (const f of frames) cloud.send(f);
    // The link is up (again, after a frame over the cap), and a well-formed command is answered.
    await cloud.waitFor(() => cloud.connections === 1, 30_000, 'the link up').catch((err: Error) => {
      const last = d.lines.slice(-8).map((l) => JSON.stringify(l).slice(0, 300)).join('\n');
      throw new Error(`${err.message}; the hub ${d.child.exitCode === null ? 'runs' : `exited ${d.child.exitCode}`}; its last lines:\n${last}`);
    });
    const result = await cloud.command({ id: `ok-${n}`, device: 'lamp', command: 'turn_on' });
    assert.ok(result.ok === true || (result.error as { code?: string } | undefined)?.code === 'RATE_LIMITED', `the well-formed command: ${JSON.stringify(result)}`);
    if (cloud.hellos.length > hellos) reconnects++;
    // A local client is served throughout.
    const pongs = voice.frames.filter((f) => f.type === 'pong').length;
    voice.send({ type: 'ping' });
    await voice.waitFor(() => voice.frames.filter((f) => f.type === 'pong').length > pongs, 20_000);
    assert.equal(d.child.exitCode, null, 'the hub is still running');
  }), params(100));

  const fromHub = cloud.frames.filter((f) => f.type === 'command.result' || f.type === 'utterance.result');
  for (const code of codesIn(fromHub)) assert.ok(DOCUMENTED_CODES.has(code), `undocumented code ${code} in a result frame`);
  for (const code of codesIn(d.lines)) assert.ok(DOCUMENTED_CODES.has(code), `undocumented code ${code} in the log`);
  const seqs = cloud.uniqueSeqs().sort((a, b) => a - b);
  assert.deepEqual(seqs, seqs.map((_, i) => seqs[0]! + i), 'the seqs the cloud holds have no gaps');
  assert.deepEqual(crashLines(d.lines), []);
  assert.equal(d.stderr, '');
  const memory = await assertMemoryBack(d, baseline, 'cloud fuzz');
  console.log(`cloud fuzz: ${run} runs, ${reconnects} reconnects (frames over the cap), ${fromHub.length} results; ${memory}`);
});
