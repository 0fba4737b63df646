import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import { connectAsync, type MqttClient } from 'mqtt';
import { makeTempDir, startDaemon, SHIPPED_NODE_FLAGS, type DaemonProcess } from '../helpers/daemon.js';
import { readKey } from '../../daemon/auth/keys.js';
import { signToken } from '../../daemon/auth/tokens.js';
import { brokerRoundTrip, crashLines, deepJson, jsonValue, params, assertMemoryBack, hubMemory, undocumentedCodes, FUZZ_TIMEOUT } from './fuzz.js';
import { bridgeDevices, discoveryConfig, discoveryTopic, template } from './generators.js';

/**
 * Fuzzing the device side of the real daemon through its embedded broker, with a real MQTT client:
 * Home Assistant discovery configs (real and abbreviated keys, templates from the grammar, wrong shapes)
 * on well formed and odd topics, state payloads on the topics those configs name, Zigbee2MQTT bridge
 * device lists and device states. After every run the device list is sane and a well-behaved client's
 * message still makes the round trip through the broker; at the end no crash, stderr empty, memory near
 * where it started.
 */

let d: DaemonProcess;
let bearer: string;
let watcher: MqttClient;

before(async () => {
  const dir = await makeTempDir();
  d = await startDaemon({ dir, nodeArgs: SHIPPED_NODE_FLAGS });
  bearer = await signToken((await readKey(join(dir, 'data')))!, { sub: 'fuzz', scopes: ['devices:read'] });
  watcher = await connectAsync(`mqtt://127.0.0.1:${d.mqttPort}`, { reconnectPeriod: 0, clientId: 'well-behaved' });
  await watcher.subscribeAsync('check/+', { qos: 1 });
});
after(async () => {
  await watcher?.endAsync(true);
  await d?.cleanup();
});

interface Message { topic: string; payload: Buffer; retain: boolean }

