import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { Registry } from 'prom-client';
import { buildConfig } from '../../daemon/config/load.js';
import { EventBus } from '../../daemon/core/bus.js';
import { silentLogger } from '../../daemon/core/log.js';
import { systemClock, type HealthChecks, type HealthResult, type HubContext } from '../../daemon/core/context.js';
import { MqttSubsystem } from '../../daemon/mqtt/mqttSubsystem.js';
import { EmbeddedBroker } from '../../daemon/mqtt/embeddedBroker.js';
import { publishStart, rawClient } from '../helpers/rawMqtt.js';
import { addMqttUser } from '../../daemon/mqtt/users.js';
import { isHubError } from '../../daemon/core/errors.js';

type TestContext = { after(fn: () => unknown): void };

class HealthMap implements HealthChecks {
  readonly checks = new Map<string, () => HealthResult>();
  register(name: string, check: () => HealthResult): void { this.checks.set(name, check); }
  unregister(name: string): void { this.checks.delete(name); }
}

interface Harness { ctx: HubContext; health: HealthMap; mqtt: MqttSubsystem; url: string; dataDir: string }

/** A real embedded broker on a free loopback port, in a temp data dir, stopped after the test. */
async function startBroker(t: TestContext, mqtt: Record<string, unknown> = {}, before?: (dataDir: string) => Promise<void>): Promise<Harness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'voicehub-mqtt-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  await before?.(dataDir);
  const log = silentLogger();
  const health = new HealthMap();
  const config = buildConfig({ dataDir, mqtt: { host: '127.0.0.1', port: 0, ...mqtt } });
  const ctx = {
    config, log, bus: new EventBus(log), metrics: new Registry(), health, clock: systemClock,
    store: undefined as never, mqtt: undefined as never,
  } satisfies HubContext as HubContext;
  const subsystem = new MqttSubsystem(ctx);
  await subsystem.start(new AbortController().signal);
  t.after(() => subsystem.stop());
  return { ctx, health, mqtt: subsystem, url: `mqtt://127.0.0.1:${subsystem.port}`, dataDir };
}

async function client(t: TestContext, url: string, options: IClientOptions = {}): Promise<MqttClient> {
  const c = await connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
  t.after(() => c.endAsync(true));
  return c;
}

/** Resolves with the first message on the topic. */
function nextMessage(c: MqttClient, topic: string): Promise<{ payload: string; retain: boolean }> {
  return new Promise((resolve) => {
    const on = (t: string, payload: Buffer, packet: { retain: boolean }) => {
      if (t !== topic) return;
      c.off('message', on);
      resolve({ payload: payload.toString(), retain: packet.retain });
    };
    c.on('message', on);
  });
}

/** 'connected', or 'dropped' when the broker closes the socket before CONNACK (mqtt.js then neither connects nor errors). */
function connectOutcome(url: string): Promise<'connected' | 'dropped'> {
  const c = connect(url, { reconnectPeriod: 0, connectTimeout: 5000 });
  return new Promise<'connected' | 'dropped'>((resolve) => {
    c.once('connect', () => resolve('connected'));
    c.once('close', () => resolve('dropped'));
    c.once('error', () => resolve('dropped'));
  }).finally(() => c.end(true));
}

function closeOf(c: MqttClient): Promise<void> {
  return new Promise((resolve) => c.once('close', () => resolve()));
}

async function refusedWith(url: string, options: IClientOptions): Promise<number | undefined> {
  try {
    const c = await connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
    await c.endAsync(true);
    return undefined;
  } catch (err) {
    return (err as { code?: number }).code;
  }
}

test('anonymous clients from loopback may connect, publish and subscribe; the hub sees them in-process', async (t) => {
  const { ctx, url } = await startBroker(t);
  const seen: Array<[string, string, boolean]> = [];
  const got = new Promise<void>((resolve) => {
    void ctx.mqtt.subscribe('devices/+/state', (topic, payload, retain) => { seen.push([topic, payload.toString(), retain]); resolve(); });
  });
  const device = await client(t, url);
  await device.publishAsync('devices/lamp/state', 'ON', { qos: 1 });
  await got;
  assert.deepEqual(seen, [['devices/lamp/state', 'ON', false]]);
  assert.equal(ctx.mqtt.mode, 'embedded');
  assert.equal(ctx.mqtt.clientCount(), 1);
});

