import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { FakeCloud } from '../helpers/fakeCloud.js';
import { assertDeliveredOnce, lampCommander, temperatures } from '../helpers/lampCommands.js';
import { runCli, startDaemon, SHIPPED_NODE_FLAGS, type DaemonProcess } from '../helpers/daemon.js';
import { MOSQUITTO, Mosquitto } from '../helpers/mosquitto.js';
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

test('external Mosquitto behind a black hole: the hub notices by its MQTT keep-alive (mqtt.keepaliveSeconds), dials again until the path returns; each command is delivered once, or refused and never delivered late', { timeout: 180_000 }, async (t) => {
  if (!MOSQUITTO) return t.skip('mosquitto not installed (Debian package mosquitto)');
  const broker = await Mosquitto.start(t);
  const relay = await BlackHoleRelay.start(t, broker.port);
  const hub = await startDaemon({
    config: [
      'mqtt: { keepaliveSeconds: 1 }',
      'devices:',
      '  - { id: lamp, name: Hall Lamp, area: hall, type: light, schema: json, brightness: true, brightnessScale: 100000, commandTopic: home/lamp/set, stateTopic: home/lamp/state }',
      '',
    ].join('\n'),
    env: { VOICEHUB_MQTT_URL: `mqtt://127.0.0.1:${relay.port}` },
    nodeArgs: SHIPPED_NODE_FLAGS,
  });
  t.after(() => hub.cleanup());
  await hub.waitForLine((l) => l.msg === 'connected to mqtt broker');
  const made = await runCli(['token', 'create', '--sub', 'hole-tester', '--scope', 'devices:control'], { cwd: hub.dir, env: { VOICEHUB_DATA_DIR: join(hub.dir, 'data') } });
  assert.equal(made.code, 0, made.stderr);
  const token = made.stdout.trim();
  // The lamp reaches the broker directly: only the hub's path is black-holed.
  const received: number[] = [];
  const lamp = await connectAsync(broker.url, { reconnectPeriod: 0, clientId: 'lamp' });
  t.after(() => lamp.endAsync(true));
  lamp.on('message', (_topic, payload) => received.push(Number((JSON.parse(payload.toString()) as { brightness: number }).brightness)));
  await lamp.subscribeAsync('home/lamp/set', { qos: 1 });

  const { sent, command } = lampCommander(hub.url, token);
  assert.equal((await command('before')).status, 200);
  const connected = (): number => hub.lines.filter((l) => l.msg === 'connected to mqtt broker').length;
  const connectsBefore = connected();
  relay.blackHole();
  const hole: Array<ReturnType<typeof command>> = [];
  for (const end = Date.now() + 3_000; Date.now() < end;) {
    hole.push(command('hole'));
    await sleep(250);
  }
  await untilValue(() => (hub.lines.some((l) => l.msg === 'mqtt broker connection lost; reconnecting') ? true : undefined), 'the hub noticing the black hole by its keep-alive', 30_000);
  relay.restore();
  const restored = Date.now();
  // A dial already in the hole waits out its CONNACK timeout first; then the path is there again.
  while (connected() === connectsBefore) {
    if (Date.now() - restored > 60_000) assert.fail('the hub did not reconnect within 60 s of the path returning (a deadline, not a timing claim)');
    await sleep(100);
  }
  t.diagnostic(`reconnected ${Date.now() - restored} ms after the path returned; ${relay.acceptedInHole} dials into the hole`);
  const outcomes = await Promise.all(hole);
  for (const s of outcomes) {
    assert.ok(s.status === 200 || (s.status === 503 && s.code === 'MQTT_UNAVAILABLE'), `a command during the hole is delivered or refused: ${JSON.stringify(s)}`);
  }
  for (let i = 0; i < 3; i++) assert.equal((await command('after')).status, 200, 'a command after the reconnect goes out');
  const marker = await command('after');
  assert.equal(marker.status, 200);
  await untilValue(() => (received.includes(marker.value) ? true : undefined), 'the marker command at the lamp', 15_000);
  await sleep(500); // anything late would come now
  assertDeliveredOnce(sent, received);
  t.diagnostic(`${sent.length} commands: ${sent.filter((s) => s.status === 200).length} delivered, ${sent.filter((s) => s.status !== 200).length} refused`);
  assert.deepEqual(crashLines(hub.lines), []);
  assert.equal(hub.stderr, '');
});
