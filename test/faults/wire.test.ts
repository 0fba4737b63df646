import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { connectAsync, type MqttClient } from 'mqtt';
import { makeTempDir, startDaemon, SHIPPED_NODE_FLAGS, type DaemonProcess } from '../helpers/daemon.js';
import { connectPacket, rawClient, remainingLength } from '../helpers/rawMqtt.js';
import { rawWebSocket, wsFrame } from '../helpers/rawWebSocket.js';
import { VoiceClient } from '../helpers/voiceClient.js';
import { readKey } from '../../daemon/auth/keys.js';
import { signToken } from '../../daemon/auth/tokens.js';
import { assertMemoryBack, brokerRoundTrip, crashLines, hubMemory, params, splitAt, undocumentedCodes, FUZZ_TIMEOUT, type HubMemory } from './fuzz.js';

/**
 * Issue 18, red team: the two binary front doors fuzzed below the client libraries, on raw TCP against one
 * real daemon (the bundle, the unit's heap flags). f/mqtt and f/voice speak through mqtt.js and ws, which only
 * send well-formed packets and frames; here the bytes themselves are generated: MQTT packets of any type and
 * flags with honest, short, long or over-long remaining lengths and structured or random bodies, after a CONNECT
 * or without one; WebSocket frames of any opcode, FIN, reserved bits, mask or none, with lengths that lie (up to
 * 2^64 - 1), around real voice frames. Each stream is written cut at generated places. After every run a
 * well-behaved device's message makes the round trip through the broker and a well-behaved voice client is
 * answered; at the end no crash, only documented codes in the log, stderr empty, memory near where it started.
 */

let d: DaemonProcess;
let token: string;
let device: MqttClient;
let good: VoiceClient;
let memoryBefore: HubMemory;
const t = { after: (fn: () => unknown) => { cleanups.push(fn); } };
const cleanups: Array<() => unknown> = [];

before(async () => {
  const dir = await makeTempDir();
  d = await startDaemon({ dir, nodeArgs: SHIPPED_NODE_FLAGS, config: 'mqtt: { connectionsPerSecond: 1000 }\n' });
  const key = (await readKey(join(dir, 'data')))!;
  token = await signToken(key, { sub: 'wire-fuzz', scopes: ['voice'] });
  device = await connectAsync(`mqtt://127.0.0.1:${d.mqttPort}`, { reconnectPeriod: 0, clientId: 'well-behaved' });
  await device.subscribeAsync('check/+', { qos: 1 });
  good = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, await signToken(key, { sub: 'good', scopes: ['voice'] }));
  memoryBefore = await hubMemory(d);
});
after(async () => {
  for (const c of cleanups) await c();
  good?.ws.terminate();
  await device?.endAsync(true);
  await d?.cleanup();
});

const str = (b: Buffer) => Buffer.concat([Buffer.from([b.length >> 8 & 0xff, b.length & 0xff]), b]);
const topicBytes = fc.oneof(
  fc.constantFrom('a/b', '#', '+', 'a/#/b', '', '$SYS/x', 'homeassistant/light/x/config', 'zigbee2mqtt/bridge/devices', 'voicehub/status').map((s) => Buffer.from(s)),
  fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)),
  fc.integer({ min: 90, max: 2000 }).map((n) => Buffer.from('a/'.repeat(n))),
);
/** A packet body shaped like one of MQTT's (topic, packet id, filters, properties) or random bytes. */
const body = fc.oneof(
  fc.tuple(topicBytes, fc.uint8Array({ maxLength: 4 }), fc.uint8Array({ maxLength: 300 })).map(([tp, id, p]) => Buffer.concat([str(tp), Buffer.from(id), Buffer.from(p)])),
  fc.tuple(fc.uint8Array({ minLength: 2, maxLength: 2 }), fc.array(fc.tuple(topicBytes, fc.integer({ min: 0, max: 255 })), { maxLength: 4 }))
    .map(([id, subs]) => Buffer.concat([Buffer.from(id), ...subs.map(([tp, q]) => Buffer.concat([str(tp), Buffer.from([q])]))])),
  fc.tuple(fc.constantFrom('MQTT', 'MQIsdp', 'mqtt', ''), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 200 }))
    .map(([name, level, flags, rest]) => Buffer.concat([str(Buffer.from(name)), Buffer.from([level, flags, 0, 30]), Buffer.from(rest)])),
  fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)),
);
/** One packet: any type and flags; the length honest, off by a little, or any varint (up to five bytes, 268 MB claims). */
const mqttPacket = fc.tuple(fc.integer({ min: 0, max: 255 }), body, fc.oneof(
  fc.constant<'honest'>('honest'), fc.integer({ min: -3, max: 3 }),
  fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 5 }),
)).map(([first, b, len]) => {
  const lengthBytes = len === 'honest' ? remainingLength(b.length)
    : typeof len === 'number' ? remainingLength(Math.max(0, b.length + len)) : len;
  return Buffer.concat([Buffer.from([first, ...lengthBytes]), b]);
});
const mqttStream = fc.record({
  connect: fc.boolean(),
  packets: fc.array(mqttPacket, { minLength: 1, maxLength: 6 }),
  cuts: fc.array(fc.nat(), { maxLength: 4 }),
});

