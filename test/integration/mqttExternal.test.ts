import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectAsync, type MqttClient } from 'mqtt';
import { Registry } from 'prom-client';
import { buildConfig } from '../../daemon/config/load.js';
import { EventBus } from '../../daemon/core/bus.js';
import { silentLogger } from '../../daemon/core/log.js';
import { systemClock, type Clock, type HealthChecks, type HealthResult, type HubContext } from '../../daemon/core/context.js';
import { MOSQUITTO, Mosquitto } from '../helpers/mosquitto.js';

type TestContext = { after(fn: () => unknown): void; skip(reason: string): void };

import { ExternalTransport } from '../../daemon/mqtt/externalTransport.js';
import { MqttSubsystem } from '../../daemon/mqtt/mqttSubsystem.js';

/** A clock whose timers fire only when the test says so (reconnect backoff without real waiting). */
class ManualClock implements Clock {
  private readonly pending = new Map<NodeJS.Timeout, () => void>();
  private waiter: (() => void) | null = null;
  now = (): number => Date.now();
  setTimeout = (fn: () => void, _ms: number): NodeJS.Timeout => {
    const handle = setTimeout(() => {}, 2 ** 31 - 1);
    handle.unref();
    this.pending.set(handle, fn);
    this.waiter?.();
    return handle;
  };
  clearTimeout = (handle: NodeJS.Timeout): void => {
    this.pending.delete(handle);
    clearTimeout(handle);
  };
  /** Resolves once at least one timer is pending. */
  async scheduled(): Promise<void> {
    while (this.pending.size === 0) await new Promise<void>((resolve) => { this.waiter = resolve; });
    this.waiter = null;
  }
  fireAll(): void {
    const due = [...this.pending];
    this.pending.clear();
    for (const [handle, fn] of due) {
      clearTimeout(handle);
      fn();
    }
  }
}

async function observer(t: TestContext, url: string): Promise<MqttClient> {
  const c = await connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000 });
  t.after(() => c.endAsync(true));
  return c;
}

function nextMessage(c: MqttClient, topic: string, payload?: string): Promise<{ payload: string; retain: boolean }> {
  return new Promise((resolve) => {
    const on = (tp: string, body: Buffer, packet: { retain: boolean }): void => {
      if (tp !== topic || (payload !== undefined && body.toString() !== payload)) return;
      c.off('message', on);
      resolve({ payload: body.toString(), retain: packet.retain });
    };
    c.on('message', on);
  });
}

function transportFor(t: TestContext, url: string, clock: Clock = systemClock): ExternalTransport {
  const transport = new ExternalTransport({ url, log: silentLogger(), clock, backoff: { initialMs: 20, maxMs: 200 } });
  t.after(() => transport.stop());
  return transport;
}

test('external broker: online on connect, publish and subscribe through the transport', async (t) => {
  if (!MOSQUITTO) return t.skip('mosquitto not installed (Debian package mosquitto)');
  const broker = await Mosquitto.start(t);
  const transport = transportFor(t, broker.url);
  await transport.start();
  assert.equal(transport.connected, true);
  assert.equal(transport.mode, 'external');
  assert.equal(transport.clientCount(), 1);

  const watcher = await observer(t, broker.url);
  const status = nextMessage(watcher, 'voicehub/status');
  await watcher.subscribeAsync(['voicehub/status', 'devices/+/set'], { qos: 1 });
  assert.deepEqual(await status, { payload: 'online', retain: true });

  const command = nextMessage(watcher, 'devices/lamp/set');
  await transport.publish('devices/lamp/set', 'ON', { qos: 1 });
  assert.deepEqual(await command, { payload: 'ON', retain: false });

  let heardOne: (v: [string, string]) => void = () => {};
  const heard = new Promise<[string, string]>((resolve) => { heardOne = resolve; });
  // subscribe() resolves after the SUBACK, so the device's publish below is routed to the hub.
  await transport.subscribe('devices/+/state', (topic, payload) => heardOne([topic, payload.toString()]));
  await watcher.publishAsync('devices/lamp/state', 'ON', { qos: 1 });
  assert.deepEqual(await heard, ['devices/lamp/state', 'ON']);
});

