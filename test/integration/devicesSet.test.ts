import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { startDaemon, runCli, makeTempDir, type DaemonProcess } from '../helpers/daemon.js';
import { VoiceClient } from '../helpers/voiceClient.js';

/**
 * `voicehub devices set` against the running daemon: a Zigbee2MQTT plug that came with no area is renamed,
 * placed and given aliases; voice uses them at once; they survive a restart; PATCH /api/devices/:id refuses
 * what it must.
 */
const cleanups: Array<() => Promise<void>> = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

const PLUG = {
  topic: 'homeassistant/switch/0x00124b0024c1d2e3/switch/config',
  payload: {
    availability: [{ topic: 'zigbee2mqtt/bridge/state', value_template: '{{ value_json.state }}' }],
    command_topic: 'zigbee2mqtt/0x00124b0024c1d2e3/set', name: null, object_id: '0x00124b0024c1d2e3', payload_off: 'OFF', payload_on: 'ON',
    state_topic: 'zigbee2mqtt/0x00124b0024c1d2e3', unique_id: '0x00124b0024c1d2e3_switch_zigbee2mqtt', value_template: '{{ value_json.state }}',
    device: { identifiers: ['zigbee2mqtt_0x00124b0024c1d2e3'], manufacturer: 'IKEA', model: 'E1603/E1702/E1708', name: '0x00124b0024c1d2e3' },
  },
};
const ID = '0x00124b0024c1d2e3_switch_zigbee2mqtt';

interface Hub { d: DaemonProcess; voice: VoiceClient; device: MqttClient; env: Record<string, string>; dir: string; received: string[] }

async function hub(dir: string): Promise<Hub> {
  const d = await startDaemon({ dir });
  const env = { VOICEHUB_DATA_DIR: join(dir, 'data') };
  const token = (await runCli(['token', 'create', '--sub', 'kitchen', '--scope', 'voice'], { cwd: dir, env })).stdout.trim();
  const voice = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, token);
  const device = await connectAsync(`mqtt://127.0.0.1:${d.mqttPort}`, { reconnectPeriod: 0 });
  const received: string[] = [];
  device.on('message', (topic, payload) => { if (topic.endsWith('/set')) received.push(payload.toString()); });
  await device.subscribeAsync('zigbee2mqtt/+/set');
  await device.publishAsync(PLUG.topic, JSON.stringify(PLUG.payload), { retain: true, qos: 1 });
  await device.publishAsync('zigbee2mqtt/bridge/state', JSON.stringify({ state: 'online' }), { retain: true, qos: 1 });
  const h = { d, voice, device, env, dir, received };
  cleanups.push(async () => { voice.close(); await device.endAsync(); await d.cleanup(); });
  for (let i = 0; ; i++) {
    const r = await fetch(`${d.url}/api/devices`, { headers: { authorization: `Bearer ${await admin(h)}` } });
    const list = (await r.json()) as { devices: { id: string }[] };
    if (list.devices.some((x) => x.id === ID)) break;
    if (i > 200) throw new Error('the plug never appeared');
    await new Promise((res) => setTimeout(res, 25));
  }
  return h;
}

async function admin(h: Pick<Hub, 'dir' | 'env'>, scope = 'admin'): Promise<string> {
  return (await runCli(['token', 'create', '--sub', 'page', '--scope', scope], { cwd: h.dir, env: h.env })).stdout.trim();
}

const set = (h: Hub, args: string[]) => runCli(['devices', 'set', ID, '--url', h.d.url, ...args], { cwd: h.dir, env: h.env });

