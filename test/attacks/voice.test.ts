import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startDaemon, runCli, makeTempDir, SHIPPED_NODE_FLAGS, type DaemonProcess } from '../helpers/daemon.js';
import { VoiceClient } from '../helpers/voiceClient.js';
import { rawWebSocket, wsFrame } from '../helpers/rawWebSocket.js';
import { readKey } from '../../daemon/auth/keys.js';
import { signToken } from '../../daemon/auth/tokens.js';

/**
 * Issue 11, voice server: the attacks found against the real daemon (the built bundle), kept as regression
 * tests. Each test starts its own hub.
 */

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

interface Hub { d: DaemonProcess; dataDir: string; url: string; token(sub: string): Promise<string> }

async function hub(options: { config?: string; nodeArgs?: string[]; logLevel?: string } = {}): Promise<Hub> {
  const dir = await makeTempDir();
  const d = await startDaemon({ dir, config: options.config, nodeArgs: options.nodeArgs, env: options.logLevel ? { VOICEHUB_LOG_LEVEL: options.logLevel } : {} });
  cleanups.push(() => d.cleanup());
  const dataDir = join(dir, 'data');
  return {
    d, dataDir, url: `ws://127.0.0.1:${d.httpPort}/voice`,
    // Signed in-process with the hub's own key file (what `token create` does), so tests need not spawn a CLI per subject.
    token: async (sub) => signToken((await readKey(dataDir))!, { sub, scopes: ['voice'] }),
  };
}

async function connect(url: string, token: string, headers: Record<string, string> = {}): Promise<VoiceClient> {
  const c = await VoiceClient.connectWith(url, { authorization: `Bearer ${token}`, ...headers });
  cleanups.push(() => c.ws.terminate());
  return c;
}

function refusal(err: unknown): number {
  return (err as { status?: number }).status ?? -1;
}

function rssMB(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}

/** Sends `bytes` of audio in 64 KiB binary frames and resolves once they are written to the socket. */
function sendAudio(c: VoiceClient, bytes: number): Promise<void> {
  const chunk = Buffer.alloc(64 * 1024, 1);
  const sends: Array<Promise<void>> = [];
  for (let left = bytes; left > 0; left -= chunk.length) {
    const part = left >= chunk.length ? chunk : chunk.subarray(0, left);
    sends.push(new Promise((resolve, reject) => c.ws.send(part, { binary: true }, (err) => (err ? reject(err) : resolve()))));
  }
  return Promise.all(sends).then(() => undefined);
}

test('finding 9: one subject gets at most voice.maxClientsPerSubject (16) sessions, refused 429 RATE_LIMITED; another subject still connects', { timeout: 60_000 }, async () => {
  const h = await hub();
  const greedy = await h.token('greedy');
  for (let i = 0; i < 16; i++) await connect(h.url, greedy);
  const err = await VoiceClient.connectWith(h.url, { authorization: `Bearer ${greedy}` }).then(() => null, (e: unknown) => e);
  assert.equal(refusal(err), 429);
  assert.equal((err as { body?: { error: { code: string } } }).body?.error.code, 'RATE_LIMITED');
  const other = await connect(h.url, await h.token('kitchen'));
  other.send({ type: 'ping' });
  await other.waitFor((f) => f.type === 'pong');
});

