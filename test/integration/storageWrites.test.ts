import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { startDaemon, SHIPPED_NODE_FLAGS } from '../helpers/daemon.js';
import { FakeCloud } from '../helpers/fakeCloud.js';
import { WriteCounter } from '../helpers/writeCounter.js';

/**
 * The SD card's side of device state: the real daemon (the bundle, the unit's flags) with the default flush
 * interval (1 s) and the cloud link on, so every state change also lands in the cloud outbox, takes a burst
 * of 1,000 state changes a second over MQTT for three seconds. The data dir's file writes are counted as they
 * land, from inotify (test/helpers/writeCounter.ts), per file: each collection may be written at most once per
 * tick of storage's shared flush clock, so at most ceil(burst / interval) + 1 times (the first change after a
 * quiet spell is written at once). A count, not a time: the burst's length is measured, not assumed.
 */

const INTERVAL_MS = 1000;
const SENSORS = 10;
const PER_SECOND = 1000;
const SECONDS = 3;

const cleanups: Array<() => Promise<void>> = [];
after(async () => { for (const c of cleanups.reverse()) await c().catch(() => {}); });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test(`a burst of ${PER_SECOND} state changes a second for ${SECONDS} s: each collection file is written at most once per flush interval, and the last state lands`, { timeout: 120_000 }, async () => {
  const cloud = await FakeCloud.start();
  cleanups.push(() => cloud.close());
  const config = [
    `storage: { flushIntervalMs: ${INTERVAL_MS} }`,
    `cloud: { url: "${cloud.url}", token: hub-token, hubId: hub-1, backoffMaxMs: 200 }`,
    'speech: { stt: { provider: none }, tts: { provider: none } }',
    'devices:',
    ...Array.from({ length: SENSORS }, (_, i) => `  - { id: t${i}, name: Sensor ${i}, type: sensor, stateTopic: home/t${i}/state, deviceClass: temperature, unit: "°C" }`),
    '',
  ].join('\n');
  const d = await startDaemon({ config, nodeArgs: SHIPPED_NODE_FLAGS });
  cleanups.push(() => d.cleanup());
  const data = join(d.dir, 'data');
  const client = await connectAsync(`mqtt://127.0.0.1:${d.mqttPort}`, { reconnectPeriod: 0 });
  cleanups.push(() => client.endAsync(true));
  await cloud.waitFor(() => cloud.hellos.length > 0, 20_000, 'the hub dials the cloud');
  await sleep(2 * INTERVAL_MS); // the start's own writes (the outbox saying a hub runs on it) are done

  const writes = new WriteCounter(data);
  cleanups.push(async () => writes.close());
  await sleep(1500);
  assert.deepEqual(writes.take().byFile, {}, 'a quiet hub writes nothing');

  // 10 changes every 10 ms, each a new value; the first and the last are QoS 1 so their PUBACKs bound the burst.
  const total = PER_SECOND * SECONDS;
  const last = new Map<number, number>();
  const started = performance.now();
  await client.publishAsync('home/t0/state', '0', { qos: 1 });
  last.set(0, 0);
  for (let n = 1; n < total; n++) {
    const sensor = n % SENSORS;
    last.set(sensor, n);
    const final = n === total - 1;
    const sent = client.publishAsync(`home/t${sensor}/state`, String(n), { qos: final ? 1 : 0 });
    if (final) await sent;
    else if (n % 10 === 0) {
      await sent;
      // Keep to the rate: the n-th change is due at n ms.
      const ahead = started + n * (1000 / PER_SECOND) - performance.now();
      if (ahead > 0) await sleep(ahead);
    }
  }
  const spanMs = performance.now() - started;

  // The last value of every sensor reaches devices.json; then the writes stop.
  const onDisk = async () => {
    try {
      const doc = JSON.parse(await readFile(join(data, 'devices.json'), 'utf8')) as { devices: Record<string, { device: { state: { value?: unknown } } }> };
      return [...last].every(([i, v]) => Number(doc.devices[`t${i}`]?.device.state.value) === v);
    } catch {
      return false;
    }
  };
  for (const until = Date.now() + 30_000; !(await onDisk()) && Date.now() < until;) await sleep(50);
  assert.ok(await onDisk(), 'devices.json holds the last value of every sensor');
  let seen = -1;
  const counts: Record<string, number> = {};
  for (let stable = 0; stable < 3;) {
    await sleep(INTERVAL_MS);
    for (const [file, n] of Object.entries(writes.take().byFile)) counts[file] = (counts[file] ?? 0) + n;
    const sum = Object.values(counts).reduce((a, b) => a + b, 0);
    stable = sum === seen ? stable + 1 : 0;
    seen = sum;
  }

  // From the first change, one write at once and then one per tick while changes keep coming.
  const allowed = Math.ceil(spanMs / INTERVAL_MS) + 1;
  console.log(`storage: ${total} state changes in ${Math.round(spanMs)} ms (flush interval ${INTERVAL_MS} ms, allowed ${allowed} writes per file); writes: ${JSON.stringify(counts)}`);
  assert.ok((counts['devices.json'] ?? 0) >= 2, `devices.json was written (first change, last state): ${JSON.stringify(counts)}`);
  assert.ok((counts['cloud-outbox.json'] ?? 0) >= 1, `the outbox was written: ${JSON.stringify(counts)}`);
  for (const [file, n] of Object.entries(counts)) {
    // The cloud's ack of the last events written is a change of the outbox of its own: one tick later.
    const bound = file === 'cloud-outbox.json' ? allowed + 1 : allowed;
    assert.ok(n <= bound, `${file}: ${n} writes in a ${Math.round(spanMs)} ms burst, more than one per ${INTERVAL_MS} ms tick (${bound})`);
  }
  assert.equal(Object.keys(counts).filter((f) => !f.endsWith('.json')).length, 0, `only collection files: ${JSON.stringify(counts)}`);

  assert.equal((await d.stop()).code, 0);
});
