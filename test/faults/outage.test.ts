import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectAsync, type MqttClient } from 'mqtt';
import { FakeCloud } from '../helpers/fakeCloud.js';
import { assertDeliveredOnce, lampCommander, temperatures } from '../helpers/lampCommands.js';
import { runCli, startDaemon, SHIPPED_NODE_FLAGS, type DaemonProcess } from '../helpers/daemon.js';
import { cloudConfig, deviceClient, health, until } from '../helpers/cloudHub.js';
import { MOSQUITTO, Mosquitto } from '../helpers/mosquitto.js';
import { TcpGate } from '../helpers/tcpGate.js';
import { until as untilValue } from '../helpers/until.js';
import { LONG, crashLines } from './fuzz.js';

/**
 * Issue 18, outages: the cloud away for a while with the hub restarted in the middle of it, and an external
 * broker (a real Mosquitto) killed with SIGKILL and started again, over and over, while commands are issued.
 * CI-sized by default (seconds of outage); `VOICEHUB_FAULTS_LONG=1` keeps the cloud away for minutes and
 * kills the broker more often and for longer. Waits are deadlines for a real process, never timing claims:
 * the reconnect times are printed (and belong in the report), not asserted.
 */

/** Publishes readings `from`… one by one for `ms`, at most every `everyMs`; returns the next value. */
async function readingsFor(client: MqttClient, from: number, ms: number, everyMs: number): Promise<number> {
  let next = from;
  for (const end = Date.now() + ms; Date.now() < end || next === from;) {
    await client.publishAsync('home/temp/state', String(next++), { qos: 1 });
    await sleep(everyMs);
  }
  return next;
}

test('cloud away with a hub restart in the middle of the outage: every event arrives after it, in order, no seq missing, duplicates only as themselves', { timeout: LONG ? 900_000 : 180_000 }, async (t) => {
  const cloud = await FakeCloud.start();
  const config = cloudConfig(cloud.url, { backoffMaxMs: 500, flushIntervalMs: 200 });
  // One hook, in order, registered before anything can fail (a start that never says listening on a loaded
  // machine left the fake cloud open, and this file's process then never ended): the second hub runs in the
  // first one's dir, so it stops before that dir is removed.
  let first: DaemonProcess | null = null;
  let second: DaemonProcess | null = null;
  let client: Awaited<ReturnType<typeof deviceClient>> | null = null;
  t.after(async () => { await client?.endAsync().catch(() => {}); await second?.cleanup(); await first?.cleanup(); await cloud.close(); });
  first = await startDaemon({ config, nodeArgs: SHIPPED_NODE_FLAGS });
  client = await deviceClient(first);
  await cloud.waitFor(() => cloud.hellos.length === 1, 15_000, 'hello');
  let next = await readingsFor(client, 0, 500, 20);
  await cloud.waitFor(() => temperatures(cloud.received).length === next, 15_000, 'the readings before the outage');
  await until(async () => (await health(first)).checks.cloud!.outbox === 0, 10_000, 'everything acked');

  const outageMs = LONG ? 90_000 : 2_000;
  const outageStarted = Date.now();
  await cloud.down();
  next = await readingsFor(client, next, outageMs, LONG ? 100 : 20);
  // The restart: a clean stop (flushes), then a new hub on the same data dir; its device client comes again.
  await client.endAsync();
  assert.deepEqual(await first.stop(), { code: 0, signal: null });
  second = await startDaemon({ config, dir: first.dir, nodeArgs: SHIPPED_NODE_FLAGS });
  client = await deviceClient(second);
  next = await readingsFor(client, next, outageMs, LONG ? 100 : 20);
  const waiting = (await health(second)).checks.cloud!;
  assert.equal(waiting.ok, false, 'the link is down for the whole outage');
  await cloud.restart();
  const back = Date.now();
  await cloud.waitFor(() => temperatures(cloud.received).length >= next, LONG ? 120_000 : 30_000, `all ${next} readings`);
  t.diagnostic(`cloud outage of ${((back - outageStarted) / 1000).toFixed(1)} s with a hub restart; ${next} readings; all delivered ${Date.now() - back} ms after the cloud came back`);
  assert.deepEqual(temperatures(cloud.received), Array.from({ length: next }, (_, i) => i), 'every reading, in order, none twice');
  const seqs = cloud.uniqueSeqs();
  assert.deepEqual(seqs, seqs.map((_, i) => seqs[0]! + i), 'no seq missing across the restart');
  const bySeq = new Map<number, string>();
  for (const e of cloud.received) {
    const text = JSON.stringify(e);
    assert.equal(bySeq.get(e.seq) ?? text, text, `seq ${e.seq} resent with other content`);
    bySeq.set(e.seq, text);
  }
  await until(async () => (await health(second!)).checks.cloud!.outbox === 0, 15_000, 'the outbox drained');
  assert.deepEqual(crashLines([...first.lines, ...second.lines]), []);
  assert.equal(first.stderr + second.stderr, '');
});

