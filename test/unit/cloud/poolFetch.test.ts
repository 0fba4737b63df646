import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildConfig } from '../../../daemon/config/load.js';
import { Registry } from '../../../daemon/core/metrics.js';
import { RequestPool } from '../../../daemon/cloud/requestPool.js';

test('fetcher(): a request keeps its pool slot until its streamed body ends, then the next one reuses the connection', async (t) => {
  let connections = 0;
  const ends: Array<() => void> = [];
  const s = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('first part;');
    ends.push(() => res.end('last part'));
  });
  s.on('connection', () => { connections++; });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  t.after(() => { s.closeAllConnections(); s.close(); });
  const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}/stream`;
  const registry = new Registry();
  const config = buildConfig({ cloud: { pool: { maxConnections: 1, maxWaitMs: 100 } } });
  const pool = new RequestPool({ cloud: config.cloud, timeoutMs: 2000, metrics: registry });
  t.after(() => pool.close());
  const f = pool.fetcher({ timeoutMs: 5000 });

  const first = await f(url, { method: 'POST', body: '{}' });
  assert.equal(first.status, 200);
  // Its body is still streaming: the one slot is taken.
  await assert.rejects(f(url), (err: { code?: string }) => err.code === 'CLOUD_BUSY');
  ends.shift()!();
  assert.equal(await first.text(), 'first part;last part');
  const second = f(url);
  while (ends.length === 0) await new Promise((r) => setTimeout(r, 5));
  ends.shift()!();
  assert.equal(await (await second).text(), 'first part;last part');
  assert.equal(connections, 1, 'the second request rode the first one\'s connection');
  const metrics = await registry.metrics();
  assert.match(metrics, /voicehub_cloud_request_seconds_count\{method="POST",outcome="ok"\} 1/);
  assert.match(metrics, /voicehub_cloud_request_seconds_count\{method="GET",outcome="busy"\} 1/);
  assert.match(metrics, /voicehub_cloud_request_seconds_count\{method="GET",outcome="ok"\} 1/);
});

test('fetcher(): an aborted stream gives its slot back even when nobody reads on', async (t) => {
  const s = createServer((req, res) => { res.writeHead(200); res.write('never ends'); });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  t.after(() => { s.closeAllConnections(); s.close(); });
  const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}/`;
  const config = buildConfig({ cloud: { pool: { maxConnections: 1, maxWaitMs: 100 } } });
  const pool = new RequestPool({ cloud: config.cloud, timeoutMs: 2000 });
  t.after(() => pool.close());
  const f = pool.fetcher();
  const abort = new AbortController();
  const res = await f(url, { signal: abort.signal });
  assert.equal(res.status, 200);
  abort.abort();
  const again = await f(url);
  assert.equal(again.status, 200);
  await again.body?.cancel();
});
