import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { makeTempDir, runCli, startDaemon, SHIPPED_NODE_FLAGS, type DaemonProcess, type LogLine } from '../helpers/daemon.js';

/**
 * Issue 11, discovery templates and device ids, against the real daemon (the built bundle) under the unit's
 * node flags: hostile templates are refused at discovery, a stored one is dropped at load, reserved ids are
 * refused, and the hub keeps answering HTTP and MQTT throughout.
 */

const cleanups: Array<() => Promise<void>> = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

const CONFIG = 'storage:\n  flushIntervalMs: 50\n';
/** Doubles a string 26 times (2^27 characters) and splits it into one string per character. */
const DOUBLING_SPLIT = '{% set a = "ab" %}' + '{% set a = a ~ a %}'.repeat(26) + '{{ a.split("") | length }}';
/** Reaches String.prototype.match through a name the guard allowed, with a backtracking regex. */
const METHOD_BYPASS = '{% set float = value.match %}{{ float("^(a+)+$") }}';
const EVIL_PAYLOAD = 'a'.repeat(28) + '!';

async function hub(dir?: string): Promise<DaemonProcess> {
  const d = await startDaemon({ config: CONFIG, nodeArgs: SHIPPED_NODE_FLAGS, ...(dir ? { dir } : {}) });
  cleanups.push(() => d.cleanup());
  return d;
}

async function client(d: DaemonProcess): Promise<MqttClient> {
  const c = await connectAsync(`mqtt://127.0.0.1:${d.mqttPort}`, { reconnectPeriod: 0 });
  cleanups.push(() => c.endAsync());
  return c;
}

