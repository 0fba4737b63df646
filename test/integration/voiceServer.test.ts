import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHmac, randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';
import { AuthService } from '../../daemon/auth/authService.js';
import { readKey, rotateKey } from '../../daemon/auth/keys.js';
import { buildConfig } from '../../daemon/config/load.js';
import { systemClock } from '../../daemon/core/context.js';
import { EventBus } from '../../daemon/core/bus.js';
import { HubError } from '../../daemon/core/errors.js';
import { silentLogger } from '../../daemon/core/log.js';
import { createMetricsRegistry } from '../../daemon/core/metrics.js';
import { VoiceServer, type VoiceServerOptions } from '../../daemon/voice/voiceServer.js';
import { VoiceCore, type VoiceCoreOptions } from '../../daemon/voice/voiceCore.js';
import type { HandlerStage, SpeechToText } from '../../daemon/voice/handlerStage.js';

// ---------------------------------------------------------------------------------------------------------
// Harness: a real http.Server on port 0, the real AuthService with a key in a temp dir, the VoiceServer, and
// real `ws` clients.

type Frame = { type: string; id?: string | null; code?: string; state?: string; text?: string; [k: string]: unknown };
type T = { after(fn: () => Promise<void> | void): void };

interface Harness {
  port: number;
  dataDir: string;
  voice: VoiceServer;
  auth: AuthService;
  bus: EventBus;
  metrics: ReturnType<typeof createMetricsRegistry>;
  token(sub: string, scopes?: string[], ttl?: string | number): Promise<string>;
  connect(token: string, options?: { query?: boolean; autoPong?: boolean }): Promise<Client>;
  refused(headers: Record<string, string>, path?: string): Promise<{ status: number; body: string }>;
}

const echo: HandlerStage = { handle: (u) => ({ text: `heard: ${u.text}`, intent: 'Echo', handledBy: 'test' }) };

/** The server's own options, and the stages and backoff of the core it is handed. */
type VoiceOptions = Partial<Omit<VoiceServerOptions, 'core'>> & Partial<Omit<VoiceCoreOptions, 'ctx'>> & {
  timeoutMs?: number;
  /** Runs with the core built but not started, as plugins run while the hub starts. */
  beforeCoreStart?: (bus: EventBus) => void;
};