/** One WebSocket frame: any opcode, FIN, RSV, mask, with an honest or lying length; voice JSON or random bytes inside. */
const payload = fc.oneof(
  fc.constantFrom('{"type":"ping"}', '{"type":"utterance","id":"u","text":"what time is it"}', '{"type":"audio.start","id":"a","rate":16000}', '{"type":"audio.end","id":"a"}', '{').map((s) => Buffer.from(s)),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
  fc.integer({ min: 126, max: 70_000 }).map((n) => Buffer.alloc(n, 0x20)),
);
const wsFrameArb = fc.tuple(fc.integer({ min: 0, max: 15 }), payload, fc.boolean(), fc.constantFrom(0, 0, 0, 0x40, 0x20, 0x10, 0x70), fc.constantFrom(true, true, true, false),
  fc.oneof(fc.constant(undefined), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.constantFrom(126n, 65_536n, 2n ** 53n, 2n ** 63n)))
  .map(([opcode, p, fin, rsv, mask, claimedLength]) => wsFrame(opcode, p, { fin, rsv, mask, claimedLength }));
const wsStream = fc.record({
  frames: fc.array(fc.oneof(wsFrameArb, payload.map((p) => wsFrame(1, p))), { minLength: 1, maxLength: 6 }),
  cuts: fc.array(fc.nat(), { maxLength: 4 }),
});

let checks = 0;
/** A ping answered by a pong (utterances would meet the subject's rate limit over hundreds of runs). */
async function voiceAnswered(): Promise<void> {
  const pongs = good.frames.filter((f) => f.type === 'pong').length;
  good.send({ type: 'ping' });
  await good.waitFor(() => good.frames.filter((f) => f.type === 'pong').length > pongs, 20_000);
}

test('raw MQTT bytes of any packet type, flags and remaining length, cut anywhere: the broker closes or answers, a device is served after every run', { timeout: FUZZ_TIMEOUT }, async () => {
  let closedByHub = 0;
  await fc.assert(fc.asyncProperty(mqttStream, async ({ connect, packets, cuts }) => {
    const raw = await rawClient(t, d.mqttPort!, null);
    const bytes = Buffer.concat([connect ? connectPacket(`fuzz-${checks}`) : Buffer.alloc(0), ...packets]);
    for (const piece of splitAt(bytes, cuts)) if (!await raw.send(piece)) break;
    await Promise.race([raw.closed, sleep(100)]);
    if (raw.isClosed()) closedByHub++;
    raw.destroy();
    await brokerRoundTrip(device, checks++);
  }), params(150));
  console.log(`raw MQTT: ${checks} runs, ${closedByHub} closed by the hub before the test hung up`);
});

test('raw WebSocket frames of any opcode, bits, mask and length claim, cut anywhere, on /voice: closed or answered, a good voice client is answered after every run', { timeout: FUZZ_TIMEOUT }, async () => {
  const codes = new Map<number | null, number>();
  await fc.assert(fc.asyncProperty(wsStream, async ({ frames, cuts }) => {
    const raw = await rawWebSocket(d.httpPort, '/voice', token);
    assert.match(raw.status, / 101 /);
    for (const piece of splitAt(Buffer.concat(frames), cuts)) if (!await raw.send(piece)) break;
    await Promise.race([raw.closed, sleep(100)]);
    codes.set(raw.isClosed() ? raw.closeCode() : null, (codes.get(raw.isClosed() ? raw.closeCode() : null) ?? 0) + 1);
    raw.socket.destroy();
    await voiceAnswered();
  }), params(150));
  console.log(`raw WebSocket: close codes ${JSON.stringify([...codes])} (null: still open when the test hung up)`);
});

test('after the raw wire fuzz: no crash, only documented codes, stderr empty, memory near where it started', async () => {
  await sleep(500);
  assert.deepEqual(crashLines(d.lines), []);
  assert.deepEqual(undocumentedCodes(d.lines), []);
  assert.equal(d.stderr, '');
  console.log(`raw wire fuzz: hub ${await assertMemoryBack(d, memoryBefore, 'raw wire fuzz')}`);
});