test('finding 9: 300 never-ended 960 KB audio streams under the shipped heap flags: the oldest are refused BUSY past voice.maxBufferedAudioBytes, the newest kept, the hub stays up and small', { timeout: 240_000 }, async () => {
  // No idle timeout here (its own test is below): on a slow machine it could end old streams before the budget does.
  const h = await hub({ nodeArgs: SHIPPED_NODE_FLAGS, config: 'speech:\n  stt:\n    provider: none\nvoice:\n  audioIdleMs: 600000\n' });
  const pid = h.d.child.pid!;
  const streams = 300;
  const perStream = 15 * 64 * 1024; // under voice.maxAudioBytes (1 MiB): only the shared budget can refuse them
  const clients: VoiceClient[] = [];
  // 20 subjects × 15 sessions: within the per-subject cap, like a house full of satellites gone wrong.
  const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => h.token(`satellite-${i}`)));
  let peakRss = 0;
  for (let i = 0; i < streams; i += 25) {
    const batch = await Promise.all(Array.from({ length: 25 }, (_, j) => connect(h.url, tokens[(i + j) % 20]!)));
    await Promise.all(batch.map(async (c, j) => {
      c.send({ type: 'audio.start', id: `a${i + j}`, rate: 16000, format: 's16le' });
      await sendAudio(c, perStream);
    }));
    clients.push(...batch);
    peakRss = Math.max(peakRss, rssMB(pid));
  }
  // The default budget (64 MiB) holds 68 of these streams: the oldest 200 must all have been refused BUSY
  // (waited for as frames: other sockets' reads may still be under way).
  const oldest = clients.slice(0, 200);
  const codes = await Promise.all(oldest.map((c) => c.waitFor((f) => f.type === 'error', 60_000).then((f) => f.code)));
  assert.deepEqual([...new Set(codes)], ['BUSY']);
  // The newest 25 were kept whole: ended, each goes on to speech-to-text (none here: NO_STT); an evicted
  // stream would get no answer to its audio.end.
  const newest = clients.slice(-25);
  newest.forEach((c, k) => c.send({ type: 'audio.end', id: `a${streams - 25 + k}` }));
  const ended = await Promise.all(newest.map((c, k) => c.waitFor((f) => f.type === 'error' && f.id === `a${streams - 25 + k}`, 60_000)));
  assert.deepEqual([...new Set(ended.map((f) => f.code))], ['NO_STT']);
  peakRss = Math.max(peakRss, rssMB(pid));
  const busy = clients.filter((c) => c.frames.some((f) => f.code === 'BUSY')).length;
  const health = await fetch(`http://127.0.0.1:${h.d.httpPort}/health`);
  assert.equal(health.status, 200);
  assert.equal(h.d.child.exitCode, null);
  // 288 MB of audio was sent; before the budget the hub held all of it (and systemd's MemoryMax=400M killed it).
  assert.ok(peakRss < 250, `peak RSS ${peakRss.toFixed(0)} MB`);
  console.log(`# 300 × 960 KB streams: ${busy} refused BUSY, peak RSS ${peakRss.toFixed(0)} MB`);
});

/** Sends a masked binary frame header announcing `size` bytes and then all but the last byte of it. */
function unfinishedFrame(c: VoiceClient, size: number): Promise<void> {
  const header = Buffer.alloc(14); // FIN + binary, mask bit + 64-bit length, a zero mask key
  header[0] = 0x82;
  header[1] = 0x80 | 127;
  header.writeBigUInt64BE(BigInt(size), 2);
  const socket = (c.ws as unknown as { _socket: import('node:net').Socket })._socket;
  socket.write(header);
  return new Promise((resolve) => socket.write(Buffer.alloc(size - 1), () => resolve()));
}

test('finding 9 (variant): 150 frames of 1 MiB left one byte short count in the audio budget; the stalest connections are closed, the hub stays up and small', { timeout: 240_000 }, async () => {
  const h = await hub({ nodeArgs: SHIPPED_NODE_FLAGS, config: 'speech:\n  stt:\n    provider: none\nvoice:\n  audioIdleMs: 600000\n' });
  const pid = h.d.child.pid!;
  const tokens = await Promise.all(Array.from({ length: 10 }, (_, i) => h.token(`frame-${i}`)));
  const clients: VoiceClient[] = [];
  let peakRss = 0;
  for (let i = 0; i < 150; i += 15) {
    const batch = await Promise.all(tokens.slice(0, 15).map((_, j) => connect(h.url, tokens[(i + j) % 10]!)));
    await Promise.all(batch.map((c) => unfinishedFrame(c, 1024 * 1024)));
    clients.push(...batch);
    peakRss = Math.max(peakRss, rssMB(pid));
  }
  // The default budget (64 MiB) holds 64 of these: at least the oldest 80 are closed by the hub.
  await Promise.all(clients.slice(0, 80).map((c) => c.closed));
  peakRss = Math.max(peakRss, rssMB(pid));
  assert.equal((await fetch(`http://127.0.0.1:${h.d.httpPort}/health`)).status, 200);
  const fresh = await connect(h.url, await h.token('after'));
  fresh.send({ type: 'ping' });
  await fresh.waitFor((f) => f.type === 'pong');
  await h.d.waitForLine((l) => l.msg === 'voice client stalled in the middle of a frame; closing it' && l.reason === 'budget');
  assert.ok(peakRss < 250, `peak RSS ${peakRss.toFixed(0)} MB`);
  console.log(`# 150 unfinished 1 MiB frames: ${clients.filter((c) => c.ws.readyState !== WebSocket.OPEN).length} closed, peak RSS ${peakRss.toFixed(0)} MB`);
});