const payloadBytes = fc.oneof(
  fc.uint8Array({ maxLength: 256 }).map((b) => Buffer.from(b)),
  jsonValue(['state', 'brightness', 'temperature', 'color', 'color_temp', 'position', 'x']).map((v) => Buffer.from(JSON.stringify(v) ?? '')),
  fc.constantFrom('ON', 'OFF', 'on', '', 'online', 'offline', '{}', 'null', '1e309', '-0', 'NaN').map((s) => Buffer.from(s)),
  deepJson.map((s) => Buffer.from(s)),
  fc.integer({ min: 60_000, max: 70_000 }).map((n) => Buffer.from(JSON.stringify({ state: 'x'.repeat(n) }))),
);
const stateTopic = fc.oneof(fc.constantFrom('fuzz/a', 'fuzz/b', 'fuzz/a/state', 'fuzz/b/set', 'zigbee2mqtt/lamp', 'zigbee2mqtt/a/b',
  'zigbee2mqtt/lamp/availability', 'zigbee2mqtt/bridge/state', 'voicehub/status', 'voicehub/bridge/devices', 'homeassistant/status',
  // The rest of Zigbee2MQTT's bridge: the hub reads only devices and state, the others must change nothing.
  'zigbee2mqtt/bridge/info', 'zigbee2mqtt/bridge/event', 'zigbee2mqtt/bridge/logging', 'zigbee2mqtt/bridge/groups', 'zigbee2mqtt/bridge/extensions',
  'zigbee2mqtt/bridge/response/device/rename', 'zigbee2mqtt/bridge/response/permit_join', 'zigbee2mqtt/bridge/request/restart'),
fc.string({ maxLength: 30 }),
// Topics built from hostile levels: empty, dots, $-prefixed, long, non-Latin, the hub's own prefixes.
fc.array(fc.oneof(fc.constantFrom('', '.', '..', '$SYS', 'zigbee2mqtt', 'bridge', 'homeassistant', 'voicehub', 'set', 'config', '__proto__', 'constructor',
  '灯', '\u00e9', ' '), fc.stringMatching(/^[^#+/\u0000]{1,12}$/), fc.integer({ min: 200, max: 2000 }).map((n) => 'x'.repeat(n))), { minLength: 1, maxLength: 8 }).map((l) => l.join('/')));

const message: fc.Arbitrary<Message> = fc.oneof(
  fc.record({ topic: discoveryTopic('homeassistant'), payload: discoveryConfig.map((c) => Buffer.from(JSON.stringify(c))), retain: fc.boolean() }),
  // Templates straight into the fields that hold them.
  fc.record({ topic: discoveryTopic('homeassistant'), retain: fc.boolean(),
    payload: fc.tuple(fc.constantFrom('light', 'sensor', 'switch', 'climate', 'cover'), template, template, fc.stringMatching(/^[a-z]{1,6}$/))
      .map(([, val, cmd, id]) => Buffer.from(JSON.stringify({ name: id, uniq_id: id, stat_t: 'fuzz/a', cmd_t: 'fuzz/a/set', val_tpl: val, cmd_tpl: cmd, json_attr_t: 'fuzz/b', json_attr_tpl: val }))) }),
  fc.record({ topic: discoveryTopic('homeassistant'), payload: payloadBytes, retain: fc.boolean() }),
  fc.record({ topic: stateTopic, payload: payloadBytes, retain: fc.constant(false) }),
  fc.record({ topic: fc.constant('zigbee2mqtt/bridge/devices'), payload: bridgeDevices.map((l) => Buffer.from(JSON.stringify(l) ?? '')), retain: fc.boolean() }),
);

function publish(c: MqttClient, m: Message): Promise<void> {
  // A topic the client library refuses, or a broker that closes the connection, is an allowed outcome.
  return new Promise((resolve) => {
    // mqtt.js neither sends a publish to the empty topic nor calls back, so it is left out here.
    if (!c.connected || m.topic === '') return resolve();
    const onClose = (): void => resolve();
    c.once('close', onClose);
    c.publish(m.topic, m.payload, { qos: 1, retain: m.retain }, () => { c.off('close', onClose); resolve(); });
  });
}

async function devices(): Promise<Array<Record<string, unknown>>> {
  const res = await fetch(`${d.url}/api/devices`, { headers: { authorization: `Bearer ${bearer}` } });
  assert.equal(res.status, 200);
  const body = await res.json() as { devices: Array<Record<string, unknown>> };
  assert.ok(Array.isArray(body.devices));
  return body.devices;
}

test('MQTT discovery, state and Zigbee2MQTT payloads of any shape: the hub stays up, its device list sane, the broker serving, no crash, memory near baseline', { timeout: FUZZ_TIMEOUT }, async () => {
  const baseline = await hubMemory(d);
  let run = 0;
  await fc.assert(fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 10 }), async (messages) => {
    const n = run++;
    const c = await connectAsync(`mqtt://127.0.0.1:${d.mqttPort}`, { reconnectPeriod: 0, clientId: `fuzz-${n}` });
    try {
      for (const m of messages) await publish(c, m);
    } finally {
      await c.endAsync(true);
    }
    await brokerRoundTrip(watcher, n);
    const list = await devices();
    const ids = list.map((x) => x.id);
    for (const id of ids) assert.equal(typeof id, 'string', `a device id that is not a string: ${JSON.stringify(id)}`);
    assert.equal(new Set(ids).size, ids.length, 'device ids are unique');
    assert.ok(list.length <= 5000, `${list.length} devices`);
    assert.equal(d.child.exitCode, null, 'the hub is still running');
  }), params(150));
  assert.deepEqual(crashLines(d.lines), []);
  assert.deepEqual(undocumentedCodes(d.lines), [], 'only documented codes in the hub\'s log');
  assert.equal(d.stderr, '');
  const memory = await assertMemoryBack(d, baseline, 'mqtt fuzz');
  console.log(`mqtt fuzz: ${run} runs, ${(await devices()).length} devices known at the end; ${memory}`);
});

test('found by the fuzzer (a seed of the state fuzz): a JSON light reporting the state "null" is logged with VALUE_INVALID, a code that was not documented; now it is', { timeout: 60_000 }, async () => {
  const c = await connectAsync(`mqtt://127.0.0.1:${d.mqttPort}`, { reconnectPeriod: 0, clientId: 'value-invalid' });
  try {
    await c.publishAsync('homeassistant/light/nullish/config', JSON.stringify({ name: 'nullish', uniq_id: 'nullish', schema: 'json', stat_t: 'found/nullish', cmd_t: 'found/nullish/set' }), { qos: 1 });
    for (let tries = 0; !(await devices()).some((x) => String(x.id).includes('nullish')); tries++) {
      assert.ok(tries < 500, 'the light is known');
      await new Promise((r) => setTimeout(r, 20));
    }
    await c.publishAsync('found/nullish', JSON.stringify({ state: 'null' }), { qos: 1 });
    const line = await d.waitForLine((l) => l.code === 'VALUE_INVALID' && /unexpected state "null"/.test(l.msg));
    assert.deepEqual(undocumentedCodes([line]), []);
  } finally {
    await c.endAsync(true);
  }
});
