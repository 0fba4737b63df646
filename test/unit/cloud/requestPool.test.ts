import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildConfig } from '../../../daemon/config/load.js';
import { HubError } from '../../../daemon/core/errors.js';
import { Registry } from '../../../daemon/core/metrics.js';
import { RequestPool, undiciExport } from '../../../daemon/cloud/requestPool.js';

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;

async function server(t: { after(fn: () => unknown): void }, handler: Handler) {
  let n = 0;
  const counts = { connections: 0, requests: 0 };
  const s = createServer((req, res) => {
    counts.requests++;
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => { (req as IncomingMessage & { body?: string }).body = body; handler(req, res, ++n); });
  });
  s.on('connection', () => { counts.connections++; });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  t.after(() => { s.closeAllConnections(); s.close(); });
  return { port: (s.address() as AddressInfo).port, counts };
}

function pool(url: string | null, pool: Record<string, number> = {}, extra: Record<string, unknown> = {}) {
  const config = buildConfig({ cloud: { url, token: 'sekrit', pool, ...extra } });
  return new RequestPool({ cloud: config.cloud, timeoutMs: 2000, metrics: new Registry() });
}

const json = (res: ServerResponse, value: unknown, status = 200) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(value)); };
const isCode = (code: string) => (err: unknown) => err instanceof HubError && err.code === code;

test('paths go to the cloud with its token over kept-alive connections; absolute URLs go without it', async (t) => {
  const seen: Array<[string, string | undefined, string]> = [];
  const { port, counts } = await server(t, (req, res) => { seen.push([req.url ?? '', req.headers.authorization, (req as IncomingMessage & { body?: string }).body ?? '']); json(res, { ok: true }); });
  const p = pool(`ws://127.0.0.1:${port}/hub`);
  t.after(() => p.close());
  assert.equal(p.configured, true);
  assert.deepEqual(await (await p.request('/v1/weather?q=1')).json(), { ok: true });
  await p.request(`http://127.0.0.1:${port}/direct`);
  for (let i = 0; i < 5; i++) await p.request('/v1/ping');
  await p.request('/v1/echo', { method: 'POST', body: { hello: 'world' } });
  assert.equal(counts.connections, 1, 'one kept-alive connection for eight sequential requests');
  assert.deepEqual(seen[0], ['/hub/v1/weather?q=1', 'Bearer sekrit', '']);
  assert.deepEqual(seen[1], ['/direct', undefined, '']);
  assert.deepEqual(seen.at(-1), ['/hub/v1/echo', 'Bearer sekrit', '{"hello":"world"}']);
});

test('without cloud.url a path is CLOUD_UNAVAILABLE; a relative URL BAD_REQUEST; a refused connection CLOUD_UNAVAILABLE and retryable', async (t) => {
  const p = pool(null);
  t.after(() => p.close());
  assert.equal(p.configured, false);
  await assert.rejects(p.request('/v1/x'), isCode('CLOUD_UNAVAILABLE'));
  await assert.rejects(p.request('weather'), isCode('BAD_REQUEST'));
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  await assert.rejects(p.request(`http://127.0.0.1:${port}/`), (err: unknown) => isCode('CLOUD_UNAVAILABLE')(err) && (err as HubError).retryable);
});

test('a queue wait beyond maxWaitMs fails with CLOUD_BUSY; no more than maxConnections are in flight', async (t) => {
  let open = 0;
  let most = 0;
  const { port } = await server(t, (_req, res) => { open++; most = Math.max(most, open); setTimeout(() => { open--; json(res, {}); }, 300); });
  const p = pool(`http://127.0.0.1:${port}`, { maxConnections: 2, maxWaitMs: 100, minIdle: 0 });
  t.after(() => p.close());
  const results = await Promise.allSettled(Array.from({ length: 5 }, () => p.request('/slow')));
  const busy = results.filter((r) => r.status === 'rejected' && isCode('CLOUD_BUSY')(r.reason));
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 2);
  assert.equal(busy.length, 3);
  assert.equal(most, 2);
});

test('waiters get a freed connection in turn when it comes within maxWaitMs', async (t) => {
  const { port } = await server(t, (_req, res) => setTimeout(() => json(res, {}), 30));
  const p = pool(`http://127.0.0.1:${port}`, { maxConnections: 1, maxWaitMs: 5000, minIdle: 0 });
  t.after(() => p.close());
  const results = await Promise.allSettled(Array.from({ length: 6 }, () => p.request('/x')));
  assert.deepEqual(results.map((r) => r.status), Array(6).fill('fulfilled'));
});