test('external Mosquitto killed (SIGKILL) and started again, repeatedly: the hub reconnects each time; a command issued meanwhile waits for the reconnect (mqtt.commandMaxAgeMs) and is delivered exactly once, or is refused and never delivered (not late); commands after the reconnect arrive once each', { timeout: LONG ? 900_000 : 240_000 }, async (t) => {
  if (!MOSQUITTO) return t.skip('mosquitto not installed (Debian package mosquitto)');
  const broker = await Mosquitto.start(t);
  // The hub reaches the broker through a gate the test opens once the lamp is back (see TcpGate).
  const gate = await TcpGate.start(t, broker.port);
  const hub = await startDaemon({
    config: [
      'devices:',
      '  - { id: lamp, name: Hall Lamp, area: hall, type: light, schema: json, brightness: true, brightnessScale: 100000, commandTopic: home/lamp/set, stateTopic: home/lamp/state }',
      '',
    ].join('\n'),
    env: { VOICEHUB_MQTT_URL: gate.url },
    nodeArgs: SHIPPED_NODE_FLAGS,
  });
  t.after(() => hub.cleanup());
  await hub.waitForLine((l) => l.msg === 'connected to mqtt broker');
  const made = await runCli(['token', 'create', '--sub', 'outage-tester', '--scope', 'devices:control'], { cwd: hub.dir, env: { VOICEHUB_DATA_DIR: join(hub.dir, 'data') } });
  assert.equal(made.code, 0, made.stderr);
  const token = made.stdout.trim();

  // The lamp: a real client of the broker, connected again (clean session) each time the broker is back.
  const received: number[] = [];
  let lamp: MqttClient | null = null;
  const connectLamp = async (): Promise<void> => {
    lamp = await connectAsync(broker.url, { reconnectPeriod: 0, clientId: `lamp-${Date.now()}` });
    lamp.on('error', () => {});
    lamp.on('message', (_topic, payload) => received.push(Number((JSON.parse(payload.toString()) as { brightness: number }).brightness)));
    await lamp.subscribeAsync('home/lamp/set', { qos: 1 });
  };
  t.after(() => (lamp as MqttClient | null)?.endAsync(true));
  await connectLamp();

  const { sent, command } = lampCommander(hub.url, token);

  assert.equal((await command('up')).status, 200);
  const cycles = LONG ? 12 : 3;
  const reconnectMs: number[] = [];
  const connected = (): number => hub.lines.filter((l) => l.msg === 'connected to mqtt broker').length;
  for (let cycle = 0; cycle < cycles; cycle++) {
    const lostBefore = hub.lines.filter((l) => l.msg === 'mqtt broker connection lost; reconnecting').length;
    const connectsBefore = connected();
    gate.open = false;
    await broker.stop('SIGKILL');
    // Commands straight away and all through the outage, not waiting for each other: each waits for the
    // reconnect for up to mqtt.commandMaxAgeMs (3 s), then is delivered once or refused (checked at the end).
    const outage: Array<ReturnType<typeof command>> = [];
    for (let i = 0; i < 3; i++) outage.push(command('outage'));
    await untilValue(() => (hub.lines.filter((l) => l.msg === 'mqtt broker connection lost; reconnecting').length > lostBefore ? true : undefined), 'the hub noticing the broker is gone', 30_000);
    // The longer the outage, the further the hub's backoff has grown; the long variant goes past its cap.
    const downFor = LONG ? [2_000, 8_000, 20_000][cycle % 3]! : 1_500;
    for (const end = Date.now() + downFor; Date.now() < end;) {
      outage.push(command('outage'));
      await sleep(250);
    }
    await broker.run();
    await connectLamp();
    gate.open = true;
    const restarted = Date.now();
    // Still away for the hub until its next try: commands go on, and those of the last 3 s must arrive.
    while (connected() === connectsBefore) {
      if (Date.now() - restarted > 30_000) assert.fail('the hub did not reconnect within 30 s (a deadline, not a timing claim)');
      outage.push(command('outage'));
      await sleep(100);
    }
    reconnectMs.push(Date.now() - restarted);
    const outcomes = await Promise.all(outage);
    for (const s of outcomes) {
      assert.ok(s.status === 200 || (s.status === 503 && s.code === 'MQTT_UNAVAILABLE'), `a command during the outage is delivered or refused: ${JSON.stringify(s)}`);
    }
    assert.ok(outcomes.some((s) => s.status === 200), `commands asked for in the last seconds of the outage are held and delivered: ${JSON.stringify(outcomes)}`);
    for (let i = 0; i < 2; i++) {
      const s = await command('up');
      assert.equal(s.status, 200, `a command after the reconnect goes out: ${JSON.stringify(s)}`);
    }
  }
  // Everything the hub said it sent has arrived; wait for the last one, then one more command as a marker.
  const marker = await command('up');
  assert.equal(marker.status, 200);
  await untilValue(() => (received.includes(marker.value) ? true : undefined), 'the marker command at the lamp', 15_000);
  assertDeliveredOnce(sent, received);
  const refused = sent.filter((s) => s.status !== 200).length;
  const held = sent.filter((s) => s.phase === 'outage' && s.status === 200).length;
  t.diagnostic(`${cycles} SIGKILLs of Mosquitto: reconnect after the broker was back ${reconnectMs.join(', ')} ms (max ${Math.max(...reconnectMs)}); ${sent.length} commands, ${held} asked for during outages held and delivered once, ${refused} refused (past their 3 s), ${sent.length - refused} delivered once each`);
  const health = await (await fetch(`${hub.url}/health`)).json() as { checks: { mqtt: { ok: boolean } } };
  assert.equal(health.checks.mqtt.ok, true);
  assert.deepEqual(crashLines(hub.lines), []);
  assert.equal(hub.stderr, '');
});
