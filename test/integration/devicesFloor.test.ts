import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { startDaemon, runCli, makeTempDir, type DaemonProcess } from '../helpers/daemon.js';
import { VoiceClient } from '../helpers/voiceClient.js';
import { until } from '../helpers/until.js';

/**
 * A device moved to a floor of its own (PATCH /api/devices/:id `floor`, `voicehub devices set --floor`),
 * through the daemon bundle with its embedded broker: "turn off the lights upstairs" then reaches it at its
 * command topic, though it has no area (or its area is on another floor); a floor not configured is
 * refused; `null` / `--no-floor` gives it back; it survives a restart, and a stored floor the config no
 * longer has is dropped alone without stopping start-up.
 */
const cleanups: Array<() => Promise<void>> = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

const FLOORS = `floors:
  ground: { aliases: [downstairs], level: 0 }
  first: { aliases: [first floor, 楼上], level: 1 }
`;
const CONFIG = `storage: { flushIntervalMs: 50 }
${FLOORS}areas:
  kitchen: { floor: ground }
devices:
  - { id: kitchen_light, name: Kitchen light, area: kitchen, type: light, commandTopic: kitchen/light/set, stateTopic: kitchen/light }
  - { id: landing_light, name: Landing light, type: light, commandTopic: landing/light/set, stateTopic: landing/light }
`;

interface Hub { d: DaemonProcess; voice: VoiceClient; device: MqttClient; env: Record<string, string>; received: Array<{ topic: string; payload: string }>; admin: string }

async function hub(dir: string, config = CONFIG): Promise<Hub> {
  const d = await startDaemon({ dir, config });
  const env = { VOICEHUB_DATA_DIR: join(dir, 'data') };
  const token = async (scope: string) => (await runCli(['token', 'create', '--sub', 'floors', '--scope', scope], { cwd: dir, env })).stdout.trim();
  const voice = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, await token('voice'));
  const device = await connectAsync(`mqtt://127.0.0.1:${d.mqttPort}`, { reconnectPeriod: 0 });
  const received: Hub['received'] = [];
  device.on('message', (topic, payload) => received.push({ topic, payload: payload.toString() }));
  await device.subscribeAsync(['kitchen/light/set', 'landing/light/set'], { qos: 1 });
  const h = { d, voice, device, env, received, admin: await token('admin') };
  cleanups.push(async () => { voice.close(); await device.endAsync(); await d.cleanup(); });
  return h;
}

async function patch(h: Hub, id: string, body: unknown): Promise<{ status: number; body: { device?: { floor?: string }; error?: { code: string; reason?: string; message: string } } }> {
  const res = await fetch(`${h.d.url}/api/devices/${id}`, {
    method: 'PATCH', body: JSON.stringify(body), headers: { 'content-type': 'application/json', authorization: `Bearer ${h.admin}` },
  });
  return { status: res.status, body: await res.json() as never };
}

/** Says `text` and returns the command topics the device client then received, once `expected` have come. */
async function say(h: Hub, id: string, text: string, expected: number): Promise<{ type: string; topics: string[] }> {
  const since = h.received.length;
  const reply = await h.voice.say(id, text);
  if (expected > 0) await until(() => (h.received.length - since >= expected ? true : undefined), `${expected} commands for "${text}"`);
  return { type: String(reply.type), topics: h.received.slice(since).map((m) => m.topic).sort() };
}

