import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MqttClient } from 'mqtt';
import { FakeCloud } from '../helpers/fakeCloud.js';
import { startDaemon } from '../helpers/daemon.js';
import { cloudConfig, deviceClient, until } from '../helpers/cloudHub.js';

/** A device client subscribed to the lamp's command topic: every command the hub sends it, in order. */
async function lampDevice(client: MqttClient): Promise<string[]> {
  const got: string[] = [];
  client.on('message', (topic, payload) => { if (topic === 'home/lamp/set') got.push(payload.toString()); });
  await client.subscribeAsync('home/lamp/set', { qos: 1 });
  return got;
}

test('a cloud command drives a real MQTT command at a subscribed device, once per id however often it is sent', async (t) => {
  const cloud = await FakeCloud.start();
  const hub = await startDaemon({ config: cloudConfig(cloud.url) });
  const client = await deviceClient(hub);
  t.after(async () => { await client.endAsync(); await hub.cleanup(); await cloud.close(); });
  const got = await lampDevice(client);
  await cloud.waitFor(() => cloud.hellos.length === 1, 15_000, 'hello');
  const result = await cloud.command({ id: 'cmd-1', device: 'lamp', command: 'turn_on', params: { brightness: 40 }, traceId: 'trace-cloud-1' });
  assert.deepEqual(result, { type: 'command.result', id: 'cmd-1', ok: true });
  await until(() => got.length === 1, 5000, 'the device command');
  const first = JSON.parse(got[0]!) as { state: string; brightness: number };
  assert.equal(first.state, 'ON');
  assert.ok(first.brightness > 0);
  // The same id again, twice at once and once later: the first answer, nothing sent again.
  const again = await Promise.all([cloud.command({ id: 'cmd-1', device: 'lamp', command: 'turn_on' }), cloud.command({ id: 'cmd-1', device: 'lamp', command: 'turn_on' })]);
  assert.deepEqual(again.map((r) => r.ok), [true, true]);
  assert.deepEqual(await cloud.command({ id: 'cmd-2', device: 'lamp', command: 'turn_off' }), { type: 'command.result', id: 'cmd-2', ok: true });
  await until(() => got.length >= 2, 5000, 'the second command');
  assert.deepEqual(got.map((p) => (JSON.parse(p) as { state: string }).state), ['ON', 'OFF'], 'cmd-1 ran once');
  // Its log lines carry the frame's trace id.
  await hub.waitForLine((l) => l.msg === 'cloud command done' && l.traceId === 'trace-cloud-1');
});

test('commands the device path refuses get ok:false with the same coded errors as voice', async (t) => {
  const cloud = await FakeCloud.start();
  const hub = await startDaemon({ config: cloudConfig(cloud.url) });
  t.after(async () => { await hub.cleanup(); await cloud.close(); });
  await cloud.waitFor(() => cloud.hellos.length === 1, 15_000, 'hello');
  const code = async (frame: Parameters<FakeCloud['command']>[0]) => ((await cloud.command(frame)).error as { code: string } | undefined)?.code;
  assert.equal(await code({ device: 'nope', command: 'turn_on' }), 'DEVICE_NOT_FOUND');
  assert.equal(await code({ device: 'lamp', command: 'explode' }), 'DEVICE_UNSUPPORTED');
  assert.equal(await code({ device: 'lamp', command: 'lock' }), 'DEVICE_UNSUPPORTED');
  assert.equal(await code({ device: 'temp', command: 'turn_on' }), 'DEVICE_UNSUPPORTED');
  assert.equal(await code({ device: 'lamp', command: 'set_brightness', params: { brightness: 250 } }), 'VALUE_OUT_OF_RANGE');
  assert.equal(await code({ device: 'lamp', command: 'set_brightness' }), 'BAD_REQUEST');
  assert.equal(await code({ device: 'lamp', command: 'set_brightness', params: { brightness: 'lots' } }), 'BAD_REQUEST');
  assert.equal(await code({ device: 'lamp', command: 'turn_off', params: { colour: 'red' } }), 'BAD_REQUEST');
});

