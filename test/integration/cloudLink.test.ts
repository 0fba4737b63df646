import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeCloud } from '../helpers/fakeCloud.js';
import { join } from 'node:path';
import { runCli, startDaemon } from '../helpers/daemon.js';
import { cloudConfig, deviceClient, health, metrics, metricValue, publishReadings, until } from '../helpers/cloudHub.js';

test('the hub dials the cloud with its token, says hello, and sends device events in order with no gaps', async (t) => {
  const cloud = await FakeCloud.start({ token: 'hub-token' });
  const hub = await startDaemon({ config: cloudConfig(cloud.url) });
  const client = await deviceClient(hub);
  t.after(async () => { await client.endAsync(); await hub.cleanup(); await cloud.close(); });
  await cloud.waitFor(() => cloud.hellos.length === 1, 15_000, 'hello');
  assert.equal(cloud.upgrades[0]!.authorization, 'Bearer hub-token');
  assert.equal(cloud.hellos[0]!.hubId, 'hub-1');
  assert.equal(cloud.hellos[0]!.lastAckedSeq, 0);
  assert.match(String(cloud.hellos[0]!.version), /^\d+\.\d+\.\d+/);
  await publishReadings(client, 'home/temp/state', 100, 50);
  await cloud.waitFor(() => cloud.received.filter((e) => e.kind === 'device.state' && e.device === 'temp').length === 50, 15_000, '50 state events');
  const seqs = cloud.received.map((e) => e.seq);
  assert.deepEqual(seqs, seqs.map((_, i) => seqs[0]! + i), 'consecutive seqs, no gaps, no duplicates');
  const temps = cloud.received.filter((e) => e.device === 'temp').map((e) => (e.state as { value?: unknown; state?: unknown }));
  assert.equal(temps.length, 50);
  const h = await health(hub);
  assert.equal(h.checks.cloud!.state, 'connected');
  assert.equal(h.checks.cloud!.ok, true);
  await until(async () => (await health(hub)).checks.cloud!.outbox === 0, 5000, 'empty outbox');
  const m = await metrics(hub);
  assert.equal(metricValue(m, 'voicehub_cloud_connected'), 1);
  assert.ok(metricValue(m, 'voicehub_cloud_events_sent_total') >= 50);
  assert.equal(metricValue(m, 'voicehub_cloud_outbox_events'), 0);
  assert.ok(!hub.rawStdout.join('\n').includes('hub-token'), 'the cloud token is never logged');
});

test('a cloud that refuses the token (401): /health says unauthorized and the hub retries only at the maximum backoff', async (t) => {
  const cloud = await FakeCloud.start({ token: 'the-right-one' });
  const hub = await startDaemon({ config: cloudConfig(cloud.url, { token: 'wrong', backoffMaxMs: 400 }) });
  t.after(async () => { await hub.cleanup(); await cloud.close(); });
  await cloud.waitFor(() => cloud.upgrades.length >= 3, 15_000, 'three attempts');
  const h = await health(hub);
  assert.equal(h.checks.cloud!.state, 'unauthorized');
  assert.equal((h.checks.cloud!.lastError as { code: string }).code, 'CLOUD_UNAUTHORIZED');
  assert.equal(h.status, 'degraded');
  // Never hot: each retry waits at least half the maximum (the jitter's floor), never the first backoff step.
  const gaps = cloud.upgrades.slice(1).map((u, i) => u.at - cloud.upgrades[i]!.at);
  for (const gap of gaps) assert.ok(gap >= 190, `retried after ${gap} ms`);
  assert.equal(cloud.hellos.length, 0);
});

test('a 503 with Retry-After is honoured; the hub connects once the cloud takes it', async (t) => {
  const cloud = await FakeCloud.start();
  cloud.refuse = { status: 503, retryAfter: '1' };
  const hub = await startDaemon({ config: cloudConfig(cloud.url, { backoffMaxMs: 100 }) });
  t.after(async () => { await hub.cleanup(); await cloud.close(); });
  await cloud.waitFor(() => cloud.upgrades.length >= 2, 15_000, 'two attempts');
  cloud.refuse = null;
  const gap = cloud.upgrades[1]!.at - cloud.upgrades[0]!.at;
  assert.ok(gap >= 990, `second attempt after ${gap} ms, Retry-After asked 1000`);
  await cloud.waitFor(() => cloud.hellos.length === 1, 15_000, 'hello');
  const h = await health(hub);
  assert.equal(h.checks.cloud!.state, 'connected');
});

