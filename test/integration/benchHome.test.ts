/**
 * The voice benchmark measures what it says it measures: against the in-process hub it drives, every
 * sentence its clients say is understood, answered with one action on the device it names, and sent to
 * that device as one MQTT publish. A sentence that stopped matching would make the benchmark time errors.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectAsync } from 'mqtt';
import { startInProcessHub } from '../bench/hubTarget.js';
import { BENCH_AREAS, BENCH_HOME, BENCH_SENTENCES, hundredDeviceHome } from '../bench/voiceHome.js';
import { VoiceClient } from '../helpers/voiceClient.js';

test('every benchmark sentence gets a reply with one action and one MQTT command to its device', async (t) => {
  const target = await startInProcessHub({ devices: BENCH_HOME, areas: BENCH_AREAS });
  t.after(() => target.stop());
  const devices = await connectAsync(target.mqttUrl);
  t.after(() => devices.endAsync());
  const published: string[] = [];
  devices.on('message', (topic) => published.push(topic));
  await devices.subscribeAsync('bench/#', { qos: 1 });
  const token = await target.hub.auth.create({ sub: 'bench-check', scopes: ['voice'], ttl: '5m' });
  const client = await VoiceClient.connect(`${target.httpUrl.replace('http:', 'ws:')}/voice`, token);
  t.after(() => client.close());

  for (const [i, [text, device]] of BENCH_SENTENCES.entries()) {
    const reply = await client.say(`s${i}`, text);
    assert.equal(reply.type, 'reply', `${text}: ${reply.code ?? ''} ${reply.message ?? ''}`);
    assert.deepEqual((reply.actions as Array<{ device: string }>).map((a) => a.device), [device], text);
  }
  const deadline = Date.now() + 5000;
  while (published.length < BENCH_SENTENCES.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.deepEqual(published, BENCH_SENTENCES.map(([, device]) => `bench/${device}/set`));
});

test('the open-loop and edge benches\' 100-device home: each name, on and off, is one action and one MQTT command to that device', async (t) => {
  const home = hundredDeviceHome();
  // 200 utterances in a row from one client: past the default limit of 20/s, lifted as the benches do.
  const target = await startInProcessHub({ devices: home.devices, areas: home.areas, voice: { rateLimit: { perSecond: 100_000, burst: 100_000 } } });
  t.after(() => target.stop());
  const devices = await connectAsync(target.mqttUrl);
  t.after(() => devices.endAsync());
  const published: string[] = [];
  devices.on('message', (topic) => published.push(topic));
  await devices.subscribeAsync('load/#', { qos: 1 });
  const token = await target.hub.auth.create({ sub: 'bench-check', scopes: ['voice'], ttl: '5m' });
  const client = await VoiceClient.connect(`${target.httpUrl.replace('http:', 'ws:')}/voice`, token);
  t.after(() => client.close());

  const expected: string[] = [];
  for (const [i, name] of home.names.entries()) {
    for (const turn of ['on', 'off']) {
      const text = `turn ${turn} the ${name}`;
      const reply = await client.say(`h${i}-${turn}`, text);
      assert.equal(reply.type, 'reply', `${text}: ${reply.code ?? ''} ${reply.message ?? ''}`);
      assert.deepEqual((reply.actions as Array<{ device: string; command: string }>).map((a) => [a.device, a.command]), [[home.devices[i]!.id, `turn_${turn}`]], text);
      expected.push(home.devices[i]!.commandTopic!);
    }
  }
  const deadline = Date.now() + 10_000;
  while (published.length < expected.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.deepEqual(published, expected);
});