test('finding 9 (variant): a connection stalled in the middle of a frame for voice.audioIdleMs is closed; an idle one is not', { timeout: 60_000 }, async () => {
  const h = await hub({ config: 'speech:\n  stt:\n    provider: none\nvoice:\n  audioIdleMs: 600\n' });
  const idle = await connect(h.url, await h.token('idle'));
  idle.send({ type: 'ping' });
  await idle.waitFor((f) => f.type === 'pong');
  const stalled = await connect(h.url, await h.token('stalled'));
  await unfinishedFrame(stalled, 200_000);
  await stalled.closed;
  await h.d.waitForLine((l) => l.msg === 'voice client stalled in the middle of a frame; closing it' && l.reason === 'idle');
  idle.send({ type: 'ping' });
  await idle.waitFor((f) => f.type === 'pong' && idle.frames.filter((x) => x.type === 'pong').length === 2);
  assert.equal(idle.ws.readyState, WebSocket.OPEN);
});

test('finding 9: an audio stream with no binary frame for voice.audioIdleMs is ended with TIMEOUT; a new one may start', { timeout: 60_000 }, async () => {
  const h = await hub({ config: 'speech:\n  stt:\n    provider: none\nvoice:\n  audioIdleMs: 600\n' });
  const c = await connect(h.url, await h.token('stalled'));
  c.send({ type: 'audio.start', id: 'stall-1', rate: 16000, format: 's16le' });
  await c.waitFor((f) => f.type === 'state' && f.state === 'listening');
  c.ws.send(Buffer.alloc(3200), { binary: true });
  const timeout = await c.waitFor((f) => f.type === 'error' && f.id === 'stall-1', 30_000);
  assert.equal(timeout.code, 'TIMEOUT');
  await c.waitFor((f) => f.type === 'state' && f.state === 'idle');
  // The stream is over: no audio.end is needed before the next one.
  c.send({ type: 'audio.start', id: 'stall-2', rate: 16000, format: 's16le' });
  c.ws.send(Buffer.alloc(3200), { binary: true });
  c.send({ type: 'audio.end', id: 'stall-2' });
  assert.equal((await c.waitFor((f) => f.type === 'error' && f.id === 'stall-2')).code, 'NO_STT');
});

test('finding 19: `keys rotate` closes open sessions (UNAUTHORIZED, then close 1008); the old token is refused and a new one works', { timeout: 60_000 }, async () => {
  const h = await hub();
  const env = { VOICEHUB_DATA_DIR: h.dataDir };
  const made = await runCli(['token', 'create', '--sub', 'hall'], { cwd: h.d.dir, env });
  assert.equal(made.code, 0, made.stderr);
  const old = made.stdout.trim();
  const a = await connect(h.url, old);
  const b = await connect(h.url, old);
  a.send({ type: 'ping' });
  await a.waitFor((f) => f.type === 'pong');
  const rotated = await runCli(['keys', 'rotate'], { cwd: h.d.dir, env });
  assert.equal(rotated.code, 0, rotated.stderr);
  for (const c of [a, b]) {
    const closed = await c.closed;
    assert.equal(closed.code, 1008);
    const told = c.frames.find((f) => f.type === 'error');
    assert.equal(told?.code, 'UNAUTHORIZED');
  }
  assert.equal(refusal(await VoiceClient.connect(h.url, old).then(() => null, (e: unknown) => e)), 401);
  const fresh = await runCli(['token', 'create', '--sub', 'hall'], { cwd: h.d.dir, env });
  const c = await connect(h.url, fresh.stdout.trim());
  c.send({ type: 'ping' });
  await c.waitFor((f) => f.type === 'pong');
  await h.d.waitForLine((l) => l.msg === 'voice session closed: its token no longer verifies');
});

test('finding 23: the upgrade\'s x-trace-id is echoed and carried by the session\'s log lines; a hostile one is replaced', { timeout: 60_000 }, async () => {
  const h = await hub({ logLevel: 'debug' });
  const token = await h.token('kitchen');
  const c = await connect(h.url, token, { 'x-trace-id': 'kitchen-satellite.trace-42' });
  assert.equal(c.upgradeHeaders['x-trace-id'], 'kitchen-satellite.trace-42');
  await h.d.waitForLine((l) => l.msg === 'voice client connected' && l.traceId === 'kitchen-satellite.trace-42');
  const answer = await c.say('u-1', 'turn on the moon');
  assert.equal(answer.type, 'error');
  const line = await h.d.waitForLine((l) => l.msg === 'utterance not handled' && l.traceId === 'kitchen-satellite.trace-42/u-1');
  assert.equal(line.code, 'NO_MATCH');
  // Too long, or characters that could forge log fields: not taken; a fresh id is made and echoed instead.
  for (const bad of ['x'.repeat(65), 'a b', 'evil"},{"level":"fatal']) {
    const other = await connect(h.url, token, { 'x-trace-id': bad });
    const given = other.upgradeHeaders['x-trace-id'];
    assert.ok(typeof given === 'string' && given !== bad && /^[\w.:-]{1,64}$/.test(given), String(given));
    await h.d.waitForLine((l) => l.msg === 'voice client connected' && l.traceId === given);
  }
  // A refused upgrade echoes it too.
  const refused = await new Promise<Record<string, unknown>>((resolve) => {
    const ws = new WebSocket(h.url, { headers: { authorization: 'Bearer nope', 'x-trace-id': 'refused-1' } });
    ws.on('unexpected-response', (_req, res) => { resolve(res.headers); res.resume(); ws.terminate(); });
    ws.on('error', () => {});
  });
  assert.equal(refused['x-trace-id'], 'refused-1');
});

