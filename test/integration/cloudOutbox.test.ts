import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeCloud, type ReceivedEvent } from '../helpers/fakeCloud.js';
import { startDaemon } from '../helpers/daemon.js';
import { cloudConfig, deviceClient, health, metrics, metricValue, publishReadings, until } from '../helpers/cloudHub.js';

/** Every copy of one seq is the same event: duplicates only as at-least-once allows. */
function assertDuplicatesIdentical(received: ReceivedEvent[]): void {
  const bySeq = new Map<number, string>();
  for (const e of received) {
    const text = JSON.stringify(e);
    const seen = bySeq.get(e.seq);
    if (seen !== undefined) assert.equal(text, seen, `seq ${e.seq} sent twice with different content`);
    bySeq.set(e.seq, text);
  }
}

function readingsOf(received: ReceivedEvent[], device: string): number[] {
  const seen = new Set<number>();
  const values: number[] = [];
  for (const e of received) {
    if (e.kind !== 'device.state' || e.device !== device || seen.has(e.seq)) continue;
    seen.add(e.seq);
    values.push(Number((e.state as { temperature?: unknown; value?: unknown; state?: unknown }).temperature ?? (e.state as { value?: unknown }).value ?? (e.state as { state?: unknown }).state));
  }
  return values;
}

test('an outage with events flowing loses none: everything arrives after it, in order, each seq once or resent as itself', async (t) => {
  const cloud = await FakeCloud.start();
  const hub = await startDaemon({ config: cloudConfig(cloud.url, { backoffMaxMs: 200 }) });
  const client = await deviceClient(hub);
  t.after(async () => { await client.endAsync(); await hub.cleanup(); await cloud.close(); });
  await cloud.waitFor(() => cloud.hellos.length === 1, 15_000, 'hello');
  await publishReadings(client, 'home/temp/state', 0, 20);
  await cloud.waitFor(() => readingsOf(cloud.received, 'temp').length === 20, 15_000, 'first 20');
  await until(async () => (await health(hub)).checks.cloud!.outbox === 0, 5000, 'the first 20 acked');
  await cloud.down();
  // The outage: events keep coming while the hub tries again and again (heartbeat and backoff in ms, not the
  // minute of the wording, so the test takes a second or two).
  for (let round = 0; round < 10; round++) {
    await publishReadings(client, 'home/temp/state', 20 + round * 20, 20);
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal((await health(hub)).checks.cloud!.ok, false);
  await until(async () => (await health(hub)).checks.cloud!.outbox === 200, 5000, '200 events waiting');
  await cloud.restart();
  await cloud.waitFor(() => readingsOf(cloud.received, 'temp').length === 220, 15_000, 'all 220 readings');
  assert.deepEqual(readingsOf(cloud.received, 'temp'), Array.from({ length: 220 }, (_, i) => i), 'every reading, in order');
  const seqs = cloud.uniqueSeqs();
  assert.deepEqual(seqs, seqs.map((_, i) => seqs[0]! + i), 'no gaps');
  assertDuplicatesIdentical(cloud.received);
  assert.ok(cloud.hellos.length >= 2);
  assert.equal(cloud.hellos.at(-1)!.lastAckedSeq, seqs[19], 'the hello after the outage names the last acked seq');
  await until(async () => (await health(hub)).checks.cloud!.outbox === 0, 5000, 'outbox drained');
  assert.ok(metricValue(await metrics(hub), 'voicehub_cloud_reconnects_total') >= 1);
});

test('acks withheld: the events stay, the link is dropped after two heartbeats and they are resent with the same seqs', async (t) => {
  const cloud = await FakeCloud.start();
  cloud.ackMode = 'withhold';
  const hub = await startDaemon({ config: cloudConfig(cloud.url, { heartbeatMs: 200, backoffMaxMs: 100 }) });
  const client = await deviceClient(hub);
  t.after(async () => { await client.endAsync(); await hub.cleanup(); await cloud.close(); });
  await cloud.waitFor(() => cloud.hellos.length === 1, 15_000, 'hello');
  await publishReadings(client, 'home/temp/state', 0, 10);
  await cloud.waitFor(() => cloud.hellos.length >= 2, 15_000, 'a reconnect after the ack timeout');
  await cloud.waitFor(() => cloud.received.length >= 20, 15_000, 'the resend');
  assertDuplicatesIdentical(cloud.received);
  assert.equal((await health(hub)).checks.cloud!.outbox, 10, 'nothing removed without an ack');
  cloud.ackMode = 'auto';
  cloud.disconnect();
  await until(async () => (await health(hub)).checks.cloud!.outbox === 0, 10_000, 'outbox drained once acks come');
  assert.deepEqual(readingsOf(cloud.received, 'temp'), Array.from({ length: 10 }, (_, i) => i));
});

test('a hub killed (SIGKILL) during an outage loses no event older than one flush interval; it resumes after the last acked seq', async (t) => {
  const cloud = await FakeCloud.start();
  const config = cloudConfig(cloud.url, { backoffMaxMs: 200, flushIntervalMs: 50 });
  const first = await startDaemon({ config });
  const client = await deviceClient(first);
  let second: Awaited<ReturnType<typeof startDaemon>> | null = null;
  // One hook, in order: the second hub runs in the first one's dir, so it stops before that dir is removed.
  t.after(async () => { await client.endAsync().catch(() => {}); await second?.stop(); await first.cleanup(); await cloud.close(); });
  await cloud.waitFor(() => cloud.hellos.length === 1, 15_000, 'hello');
  await publishReadings(client, 'home/temp/state', 0, 10);
  await cloud.waitFor(() => readingsOf(cloud.received, 'temp').length === 10, 15_000, 'first 10');
  const ackedBefore = cloud.uniqueSeqs().at(-1)!;
  await until(async () => (await health(first)).checks.cloud!.outbox === 0, 5000, 'acked');
  await cloud.down();
  await publishReadings(client, 'home/temp/state', 10, 100);
  await until(async () => (await health(first)).checks.cloud!.outbox === 100, 5000, '100 waiting');
  await new Promise((r) => setTimeout(r, 300)); // more than one flush interval (50 ms): all of it is on disk
  await client.endAsync();
  first.child.kill('SIGKILL');
  await first.exited();
  await cloud.restart();
  second = await startDaemon({ config, dir: first.dir });
  await cloud.waitFor(() => readingsOf(cloud.received, 'temp').length === 110, 15_000, 'all 110 readings');
  assert.deepEqual(readingsOf(cloud.received, 'temp'), Array.from({ length: 110 }, (_, i) => i));
  assert.ok(Number(cloud.hellos.at(-1)!.lastAckedSeq) >= ackedBefore, 'the restarted hub resumes after what was acked');
  const seqs = cloud.uniqueSeqs();
  assert.deepEqual(seqs, seqs.map((_, i) => seqs[0]! + i), 'no gaps across the kill');
  assertDuplicatesIdentical(cloud.received);
});

test('overflow while offline: state events of one device fold to the latest, counted; other devices keep theirs', async (t) => {
  const cloud = await FakeCloud.start();
  const hub = await startDaemon({ config: cloudConfig(cloud.url, { backoffMaxMs: 200, outboxMax: 30 }) });
  const client = await deviceClient(hub);
  t.after(async () => { await client.endAsync(); await hub.cleanup(); await cloud.close(); });
  await cloud.waitFor(() => cloud.hellos.length === 1, 15_000, 'hello');
  await cloud.down();
  await publishReadings(client, 'home/temp2/state', 500, 1);
  await publishReadings(client, 'home/temp/state', 0, 60);
  await until(async () => metricValue(await metrics(hub), 'voicehub_cloud_outbox_folded_total') > 0, 5000, 'a fold');
  const waiting = (await health(hub)).checks.cloud!.outbox as number;
  assert.ok(waiting <= 30, `${waiting} events kept, cap 30`);
  await cloud.restart();
  await cloud.waitFor(() => readingsOf(cloud.received, 'temp').includes(59), 15_000, 'the latest reading');
  assert.deepEqual(readingsOf(cloud.received, 'temp2'), [500], 'the quiet device kept its one event');
  const temps = readingsOf(cloud.received, 'temp');
  assert.ok(temps.length < 60, 'folded');
  assert.deepEqual(temps, [...temps].sort((a, b) => a - b), 'still in order');
  assert.equal(metricValue(await metrics(hub), 'voicehub_cloud_outbox_dropped_total'), 0);
});
