import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MqttClient } from 'mqtt';
import { FakeCloud, type ReceivedEvent } from '../helpers/fakeCloud.js';
import { startDaemon, SHIPPED_NODE_FLAGS, type DaemonProcess } from '../helpers/daemon.js';
import { cloudConfig, deviceClient, health, until } from '../helpers/cloudHub.js';
import { BlackHoleRelay } from '../helpers/blackHole.js';
import { until as untilValue } from '../helpers/until.js';
import { crashLines } from './fuzz.js';

/**
 * Issue 18, outages of the other shape: a path that black-holes (TCP stays open, nothing arrives, nobody
 * closes) instead of closing or refusing (outage.test.ts). The hub must notice by its own keep-alive, dial
 * again (into the hole, where the handshake must time out too) until the path returns, and then lose
 * nothing. The relay in front of the peer is test/helpers/blackHole.ts. Waits are deadlines, not timing claims.
 */

function temperatures(received: ReceivedEvent[]): number[] {
  const seen = new Set<number>();
  const values: number[] = [];
  for (const e of received) {
    if (e.kind !== 'device.state' || e.device !== 'temp' || seen.has(e.seq)) continue;
    seen.add(e.seq);
    values.push(Number((e.state as { value?: unknown; state?: unknown; temperature?: unknown }).temperature ?? (e.state as { value?: unknown }).value ?? (e.state as { state?: unknown }).state));
  }
  return values;
}

test('cloud behind a black hole: the hub notices within two heartbeats (CLOUD_HEARTBEAT_TIMEOUT), its dials into the hole time out too, and once the path returns every event arrives in order, no seq missing', { timeout: 180_000 }, async (t) => {
  const cloud = await FakeCloud.start();
  const relay = await BlackHoleRelay.start(t, Number(new URL(cloud.url).port));
  const config = cloudConfig(`ws://127.0.0.1:${relay.port}/hub`, { heartbeatMs: 500, backoffMaxMs: 500, flushIntervalMs: 200 });
  let hub: DaemonProcess | null = null;
  let client: MqttClient | null = null;
  t.after(async () => { await client?.endAsync().catch(() => {}); await hub?.cleanup(); await cloud.close(); });
  hub = await startDaemon({ config, nodeArgs: SHIPPED_NODE_FLAGS });
  client = await deviceClient(hub);
  await cloud.waitFor(() => cloud.hellos.length === 1, 15_000, 'hello');
  let next = 0;
  const readings = async (ms: number) => {
    for (const end = Date.now() + ms; Date.now() < end;) {
      await client!.publishAsync('home/temp/state', String(next++), { qos: 1 });
      await sleep(20);
    }
  };
  await readings(500);
  await cloud.waitFor(() => temperatures(cloud.received).length === next, 15_000, 'the readings before the hole');
  await until(async () => (await health(hub!)).checks.cloud!.outbox === 0, 10_000, 'everything acked');

  const timeoutsBefore = hub.lines.filter((l) => l.code === 'CLOUD_HEARTBEAT_TIMEOUT').length;
  relay.blackHole();
  // Readings go on through the hole: the first ones are written into the dead link, unacknowledged.
  const during = readings(3_000);
  await untilValue(() => (hub!.lines.some((l) => l.code === 'CLOUD_HEARTBEAT_TIMEOUT' && /two heartbeats/.test(l.msg)) ? true : undefined), 'the hub noticing the black hole by its heartbeat', 30_000);
  await during;
  // It dialled again meanwhile: into the hole, where the WebSocket handshake never finishes and times out.
  await untilValue(() => (relay.acceptedInHole > 0 && hub!.lines.some((l) => l.code === 'CLOUD_HEARTBEAT_TIMEOUT' && /handshake/.test(l.msg)) ? true : undefined), 'a dial into the hole timing out', 30_000)
    .catch((err: unknown) => { throw new Error(`${(err as Error).message}; ${relay.acceptedInHole} dials; cloud lines: ${JSON.stringify(hub!.lines.filter((l) => /cloud/.test(l.msg)).slice(-8))}`); });
  assert.equal((await health(hub)).checks.cloud!.ok, false, 'the link is down while the path is');
  relay.restore();
  const back = Date.now();
  await readings(300);
  await cloud.waitFor(() => temperatures(cloud.received).length >= next, 30_000, `all ${next} readings`);
  t.diagnostic(`black hole: ${hub.lines.filter((l) => l.code === 'CLOUD_HEARTBEAT_TIMEOUT').length - timeoutsBefore} timeouts, ${relay.acceptedInHole} dials into the hole, ${next} readings, all delivered ${Date.now() - back} ms after the path returned`);
  assert.deepEqual(temperatures(cloud.received), Array.from({ length: next }, (_, i) => i), 'every reading, in order, none twice');
  const seqs = cloud.uniqueSeqs();
  assert.deepEqual(seqs, seqs.map((_, i) => seqs[0]! + i), 'no seq missing');
  await until(async () => (await health(hub!)).checks.cloud!.outbox === 0, 15_000, 'the outbox drained');
  assert.deepEqual(crashLines(hub.lines), []);
  assert.equal(hub.stderr, '');
});