test('a device moved to a floor directly is reached by "the lights upstairs"; null gives it back; a floor not configured is refused', async () => {
  const dir = await makeTempDir();
  const h = await hub(dir);
  assert.equal((await say(h, 'u0', 'turn off the lights upstairs', 0)).type, 'error', 'no light is upstairs yet');

  // By an alias, in another case: kept as the floor's key.
  const moved = await patch(h, 'landing_light', { floor: 'First Floor' });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  assert.equal(moved.body.device?.floor, 'first');
  const up = await say(h, 'u1', 'turn off the lights upstairs', 1);
  assert.equal(up.type, 'reply');
  assert.deepEqual(up.topics, ['landing/light/set'], 'the landing light, not the kitchen light downstairs');
  assert.match(h.received.at(-1)!.payload, /off/i);
  assert.deepEqual((await say(h, 'u2', '打开楼上的灯', 1)).topics, ['landing/light/set'], 'the floor\'s Chinese alias too');

  // A floor of its own goes before its area's: the kitchen light joins it upstairs and leaves downstairs.
  assert.equal((await patch(h, 'kitchen_light', { floor: 'first' })).status, 200);
  assert.deepEqual((await say(h, 'u3', 'turn on the lights upstairs', 2)).topics, ['kitchen/light/set', 'landing/light/set']);
  assert.equal((await say(h, 'u4', 'turn on the lights downstairs', 0)).type, 'error', 'nothing is downstairs now');
  assert.deepEqual((await say(h, 'u5', 'turn off the lights in the kitchen', 1)).topics, ['kitchen/light/set'], 'still in its area');

  for (const bad of [{ floor: 'attic' }, { floor: '' }, { floor: 1 }, { floor: 'first\u0007' }]) {
    const r = await patch(h, 'landing_light', bad);
    assert.equal(r.status, 400, JSON.stringify(bad));
    assert.equal(r.body.error?.reason, 'DEVICE_OVERRIDE_INVALID', JSON.stringify(bad));
  }
  assert.match((await patch(h, 'landing_light', { floor: 'attic' })).body.error!.message, /not a configured floor \(floors: "ground", "first"\)/);

  const back = await patch(h, 'kitchen_light', { floor: null });
  assert.equal(back.status, 200);
  assert.equal(back.body.device?.floor, undefined);
  assert.deepEqual((await say(h, 'u6', 'turn off the lights upstairs', 1)).topics, ['landing/light/set']);
  assert.deepEqual((await say(h, 'u7', 'turn off the lights downstairs', 1)).topics, ['kitchen/light/set'], 'on its area\'s floor again');
});

test('voicehub devices set --floor / --no-floor; the floor survives a restart, and one the config dropped is dropped alone at start', async () => {
  const dir = await makeTempDir();
  const h = await hub(dir);
  const set = (args: string[]) => runCli(['devices', 'set', 'landing_light', '--url', h.d.url, ...args], { cwd: dir, env: h.env });
  const bad = await set(['--floor', 'attic']);
  assert.equal(bad.code, 2, 'a value the hub refuses');
  assert.match(bad.stderr, /not a configured floor.*DEVICE_OVERRIDE_INVALID/);
  const r = await set(['--floor', 'first floor', '--name', 'Landing lamp']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'landing_light: name "Landing lamp", area -, floor "first", aliases -');
  assert.deepEqual((await say(h, 'c1', 'turn on the lights upstairs', 1)).topics, ['landing/light/set']);
  const none = await set(['--no-floor']);
  assert.equal(none.code, 0, none.stderr);
  assert.equal((await say(h, 'c2', 'turn on the lights upstairs', 0)).type, 'error');
  assert.equal((await set(['--floor', 'first'])).code, 0);
  await h.d.stop();
  const stored = JSON.parse(await readFile(join(dir, 'data', 'deviceOverrides.json'), 'utf8')) as { overrides: Record<string, unknown> };
  assert.deepEqual(stored.overrides.landing_light, { name: 'Landing lamp', floor: 'first' });

  const again = await hub(dir);
  assert.deepEqual((await say(again, 'c3', 'turn off the lights upstairs', 1)).topics, ['landing/light/set'], 'kept across a restart');
  await again.d.stop();

  // The config no longer has that floor: start-up goes on, the floor is dropped with a warning, the name stays.
  const without = await hub(dir, CONFIG.replace('  first: { aliases: [first floor, 楼上], level: 1 }\n', ''));
  const warned = await without.d.waitForLine((l) => l.code === 'STORED_ENTRY_INVALID' && l.floorsDropped === 1);
  assert.equal(warned.level, 'warn');
  const listed = await fetch(`${without.d.url}/api/devices`, { headers: { authorization: `Bearer ${without.admin}` } });
  const landing = ((await listed.json()) as { devices: Array<{ id: string; name: string; floor?: string }> }).devices.find((d) => d.id === 'landing_light');
  assert.equal(landing?.name, 'Landing lamp');
  assert.equal(landing?.floor, undefined);
});
