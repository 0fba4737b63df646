import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
// aedes' own in-memory store (the one the hub runs on), whose steps a test makes fail.
import memoryStore from 'aedes-persistence';
import { EmbeddedBroker } from '../../daemon/mqtt/embeddedBroker.js';
import { silentLogger } from '../../daemon/core/log.js';
import { systemClock } from '../../daemon/core/context.js';

/**
 * Issue 18 finding: a hub publish that never settled. The hub's publish settles when aedes hands the message to
 * its subscribers; aedes first stores a retained copy and looks up the offline sessions a QoS ≥ 1 message is
 * queued for. When that lookup failed aedes emitted 'error' and never called the publish back: the awaiting
 * utterance or HTTP command hung until its own deadline and the hub's pending entry stayed for ever. Here the
 * real broker's store (aedes' in-memory persistence) is made to fail one step at a time.
 */

type TestContext = { after(fn: () => unknown): void };

/** The slice of aedes' persistence these tests make fail. */
interface Store {
  subscriptionsByTopic(topic: string): Promise<unknown[]>;
  storeRetained(packet: unknown): Promise<void>;
  outgoingEnqueueCombi(subs: unknown[], packet: unknown): Promise<void>;
}

type Step = keyof Store;

/**
 * A real embedded broker on a free loopback port, on aedes' in-memory store whose steps fail (or hang) while
 * named in `broken`; stopped after the test.
 */
async function startBroker(t: TestContext, maxPendingPublishes?: number): Promise<{ broker: EmbeddedBroker; broken: Map<Step, 'reject' | 'hang'>; pending: () => number; url: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'voicehub-mqtt-store-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  // The package's main export is the factory (its typings describe it as an ES module's default).
  const store = (memoryStore as unknown as () => Store)();
  const broken = new Map<Step, 'reject' | 'hang'>();
  for (const step of ['subscriptionsByTopic', 'storeRetained', 'outgoingEnqueueCombi'] as const) {
    const real = (store[step] as (...args: unknown[]) => Promise<never>).bind(store);
    store[step] = ((...args: unknown[]) => {
      const how = broken.get(step);
      if (how === 'hang') return new Promise(() => {});
      if (how === 'reject') return Promise.reject(new Error(`store ${step} failed`));
      return real(...args);
    }) as never;
  }
  const broker = new EmbeddedBroker({
    host: '127.0.0.1', port: 0, anonymousFrom: ['127.0.0.1'], dataDir, maxPacketBytes: 256 * 1024, connectionsPerSecond: 100,
    log: silentLogger(), clock: systemClock, persistence: store, ...(maxPendingPublishes === undefined ? {} : { maxPendingPublishes }),
  });
  await broker.start();
  // With the store working again: stop()'s own `offline` publish goes through it.
  t.after(() => { broken.clear(); return broker.stop(); });
  const pending = (broker as unknown as { pending: Map<number, unknown> }).pending;
  return { broker, broken, pending: () => pending.size, url: `mqtt://127.0.0.1:${broker.port}` };
}

async function client(t: TestContext, url: string, options: IClientOptions = {}): Promise<MqttClient> {
  const c = await connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
  t.after(() => c.endAsync(true));
  return c;
}

for (const [method, qos, retain, step] of [
  ['subscriptionsByTopic', 1, false, 'the lookup of offline sessions (aedes emitted error and never called back: the publish hung)'],
  ['outgoingEnqueueCombi', 1, false, 'queueing for offline sessions'],
  ['storeRetained', 0, true, 'storing the retained copy'],
] as const) {
  test(`issue 18 finding: when the broker's store fails at ${step}, the hub's publish rejects with MQTT_UNAVAILABLE, its entry is freed, nobody hears it, and the next publish goes through`, { timeout: 30_000 }, async (t) => {
    const { broker, broken, pending, url } = await startBroker(t);
    const heard: string[] = [];
    await broker.subscribe('devices/#', (topic) => { heard.push(topic); });
    // A persistent session, so a QoS 1 message is queued for it too (the step that may fail).
    const device = await client(t, url, { clientId: 'lamp', clean: false });
    await device.subscribeAsync('devices/#', { qos: 1 });
    broken.set(method, 'reject');
    await assert.rejects(broker.publish('devices/lamp/set', 'ON', { qos, retain }), (err: { code?: string }) => {
      assert.equal(err.code, 'MQTT_UNAVAILABLE');
      return true;
    });
    assert.equal(pending(), 0, 'no pending entry left behind');
    assert.deepEqual(heard, [], 'a message the broker failed to take reaches no subscriber');
    broken.clear();
    const got = new Promise<string>((resolve) => device.once('message', (topic) => resolve(topic)));
    await broker.publish('devices/lamp/set', 'OFF', { qos, retain });
    assert.deepEqual(heard, ['devices/lamp/set']);
    assert.equal(await got, 'devices/lamp/set', 'the device hears the next one');
    assert.equal(pending(), 0);
  });
}

test('issue 18 finding: publishes the broker never hands out are bounded: past maxPendingPublishes the oldest is refused with MQTT_UNAVAILABLE; stop() refuses the rest', { timeout: 30_000 }, async (t) => {
  const { broker, broken, pending } = await startBroker(t, 4);
  broken.set('subscriptionsByTopic', 'hang');
  const outcomes: string[] = [];
  const publishes = Array.from({ length: 6 }, (_, i) => broker.publish(`devices/d${i}/set`, 'ON', { qos: 1 })
    .then(() => { outcomes[i] = 'settled'; }, (err: { code?: string }) => { outcomes[i] = String(err.code); }));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(pending(), 4, 'at most maxPendingPublishes kept');
  assert.deepEqual(outcomes.slice(0, 2), ['MQTT_UNAVAILABLE', 'MQTT_UNAVAILABLE'], 'the two oldest refused');
  // The store works again for stop()'s own `offline` publish; the four kept are still waiting on the old lookup.
  broken.clear();
  await broker.stop();
  await Promise.all(publishes);
  assert.deepEqual(outcomes, Array(6).fill('MQTT_UNAVAILABLE'));
  assert.equal(pending(), 0);
});