test('in-process publishes reach TCP subscribers with QoS 1', async (t) => {
  const { ctx, url } = await startBroker(t);
  const device = await client(t, url, { clientId: 'lamp' });
  const granted = await device.subscribeAsync('devices/lamp/set', { qos: 1 });
  assert.equal(granted[0].qos, 1);
  const message = new Promise<{ qos: number; payload: string }>((resolve) => {
    device.once('message', (_topic, payload, packet) => resolve({ qos: packet.qos, payload: payload.toString() }));
  });
  await ctx.mqtt.publish('devices/lamp/set', '{"state":"ON"}', { qos: 1 });
  assert.deepEqual(await message, { qos: 1, payload: '{"state":"ON"}' });
});

test('await publish() means the hub\'s in-process subscribers have heard it: QoS 0 and 1, retained or not, and past the broker\'s delivery slots', async (t) => {
  const { ctx, url } = await startBroker(t);
  // A network subscriber too: its deliveries come a turn later and hold aedes' emitter slots meanwhile.
  const device = await client(t, url);
  await device.subscribeAsync('contract/#', { qos: 1 });
  const heard = new Set<string>();
  await ctx.mqtt.subscribe('contract/#', (topic) => { heard.add(topic); });
  for (const [qos, retain] of [[0, false], [1, false], [1, true], [0, true]] as const) {
    const topic = `contract/${qos}/${retain}`;
    await ctx.mqtt.publish(topic, 'x', { qos, retain });
    assert.ok(heard.has(topic), `${topic}: heard in-process by the time publish settled`);
  }
  // More at once than the emitter's 500 slots (embeddedBroker.ts): most wait in its queue, and each settles
  // only once it has been handed out.
  const early: number[] = [];
  await Promise.all(Array.from({ length: 1200 }, (_, i) => ctx.mqtt.publish(`contract/burst/${i}`, 'x', { qos: 1 })
    .then(() => { if (!heard.has(`contract/burst/${i}`)) early.push(i); })));
  assert.deepEqual(early, []);
  assert.equal(heard.size, 4 + 1200);
});

test('a hub command handed out at once never overtakes a message still in the broker\'s publish steps (the subscriber would drop the older one)', { timeout: 30_000 }, async (t) => {
  // aedes drops at a subscriber a message whose counter is below one it already delivered there (its dedupe), so
  // a message handed out before an older one still being stored or looked up would cost the older one
  // (embeddedBroker.ts, nothingToStore). A client's QoS 1 publish (aedes' own publish, as for a network client)
  // and a hub command right after it, in the same turn: the subscriber of both gets both, in that order.
  const { ctx, url } = await startBroker(t);
  const device = await client(t, url, { clientId: 'order-device' });
  await device.subscribeAsync('order/#', { qos: 1 });
  const received: string[] = [];
  const want = ['client 1', 'hub 1', 'hub 2', 'client 2', 'hub 3', 'hub 4'];
  const all = new Promise<void>((resolve) => {
    device.on('message', (_topic, payload) => {
      received.push(payload.toString());
      if (received.length === want.length) resolve();
    });
  });
  const aedes = (ctx.mqtt as unknown as { broker: { publish(packet: object, done: (err?: Error) => void): void } }).broker;
  const clientPublish = (payload: string) => new Promise<void>((resolve, reject) => aedes.publish(
    { cmd: 'publish', topic: 'order/state', payload: Buffer.from(payload), qos: 1, retain: false, dup: false },
    (err) => (err ? reject(err) : resolve())));
  const first = clientPublish('client 1');
  const hub = [ctx.mqtt.publish('order/set', 'hub 1', { qos: 1 }), ctx.mqtt.publish('order/set', 'hub 2', { qos: 1 })];
  await Promise.all([first, ...hub]);
  // Nothing in the steps now: the next command is handed out at once, after which a client's message comes.
  await ctx.mqtt.publish('order/set', 'hub 3', { qos: 1 });
  await Promise.all([clientPublish('client 2'), ctx.mqtt.publish('order/set', 'hub 4', { qos: 1 })]);
  await all;
  assert.deepEqual(received.filter((m) => m.startsWith('hub')), ['hub 1', 'hub 2', 'hub 3', 'hub 4']);
  assert.deepEqual(received.filter((m) => m.startsWith('client')), ['client 1', 'client 2']);
  assert.equal(received.indexOf('client 1') < received.indexOf('hub 1'), true, `published first, delivered first: ${received.join(', ')}`);
  assert.equal(received.indexOf('client 2') < received.indexOf('hub 4'), true, received.join(', '));
});

