import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { makeTempDir, runCli, startDaemon, SHIPPED_NODE_FLAGS, REPO_ROOT } from '../helpers/daemon.js';
import { VoiceClient } from '../helpers/voiceClient.js';
import { until } from '../helpers/until.js';

/**
 * A large Zigbee network through the daemon bundle (under the shipped memory flags) and its embedded broker:
 * Zigbee2MQTT's retained `bridge/devices` with 1,000 devices is several times `mqtt.maxPacketBytes` (256 KiB),
 * and it is still read whole: every device is discovered, one is commanded by voice, and a client that
 * subscribes later gets the list retained. (What may not be that large is in test/attacks/mqtt.test.ts.)
 */
type Entry = Record<string, unknown> & { friendly_name: string; ieee_address: string };

/** 1,000 devices shaped like the fixture's IKEA bulb (its full exposes): about 1.3 KB each. */
async function bridgeList(count: number): Promise<Entry[]> {
  const fixture = JSON.parse(await readFile(join(REPO_ROOT, 'test/fixtures/devices/z2mBridgeDevices.json'), 'utf8')) as Entry[];
  const bulb = fixture.find((e) => e.friendly_name === 'kitchen_ceiling')!;
  return Array.from({ length: count }, (_, i) => ({
    ...bulb,
    ieee_address: `0x00124b00${i.toString(16).padStart(8, '0')}`,
    network_address: i,
    friendly_name: i === 777 ? 'porch_light' : `bulb_${i}`,
    description: `bulb ${i}`,
  }));
}

test('a 1,000-device Zigbee2MQTT bridge/devices list, over mqtt.maxPacketBytes, is read whole: all discovered, one commanded by voice, kept retained', { timeout: 180_000 }, async (t) => {
  const dir = await makeTempDir();
  const d = await startDaemon({ dir, nodeArgs: SHIPPED_NODE_FLAGS });
  t.after(() => d.cleanup());
  const url = `mqtt://127.0.0.1:${d.mqttPort}`;
  const z2m = await connectAsync(url, { reconnectPeriod: 0, clientId: 'zigbee2mqtt' });
  t.after(() => z2m.endAsync(true));
  const commands: Array<{ topic: string; payload: string }> = [];
  z2m.on('message', (topic, payload) => commands.push({ topic, payload: payload.toString() }));
  await z2m.subscribeAsync('zigbee2mqtt/+/set', { qos: 1 });

  const list = JSON.stringify(await bridgeList(1000));
  assert.ok(list.length > 4 * 262144, `${list.length} bytes: several times the default mqtt.maxPacketBytes`);
  await z2m.publishAsync('zigbee2mqtt/bridge/state', JSON.stringify({ state: 'online' }), { qos: 1, retain: true });
  // A refusal closes the connection, and mqtt.js then never settles the publish: race the two.
  const outcome = await Promise.race([
    z2m.publishAsync('zigbee2mqtt/bridge/devices', list, { qos: 1, retain: true }).then(() => 'acknowledged'),
    new Promise<string>((resolve) => z2m.once('close', () => resolve('closed'))),
  ]);
  assert.equal(outcome, 'acknowledged', 'the broker took it and kept the connection');

  const env = { VOICEHUB_DATA_DIR: join(dir, 'data') };
  const read = (await runCli(['token', 'create', '--sub', 'z2m', '--scope', 'devices:read voice'], { cwd: dir, env })).stdout.trim();
  let devices: Array<{ id: string; name: string }> = [];
  for (const end = Date.now() + 60_000; devices.length < 1000 && Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
    const res = await fetch(`${d.url}/api/devices`, { headers: { authorization: `Bearer ${read}` } });
    devices = ((await res.json()) as { devices: typeof devices }).devices;
  }
  assert.equal(devices.length, 1000, 'one light each');
  assert.equal(new Set(devices.map((x) => x.id)).size, 1000);

  const voice = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, read);
  t.after(() => voice.close());
  const reply = await voice.say('z1', 'turn on the porch light');
  assert.equal(reply.type, 'reply', JSON.stringify(reply));
  const sent = await until(() => commands.find((c) => c.topic === 'zigbee2mqtt/porch_light/set'), 'the porch light\'s command');
  assert.equal((JSON.parse(sent.payload) as { state: string }).state, 'ON');

  // Kept retained, and delivered whole to a client that subscribes afterwards.
  const later: MqttClient = await connectAsync(url, { reconnectPeriod: 0 });
  t.after(() => later.endAsync(true));
  const got = new Promise<Buffer>((resolve) => later.on('message', (topic, payload) => { if (topic === 'zigbee2mqtt/bridge/devices') resolve(payload); }));
  await later.subscribeAsync('zigbee2mqtt/bridge/devices');
  assert.equal((await got).length, Buffer.byteLength(list));
});