async function turnOn(h: Hub, id: string, text: string): Promise<Record<string, unknown>> {
  const before = h.received.length;
  const reply = await h.voice.say(id, text);
  if (reply.type === 'reply') {
    for (let i = 0; i < 200 && h.received.length === before; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(h.received.at(-1), 'ON');
  }
  return reply;
}

test('devices set: name, area and aliases apply at once, persist in the data dir and survive a restart', async () => {
  const dir = await makeTempDir();
  const h = await hub(dir);
  assert.equal((await h.voice.say('a0', 'turn on the kettle')).type, 'error', 'not a kettle yet');

  const r = await set(h, ['--name', 'Kettle', '--area', 'Kitchen', '--alias', 'tea maker', '--alias', '水壶']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), `${ID}: name "Kettle", area "Kitchen", aliases "tea maker", "水壶"`);
  const reply = await turnOn(h, 'a1', 'turn on the kettle');
  assert.equal(reply.type, 'reply', JSON.stringify(reply));
  assert.equal(reply.text, 'Turned on the kettle.');
  assert.equal((await turnOn(h, 'a2', 'turn on the tea maker')).type, 'reply');
  assert.equal((await turnOn(h, 'a3', '打开水壶')).type, 'reply');
  assert.equal((await turnOn(h, 'a4', 'turn on the switches in the kitchen')).type, 'reply', 'the area is used too');

  const replaced = await set(h, ['--clear-alias', '--alias', 'boiler']);
  assert.equal(replaced.code, 0, replaced.stderr);
  assert.equal((await h.voice.say('a5', 'turn on the tea maker')).type, 'error', 'the old alias is gone');
  assert.equal((await turnOn(h, 'a6', 'turn on the boiler')).type, 'reply');
  await h.d.stop();
  const stored = JSON.parse(await readFile(join(dir, 'data', 'deviceOverrides.json'), 'utf8')) as { overrides: Record<string, unknown> };
  assert.deepEqual(stored.overrides[ID], { name: 'Kettle', area: 'Kitchen', aliases: ['boiler'] });

  const again = await hub(dir);
  const after = await turnOn(again, 'b1', 'turn on the kettle');
  assert.equal(after.text, 'Turned on the kettle.');
  const reset = await set(again, ['--reset']);
  assert.equal(reset.code, 0, reset.stderr);
  assert.equal((await again.voice.say('b2', 'turn on the kettle')).type, 'error', 'back to the announced name');
});

test('PATCH /api/devices/:id: admin only, bounded, checked; the CLI says when the hub is not running', async () => {
  const dir = await makeTempDir();
  const h = await hub(dir);
  const patch = async (id: string, body: string, token?: string) => {
    const res = await fetch(`${h.d.url}/api/devices/${encodeURIComponent(id)}`, {
      method: 'PATCH', body, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
    return { status: res.status, body: (await res.json()) as { error?: { code: string; reason?: string }; device?: { name: string } } };
  };
  const adminToken = await admin(h);
  assert.equal((await patch(ID, '{"name":"Kettle"}')).status, 401);
  const control = await patch(ID, '{"name":"Kettle"}', await admin(h, 'devices:control devices:read'));
  assert.equal(control.status, 403, 'devices:control may switch, not rename');
  assert.equal((await patch('nope', '{"name":"x"}', adminToken)).status, 404);
  for (const bad of ['{"name":""}', '{"name":"a\\u0007b"}', `{"name":"${'x'.repeat(101)}"}`, '{"nick":"x"}', '{}', '[1]',
    `{"aliases":${JSON.stringify(Array.from({ length: 21 }, (_, i) => `a${i}`))}}`]) {
    const r = await patch(ID, bad, adminToken);
    assert.equal(r.status, 400, bad);
    assert.equal(r.body.error?.reason, 'DEVICE_OVERRIDE_INVALID', bad);
  }
  const notJson = await patch(ID, '{"name":', adminToken);
  assert.equal(notJson.status, 400);
  assert.equal(notJson.body.error?.code, 'BAD_REQUEST');
  const huge = await patch(ID, JSON.stringify({ name: 'k', pad: 'x'.repeat(100_000) }), adminToken);
  assert.equal(huge.status, 400);
  const ok = await patch(ID, '{"name":"Kettle"}', adminToken);
  assert.equal(ok.status, 200);
  assert.equal(ok.body.device?.name, 'Kettle');
  const deeper = await fetch(`${h.d.url}/api/devices/${ID}/more`, { method: 'PATCH', body: '{}', headers: { authorization: `Bearer ${adminToken}` } });
  assert.equal(deeper.status, 404);

  const usage = await set(h, []);
  assert.equal(usage.code, 2);
  const invalid = await set(h, ['--name', ' ']);
  assert.equal(invalid.code, 2);
  assert.match(invalid.stderr, /DEVICE_OVERRIDE_INVALID/);
  await h.d.stop();
  const down = await set(h, ['--name', 'Kettle']);
  assert.equal(down.code, 1);
  assert.match(down.stderr, /not answering/);
});

test('a damaged or hostile overrides file never stops start-up; what fits is kept', async () => {
  const dir = await makeTempDir();
  await mkdir(join(dir, 'data'), { recursive: true });
  await writeFile(join(dir, 'data', 'deviceOverrides.json'), JSON.stringify({
    overrides: { [ID]: { name: 'Kettle' }, other: { name: 42 }, third: { aliases: 'x' }, fourth: { area: 'y'.repeat(1000) } },
  }));
  const h = await hub(dir);
  assert.equal((await turnOn(h, 'c1', 'turn on the kettle')).type, 'reply');

  const broken = await makeTempDir();
  await mkdir(join(broken, 'data'), { recursive: true });
  await writeFile(join(broken, 'data', 'deviceOverrides.json'), '{"overrides": {"');
  const h2 = await hub(broken);
  assert.equal((await h2.voice.say('c2', 'what time is it')).type, 'reply', 'the hub runs');
});