test('a message overtaken on its way through the broker still reaches the subscriber (aedes\' dedupe would drop it)', { timeout: 30_000 }, async (t) => {
  // Retained ones are stored first, QoS 1 ones looked up, QoS 0 ones go at once: published in one turn they are
  // handed out in another order, and aedes drops at a subscriber any message with a counter below one it has
  // delivered there (deliverOvertaken.ts). Before the fix this subscriber got 3 of these 7.
  const { ctx, url } = await startBroker(t);
  const device = await client(t, url, { clientId: 'overtaken' });
  await device.subscribeAsync('mix/#', { qos: 1 });
  const shapes = [[1, true], [1, false], [0, false], [0, true], [1, false], [0, false], [1, true]] as const;
  const received = new Set<string>();
  const all = new Promise<void>((resolve) => {
    const deadline = setTimeout(resolve, 5_000);
    device.on('message', (_topic, payload) => {
      received.add(payload.toString());
      if (received.size === shapes.length) { clearTimeout(deadline); resolve(); }
    });
  });
  await Promise.all(shapes.map(([qos, retain], i) => ctx.mqtt.publish('mix/state', `m${i} qos ${qos}${retain ? ' retained' : ''}`, { qos, retain })));
  await all;
  assert.deepEqual([...received].sort(), shapes.map(([qos, retain], i) => `m${i} qos ${qos}${retain ? ' retained' : ''}`).sort());
});

test('a client whose filters overlap gets a copy per matching filter (MQTT 3.1.1 §3.3.5 allows it; nothing is dropped)', async (t) => {
  const { ctx, url } = await startBroker(t);
  const device = await client(t, url, { clientId: 'overlap' });
  await device.subscribeAsync(['overlap/#', 'overlap/+'], { qos: 1 });
  const copies: string[] = [];
  const two = new Promise<void>((resolve) => {
    const deadline = setTimeout(resolve, 5_000);
    device.on('message', (_topic, payload) => { copies.push(payload.toString()); if (copies.length === 2) { clearTimeout(deadline); resolve(); } });
  });
  await ctx.mqtt.publish('overlap/a', 'once', { qos: 1 });
  await two;
  assert.deepEqual(copies, ['once', 'once']);
});

test('retained messages reach late subscribers, in-process and over TCP; voicehub/status is retained online', async (t) => {
  const { ctx, url } = await startBroker(t);
  const device = await client(t, url);
  await device.publishAsync('homeassistant/light/lamp/config', '{"name":"Lamp"}', { qos: 1, retain: true });

  const inProcess = await new Promise<[string, string, boolean]>((resolve) => {
    void ctx.mqtt.subscribe('homeassistant/+/+/config', (topic, payload, retain) => resolve([topic, payload.toString(), retain]));
  });
  assert.deepEqual(inProcess, ['homeassistant/light/lamp/config', '{"name":"Lamp"}', true]);

  const late = await client(t, url);
  const status = nextMessage(late, 'voicehub/status');
  const config = nextMessage(late, 'homeassistant/light/lamp/config');
  await late.subscribeAsync(['voicehub/status', 'homeassistant/#'], { qos: 1 });
  assert.deepEqual(await status, { payload: 'online', retain: true });
  assert.deepEqual(await config, { payload: '{"name":"Lamp"}', retain: true });
});

test('with anonymousFrom empty, anonymous clients are refused and users need the right password', async (t) => {
  const { url } = await startBroker(t, { anonymousFrom: [] }, (dir) => addMqttUser(dir, 'sensor', 's3cret', ['sensors/#']).then(() => {}));
  assert.equal(await refusedWith(url, {}), 5, 'anonymous: not authorized');
  assert.equal(await refusedWith(url, { username: 'sensor', password: 'wrong' }), 4, 'wrong password: bad user name or password');
  assert.equal(await refusedWith(url, { username: 'nobody', password: 's3cret' }), 4, 'unknown user');
  assert.equal(await refusedWith(url, { username: 'sensor', password: 's3cret' }), undefined, 'right password: accepted');
});

