import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { connectAsync, type MqttClient } from 'mqtt';
import { makeTempDir, runCli, startDaemon, SHIPPED_NODE_FLAGS } from '../helpers/daemon.js';
import { VoiceClient } from '../helpers/voiceClient.js';
import { until } from '../helpers/until.js';

/**
 * Device input and voice share each loop phase's work budget (daemon/core/turnBudget.ts): past it, a socket's
 * input is held and the socket paused until its turn. Whatever the pacing, under a flood of QoS 1 state from
 * many device clients: a voice client's ping and utterance are answered while the flood is still arriving,
 * every acknowledged state message is applied (none dropped or folded), and each device ends in the flood's
 * last state.
 */
const DEVICES = 40;
const EACH = 500;
const BURST = 50;

function bridgeDevices(count: number): string {
  return JSON.stringify(Array.from({ length: count }, (_, i) => ({
    ieee_address: `0x00124b00${i.toString(16).padStart(8, '0')}`,
    friendly_name: `flood_${i}`,
    type: 'Router',
    supported: true,
    interview_completed: true,
    definition: {
      model: 'FLOOD-1', vendor: 'voicehub', description: 'flood light',
      exposes: [{ type: 'light', features: [
        { type: 'binary', name: 'state', property: 'state', value_on: 'ON', value_off: 'OFF', access: 7 },
        { type: 'numeric', name: 'brightness', property: 'brightness', value_min: 0, value_max: 254, access: 7 },
      ] }],
    },
  })));
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

if (isMainThread) test('under a flood of QoS 1 device state, a voice client is answered mid-flood, every acknowledged message is applied and each device ends in its last state', { timeout: 240_000 }, async (t) => {
  const dir = await makeTempDir();
  const config = {
    devices: [{ id: 'kitchen_light', name: 'Kitchen light', area: 'kitchen', type: 'light', commandTopic: 'flood/kitchen_light/set', stateTopic: 'flood/kitchen_light' }],
    voice: { rateLimit: { perSecond: 100_000, burst: 100_000 } },
  };
  const d = await startDaemon({ dir, config: JSON.stringify(config), nodeArgs: SHIPPED_NODE_FLAGS });
  t.after(() => d.cleanup());
  const url = `mqtt://127.0.0.1:${d.mqttPort}`;
  const env = { VOICEHUB_DATA_DIR: join(dir, 'data') };
  const token = (await runCli(['token', 'create', '--sub', 'flood', '--scope', 'voice devices:read'], { cwd: dir, env })).stdout.trim();
  const listDevices = async () => ((await (await fetch(`${d.url}/api/devices`, { headers: { authorization: `Bearer ${token}` } })).json()) as { devices: Array<{ id: string; name: string; state: Record<string, unknown> }> }).devices;

  const z2m = await connectAsync(url, { reconnectPeriod: 0, clientId: 'zigbee2mqtt' });
  t.after(() => z2m.endAsync(true));
  await z2m.publishAsync('zigbee2mqtt/bridge/devices', bridgeDevices(DEVICES), { qos: 1, retain: true });
  for (const end = Date.now() + 60_000; (await listDevices()).length < DEVICES + 1 && Date.now() < end;) await new Promise((r) => setTimeout(r, 100));
  assert.equal((await listDevices()).length, DEVICES + 1);

  const kitchen = await connectAsync(url, { reconnectPeriod: 0, clientId: 'flood_kitchen' });
  t.after(() => kitchen.endAsync(true));
  const commands: string[] = [];
  kitchen.on('message', (_topic, payload) => commands.push(payload.toString()));
  await kitchen.subscribeAsync('flood/kitchen_light/set', { qos: 1 });

  const voice = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, token);
  t.after(() => voice.close());

  const updatesBefore = await metric(d.url, 'voicehub_device_updates_total');
  // The device clients run in a worker, so this thread's loop (which reads the voice replies) is not the one
  // working through 20,000 acknowledgements; the count of acknowledged messages is shared memory, exact.
  const counter = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(new URL(import.meta.url), { workerData: { role: 'flood', url, counter } });
  t.after(() => worker.terminate());
  const flooded = new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (m) => { if (m === 'done') resolve(); });
  });
  const acknowledged = () => Atomics.load(counter, 0);
  // Once the flood is flowing, the voice client asks.
  await until(() => (acknowledged() > 0 ? true : undefined), 'the first acknowledged state message', 60_000);
  voice.send({ type: 'ping' });
  voice.send({ type: 'utterance', id: 'mid-flood', text: 'turn on the kitchen light' });
  await voice.waitFor((f) => f.type === 'pong', 120_000);
  const ackedAtPong = acknowledged();
  const reply = await voice.waitFor((f) => f.id === 'mid-flood', 120_000);
  assert.equal(reply.type, 'reply', JSON.stringify(reply));
  assert.ok(ackedAtPong < DEVICES * EACH, `the ping was answered while the flood was still arriving (${ackedAtPong} of ${DEVICES * EACH} acknowledged by then)`);

  await flooded;
  assert.equal(acknowledged(), DEVICES * EACH, 'every state message acknowledged');
  await until(() => (commands.length > 0 ? true : undefined), 'the voice command at the kitchen light', 60_000);
  // Acknowledged is applied: the count of applied messages reaches every one of them, none folded or dropped.
  let applied = 0;
  for (const end = Date.now() + 60_000; applied < DEVICES * EACH && Date.now() < end;) {
    applied = (await metric(d.url, 'voicehub_device_updates_total')) - updatesBefore;
    if (applied < DEVICES * EACH) await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(applied, DEVICES * EACH, 'every acknowledged state message was applied');
  const devices = await listDevices();
  for (let i = 0; i < DEVICES; i++) {
    const dev = devices.find((x) => x.id === `0x00124b00${i.toString(16).padStart(8, '0')}`);
    assert.ok(dev, `flood device ${i} listed`);
    assert.equal(dev.state.state, 'on', `flood device ${i} ends in its last state: ${JSON.stringify(dev.state)}`);
    assert.equal(dev.state.brightness, 100, `flood device ${i}: brightness 254 of 254 is 100 %`);
  }
});

/** The flood's device clients (worker thread): the last message of each is ON at 254. */
async function flood({ url, counter }: { url: string; counter: Int32Array }): Promise<void> {
  const clients: MqttClient[] = await Promise.all(Array.from({ length: DEVICES }, (_, i) =>
    connectAsync(url, { reconnectPeriod: 0, clientId: `flood_dev_${i}` })));
  // Bursts of 50 in flight per client, the next as soon as they are acknowledged: the flood lasts as long as
  // the hub takes to work it off, and this thread reads acknowledgements all along.
  await Promise.all(clients.map(async (c, i) => {
    for (let n = 0; n < EACH; n += BURST) {
      await Promise.all(Array.from({ length: Math.min(BURST, EACH - n) }, (_, k) => {
        const last = n + k === EACH - 1;
        const payload = JSON.stringify({ state: last ? 'ON' : 'OFF', brightness: last ? 254 : (n + k) % 200 });
        return c.publishAsync(`zigbee2mqtt/flood_${i}`, payload, { qos: 1 }).then(() => { Atomics.add(counter, 0, 1); });
      }));
    }
  }));
  await Promise.all(clients.map((c) => c.endAsync()));
  parentPort!.postMessage('done');
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'flood') await flood(workerData as { url: string; counter: Int32Array });