test('external broker over WebSocket (ws://)', async (t) => {
  if (!MOSQUITTO) return t.skip('mosquitto not installed (Debian package mosquitto)');
  const broker = await Mosquitto.start(t);
  const transport = transportFor(t, `ws://127.0.0.1:${broker.wsPort}`);
  await transport.start();
  assert.equal(transport.connected, true);
  const watcher = await observer(t, broker.url); // plain TCP on the same broker
  const command = nextMessage(watcher, 'devices/fan/set');
  await watcher.subscribeAsync('devices/fan/set', { qos: 1 });
  await transport.publish('devices/fan/set', 'ON', { qos: 1 });
  assert.equal((await command).payload, 'ON');
});

test('external broker: a dropped connection leaves the retained last will offline; a clean stop says offline too', async (t) => {
  if (!MOSQUITTO) return t.skip('mosquitto not installed (Debian package mosquitto)');
  const broker = await Mosquitto.start(t);
  const watcher = await observer(t, broker.url);
  await watcher.subscribeAsync('voicehub/status', { qos: 1 });

  const crashing = transportFor(t, broker.url);
  const online = nextMessage(watcher, 'voicehub/status', 'online');
  await crashing.start();
  await online;
  const will = nextMessage(watcher, 'voicehub/status', 'offline');
  await crashing.terminate(); // socket closed without DISCONNECT
  assert.deepEqual(await will, { payload: 'offline', retain: false });
  const late = await observer(t, broker.url);
  const retained = nextMessage(late, 'voicehub/status');
  await late.subscribeAsync('voicehub/status', { qos: 1 });
  assert.deepEqual(await retained, { payload: 'offline', retain: true });

  const clean = transportFor(t, broker.url);
  const online2 = nextMessage(watcher, 'voicehub/status', 'online');
  await clean.start();
  await online2;
  const offline = nextMessage(watcher, 'voicehub/status', 'offline');
  await clean.stop();
  assert.equal((await offline).payload, 'offline');
});

test('external broker restart, no commandMaxAgeMs: a command while disconnected is refused at once and never sent; a retained publish queued meanwhile is delivered; subscriptions come back', async (t) => {
  if (!MOSQUITTO) return t.skip('mosquitto not installed (Debian package mosquitto)');
  const broker = await Mosquitto.start(t);
  const clock = new ManualClock();
  const transport = transportFor(t, broker.url, clock);
  await transport.start();
  const states: string[] = [];
  let stateArrived: () => void = () => {};
  await transport.subscribe('devices/+/state', (_topic, payload) => { states.push(payload.toString()); stateArrived(); });

  await broker.stop();
  await clock.scheduled(); // the transport noticed and scheduled a reconnect
  assert.equal(transport.connected, false);
  await assert.rejects(transport.publish('devices/lamp/set', 'ON', { qos: 1 }), (err: unknown) => (err as { code?: string }).code === 'MQTT_UNAVAILABLE');
  const delivered = transport.publish('devices/lamp/config', 'v2', { qos: 1, retain: true });
  assert.equal(transport.queued, 1);

  await broker.run();
  // The device is back (and subscribed) before the hub reconnects: the manual clock decides when.
  const device = await observer(t, broker.url);
  const seen: string[] = [];
  device.on('message', (topic) => seen.push(topic));
  const config = nextMessage(device, 'devices/lamp/config');
  await device.subscribeAsync('devices/lamp/#', { qos: 1 });
  while (!transport.connected) {
    clock.fireAll();
    await Promise.race([clock.scheduled(), sleep(20)]);
  }
  assert.equal((await config).payload, 'v2');
  await delivered;
  assert.equal(transport.queued, 0);
  // mqtt.js sends in call order: a late command would have come before the queued retained publish.
  assert.deepEqual(seen, ['devices/lamp/config']);

  // The hub's subscription was restored on the new session (its SUBSCRIBE went out before the command).
  const arrived = new Promise<void>((resolve) => { stateArrived = resolve; });
  await device.publishAsync('devices/lamp/state', 'ON', { qos: 1 });
  await arrived;
  assert.deepEqual(states, ['ON']);
});