test('users publish and subscribe only under their --allow patterns', async (t) => {
  const { ctx, url } = await startBroker(t, { anonymousFrom: [] }, (dir) => addMqttUser(dir, 'alice', 'pw', ['devices/alice/#']).then(() => {}));
  const heard: string[] = [];
  await ctx.mqtt.subscribe('#', (topic) => { heard.push(topic); });

  const alice = await client(t, url, { username: 'alice', password: 'pw' });
  // mqtt.js rejects a SUBACK carrying any 0x80 and hands the packet along with the error.
  const suback = await alice.subscribeAsync(['devices/alice/+/state', '#', 'devices/bob/lamp'], { qos: 1 }).then(
    () => assert.fail('expected a refusal'),
    (err: { packet?: { granted: number[] } }) => err.packet,
  );
  assert.deepEqual(suback?.granted, [1, 128, 128]);

  // A refused subscription delivers nothing: publish there, then on an allowed topic, and only the second arrives.
  const received: string[] = [];
  alice.on('message', (topic) => received.push(topic));
  const sentinel = nextMessage(alice, 'devices/alice/lamp/state');
  await ctx.mqtt.publish('devices/bob/lamp', 'ON');
  await ctx.mqtt.publish('devices/alice/lamp/state', 'ON');
  await sentinel;
  assert.deepEqual(received, ['devices/alice/lamp/state']);

  // An allowed publish goes through…
  const allowed = new Promise<void>((resolve) => { void ctx.mqtt.subscribe('devices/alice/lamp/set', () => resolve()); });
  await alice.publishAsync('devices/alice/lamp/set', 'ON', { qos: 1 });
  await allowed;
  // …one outside the patterns is dropped and the connection closed (MQTT 3.1.1 has no negative PUBACK).
  const closed = closeOf(alice);
  alice.publish('devices/bob/lamp/set', 'ON', { qos: 0 });
  await closed;
  await ctx.mqtt.publish('devices/alice/after', 'x'); // the router has handled everything before this
  assert.ok(!heard.includes('devices/bob/lamp/set'), heard.join());
  assert.ok(heard.includes('devices/alice/after'));
});

test('$SYS publishing is refused even for loopback clients', async (t) => {
  const { ctx, url } = await startBroker(t);
  const heard: string[] = [];
  await ctx.mqtt.subscribe('$SYS/#', (topic) => { heard.push(topic); });
  const rogue = await client(t, url);
  const closed = closeOf(rogue);
  rogue.publish('$SYS/fake/heartbeat', 'x', { qos: 0 });
  await closed;
  await ctx.mqtt.publish('$SYS/marker', 'x'); // the hub's own publish bypasses client auth: proves the router ran
  assert.ok(heard.includes('$SYS/marker'));
  assert.ok(!heard.includes('$SYS/fake/heartbeat'), heard.join());
});

test('a packet larger than mqtt.maxPacketBytes closes the connection and is not delivered', async (t) => {
  const { ctx, url } = await startBroker(t, { maxPacketBytes: 2048 });
  const heard: Array<[string, number]> = [];
  await ctx.mqtt.subscribe('big/#', (topic, payload) => { heard.push([topic, payload.length]); });
  const sender = await client(t, url);
  await sender.publishAsync('big/small', Buffer.alloc(1000), { qos: 1 });
  const closed = closeOf(sender);
  sender.publish('big/huge', Buffer.alloc(4096), { qos: 0 });
  await closed;
  await ctx.mqtt.publish('big/marker', 'x');
  assert.deepEqual(heard, [['big/small', 1000], ['big/marker', 1]]);
  assert.ok(ctx.mqtt instanceof EmbeddedBroker);
  const report = ctx.mqtt.health() as unknown as { dropped: { tooLarge: number } };
  assert.equal(report.dropped.tooLarge, 1);
});