test('a cloud that answers no ping is found dead within two heartbeats, and dialled again', async (t) => {
  const cloud = await FakeCloud.start({}, { autoPong: false });
  const hub = await startDaemon({ config: cloudConfig(cloud.url, { heartbeatMs: 200, backoffMaxMs: 100 }) });
  t.after(async () => { await hub.cleanup(); await cloud.close(); });
  await cloud.waitFor(() => cloud.hellos.length >= 2, 15_000, 'a second hello after the heartbeat timeout');
  await hub.waitForLine((l) => l.code === 'CLOUD_HEARTBEAT_TIMEOUT');
  const m = await metrics(hub);
  assert.ok(metricValue(m, 'voicehub_cloud_reconnects_total') >= 1);
});

test('a cloud that takes the connection and never answers the upgrade: the handshake times out and the hub tries again', async (t) => {
  const cloud = await FakeCloud.start();
  cloud.blackhole = true;
  const hub = await startDaemon({ config: cloudConfig(cloud.url, { heartbeatMs: 150, backoffMaxMs: 100 }) });
  t.after(async () => { await hub.cleanup(); await cloud.close(); });
  await cloud.waitFor(() => cloud.upgrades.length >= 2, 15_000, 'a second attempt');
  cloud.blackhole = false;
  cloud.disconnect();
  await cloud.waitFor(() => cloud.hellos.length >= 1, 15_000, 'hello once the cloud answers');
});

test('with no cloud.url the link is off: nothing is dialled and /health says off', async (t) => {
  const hub = await startDaemon({ config: 'storage: { flushIntervalMs: 50 }\n' });
  t.after(() => hub.cleanup());
  const h = await health(hub);
  assert.deepEqual([h.checks.cloud!.state, h.checks.cloud!.ok], ['off', true]);
  assert.equal(metricValue(await metrics(hub), 'voicehub_cloud_outbox_events'), 0);
});

test('with a cloud configured, the request pool opens cloud.pool.minIdle connections at start (OPTIONS of the base path)', async (t) => {
  const cloud = await FakeCloud.start();
  const hub = await startDaemon({ config: cloudConfig(cloud.url, { more: ', pool: { minIdle: 3 }' }) });
  t.after(async () => { await hub.cleanup(); await cloud.close(); });
  await cloud.waitFor(() => cloud.requests.filter((r) => r.method === 'OPTIONS').length === 3, 15_000, 'three pre-warm requests');
  assert.deepEqual(cloud.requests.filter((r) => r.method === 'OPTIONS').map((r) => [r.url, r.authorization]), Array(3).fill(['/hub/', 'Bearer hub-token']));
  await until(async () => (await metrics(hub)).includes('voicehub_cloud_request_seconds_count{method="OPTIONS",outcome="ok"} 3'), 5000, 'the three requests in voicehub_cloud_request_seconds');
});

test('voicehub cloud status: the live link from the running hub, the outbox from the data dir when it is stopped', async (t) => {
  const cloud = await FakeCloud.start();
  cloud.ackMode = 'withhold';
  const hub = await startDaemon({ config: cloudConfig(cloud.url, { heartbeatMs: 5000 }) });
  const client = await deviceClient(hub);
  t.after(async () => { await client.endAsync().catch(() => {}); await hub.cleanup(); await cloud.close(); });
  await cloud.waitFor(() => cloud.hellos.length === 1, 15_000, 'hello');
  await publishReadings(client, 'home/temp/state', 0, 3);
  await cloud.waitFor(() => cloud.received.length === 3, 15_000, 'three events');
  const env = { VOICEHUB_DATA_DIR: join(hub.dir, 'data') };
  const args = ['cloud', 'status', '--config', join(hub.dir, 'voicehub.yaml'), '--hub', hub.url];
  const text = await runCli(args, { cwd: hub.dir, env });
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^link: +connected/m);
  assert.match(text.stdout, /^outbox: +3 events waiting/m);
  const json = await runCli([...args, '--json'], { cwd: hub.dir, env });
  const report = JSON.parse(json.stdout) as { state: string; outbox: number; hubRunning: boolean };
  assert.deepEqual([report.state, report.outbox, report.hubRunning], ['connected', 3, true]);
  await client.endAsync();
  await hub.stop();
  const stopped = await runCli(['cloud', 'status', '--config', join(hub.dir, 'voicehub.yaml'), '--hub', hub.url, '--json'], { cwd: hub.dir, env });
  const offline = JSON.parse(stopped.stdout) as { state: string; outbox: number; hubRunning: boolean };
  assert.deepEqual([offline.hubRunning, offline.outbox], [false, 3], 'read from cloud-outbox.json');
  assert.match(offline.state, /not running/);
  assert.equal(stopped.code, 0);
});