test('issue 18 red team: WebSocket at the byte level (unmasked, control frames over 125 B, reserved bits and opcodes, 2^63 and 2^53 length claims, bad UTF-8, close code 999, fragments never finished, a ping flood never read) is closed with the RFC 6455 code; a good client is answered throughout', { timeout: 120_000 }, async () => {
  const h = await hub({ nodeArgs: SHIPPED_NODE_FLAGS });
  const good = await connect(h.url, await h.token('good'));
  const token = await h.token('raw');
  const before = rssMB(h.d.child.pid!);
  const json = Buffer.from('{"type":"ping"}');
  const cases: Array<[string, number, (send: (b: Buffer) => Promise<boolean>) => Promise<void>]> = [
    ['unmasked client frame', 1002, async (send) => { await send(wsFrame(1, json, { mask: false })); }],
    ['ping of 200 bytes', 1002, async (send) => { await send(wsFrame(9, Buffer.alloc(200))); }],
    ['fragmented ping', 1002, async (send) => { await send(wsFrame(9, Buffer.alloc(3), { fin: false })); }],
    ['2^63 - 1 length claim', 1009, async (send) => { await send(wsFrame(2, Buffer.alloc(0), { claimedLength: 2n ** 63n - 1n }).subarray(0, 14)); }],
    ['2^53 length claim', 1009, async (send) => { await send(wsFrame(2, Buffer.alloc(0), { claimedLength: 2n ** 53n }).subarray(0, 14)); }],
    ['RSV1 (compressed) with deflate off', 1002, async (send) => { await send(wsFrame(1, json, { rsv: 0x40 })); }],
    ['reserved opcode 3', 1002, async (send) => { await send(wsFrame(3, json)); }],
    ['continuation with nothing to continue', 1002, async (send) => { await send(wsFrame(0, json)); }],
    ['text that is not UTF-8', 1007, async (send) => { await send(wsFrame(1, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))); }],
    ['close with code 999', 1002, async (send) => { await send(wsFrame(8, Buffer.from([0x03, 0xe7]))); }],
    ['a text message never finished, 1 KiB fragments past voice limits', 1009, async (send) => {
      if (!await send(wsFrame(1, Buffer.from('{'), { fin: false }))) return;
      for (let i = 0; i < 4096; i++) if (!await send(wsFrame(0, Buffer.alloc(1024, 0x20), { fin: false }))) return;
    }],
  ];
  const problems: string[] = [];
  for (const [name, code, attack] of cases) {
    const raw = await rawWebSocket(h.d.httpPort, '/voice', token);
    assert.match(raw.status, / 101 /, name);
    await attack(raw.send);
    await Promise.race([raw.closed, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    if (!raw.isClosed() || raw.closeCode() !== code) problems.push(`${name}: closed ${raw.isClosed()}, code ${raw.closeCode()} (want ${code})`);
    raw.socket.destroy();
    assert.equal((await good.say(`after ${name}`, 'what time is it')).type, 'reply', `the good client is answered after: ${name}`);
  }
  assert.deepEqual(problems, []);
  // 30 MB of pings from a client that never reads the pongs: the hub must not buffer them all.
  const flood = await rawWebSocket(h.d.httpPort, '/voice', token);
  flood.socket.pause();
  const batch = Buffer.concat(Array.from({ length: 1000 }, () => wsFrame(9, Buffer.alloc(125))));
  for (let i = 0; i < 240 && await flood.send(batch); i++);
  assert.ok(rssMB(h.d.child.pid!) < before + 80, `RSS ${before.toFixed(0)} → ${rssMB(h.d.child.pid!).toFixed(0)} MB under the ping flood`);
  flood.socket.destroy();
  assert.equal((await good.say('after the flood', 'what time is it')).type, 'reply');
  assert.equal(h.d.stderr, '');
});
