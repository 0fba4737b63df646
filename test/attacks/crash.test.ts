import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FakeCloud } from '../helpers/fakeCloud.js';
import { startDaemon, type DaemonProcess } from '../helpers/daemon.js';
import { cloudConfig, deviceClient, health, until } from '../helpers/cloudHub.js';

/**
 * Crashes found by the fault suite (test/faults/crash.test.ts), each reproduced against the real daemon at the
 * exact moment that broke it.
 */

const cleanups: Array<() => Promise<void>> = [];
after(async () => { for (const c of cleanups.reverse()) await c().catch(() => {}); });

const tempOnDisk = async (data: string): Promise<unknown> =>
  (JSON.parse(await readFile(join(data, 'devices.json'), 'utf8')) as { devices: Record<string, { device: { state: unknown } }> }).devices.temp?.device.state;

const cloudTemps = (cloud: FakeCloud): unknown[] => cloud.received.filter((e) => e.kind === 'device.state' && e.device === 'temp').map((e) => (e.state as { value?: unknown }).value);

test('fault suite finding: a hub killed after devices.json took a reading but before the outbox did tells the cloud that reading after its restart', { timeout: 120_000 }, async () => {
  const cloud = await FakeCloud.start();
  cleanups.push(() => cloud.close());
  const config = cloudConfig(cloud.url, { flushIntervalMs: 50 });
  const first = await startDaemon({ config });
  cleanups.push(() => first.cleanup());
  const data = join(first.dir, 'data');
  const client = await deviceClient(first);
  await client.publishAsync('home/temp/state', '1', { qos: 1 });
  await cloud.waitFor(() => cloudTemps(cloud).includes(1), 15_000, 'reading 1 at the cloud');
  await until(async () => (await health(first)).checks.cloud!.outbox === 0, 15_000, 'reading 1 acked');
  await until(async () => {
    const doc = JSON.parse(await readFile(join(data, 'cloud-outbox.json'), 'utf8')) as { events: unknown[] };
    return doc.events.length === 0;
  }, 15_000, 'the acked outbox on disk');
  // The outbox as it was on disk before reading 2; the kill below lands after devices.json took reading 2 and
  // before the outbox's write of it (the two files are written apart): the outbox file is put back to this.
  await copyFile(join(data, 'cloud-outbox.json'), join(first.dir, 'outbox-before.json'));
  await client.publishAsync('home/temp/state', '2', { qos: 1 });
  await until(async () => (await tempOnDisk(data) as { value?: number } | undefined)?.value === 2, 15_000, 'reading 2 in devices.json');
  await client.endAsync(true);
  await first.stop('SIGKILL');
  await copyFile(join(first.dir, 'outbox-before.json'), join(data, 'cloud-outbox.json'));
  const seen = cloud.received.length;

  const second = await startDaemon({ dir: first.dir, config });
  cleanups.push(() => second.stop('SIGKILL').then(() => undefined));
  await second.waitForLine((l) => /did not stop cleanly/.test(String(l.msg)));
  await cloud.waitFor(() => cloud.received.slice(seen).some((e) => e.kind === 'device.state' && e.device === 'temp' && (e.state as { value?: unknown }).value === 2),
    15_000, 'reading 2 at the cloud after the restart');
  assert.equal((await second.stop()).code, 0);

  // A clean stop is no crash: the next start sends nothing again.
  const third = await startDaemon({ dir: first.dir, config });
  cleanups.push(() => third.stop('SIGKILL').then(() => undefined));
  await until(async () => (await health(third)).checks.cloud!.state === 'connected', 15_000, 'the link');
  assert.ok(!third.lines.some((l) => /did not stop cleanly/.test(String(l.msg))), 'no resync after a clean stop');
  assert.equal((await third.stop()).code, 0);
});
