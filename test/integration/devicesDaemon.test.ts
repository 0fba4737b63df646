import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { startDaemon, runCli, makeTempDir, type DaemonProcess } from '../helpers/daemon.js';

const cleanups: Array<() => Promise<void>> = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

async function daemonIn(dir: string, config = ''): Promise<DaemonProcess> {
  const d = await startDaemon({ dir, config });
  cleanups.push(() => d.cleanup());
  return d;
}

async function client(d: DaemonProcess): Promise<MqttClient> {
  const c = await connectAsync(`mqtt://127.0.0.1:${d.mqttPort}`, { reconnectPeriod: 0 });
  cleanups.push(() => c.endAsync());
  return c;
}

async function token(dir: string, scope: string): Promise<string> {
  const r = await runCli(['token', 'create', '--sub', 'test', '--scope', scope], { cwd: dir, env: { VOICEHUB_DATA_DIR: join(dir, 'data') } });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

async function devices(d: DaemonProcess, bearer: string): Promise<Array<{ id: string; name: string; area?: string; state: Record<string, unknown>; available: boolean | null }>> {
  const res = await fetch(`${d.url}/api/devices`, { headers: { authorization: `Bearer ${bearer}` } });
  assert.equal(res.status, 200);
  return ((await res.json()) as { devices: Array<{ id: string; name: string; area?: string; state: Record<string, unknown>; available: boolean | null }> }).devices;
}

async function eventually<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const KITCHEN_LIGHT = {
  '~': 'esphome/kitchen', name: null, uniq_id: 'kitchen_light_1', cmd_t: '~/light/set', stat_t: '~/light/state', schema: 'json', brightness: true,
  avty_t: '~/status', dev: { ids: ['esp-kitchen'], name: 'Kitchen light', sa: 'Kitchen', mf: 'espressif' },
};

test('a device announced by HA discovery appears in /api/devices, takes state, and survives a restart', { timeout: 60_000 }, async () => {
  const dir = await makeTempDir();
  let d = await daemonIn(dir, 'storage:\n  flushIntervalMs: 50\n');
  const bearer = await token(dir, 'devices:read');
  const mqtt = await client(d);
  await mqtt.publishAsync('homeassistant/light/kitchen/config', JSON.stringify(KITCHEN_LIGHT), { retain: true, qos: 1 });
  const lamp = await eventually(async () => (await devices(d, bearer)).find((x) => x.id === 'kitchen_light_1'), 'the discovered light');
  assert.equal(lamp.name, 'Kitchen light');
  assert.equal(lamp.area, 'Kitchen');
  await mqtt.publishAsync('esphome/kitchen/status', 'online', { qos: 1 });
  await mqtt.publishAsync('esphome/kitchen/light/state', JSON.stringify({ state: 'ON', brightness: 128 }), { qos: 1 });
  const lit = await eventually(async () => {
    const x = (await devices(d, bearer)).find((y) => y.id === 'kitchen_light_1');
    return x?.state.state === 'on' ? x : undefined;
  }, 'the state update');
  assert.equal(lit.state.brightness, 50, 'brightness 128/255 is reported as 50 %');
  assert.equal(lit.available, true);

  const metrics = await (await fetch(`${d.url}/metrics`)).text();
  assert.match(metrics, /^voicehub_device_updates_total [1-9]/m);
  assert.match(metrics, /^voicehub_mqtt_clients [1-9]/m);

  // The list is republished (debounced) as devices change: an earlier retained copy may arrive first.
  const lists: Array<Array<{ id: string }>> = [];
  mqtt.on('message', (topic, payload) => { if (topic === 'voicehub/bridge/devices') lists.push(JSON.parse(payload.toString()) as Array<{ id: string }>); });
  await mqtt.subscribeAsync('voicehub/bridge/devices');
  const named = await eventually(async () => lists.find((l) => l.some((x) => x.id === 'kitchen_light_1')), 'the retained device list naming it');
  assert.ok(named.length >= 1);

  await mqtt.endAsync();
  assert.equal((await d.stop()).code, 0);
  d = await daemonIn(dir, 'storage:\n  flushIntervalMs: 50\n');
  const restored = (await devices(d, bearer)).find((x) => x.id === 'kitchen_light_1');
  assert.ok(restored, 'the registry survived the restart');
  assert.equal(restored.state.state, 'on');
  assert.equal(restored.state.brightness, 50);
});

test('an empty retained payload removes the device; garbage on a state topic breaks nothing', { timeout: 60_000 }, async () => {
  const dir = await makeTempDir();
  const d = await daemonIn(dir);
  const bearer = await token(dir, 'admin');
  const mqtt = await client(d);
  await mqtt.publishAsync('homeassistant/light/kitchen/config', JSON.stringify(KITCHEN_LIGHT), { retain: true, qos: 1 });
  await mqtt.publishAsync('homeassistant/sensor/hall/config', '{"name": "Hall temp", "stat_t": "hall/t", "uniq_id": "hall_t"', { retain: true, qos: 1 });
  await eventually(async () => (await devices(d, bearer)).find((x) => x.id === 'kitchen_light_1'), 'the light');
  await mqtt.publishAsync('esphome/kitchen/light/state', Buffer.from([0xff, 0x00, 0xfe, 0x01]), { qos: 1 });
  await mqtt.publishAsync('homeassistant/light/kitchen/config', '', { retain: true, qos: 1 });
  await eventually(async () => ((await devices(d, bearer)).some((x) => x.id === 'kitchen_light_1') ? undefined : true), 'removal');
  const health = await fetch(`${d.url}/health`);
  assert.equal(health.status, 200);
  assert.equal(d.child.exitCode, null);
});

test('/api/devices needs a token with devices:read', async () => {
  const dir = await makeTempDir();
  const d = await daemonIn(dir);
  assert.equal((await fetch(`${d.url}/api/devices`)).status, 401);
  const voiceOnly = await token(dir, 'voice');
  const res = await fetch(`${d.url}/api/devices`, { headers: { authorization: `Bearer ${voiceOnly}` } });
  assert.equal(res.status, 403);
  assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'FORBIDDEN');
  assert.equal((await fetch(`${d.url}/api/devices`, { headers: { authorization: 'Bearer not.a.token' } })).status, 401);
});

test('devices list on the CLI reads what the hub persisted', { timeout: 60_000 }, async () => {
  const dir = await makeTempDir();
  const d = await daemonIn(dir, 'devices:\n  - { id: hall_lamp, name: Hall lamp, area: hall, type: light, commandTopic: hall/lamp/set, stateTopic: hall/lamp }\nstorage:\n  flushIntervalMs: 50\n');
  assert.equal((await d.stop()).code, 0);
  const env = { VOICEHUB_DATA_DIR: join(dir, 'data') };
  const text = await runCli(['devices', 'list'], { cwd: dir, env });
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /hall_lamp\s+Hall lamp\s+hall\s+light/);
  const json = await runCli(['devices', 'list', '--json'], { cwd: dir, env });
  assert.equal((JSON.parse(json.stdout) as Array<{ id: string }>)[0]!.id, 'hall_lamp');
});
