/**
 * Issue 18: topics the hub would hand to its broker that the broker (or MQTT itself) refuses. aedes refuses a
 * topic of more than 100 levels (its router's limit), and MQTT strings hold at most 65,535 bytes of UTF-8
 * [MQTT-1.5.3]: such a device topic is a bad request at the hub's door (BAD_REQUEST), not "the broker is
 * unavailable" (MQTT_UNAVAILABLE), and the hub goes on serving the other devices.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { runCli, startDaemon, SHIPPED_NODE_FLAGS } from '../helpers/daemon.js';
import { until } from '../helpers/until.js';

const DEEP = Array.from({ length: 101 }, (_, i) => `l${i}`).join('/');
// 21,846 three-byte characters: 65,538 bytes, though only 21,846 UTF-16 units.
const WIDE = `home/${'灯'.repeat(21_846)}`;

test('a device topic past the broker\'s limits (101 levels, over 65,535 bytes) is refused BAD_REQUEST at the hub\'s door, not MQTT_UNAVAILABLE; other devices are served', { timeout: 60_000 }, async (t) => {
  const hub = await startDaemon({
    config: [
      'devices:',
      '  - { id: lamp, name: Hall Lamp, area: hall, type: switch, commandTopic: home/lamp/set, stateTopic: home/lamp/state }',
      `  - { id: deep, name: Deep Lamp, area: hall, type: switch, commandTopic: ${DEEP}, stateTopic: ${DEEP} }`,
      `  - { id: wide, name: Wide Lamp, area: hall, type: switch, commandTopic: "${WIDE}", stateTopic: "${WIDE}/state" }`,
      '',
    ].join('\n'),
    nodeArgs: SHIPPED_NODE_FLAGS,
  });
  t.after(() => hub.cleanup());
  const made = await runCli(['token', 'create', '--sub', 'topic-tester', '--scope', 'devices:control'], { cwd: hub.dir, env: { VOICEHUB_DATA_DIR: join(hub.dir, 'data') } });
  assert.equal(made.code, 0, made.stderr);
  const token = made.stdout.trim();
  // A device client listening to everything: a topic the hub cannot encode must not cost it its connection.
  const listener = await connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, { reconnectPeriod: 0 });
  t.after(() => listener.endAsync(true));
  let closed = false;
  listener.on('close', () => { closed = true; });
  const received: string[] = [];
  listener.on('message', (topic) => received.push(topic));
  await listener.subscribeAsync('home/#', { qos: 1 });

  const command = async (device: string): Promise<{ status: number; code?: string }> => {
    const res = await fetch(`${hub.url}/api/command`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ device, command: 'turn_on' }),
    });
    const body = await res.json() as { error?: { code?: string } };
    return { status: res.status, ...(body.error?.code ? { code: body.error.code } : {}) };
  };
  assert.deepEqual(await command('deep'), { status: 400, code: 'BAD_REQUEST' }, '101 levels');
  assert.deepEqual(await command('wide'), { status: 400, code: 'BAD_REQUEST' }, 'over 65,535 bytes');
  assert.deepEqual(await command('lamp'), { status: 200 }, 'the others are served');
  await until(() => (received.includes('home/lamp/set') ? true : undefined), 'the lamp\'s command at the listener');
  assert.equal(closed, false, 'the listener kept its connection');
  assert.deepEqual(received, ['home/lamp/set'], 'nothing of the refused topics reached the network');
  // The state topics are refused as subscriptions, with the same code, each named in the log.
  for (const pattern of [DEEP, `${WIDE}/state`]) {
    const line = await hub.waitForLine((l) => l.msg === 'device subscription failed' && l.pattern === pattern);
    assert.equal((line.err as { code?: string } | undefined)?.code, 'BAD_REQUEST', JSON.stringify(line.err));
  }
  // And the hub is still whole: its health answers.
  assert.equal((await fetch(`${hub.url}/health`)).status, 200);
});