test('a cloud utterance goes through the voice pipeline and its reply comes back as utterance.result', async (t) => {
  const cloud = await FakeCloud.start();
  const hub = await startDaemon({ config: cloudConfig(cloud.url) });
  const client = await deviceClient(hub);
  t.after(async () => { await client.endAsync(); await hub.cleanup(); await cloud.close(); });
  const got = await lampDevice(client);
  await cloud.waitFor(() => cloud.hellos.length === 1, 15_000, 'hello');
  const result = await cloud.utterance({ id: 'u-1', text: 'turn on the hall lamp' });
  const reply = result.reply as { id: string; intent: string; handledBy: string; actions: Array<{ device: string; command: string }>; text: string };
  assert.equal(result.type, 'utterance.result');
  assert.equal(reply.intent, 'HassTurnOn');
  assert.deepEqual(reply.actions, [{ device: 'lamp', command: 'turn_on' }]);
  assert.equal(reply.id, 'u-1');
  await until(() => got.length === 1, 5000, 'the device command');
  const again = await cloud.utterance({ id: 'u-1', text: 'turn on the hall lamp' });
  assert.deepEqual(again, result, 'the same id gets the first answer');
  const nothing = await cloud.utterance({ id: 'u-2', text: 'sing me the blues in seven-eight time please' });
  assert.equal((nothing.error as { code: string }).code, 'NO_MATCH');
  assert.equal(got.length, 1, 'the repeated utterance ran once');
});

test('cloud.allow limits the link: without devices:control a command is FORBIDDEN, without voice an utterance is', async (t) => {
  const cloud = await FakeCloud.start();
  const onlyVoice = await startDaemon({ config: cloudConfig(cloud.url, { more: ', allow: [voice]' }) });
  t.after(async () => { await onlyVoice.cleanup(); await cloud.close(); });
  await cloud.waitFor(() => cloud.hellos.length === 1, 15_000, 'hello');
  const refused = await cloud.command({ device: 'lamp', command: 'turn_on' });
  assert.deepEqual([refused.ok, (refused.error as { code: string }).code], [false, 'FORBIDDEN']);
  await onlyVoice.stop();
  const onlyDevices = await startDaemon({ config: cloudConfig(cloud.url, { more: ', allow: [devices:control]' }) });
  t.after(() => onlyDevices.cleanup());
  await cloud.waitFor(() => cloud.hellos.length === 2, 15_000, 'hello');
  const noVoice = await cloud.utterance({ text: 'turn on the hall lamp' });
  assert.equal((noVoice.error as { code: string }).code, 'FORBIDDEN');
  assert.equal((await cloud.command({ device: 'lamp', command: 'turn_on' })).ok, true);
});

test('command idempotency holds across a hub restart: the same id is answered, not run again', async (t) => {
  const cloud = await FakeCloud.start();
  const config = cloudConfig(cloud.url);
  const first = await startDaemon({ config });
  let second: Awaited<ReturnType<typeof startDaemon>> | null = null;
  let client2: Awaited<ReturnType<typeof deviceClient>> | null = null;
  // One hook, in order: the second hub runs in the first one's dir, so it stops before that dir is removed.
  t.after(async () => {
    await client2?.endAsync().catch(() => {});
    await second?.stop();
    await first.cleanup();
    await cloud.close();
  });
  const client1 = await deviceClient(first);
  const got1 = await lampDevice(client1);
  await cloud.waitFor(() => cloud.hellos.length === 1, 15_000, 'hello');
  assert.equal((await cloud.command({ id: 'once', device: 'lamp', command: 'toggle' })).ok, true);
  await until(() => got1.length === 1, 5000, 'the command');
  await client1.endAsync();
  assert.equal((await first.stop()).code, 0);
  second = await startDaemon({ config, dir: first.dir });
  client2 = await deviceClient(second);
  const got2 = await lampDevice(client2);
  await cloud.waitFor(() => cloud.hellos.length === 2, 15_000, 'hello after restart');
  assert.deepEqual(await cloud.command({ id: 'once', device: 'lamp', command: 'toggle' }), { type: 'command.result', id: 'once', ok: true });
  assert.equal((await cloud.command({ id: 'marker', device: 'lamp', command: 'turn_off' })).ok, true);
  await until(() => got2.length >= 1, 5000, 'the marker');
  assert.deepEqual(got2.map((p) => (JSON.parse(p) as { state: string }).state), ['OFF'], 'only the marker reached the device');
});