test('a subscriber that stops reading is cut off and does not hold up the others', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'voicehub-mqtt-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const broker = new EmbeddedBroker({
    host: '127.0.0.1', port: 0, anonymousFrom: ['127.0.0.0/8'], dataDir, maxPacketBytes: 65536, connectionsPerSecond: 50,
    maxBufferedBytes: 256 * 1024, log: silentLogger(), clock: systemClock,
  });
  await broker.start();
  t.after(() => broker.stop());
  const url = `mqtt://127.0.0.1:${broker.port}`;
  const slow = await client(t, url);
  const fast = await client(t, url);
  await slow.subscribeAsync('flood/#', { qos: 0 });
  await fast.subscribeAsync('flood/#', { qos: 0 });
  // The slow one stops reading its socket: the kernel buffers fill, then the broker's.
  slow.stream.unpipe();
  slow.stream.pause();
  const total = 2000;
  let received = 0;
  let arrived = (): void => {};
  fast.on('message', () => { received++; arrived(); });
  const payload = Buffer.alloc(8192, 1);
  // Each message once the fast subscriber has the one before (publish settles when the broker has taken a
  // message, before its socket writes): the slow one's bytes pile up meanwhile, and were the slow one
  // holding up the others, the fast one would stop getting them here.
  for (let i = 0; i < total; i++) {
    const next = new Promise<void>((resolve) => { arrived = resolve; });
    await broker.publish(`flood/${i}`, payload, { qos: 0 });
    await next;
  }
  assert.equal(received, total);
  const report = broker.health() as unknown as { dropped: { slowConsumer: number } };
  assert.equal(report.dropped.slowConsumer, 1);
});

test('connection rate and client count are bounded', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'voicehub-mqtt-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const frozen = { ...systemClock, now: () => 0 }; // no refill: the bucket holds exactly connectionsPerSecond
  const start = async (opts: { connectionsPerSecond: number; maxClients?: number }) => {
    const broker = new EmbeddedBroker({
      host: '127.0.0.1', port: 0, anonymousFrom: ['127.0.0.0/8'], dataDir, maxPacketBytes: 65536, log: silentLogger(), clock: frozen, ...opts,
    });
    await broker.start();
    t.after(() => broker.stop());
    return `mqtt://127.0.0.1:${broker.port}`;
  };
  const limited = await start({ connectionsPerSecond: 2 });
  await client(t, limited);
  await client(t, limited);
  assert.equal(await connectOutcome(limited), 'dropped');

  const capped = await start({ connectionsPerSecond: 100, maxClients: 2 });
  await client(t, capped);
  await client(t, capped);
  assert.equal(await connectOutcome(capped), 'dropped');
});

test('health check and metrics report the live client count and commands', async (t) => {
  const { ctx, health, url } = await startBroker(t);
  await client(t, url);
  await client(t, url);
  const check = health.checks.get('mqtt')!();
  assert.equal(check.ok, true);
  assert.equal(check.mode, 'embedded');
  assert.equal(check.clients, 2);
  await ctx.mqtt.publish('devices/x/set', 'ON', { qos: 1 });
  await ctx.mqtt.publish('devices/x/set', 'OFF', { qos: 1 });
  await ctx.mqtt.publish('voicehub/bridge/devices', '[]', { qos: 1, retain: true }); // retained: not a command
  const text = await ctx.metrics.metrics();
  assert.match(text, /^voicehub_mqtt_clients 2$/m);
  assert.match(text, /^voicehub_mqtt_commands_total 2$/m);
});

test('stop closes clients and frees the port', async (t) => {
  const { mqtt, url } = await startBroker(t);
  const port = mqtt.port!;
  const device = await client(t, url);
  const closed = closeOf(device);
  await mqtt.stop();
  await closed;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => { probe.once('error', reject); probe.listen(port, '127.0.0.1', resolve); });
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});

test('a subscriber to voicehub/status hears offline when the broker stops, before its connection closes', async (t) => {
  const { mqtt, url } = await startBroker(t);
  const ha = await client(t, url);
  await ha.subscribeAsync('voicehub/status', { qos: 1 });
  const offline = new Promise<string>((resolve) => ha.on('message', (_topic, payload) => { if (payload.toString() === 'offline') resolve('offline'); }));
  const closed = closeOf(ha).then(() => 'closed');
  await mqtt.stop();
  assert.equal(await Promise.race([offline, closed]), 'offline');
});