async function startVoice(t: T, voiceConfig: Record<string, unknown> = {}, options: VoiceOptions = {}): Promise<Harness> {
  const { stage = echo, stt, backoffBaseMs = 5, backoffMaxMs, timeoutMs = 5000, beforeCoreStart, ...serverOptions } = options;
  const dir = await mkdtemp(join(tmpdir(), 'voicehub-voice-'));
  const config = buildConfig({ dataDir: dir, voice: { heartbeatMs: 60_000, ...voiceConfig }, plugins: { timeoutMs } });
  const log = silentLogger();
  const bus = new EventBus(log);
  const metrics = createMetricsRegistry();
  const ctx = { config, log, bus, metrics, clock: systemClock };
  const auth = new AuthService(ctx);
  await auth.start();
  const server: Server = createServer((_req, res) => res.end('http'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  // A front door is handed the core it opens sessions on, as in the hub; the harness starts and stops it.
  const core = new VoiceCore({ ctx, stage, stt, backoffBaseMs, backoffMaxMs });
  beforeCoreStart?.(bus);
  await core.start();
  const voice = new VoiceServer({ ctx, auth, http: server, core, ...serverOptions });
  await voice.start();
  const port = (server.address() as AddressInfo).port;
  const clients: Client[] = [];
  t.after(async () => {
    for (const c of clients) c.ws.terminate();
    await voice.stop();
    await core.stop();
    await auth.stop();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await rm(dir, { recursive: true, force: true });
  });
  return {
    port, dataDir: dir, voice, auth, bus, metrics,
    token: (sub, scopes = ['voice'], ttl = '1h') => auth.create({ sub, scopes, ttl }),
    async connect(token, { query = false, autoPong = true } = {}) {
      const url = `ws://127.0.0.1:${port}/voice${query ? `?token=${encodeURIComponent(token)}` : ''}`;
      const ws = new WebSocket(url, { headers: query ? {} : { authorization: `Bearer ${token}` }, autoPong, perMessageDeflate: false });
      const client = new Client(ws);
      clients.push(client);
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
        ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused with ${res.statusCode}`)));
      });
      return client;
    },
    refused(headers, path = '/voice') {
      return new Promise((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers });
        ws.once('open', () => { ws.terminate(); reject(new Error('the upgrade was accepted')); });
        ws.once('error', () => {});
        ws.once('unexpected-response', (_req, res) => {
          let body = '';
          res.on('data', (c: Buffer) => { body += c.toString(); });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
      });
    },
  };
}

class Client {
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private cursor = 0;
  private readonly taken = new Set<number>();
  private readonly wakers = new Set<() => void>();

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      this.frames.push(JSON.parse(data.toString()) as Frame);
      for (const wake of this.wakers) wake();
    });
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => {
      for (const wake of this.wakers) wake();
      resolve({ code, reason: reason.toString() });
    }));
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame));
  }

  utter(id: string, text = 'turn on the kitchen light'): void {
    this.send({ type: 'utterance', id, text });
  }

  /** The next frame after the last one `next` returned that passes `test`. */
  next(test: (f: Frame) => boolean = () => true, timeoutMs = 5000): Promise<Frame> {
    return this.waitFor(() => {
      for (let i = this.cursor; i < this.frames.length; i++) {
        if (!this.taken.has(i) && test(this.frames[i]!)) {
          this.cursor = i + 1;
          return i;
        }
      }
      return -1;
    }, timeoutMs);
  }

  /** The first answer (reply or error) for `id` not yet taken, wherever it is in the stream. */
  answer(id: string | null, timeoutMs = 5000): Promise<Frame> {
    return this.waitFor(() => this.frames.findIndex((f, i) => !this.taken.has(i) && (f.type === 'reply' || f.type === 'error') && f.id === id), timeoutMs);
  }

  /** Still alive and answering? */
  async pong(): Promise<void> {
    this.send({ type: 'ping' });
    await this.next((f) => f.type === 'pong');
  }

  private async waitFor(find: () => number, timeoutMs: number): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = find();
      if (i >= 0) {
        this.taken.add(i);
        return this.frames[i]!;
      }
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error(`socket closed while waiting; frames: ${JSON.stringify(this.frames).slice(0, 2000)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching frame within ${timeoutMs} ms; frames: ${JSON.stringify(this.frames).slice(0, 2000)}`);
      await new Promise<void>((resolve) => {
        const wake = () => { clearTimeout(timer); this.wakers.delete(wake); resolve(); };
        const timer = setTimeout(wake, left);
        this.wakers.add(wake);
      });
    }
  }
}

function gate(): { wait: Promise<void>; open(): void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => { open = resolve; });
  return { wait, open };
}

function forge(header: object, payload: object, secret: Uint8Array | null): string {
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return secret ? `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}` : `${input}.`;
}

// ---------------------------------------------------------------------------------------------------------
// Authentication at the upgrade

test('upgrade: no, bad, expired, forged or mis-addressed tokens get 401 before any WebSocket exists', async (t) => {
  const h = await startVoice(t);
  const good = await h.token('kitchen');
  const [hdr, payload, sig] = good.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  const kid = JSON.parse(Buffer.from(hdr, 'base64url').toString()).kid as string;
  const otherKey = new Uint8Array(randomBytes(32));
  const cases: Record<string, Record<string, string>> = {
    missing: {},
    'not bearer': { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
    garbage: { authorization: 'Bearer not.a.token' },
    'alg none': { authorization: `Bearer ${forge({ alg: 'none', kid }, claims, null)}` },
    'another key': { authorization: `Bearer ${forge({ alg: 'HS256', typ: 'JWT', kid }, claims, otherKey)}` },
    tampered: { authorization: `Bearer ${hdr}.${Buffer.from(JSON.stringify({ ...claims, scope: 'admin' })).toString('base64url')}.${sig}` },
    expired: { authorization: `Bearer ${await h.auth.create({ sub: 'k', ttl: 60, now: Date.now() - 3_600_000 })}` },
  };
  for (const [name, headers] of Object.entries(cases)) {
    const { status, body } = await h.refused(headers);
    assert.equal(status, 401, name);
    assert.equal((JSON.parse(body) as { error: { code: string } }).error.code, 'UNAUTHORIZED', name);
  }
  assert.equal(h.voice.clientCount, 0);
});

test('upgrade: a wrong audience signed with the hub key itself is refused too', async (t) => {
  const h = await startVoice(t);
  // Forge with the hub's real secret, read from its key file: only the claims are wrong.
  const key = (await readKey(h.dataDir))!;
  const now = Math.floor(Date.now() / 1000);
  const base = { sub: 'k', scope: 'voice', iss: 'voicehub', aud: 'voicehub', iat: now, exp: now + 600 };
  for (const payload of [{ ...base, aud: 'elsewhere' }, { ...base, iss: 'elsewhere' }, { ...base, exp: undefined }]) {
    const { status } = await h.refused({ authorization: `Bearer ${forge({ alg: 'HS256', kid: key.kid }, payload, key.secret)}` });
    assert.equal(status, 401, JSON.stringify(payload));
  }
  const accepted = await h.connect(forge({ alg: 'HS256', kid: key.kid }, base, key.secret));
  await accepted.pong();
});

test('upgrade: a valid token in the header or in ?token= opens a session', async (t) => {
  const h = await startVoice(t);
  const token = await h.token('kitchen');
  const a = await h.connect(token);
  const b = await h.connect(token, { query: true });
  await a.pong();
  await b.pong();
  assert.equal(h.voice.clientCount, 2);
});

test('upgrade: other paths are answered 404 when nobody else handles them; connection limits per subject and overall', async (t) => {
  const h = await startVoice(t, { maxClientsPerSubject: 1, maxClients: 2 });
  const token = await h.token('kitchen');
  assert.equal((await h.refused({ authorization: `Bearer ${token}` }, '/elsewhere')).status, 404);
  await h.connect(token);
  assert.equal((await h.refused({ authorization: `Bearer ${token}` })).status, 429);
  await h.connect(await h.token('hall'));
  assert.equal((await h.refused({ authorization: `Bearer ${await h.token('attic')}` })).status, 503);
});

// ---------------------------------------------------------------------------------------------------------
// Bad input: BAD_REQUEST, and the connection goes on

test('every malformed frame gets BAD_REQUEST and the connection lives on', async (t) => {
  const h = await startVoice(t);
  const c = await h.connect(await h.token('kitchen'));
  const bad: Array<[string, unknown, string | null]> = [
    ['non-JSON', 'hello there', null],
    ['JSON but not an object', '[1,2,3]', null],
    ['unknown type', { type: 'dance', id: 'd1' }, 'd1'],
    ['no type', { id: 'n1', text: 'hi' }, 'n1'],
    ['missing text', { type: 'utterance', id: 'm1' }, 'm1'],
    ['missing id', { type: 'utterance', text: 'hi' }, null],
    ['wrong-typed text', { type: 'utterance', id: 'w1', text: 42 }, 'w1'],
    ['wrong-typed id', { type: 'utterance', id: 42, text: 'hi' }, null],
    ['wrong-typed rate', { type: 'audio.start', id: 'r1', rate: 'fast', format: 's16le' }, 'r1'],
    ['600-character text', { type: 'utterance', id: 'long1', text: 'a'.repeat(600) }, 'long1'],
    ['NUL in text', { type: 'utterance', id: 'c1', text: 'turn on\u0000' }, 'c1'],
    ['escape sequence in text', { type: 'utterance', id: 'c2', text: '\u001b[2J lights' }, 'c2'],
    ['newline in text', { type: 'utterance', id: 'c3', text: 'a\nb' }, 'c3'],
    ['blank text', { type: 'utterance', id: 'b1', text: '   ' }, 'b1'],
    ['100 KiB text frame', { type: 'utterance', id: 'big1', text: 'x'.repeat(100 * 1024) }, null],
    ['binary frame outside an audio stream', Buffer.alloc(320), null],
    ['audio.end without audio.start', { type: 'audio.end', id: 'e1' }, 'e1'],
  ];
  for (const [name, frame, id] of bad) {
    c.send(frame);
    const answer = await c.next((f) => f.type === 'error');
    assert.equal(answer.code, 'BAD_REQUEST', name);
    assert.equal(answer.id, id, name);
    await c.pong();
  }
  c.utter('fine', 'turn on the light');
  assert.equal((await c.answer('fine')).type, 'reply');
  assert.equal(c.frames.filter((f) => f.type === 'state').length, 3, 'only the good utterance changed state');
});

test('text in any script is accepted: Chinese, German, emoji', async (t) => {
  const h = await startVoice(t);
  const c = await h.connect(await h.token('kitchen'));
  for (const [id, text] of [['zh', '打开厨房的灯'], ['de', 'Schalte das Küchenlicht ein'], ['emoji', 'lights 💡 on'], ['han500', '灯'.repeat(500)]]) {
    c.utter(id!, text!);
    const reply = await c.answer(id!);
    assert.equal(reply.type, 'reply', id);
    assert.equal(reply.text, `heard: ${text}`);
  }
});

// ---------------------------------------------------------------------------------------------------------
// Session: state frames, order, queue bound, scope

test('state frames arrive in order around each reply: processing, replying, reply, idle', async (t) => {
  const h = await startVoice(t);
  const c = await h.connect(await h.token('kitchen'));
  c.utter('u1');
  c.utter('u2');
  await c.answer('u2');
  await c.next((f) => f.type === 'state' && f.state === 'idle');
  const seq = c.frames.map((f) => (f.type === 'state' ? f.state : `${f.type}:${f.id}`));
  assert.deepEqual(seq, ['processing', 'replying', 'reply:u1', 'idle', 'processing', 'replying', 'reply:u2', 'idle']);
  const reply = c.frames.find((f) => f.type === 'reply')!;
  assert.equal(reply.intent, 'Echo');
  assert.equal(reply.handledBy, 'test');
  assert.equal(typeof reply.ms, 'number');
});

test('one utterance at a time, in order; up to sessionQueue wait, beyond that BUSY', async (t) => {
  const open = gate();
  const order: string[] = [];
  const stage: HandlerStage = { async handle(u) { order.push(u.id); await open.wait; return { text: u.id }; } };
  const h = await startVoice(t, { sessionQueue: 2 }, { stage });
  const c = await h.connect(await h.token('kitchen'));
  for (const id of ['a', 'b', 'c', 'd', 'e']) c.utter(id);
  assert.equal((await c.answer('d')).code, 'BUSY');
  assert.equal((await c.answer('e')).code, 'BUSY');
  assert.deepEqual(order, ['a'], 'only one runs while the others wait');
  open.open();
  for (const id of ['a', 'b', 'c']) assert.equal((await c.answer(id)).text, id);
  assert.deepEqual(order, ['a', 'b', 'c']);
});

test('a token without the voice scope may connect but gets FORBIDDEN for utterances and audio', async (t) => {
  const h = await startVoice(t);
  const c = await h.connect(await h.token('dashboard', ['devices:read']));
  c.utter('f1');
  assert.equal((await c.answer('f1')).code, 'FORBIDDEN');
  c.send({ type: 'audio.start', id: 'f2', rate: 16000, format: 's16le' });
  assert.equal((await c.answer('f2')).code, 'FORBIDDEN');
  await c.pong();
  const admin = await h.connect(await h.token('owner', ['admin']));
  admin.utter('ok');
  assert.equal((await admin.answer('ok')).type, 'reply', 'admin covers voice');
});

// ---------------------------------------------------------------------------------------------------------
// Rate limit, idempotency, retries, timeouts

test('a flooding client gets RATE_LIMITED while another client is unaffected', async (t) => {
  const h = await startVoice(t, { rateLimit: { perSecond: 1, burst: 5 }, sessionQueue: 64 });
  const flood = await h.connect(await h.token('flood'));
  const calm = await h.connect(await h.token('calm'));
  for (let i = 0; i < 30; i++) flood.utter(`f${i}`);
  const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => flood.answer(`f${i}`)));
  const limited = answers.filter((a) => a.code === 'RATE_LIMITED').length;
  const replies = answers.filter((a) => a.type === 'reply').length;
  assert.ok(replies >= 5 && replies <= 8, `${replies} replies (burst 5, then 1/s)`);
  assert.equal(limited + replies, 30);
  calm.utter('c1');
  assert.equal((await calm.answer('c1')).type, 'reply');
  await flood.pong();
});

test('idempotency: two copies in flight run once and both get the first reply; later copies too; ids are per subject', async (t) => {
  const open = gate();
  let runs = 0;
  const stage: HandlerStage = { async handle(u) { runs++; await open.wait; return { text: `run ${runs} for ${u.id}` }; } };
  const h = await startVoice(t, {}, { stage });
  const token = await h.token('kitchen');
  const a = await h.connect(token);
  const b = await h.connect(token);
  a.utter('same-id');
  b.utter('same-id');
  await b.next((f) => f.state === 'processing');
  await a.next((f) => f.state === 'processing');
  open.open();
  const [ra, rb] = await Promise.all([a.answer('same-id'), b.answer('same-id')]);
  assert.equal(runs, 1);
  assert.deepEqual(ra, rb, 'the very same reply frame, ms included');
  a.utter('same-id', 'something else entirely');
  assert.deepEqual(await a.answer('same-id'), ra);
  assert.equal(runs, 1);
  const other = await h.connect(await h.token('hall'));
  other.utter('same-id');
  assert.equal((await other.answer('same-id')).text, 'run 2 for same-id', 'another subject with the same id runs its own');
});

test('retryable failures are retried (state retrying) and then succeed; others are not retried', async (t) => {
  const calls = new Map<string, number>();
  const stage: HandlerStage = {
    handle(u) {
      const n = (calls.get(u.id) ?? 0) + 1;
      calls.set(u.id, n);
      if (u.id === 'flaky' && n < 3) throw new HubError('PLUGIN_FAILED', 'blip', { retryable: true });
      if (u.id === 'broken') throw new HubError('PLUGIN_FAILED', 'broken for good');
      if (u.id === 'always') throw new HubError('PLUGIN_FAILED', 'down', { retryable: true });
      return { text: 'ok' };
    },
  };
  const h = await startVoice(t, { retries: 3 }, { stage, backoffBaseMs: 5 });
  const c = await h.connect(await h.token('kitchen'));
  c.utter('flaky');
  assert.equal((await c.answer('flaky')).type, 'reply');
  await c.next((f) => f.state === 'idle');
  assert.equal(calls.get('flaky'), 3);
  const states = c.frames.filter((f) => f.type === 'state').map((f) => f.state);
  assert.deepEqual(states, ['processing', 'retrying', 'processing', 'retrying', 'processing', 'replying', 'idle']);

  c.utter('broken');
  assert.equal((await c.answer('broken')).code, 'PLUGIN_FAILED');
  assert.equal(calls.get('broken'), 1);
  c.utter('always');
  assert.equal((await c.answer('always')).code, 'PLUGIN_FAILED');
  assert.equal(calls.get('always'), 4, 'first attempt + voice.retries');
});

test('a handler that does not answer within plugins.timeoutMs gives TIMEOUT (and its signal aborts)', async (t) => {
  let aborted: Promise<void> | null = null;
  const stage: HandlerStage = {
    handle(u, ctx) {
      if (u.id !== 'slow') return { text: 'fast' };
      aborted = new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
      return new Promise(() => {});
    },
  };
  const h = await startVoice(t, {}, { stage, timeoutMs: 50 });
  const c = await h.connect(await h.token('kitchen'));
  c.utter('slow');
  const answer = await c.answer('slow');
  assert.equal(answer.code, 'TIMEOUT');
  await aborted;
  await c.next((f) => f.state === 'idle');
  assert.deepEqual(c.frames.filter((f) => f.type === 'state').map((f) => f.state), ['processing', 'failed', 'idle']);
  c.utter('next');
  assert.equal((await c.answer('next')).text, 'fast', 'the session goes on');
});

test('the handler gets a traceId made of the session and utterance id; voice.interaction is emitted per utterance', async (t) => {
  const seen: Array<{ traceId: string; sessionId: string; subject: string }> = [];
  const stage: HandlerStage = { handle(u, ctx) { seen.push({ traceId: ctx.traceId, sessionId: ctx.sessionId, subject: ctx.subject }); return { text: u.text }; } };
  const h = await startVoice(t, {}, { stage });
  const events: Array<{ traceId: string; outcome: string; clientId: string }> = [];
  h.bus.on('voice.interaction', events, (e) => { events.push(e); });
  const c = await h.connect(await h.token('kitchen'));
  c.utter('t1');
  await c.answer('t1');
  assert.equal(seen[0]!.traceId, `${seen[0]!.sessionId}/t1`);
  assert.equal(seen[0]!.subject, 'kitchen');
  assert.equal(events.length, 1);
  assert.equal(events[0]!.traceId, seen[0]!.traceId);
  assert.equal(events[0]!.outcome, 'reply');
  assert.equal(events[0]!.clientId, 'kitchen');
});

// ---------------------------------------------------------------------------------------------------------
// Audio

test('audio without a speech-to-text stage: listening, then NO_STT', async (t) => {
  const h = await startVoice(t);
  const c = await h.connect(await h.token('kitchen'));
  c.send({ type: 'audio.start', id: 'a1', rate: 16000, format: 's16le' });
  await c.next((f) => f.state === 'listening');
  c.send(Buffer.alloc(3200));
  c.send(Buffer.alloc(3200));
  c.send({ type: 'audio.end', id: 'a1' });
  assert.equal((await c.answer('a1')).code, 'NO_STT');
  await c.next((f) => f.state === 'idle');
  assert.deepEqual(c.frames.filter((f) => f.type === 'state').map((f) => f.state), ['listening', 'processing', 'failed', 'idle']);
});

test('audio with a speech-to-text stage is transcribed and handled like an utterance', async (t) => {
  let got: { bytes: number; rate: number; format: string } | null = null;
  const stt: SpeechToText = { transcribe(input) { got = { bytes: input.audio.length, rate: input.rate, format: input.format }; return { text: '打开灯', lang: 'zh' }; } };
  const h = await startVoice(t, {}, { stt });
  const c = await h.connect(await h.token('kitchen'));
  c.send({ type: 'audio.start', id: 'a2', rate: 16000, format: 's16le' });
  c.send(Buffer.alloc(1000));
  c.send(Buffer.alloc(600));
  c.send({ type: 'audio.end', id: 'a2' });
  assert.equal((await c.answer('a2')).text, 'heard: 打开灯');
  assert.deepEqual(got, { bytes: 1600, rate: 16000, format: 's16le' });
});

test('audio over voice.maxAudioBytes is refused with BAD_REQUEST; the connection lives on', async (t) => {
  const h = await startVoice(t, { maxAudioBytes: 4096 });
  const c = await h.connect(await h.token('kitchen'));
  c.send({ type: 'audio.start', id: 'big', rate: 16000, format: 's16le' });
  for (let i = 0; i < 4; i++) c.send(Buffer.alloc(1500));
  c.send({ type: 'audio.end', id: 'big' });
  assert.equal((await c.answer('big')).code, 'BAD_REQUEST');
  await c.pong();
  assert.equal(c.frames.filter((f) => f.type === 'error').length, 1, 'refused once, the rest of the stream ignored');
  assert.deepEqual(c.frames.filter((f) => f.type === 'state').map((f) => f.state), ['listening', 'failed', 'idle']);
  c.utter('after');
  assert.equal((await c.answer('after')).type, 'reply');
});

// ---------------------------------------------------------------------------------------------------------
// Heartbeat, speak, metrics, shutdown

test('a half-open client (answers no pings) is terminated by the heartbeat; a live one stays', async (t) => {
  const h = await startVoice(t, { heartbeatMs: 100 });
  const dead = await h.connect(await h.token('dead'), { autoPong: false });
  const live = await h.connect(await h.token('live'));
  const { code } = await dead.closed;
  assert.equal(code, 1006, 'terminated without a close handshake');
  await live.pong();
  assert.equal(h.voice.clientCount, 1);
});

test('voice.speak on the bus reaches one session or all of them', async (t) => {
  let sessionId = '';
  const h = await startVoice(t, {}, { stage: { handle(u, ctx) { sessionId = ctx.sessionId; return { text: u.text }; } } });
  const a = await h.connect(await h.token('a'));
  const b = await h.connect(await h.token('b'));
  a.utter('who');
  await a.answer('who');
  h.bus.emit('voice.speak', { sessionId, text: 'timer done', source: 'com.example.timer' });
  assert.deepEqual(await a.next((f) => f.type === 'speak'), { type: 'speak', text: 'timer done', source: 'com.example.timer' });
  h.bus.emit('voice.speak', { text: 'smoke alarm', source: 'core' });
  assert.equal((await b.next((f) => f.type === 'speak')).text, 'smoke alarm', 'b only hears the broadcast');
  assert.equal((await a.next((f) => f.type === 'speak')).text, 'smoke alarm');
});

test('voice.speak made while the hub starts (plugins start before the core) is held, not lost', async (t) => {
  // A timer that came due while the hub was down fires as the timers plugin starts, before the voice core.
  const h = await startVoice(t, {}, { beforeCoreStart: (bus) => bus.emit('voice.speak', { clientId: 'kitchen', text: 'tea is ready', source: 'voicehub.timers' }) });
  const kitchen = await h.connect(await h.token('kitchen'));
  assert.deepEqual(await kitchen.next((f) => f.type === 'speak'), { type: 'speak', text: 'tea is ready', source: 'voicehub.timers' });
});

test('voice.speak for a subject with no connection is held and said when it connects, to it alone', async (t) => {
  const h = await startVoice(t);
  const other = await h.connect(await h.token('bedroom'));
  h.bus.emit('voice.speak', { clientId: 'kitchen', text: 'timer done', source: 'voicehub.timers' });
  const kitchen = await h.connect(await h.token('kitchen'));
  assert.deepEqual(await kitchen.next((f) => f.type === 'speak'), { type: 'speak', text: 'timer done', source: 'voicehub.timers' });
  other.utter('o1');
  await other.answer('o1');
  assert.equal(other.frames.some((f) => f.type === 'speak'), false, 'another subject does not hear it');
  const again = await h.connect(await h.token('kitchen'));
  again.utter('k2');
  await again.answer('k2');
  assert.equal(again.frames.some((f) => f.type === 'speak'), false, 'said once, not at every connect');
});

test('metrics: utterances by outcome, latency histogram, clients and queue depth on the registry given', async (t) => {
  const h = await startVoice(t);
  const c = await h.connect(await h.token('kitchen'));
  c.utter('m1');
  await c.answer('m1');
  c.utter('m1');
  await c.answer('m1');
  c.send({ type: 'audio.start', id: 'm2', rate: 16000, format: 's16le' });
  c.send({ type: 'audio.end', id: 'm2' });
  await c.answer('m2');
  const text = await h.metrics.metrics();
  assert.match(text, /voicehub_utterances_total\{outcome="reply"\} 1/);
  assert.match(text, /voicehub_utterances_total\{outcome="duplicate"\} 1/);
  assert.match(text, /voicehub_utterances_total\{outcome="NO_STT"\} 1/);
  assert.match(text, /voicehub_voice_latency_seconds_bucket\{le="0.0005"\}/);
  assert.match(text, /voicehub_voice_latency_seconds_count 3/);
  assert.match(text, /voicehub_voice_clients 1/);
  assert.match(text, /voicehub_queue_depth 0/);
});

test('stop() with clients connected: in-flight utterances are answered, waiting ones handed back, sockets closed 1001', async (t) => {
  const open = gate();
  let started!: () => void;
  const running = new Promise<void>((r) => { started = r; });
  const stage: HandlerStage = { async handle(u) { started(); await open.wait; return { text: `done ${u.id}` }; } };
  const h = await startVoice(t, {}, { stage });
  const c = await h.connect(await h.token('kitchen'));
  const idle = await h.connect(await h.token('idle'));
  c.utter('inflight');
  c.utter('waiting');
  await running;
  const stopped = h.voice.stop();
  assert.equal((await c.answer('waiting')).code, 'BUSY', 'handed back');
  idle.utter('late');
  assert.equal((await idle.answer('late')).code, 'BUSY', 'no new work while stopping');
  open.open();
  assert.equal((await c.answer('inflight')).text, 'done inflight');
  await stopped;
  assert.equal((await c.closed).code, 1001);
  assert.equal((await idle.closed).code, 1001);
  assert.equal(h.voice.clientCount, 0);
});

test('the drain phase: new utterances get BUSY at once, while the running one still finishes', async (t) => {
  const open = gate();
  const stage: HandlerStage = { async handle(u) { if (u.id === 'slow') await open.wait; return { text: u.id }; } };
  const h = await startVoice(t, {}, { stage });
  const c = await h.connect(await h.token('kitchen'));
  c.utter('slow');
  await c.next((f) => f.state === 'processing');
  const drained = h.voice.drain();
  c.utter('new');
  assert.equal((await c.answer('new')).code, 'BUSY');
  open.open();
  assert.equal((await c.answer('slow')).text, 'slow');
  await drained;
});

test('a detached session (no socket) gets the same frames as a client, and is not counted as one', async (t) => {
  const h = await startVoice(t);
  const frames: Frame[] = [];
  const session = h.voice.detachedSession({ id: 'bench-1', subject: 'bench', scopes: ['voice'] }, (f) => frames.push(JSON.parse(f) as Frame));
  session.handleText(Buffer.from('{"type":"utterance","id":"d1","text":"turn on the kitchen light"}'));
  const deadline = Date.now() + 5000;
  while (!frames.some((f) => f.type === 'reply') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(frames.map((f) => f.state ?? f.type), ['processing', 'replying', 'reply', 'idle']);
  assert.equal(frames.find((f) => f.type === 'reply')?.text, 'heard: turn on the kitchen light');
  assert.equal(h.voice.clientCount, 0);
  session.handleText(Buffer.from('not json'));
  assert.equal(frames.at(-1)?.code, 'BAD_REQUEST');
});

test('a session whose token expires while it is open is told UNAUTHORIZED and closed with 1008 at the next heartbeat', async (t) => {
  const h = await startVoice(t, { heartbeatMs: 100 });
  // Expired 29 s ago: still inside the 30 s clock skew at the upgrade, past it a second later.
  const token = await h.auth.create({ sub: 'kitchen', scopes: ['voice'], ttl: 31, now: Date.now() - 60_000 });
  const c = await h.connect(token);
  const closed = await c.closed;
  assert.equal(closed.code, 1008);
  const told = c.frames.find((f) => f.type === 'error');
  assert.equal(told?.code, 'UNAUTHORIZED');
  assert.equal(told?.id, null);
});

test('keys rotated under an open session: it is told UNAUTHORIZED and closed with 1008; a token of the new key connects', async (t) => {
  const h = await startVoice(t);
  const c = await h.connect(await h.token('kitchen'));
  await rotateKey(h.dataDir);
  await h.auth.reload();
  assert.equal((await c.closed).code, 1008);
  assert.equal(c.frames.find((f) => f.type === 'error')?.code, 'UNAUTHORIZED');
  const fresh = await h.connect(await h.token('kitchen'));
  await fresh.pong();
});

test('ended audio waiting for a slow speech-to-text stays in voice.maxBufferedAudioBytes: a new stream past it is refused BUSY until it is answered', async (t) => {
  let release!: () => void;
  const transcribing = new Promise<void>((resolve) => { release = resolve; });
  const stt: SpeechToText = { async transcribe() { await transcribing; return { text: 'lights on' }; } };
  const h = await startVoice(t, { maxBufferedAudioBytes: 65536 }, { stt });
  const a = await h.connect(await h.token('hall'));
  const b = await h.connect(await h.token('kitchen'));
  a.send({ type: 'audio.start', id: 'slow', rate: 16000, format: 's16le' });
  a.send(Buffer.alloc(40_000));
  a.send({ type: 'audio.end', id: 'slow' });
  await a.next((f) => f.state === 'processing');
  b.send({ type: 'audio.start', id: 'b1', rate: 16000, format: 's16le' });
  b.send(Buffer.alloc(30_000)); // 40 000 held + 30 000 > 65 536
  assert.equal((await b.answer('b1')).code, 'BUSY');
  release();
  assert.equal((await a.answer('slow')).text, 'heard: lights on');
  b.send({ type: 'audio.end', id: 'b1' }); // the refused stream is closed by its end
  b.send({ type: 'audio.start', id: 'b2', rate: 16000, format: 's16le' });
  b.send(Buffer.alloc(30_000));
  b.send({ type: 'audio.end', id: 'b2' });
  assert.equal((await b.answer('b2')).text, 'heard: lights on');
});
