import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as connectClient, connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { EmbeddedBroker } from '../../daemon/mqtt/embeddedBroker.js';
import { silentLogger } from '../../daemon/core/log.js';
import { systemClock } from '../../daemon/core/context.js';

/**
 * The hub's QoS 1 publishes skip aedes' lookup of offline persistent sessions while there are none
 * (daemon/mqtt/offlineLookup.ts). Delivery must not change: a persistent session that is away still gets the
 * hub's command when it comes back, and one that dropped its session gets nothing queued. The real embedded
 * broker on aedes' own in-memory store, real MQTT clients.
 */

type TestContext = { after(fn: () => unknown): void };

async function startBroker(t: TestContext): Promise<{ broker: EmbeddedBroker; url: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'voicehub-mqtt-offline-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const broker = new EmbeddedBroker({
    host: '127.0.0.1', port: 0, anonymousFrom: ['127.0.0.1'], dataDir, maxPacketBytes: 256 * 1024, connectionsPerSecond: 100,
    log: silentLogger(), clock: systemClock,
  });
  await broker.start();
  t.after(() => broker.stop());
  return { broker, url: `mqtt://127.0.0.1:${broker.port}` };
}

async function connect(t: TestContext, url: string, options: IClientOptions): Promise<MqttClient> {
  const c = await connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
  t.after(() => c.endAsync(true));
  return c;
}

/**
 * Connects and returns the payloads of the first `count` messages on devices/#, queued ones first. The listener
 * is on before the connection opens: a queued message may arrive in the same read as the CONNACK.
 */
async function firstMessages(t: TestContext, url: string, options: IClientOptions, count: number, afterConnect: () => Promise<void>): Promise<string[]> {
  const got: string[] = [];
  let done!: () => void;
  const all = new Promise<void>((resolve) => { done = resolve; });
  const c = connectClient(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
  t.after(() => c.endAsync(true));
  c.on('message', (topic, payload) => {
    if (!topic.startsWith('devices/')) return;
    got.push(payload.toString());
    if (got.length === count) done();
  });
  await new Promise<void>((resolve, reject) => { c.once('connect', () => resolve()); c.once('error', reject); });
  await afterConnect();
  await all;
  return got;
}

test('a persistent session away while the hub publishes a QoS 1 command gets it on its return; none queued after it dropped its session', { timeout: 30_000 }, async (t) => {
  const { broker, url } = await startBroker(t);
  // No persistent session yet: the hub's publish is handed out as before (in-process subscriber hears it).
  const heard: string[] = [];
  await broker.subscribe('devices/#', (_topic, payload) => { heard.push(payload.toString()); });
  await broker.publish('devices/lamp/set', 'BEFORE', { qos: 1 });
  assert.deepEqual(heard, ['BEFORE']);

  const lamp = await connect(t, url, { clientId: 'lamp', clean: false });
  await lamp.subscribeAsync('devices/#', { qos: 1 });
  await lamp.endAsync();
  await broker.publish('devices/lamp/set', 'ON', { qos: 1 });
  // Back with its session: the command queued while it was away comes first, then a live one.
  const back = await firstMessages(t, url, { clientId: 'lamp', clean: false }, 2, () => broker.publish('devices/lamp/set', 'LIVE', { qos: 1 }));
  assert.deepEqual(back, ['ON', 'LIVE']);

  // A clean connect drops the session; a command published while it is away again is queued for no one.
  const clean = await connect(t, url, { clientId: 'lamp', clean: true });
  await clean.endAsync();
  await broker.publish('devices/lamp/set', 'NOT-QUEUED', { qos: 1 });
  const fresh = await connect(t, url, { clientId: 'lamp', clean: false });
  const next = new Promise<string>((resolve) => fresh.on('message', (_topic, payload) => resolve(payload.toString())));
  await fresh.subscribeAsync('devices/#', { qos: 1 });
  await broker.publish('devices/lamp/set', 'AFTER', { qos: 1 });
  assert.equal(await next, 'AFTER');
  assert.deepEqual(heard, ['BEFORE', 'ON', 'LIVE', 'NOT-QUEUED', 'AFTER']);
});
