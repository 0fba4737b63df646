import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildConfig } from '../../../daemon/config/load.js';
import { HubError } from '../../../daemon/core/errors.js';
import { UndiciCloudClient, poolClass } from '../../../daemon/plugins/cloudClient.js';

test('paths go to the hub cloud with its token over one kept-alive connection; absolute URLs go without it', async (t) => {
  const seen: Array<{ url: string; auth?: string; body: string }> = [];
  let connections = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      seen.push({ url: req.url ?? '', auth: req.headers.authorization, body });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true }));
    });
  });
  server.on('connection', () => { connections++; });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const config = buildConfig({ cloud: { url: `ws://127.0.0.1:${port}/hub`, token: 'sekrit' } });
  const client = new UndiciCloudClient(config.cloud, 2000);
  t.after(async () => { await client.close(); server.close(); });
  assert.equal(client.configured, true);
  const a = await client.request('/v1/weather?q=1');
  assert.deepEqual(await a.json(), { ok: true });
  await client.request('/v1/weather?q=2');
  await client.request(`http://127.0.0.1:${port}/direct`);
  for (let i = 0; i < 5; i++) await client.request('/v1/ping');
  // Kept-alive and pooled: eight requests to one origin reuse a couple of connections.
  assert.ok(connections <= 2, `${connections} connections for 8 requests`);
  await client.request('/v1/echo', { method: 'POST', body: { hello: 'world' } });
  assert.deepEqual(seen.slice(0, 3).map((s) => [s.url, s.auth]), [
    ['/hub/v1/weather?q=1', 'Bearer sekrit'], ['/hub/v1/weather?q=2', 'Bearer sekrit'], ['/direct', undefined],
  ]);
  assert.deepEqual([seen.at(-1)!.url, seen.at(-1)!.body], ['/hub/v1/echo', '{"hello":"world"}']);
});

test('without cloud.url a path is CLOUD_UNAVAILABLE; a refused connection is CLOUD_UNAVAILABLE and retryable', async (t) => {
  const client = new UndiciCloudClient(buildConfig({}).cloud, 2000);
  t.after(() => client.close());
  assert.equal(client.configured, false);
  await assert.rejects(client.request('/v1/x'), (err: unknown) => err instanceof HubError && err.code === 'CLOUD_UNAVAILABLE');
  await assert.rejects(client.request('weather'), (err: unknown) => err instanceof HubError && err.code === 'BAD_REQUEST');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await assert.rejects(client.request(`http://127.0.0.1:${port}/`), (err: unknown) => err instanceof HubError && err.code === 'CLOUD_UNAVAILABLE' && err.retryable);
});

test('poolClass finds undici\'s Pool both as a named export and under default (the bundled chunk)', async () => {
  const undici = await import('undici');
  assert.equal(poolClass(undici), undici.Pool);
  assert.equal(poolClass({ default: { Pool: undici.Pool } }), undici.Pool);
  assert.throws(() => poolClass({ default: {} }), /no Pool export/);
});