async function bearer(d: DaemonProcess): Promise<string> {
  const r = await runCli(['token', 'create', '--sub', 'attack-test', '--scope', 'devices:read'], { cwd: d.dir, env: { VOICEHUB_DATA_DIR: join(d.dir, 'data') } });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

type ApiDevice = { id: string; state: Record<string, unknown> };
async function devices(d: DaemonProcess, token: string): Promise<ApiDevice[]> {
  const res = await fetch(`${d.url}/api/devices`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  return ((await res.json()) as { devices: ApiDevice[] }).devices;
}

async function eventually<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The hub still answers: HTTP health, and an MQTT message it routes to a device (the probe's state). */
async function stillAnswering(d: DaemonProcess, mqtt: MqttClient, token: string, probe: string): Promise<void> {
  assert.equal((await fetch(`${d.url}/health`)).status, 200);
  const reading = String(Math.random());
  await mqtt.publishAsync(`${probe}/state`, reading, { qos: 1 });
  await eventually(async () => ((await devices(d, token)).find((x) => x.id === probe)?.state.value === Number(reading) ? true : undefined), 'the probe state');
}

const warnFor = (topic: string) => (l: LogLine) => l.level === 'warn' && l.topic === topic;

test('the doubling+split template and the method-call bypass are refused at discovery; the hub keeps answering', { timeout: 90_000 }, async () => {
  const d = await hub();
  const token = await bearer(d);
  const mqtt = await client(d);
  await mqtt.publishAsync('homeassistant/sensor/probe/config', JSON.stringify({ stat_t: 'probe/state', uniq_id: 'probe' }), { qos: 1 });
  await eventually(async () => ((await devices(d, token)).some((x) => x.id === 'probe') ? true : undefined), 'the probe sensor');

  const attacks = { doubling: DOUBLING_SPLIT, bypass: METHOD_BYPASS };
  for (const [name, template] of Object.entries(attacks)) {
    const topic = `homeassistant/sensor/${name}/config`;
    await mqtt.publishAsync(topic, JSON.stringify({ stat_t: `${name}/state`, uniq_id: name, val_tpl: template }), { qos: 1, retain: true });
    const warned = await d.waitForLine(warnFor(topic));
    assert.equal(warned.code, 'TEMPLATE_FORBIDDEN', warned.msg);
    // Nothing listens on the state topic, but a publisher may still try.
    await mqtt.publishAsync(`${name}/state`, EVIL_PAYLOAD, { qos: 1 });
  }
  await stillAnswering(d, mqtt, token, 'probe');
  const ids = (await devices(d, token)).map((x) => x.id);
  assert.deepEqual(ids.filter((id) => id in attacks), []);
  assert.equal(d.child.exitCode, null);
});

test('a devices.json holding such templates loads without them, says so, and a publish to their topic does not crash it', { timeout: 90_000 }, async () => {
  const dir = await makeTempDir();
  const stored = (id: string, valueTemplate: string) => ({
    device: {
      id, name: id, aliases: [], type: 'sensor', capabilities: ['sensor'], source: 'ha-discovery',
      mqtt: { schema: 'default', stateTopic: `${id}/state`, valueTemplate }, state: {}, available: true, lastSeen: null,
    },
    announced: { name: id, aliases: [] },
    discoveryKey: `homeassistant/sensor/${id}/config`,
  });
  await mkdir(join(dir, 'data'), { recursive: true });
  await writeFile(join(dir, 'data', 'devices.json'), JSON.stringify({
    version: 1,
    devices: { doubling: stored('doubling', DOUBLING_SPLIT), bypass: stored('bypass', METHOD_BYPASS), probe: stored('probe', '{{ value }}') },
  }));
  const d = await hub(dir);
  for (const id of ['doubling', 'bypass']) {
    const line = await d.waitForLine((l) => l.msg === 'stored template dropped: the device loads without it' && l.device === id);
    assert.equal(line.code, 'TEMPLATE_FORBIDDEN');
    assert.equal(line.field, 'valueTemplate');
  }
  const token = await bearer(d);
  const mqtt = await client(d);
  assert.deepEqual((await devices(d, token)).map((x) => x.id).sort(), ['bypass', 'doubling', 'probe']);
  await mqtt.publishAsync('doubling/state', EVIL_PAYLOAD, { qos: 1 });
  await mqtt.publishAsync('bypass/state', EVIL_PAYLOAD, { qos: 1 });
  // Without its template the payload is the state as it is.
  await eventually(async () => ((await devices(d, token)).find((x) => x.id === 'bypass')?.state.value === EVIL_PAYLOAD ? true : undefined), 'the raw payload as state');
  await stillAnswering(d, mqtt, token, 'probe');
  // The cleaned document is written back: the next start has nothing to drop.
  await eventually(async () => {
    const doc = JSON.parse(await readFile(join(dir, 'data', 'devices.json'), 'utf8')) as { devices: Record<string, { device: { mqtt: Record<string, unknown> } }> };
    return doc.devices.doubling?.device.mqtt.valueTemplate === undefined ? true : undefined;
  }, 'devices.json without the refused template');
  assert.equal(d.child.exitCode, null);
});

test('uniq_id "__proto__", "constructor" and "prototype" are refused with a warning; what is listed is what is stored', { timeout: 90_000 }, async () => {
  const d = await hub();
  const token = await bearer(d);
  const mqtt = await client(d);
  for (const id of ['__proto__', 'constructor', 'prototype']) {
    const topic = `homeassistant/sensor/reserved_${id.replace(/_/g, '')}/config`;
    await mqtt.publishAsync(topic, JSON.stringify({ stat_t: `reserved/${id}`, uniq_id: id }), { qos: 1 });
    const warned = await d.waitForLine(warnFor(topic));
    assert.equal(warned.code, 'DEVICE_ID_RESERVED');
  }
  await mqtt.publishAsync('homeassistant/sensor/probe/config', JSON.stringify({ stat_t: 'probe/state', uniq_id: 'probe' }), { qos: 1 });
  await stillAnswering(d, mqtt, token, 'probe');
  const listed = (await devices(d, token)).map((x) => x.id);
  assert.deepEqual(listed, ['probe']);
  const storedIds = await eventually(async () => {
    const text = await readFile(join(d.dir, 'data', 'devices.json'), 'utf8').catch(() => '');
    const doc = text ? JSON.parse(text) as { devices: Record<string, unknown> } : undefined;
    return doc && Object.keys(doc.devices).length > 0 ? Object.keys(doc.devices) : undefined;
  }, 'devices.json');
  assert.deepEqual(storedIds, listed);
});

async function rssMB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

test('a flood of 1000 discovery configs, each carrying 30 KB of names, is refused per entity and the hub stays small', { timeout: 180_000 }, async () => {
  const d = await hub();
  const token = await bearer(d);
  const mqtt = await client(d);
  const before = await rssMB(d.child.pid!);
  const fat = 'n'.repeat(30_000);
  for (let batch = 0; batch < 10; batch++) {
    await Promise.all(Array.from({ length: 100 }, (_, j) => {
      const i = batch * 100 + j;
      return mqtt.publishAsync(`homeassistant/sensor/fat_${i}/config`, JSON.stringify({ stat_t: `fat/${i}`, uniq_id: `fat_${i}`, name: fat, dev: { ids: [`fat_${i}`], name: fat } }), { qos: 1 });
    }));
  }
  // Messages are handled in order: once the probe is listed, every fat config before it has been handled.
  await mqtt.publishAsync('homeassistant/sensor/probe/config', JSON.stringify({ stat_t: 'probe/state', uniq_id: 'probe' }), { qos: 1 });
  await stillAnswering(d, mqtt, token, 'probe');
  const last = await d.waitForLine(warnFor('homeassistant/sensor/fat_999/config'));
  assert.equal(last.code, 'PAYLOAD_TOO_LARGE');
  assert.deepEqual((await devices(d, token)).map((x) => x.id), ['probe']);
  const after = await rssMB(d.child.pid!);
  // A generous bound (the unit allows a 256 MB heap): kept, the 60 MB of names took the hub far past it.
  assert.ok(after < 200, `RSS ${before.toFixed(1)} → ${after.toFixed(1)} MB`);
  assert.equal(d.child.exitCode, null);
});

test('issue 18 finding: an area announced by discovery with `$&`, `$\'` and `{type}` in it is spoken as written in a reply, never read as part of the reply\'s template', { timeout: 90_000 }, async () => {
  const d = await hub();
  const mqtt = await client(d);
  const hostileArea = "Attic $& $' {type}";
  for (const [id, area] of [['lamp_a', hostileArea], ['lamp_b', 'Den']] as const) {
    await mqtt.publishAsync(`homeassistant/light/${id}/config`, JSON.stringify({
      name: 'Lamp', unique_id: id, command_topic: `${id}/set`, state_topic: `${id}/state`,
      device: { identifiers: [`${id}_dev`], suggested_area: area },
    }), { qos: 1, retain: true });
  }
  const token = await bearer(d);
  await eventually(async () => ((await devices(d, token)).filter((x) => x.id === 'lamp_a' || x.id === 'lamp_b').length === 2 ? true : undefined), 'both lamps');
  const r = await runCli(['token', 'create', '--sub', 'attack-voice', '--scope', 'voice'], { cwd: d.dir, env: { VOICEHUB_DATA_DIR: join(d.dir, 'data') } });
  const { VoiceClient } = await import('../helpers/voiceClient.js');
  const voice = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, r.stdout.trim());
  cleanups.push(async () => voice.close());
  const reply = await voice.say('which', 'turn on the lamp');
  // Two lamps: the hub asks which one, naming each by its room (an error frame, NO_MATCH, with the question).
  const text = String(reply.text ?? reply.message);
  assert.match(text, /^Which lamp do you mean/, JSON.stringify(reply));
  // Before: String.replace read `$&` as "the matched {area}" and `$'` as the rest of the template.
  assert.ok(text.toLowerCase().includes(hostileArea.toLowerCase()), text);
  assert.doesNotMatch(text, /\{area\}|\{name\}/, text);
});