test('a port in use stops start-up with PORT_IN_USE', async (t) => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
  const port = (blocker.address() as { port: number }).port;
  await assert.rejects(startBroker(t, { port }), (err: unknown) => {
    assert.ok(isHubError(err));
    assert.equal(err.code, 'PORT_IN_USE');
    assert.match(err.message, new RegExp(`mqtt port ${port} is in use \\(set mqtt.port or VOICEHUB_MQTT_PORT\\)`));
    return true;
  });
});

test('issue 18 finding: idle sockets that never send CONNECT cannot hold every slot: at the cap the oldest of them makes room for a device; logged-in clients are never evicted', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'voicehub-mqtt-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const refusals: string[] = [];
  const broker = new EmbeddedBroker({
    host: '127.0.0.1', port: 0, anonymousFrom: ['127.0.0.0/8'], dataDir, maxPacketBytes: 65536, log: silentLogger(), clock: systemClock,
    connectionsPerSecond: 100, maxClients: 3, onRefused: (reason) => refusals.push(reason),
  });
  await broker.start();
  t.after(() => broker.stop());
  const url = `mqtt://127.0.0.1:${broker.port}`;
  const { connect: tcpConnect } = await import('node:net');
  const idle = await Promise.all(Array.from({ length: 3 }, () => new Promise<import('node:net').Socket>((resolve) => {
    const s = tcpConnect(broker.port!, '127.0.0.1', () => resolve(s));
    s.on('error', () => {});
  })));
  t.after(() => { for (const s of idle) s.destroy(); });
  const closedIdle = Promise.race(idle.map((s) => new Promise<void>((resolve) => s.once('close', () => resolve()))));
  // Every slot is held by a socket that sent nothing: before, this device was dropped for the 10 s CONNECT timeout.
  assert.equal(await connectOutcome(url), 'connected');
  await closedIdle;
  assert.ok(refusals.includes('idle_evicted'));
  for (const s of idle) s.destroy();
  await client(t, url);
  await client(t, url);
  await client(t, url);
  // Three logged-in clients fill the cap: a fourth is dropped, nobody logged in is evicted.
  assert.equal(await connectOutcome(url), 'dropped');
  assert.ok(refusals.includes('max_clients'));
});

test('the large topic: a list that stalls mid-packet is cut off after maxMs and frees its share; a whole one is delivered to a subscriber past maxBufferedBytes', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'voicehub-mqtt-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const TOPIC = 'zigbee2mqtt/bridge/devices';
  const broker = new EmbeddedBroker({
    host: '127.0.0.1', port: 0, anonymousFrom: ['127.0.0.0/8'], dataDir, maxPacketBytes: 65536, connectionsPerSecond: 50,
    maxBufferedBytes: 128 * 1024, log: silentLogger(), clock: systemClock,
    // A budget of two 512 KiB packets; a stalled one is cut after 300 ms.
    largeTopic: { topic: TOPIC, maxBytes: 512 * 1024, maxMs: 300 },
  });
  await broker.start();
  t.after(() => broker.stop());
  const url = `mqtt://127.0.0.1:${broker.port}`;
  const stalled = await Promise.all([rawClient(t, broker.port, 'stall-1'), rawClient(t, broker.port, 'stall-2')]);
  for (const s of stalled) s.write(publishStart(TOPIC, 400 * 1024));
  await Promise.all(stalled.map((s) => s.closed));
  assert.equal((broker.health() as unknown as { dropped: { tooLarge: number } }).dropped.tooLarge, 2);

  // Both shares are free again: a whole list goes through, to a subscriber whose unsent bound is smaller.
  const subscriber = await client(t, url);
  await subscriber.subscribeAsync(TOPIC);
  const got = nextMessage(subscriber, TOPIC);
  const sender = await client(t, url);
  const list = JSON.stringify(Array.from({ length: 400 }, (_, i) => ({ ieee_address: `0x${i}`, friendly_name: `lamp_${i}`, pad: 'x'.repeat(1000) })));
  assert.ok(list.length > 128 * 1024 * 3);
  await sender.publishAsync(TOPIC, list, { qos: 1 });
  assert.equal((await got).payload.length, list.length);
  assert.equal((broker.health() as unknown as { dropped: { slowConsumer: number } }).dropped.slowConsumer, 0);
});