test('the token bucket in front: past perSecond for longer than maxWaitMs is CLOUD_BUSY', async (t) => {
  const { port } = await server(t, (_req, res) => json(res, {}));
  const p = pool(`http://127.0.0.1:${port}`, { perSecond: 5, maxWaitMs: 50, minIdle: 0 });
  t.after(() => p.close());
  const results = await Promise.allSettled(Array.from({ length: 12 }, () => p.request('/x')));
  const ok = results.filter((r) => r.status === 'fulfilled').length;
  assert.ok(ok >= 5 && ok < 12, `${ok} of 12 passed at 5/s`);
  assert.ok(results.some((r) => r.status === 'rejected' && isCode('CLOUD_BUSY')(r.reason)));
});

test('idempotent requests are retried after a reset connection or a 503; a POST is never retried', async (t) => {
  const { port, counts } = await server(t, (req, res, n) => {
    if (req.url === '/flaky-reset' && n % 2 === 1) { req.socket.destroy(); return; }
    if (req.url === '/flaky-503' && n % 2 === 1) { json(res, {}, 503); return; }
    json(res, { n });
  });
  const p = pool(`http://127.0.0.1:${port}`, { minIdle: 0 });
  t.after(() => p.close());
  assert.equal((await p.request('/flaky-reset')).status, 200);
  assert.equal((await p.request('/flaky-503')).status, 200);
  const before = counts.requests;
  // n is now odd for the next request (two pairs above): the POST meets a reset and is not sent again.
  await assert.rejects(p.request('/flaky-reset', { method: 'POST', body: 'x' }), isCode('CLOUD_UNAVAILABLE'));
  assert.equal(counts.requests - before, 1);
});

test('prewarm opens minIdle connections to the cloud before any real request', async (t) => {
  const { port, counts } = await server(t, (_req, res) => setTimeout(() => json(res, {}), 20));
  const p = pool(`http://127.0.0.1:${port}`, { minIdle: 4 });
  t.after(() => p.close());
  assert.equal(await p.prewarm(), 4);
  assert.equal(counts.connections, 4);
  for (let round = 0; round < 3; round++) await Promise.all(Array.from({ length: 4 }, () => p.request('/v1/a')));
  assert.equal(counts.connections, 4, 'three rounds of four requests rode the four warm connections');
});

test('a caller\'s abort cancels a request waiting in the queue and one in flight', async (t) => {
  const { port } = await server(t, (_req, res) => setTimeout(() => json(res, {}), 500));
  const p = pool(`http://127.0.0.1:${port}`, { maxConnections: 1, maxWaitMs: 5000, minIdle: 0 });
  t.after(() => p.close());
  const inFlight = new AbortController();
  const queued = new AbortController();
  const a = p.request('/a', { signal: inFlight.signal });
  const b = p.request('/b', { signal: queued.signal });
  setTimeout(() => { inFlight.abort(); queued.abort(); }, 50);
  // Both watched at once: on a loaded machine the queued one may reject first, and a rejection nobody
  // watches yet is an unhandled one that fails the test.
  await Promise.all([
    assert.rejects(a, (err: Error) => err.name === 'AbortError'),
    assert.rejects(b, (err: Error) => err.name === 'AbortError'),
  ]);
  assert.equal((await p.request('/c')).status, 200, 'the slots are free again');
});

test('dispatcher() is the undici Agent the pool rides: other undici users can share it', async (t) => {
  const { port, counts } = await server(t, (_req, res) => json(res, { ok: 1 }));
  const p = pool(`http://127.0.0.1:${port}`, { minIdle: 0 });
  t.after(() => p.close());
  const undici = await import('undici');
  const dispatcher = await p.dispatcher();
  const res = await undici.request(`http://127.0.0.1:${port}/x`, { dispatcher });
  assert.deepEqual(await res.body.json(), { ok: 1 });
  for (let i = 0; i < 5; i++) await p.request('/y');
  assert.ok(counts.connections <= 2, `${counts.connections} connections: the same keep-alive ones (undici's own request does not wait for the connection to be marked free)`);
});

test('undiciExport finds an export both by name and under default (the bundled chunk)', async () => {
  const undici = await import('undici');
  assert.equal(undiciExport(undici, 'Agent'), undici.Agent);
  assert.equal(undiciExport({ default: { Agent: undici.Agent } }, 'Agent'), undici.Agent);
  assert.throws(() => undiciExport({ default: {} }, 'Agent'), /no Agent export/);
});