/** Reconnect timers (the backoff's, ≤ 200 ms here) fire when the test says (`manual`); longer ones (a command's age) are real. */
function heldReconnectClock(manual: ManualClock): Clock {
  return {
    now: manual.now,
    setTimeout: (fn, ms) => (ms <= 200 ? manual.setTimeout(fn, ms) : setTimeout(fn, ms)),
    clearTimeout: (handle) => manual.clearTimeout(handle),
  };
}

async function reconnect(transport: ExternalTransport, clock: ManualClock): Promise<void> {
  while (!transport.connected) {
    clock.fireAll();
    await Promise.race([clock.scheduled(), sleep(20)]);
  }
}

test('external broker restart: a command asked for while the broker is away waits for the reconnect and is delivered once; one whose age passes first is given up and never sent', async (t) => {
  if (!MOSQUITTO) return t.skip('mosquitto not installed (Debian package mosquitto)');
  const broker = await Mosquitto.start(t);
  const clock = new ManualClock();
  const dropped: string[] = [];
  const transport = new ExternalTransport({
    url: broker.url, log: silentLogger(), clock: heldReconnectClock(clock), backoff: { initialMs: 20, maxMs: 200 }, commandMaxAgeMs: 1_500,
    onCommandDropped: (reason) => dropped.push(reason),
  });
  t.after(() => transport.stop());
  await transport.start();

  await broker.stop();
  await clock.scheduled();
  assert.equal(transport.connected, false);
  // Past its age while the broker is still away: refused, and nothing left the hub.
  const late = transport.publish('devices/lamp/set', 'LATE', { qos: 1 });
  await assert.rejects(late, (err: unknown) => (err as { code?: string; details?: { sent?: boolean } }).code === 'MQTT_UNAVAILABLE'
    && (err as { details?: { sent?: boolean } }).details?.sent === false);
  assert.deepEqual(dropped, ['disconnected']);
  assert.equal(transport.queued, 0, 'given up: out of the queue');

  // Asked for during the outage, the broker back within its age: delivered once after the reconnect.
  const held = transport.publish('devices/lamp/set', 'ON', { qos: 1 });
  assert.equal(transport.queued, 1);
  await broker.run();
  const device = await observer(t, broker.url);
  const seen: string[] = [];
  device.on('message', (_topic, payload) => seen.push(payload.toString()));
  await device.subscribeAsync('devices/lamp/set', { qos: 1 });
  await reconnect(transport, clock);
  await held;
  await transport.publish('devices/lamp/set', 'MARK', { qos: 1 });
  while (!seen.includes('MARK')) await sleep(10);
  assert.deepEqual(seen, ['ON', 'MARK'], 'the held command once, the one given up never');
  assert.deepEqual(dropped, ['disconnected']);
});

test('MqttSubsystem picks the external mode from mqtt.url and reports it', async (t) => {
  if (!MOSQUITTO) return t.skip('mosquitto not installed (Debian package mosquitto)');
  const broker = await Mosquitto.start(t);
  const dataDir = await mkdtemp(join(tmpdir(), 'voicehub-mqtt-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const checks = new Map<string, () => HealthResult>();
  const health: HealthChecks = { register: (n, c) => { checks.set(n, c); }, unregister: (n) => { checks.delete(n); } };
  const log = silentLogger();
  const ctx = {
    config: buildConfig({ dataDir }, { VOICEHUB_MQTT_URL: broker.url }), log, bus: new EventBus(log), metrics: new Registry(), health,
    clock: systemClock, store: undefined as never, mqtt: undefined as never,
  } satisfies HubContext as HubContext;
  const subsystem = new MqttSubsystem(ctx);
  await subsystem.start(new AbortController().signal);
  t.after(() => subsystem.stop());
  assert.equal(ctx.mqtt.mode, 'external');
  assert.equal(subsystem.port, null);
  const check = checks.get('mqtt')!();
  assert.equal(check.ok, true);
  assert.equal(check.mode, 'external');
  await ctx.mqtt.publish('devices/x/set', 'ON', { qos: 1 });
  assert.match(await ctx.metrics.metrics(), /^voicehub_mqtt_commands_total 1$/m);
  assert.match(await ctx.metrics.metrics(), /^voicehub_mqtt_clients 1$/m);
});
