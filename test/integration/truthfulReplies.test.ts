/** Issue 14 item 11 through the running daemon: replies that tell the truth. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { startDaemon, runCli, makeTempDir, SHIPPED_NODE_FLAGS } from '../helpers/daemon.js';
import { VoiceClient } from '../helpers/voiceClient.js';

const CONFIG = `devices:
  - { id: lamp, name: Desk Lamp, area: office, type: light, commandTopic: home/lamp/set, stateTopic: home/lamp/state, availabilityTopic: home/lamp/availability }
  - { id: stat, name: Thermostat, area: living_room, type: climate, temperatureCommandTopic: home/stat/temp/set, stateTopic: home/stat/state, minTemp: 10, maxTemp: 28, tempStep: 0.5 }
  - { id: lr_temp, name: Living Room Sensor Temperature, area: living_room, type: sensor, deviceClass: temperature, unit: "°C", stateTopic: home/lr/temperature }
  - { id: lr_hum, name: Living Room Sensor Humidity, area: living_room, type: sensor, deviceClass: humidity, unit: "%", stateTopic: home/lr/humidity }
storage: { flushIntervalMs: 50 }
`;

test('offline devices, thermostat ranges and steps, and readings of one kind', { timeout: 30_000 }, async () => {
  const dir = await makeTempDir();
  const d = await startDaemon({ dir, config: CONFIG, nodeArgs: SHIPPED_NODE_FLAGS });
  const mq = await connectAsync(`mqtt://127.0.0.1:${d.mqttPort}`, { reconnectPeriod: 0 });
  const sent: string[] = [];
  mq.on('message', (topic, payload) => { if (topic.endsWith('/set')) sent.push(`${topic} ${payload.toString()}`); });
  await mq.subscribeAsync('home/#');
  const r = await runCli(['token', 'create', '--sub', 'phone'], { cwd: dir, env: { VOICEHUB_DATA_DIR: join(dir, 'data') } });
  assert.equal(r.code, 0, r.stderr);
  const client = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, r.stdout.trim());
  let n = 0;
  const say = (text: string) => client.say(`u${n++}`, text);
  try {
    await mq.publishAsync('home/lr/temperature', '21.5', { retain: true });
    await mq.publishAsync('home/lr/humidity', '48.2', { retain: true });
    await mq.publishAsync('home/lamp/availability', 'offline', { retain: true });
    // Wait until the hub has read the states: ask until the answer is known.
    for (let i = 0; i < 100; i++) {
      const a = await say('what is the humidity in the living room');
      if (/48\.2/.test(String(a.text))) break;
      await new Promise((res) => setTimeout(res, 20));
    }

    const temp = await say('what is the temperature of the living room sensor');
    assert.equal(temp.type, 'reply', JSON.stringify(temp));
    assert.match(String(temp.text), /21\.5/, 'the temperature entity, never an average with the humidity');
    assert.doesNotMatch(String(temp.text), /34\.9|48/);

    let offline = await say('turn on the desk lamp');
    for (let i = 0; i < 100 && !/offline/.test(String(offline.text)); i++) {
      await new Promise((res) => setTimeout(res, 20));
      offline = await say('turn on the desk lamp');
    }
    assert.equal(offline.type, 'reply', JSON.stringify(offline));
    assert.match(String(offline.text), /offline/);
    assert.doesNotMatch(String(offline.text), /Turned on/);
    assert.deepEqual(offline.actions, []);

    for (const t of ['45', '32', '5']) {
      const out = await say(`set the thermostat to ${t} degrees`);
      assert.equal(out.type, 'error', JSON.stringify(out));
      assert.match(String(out.message ?? out.text), /between 10 and 28/, `${t}: ${JSON.stringify(out)}`);
    }
    const stepped = await say('set the thermostat to 21.3 degrees');
    assert.equal(stepped.type, 'reply', JSON.stringify(stepped));
    assert.match(String(stepped.text), /21\.5/);

    await mq.publishAsync('home/lamp/availability', 'online', { retain: true });
    let on = await say('turn on the desk lamp');
    for (let i = 0; i < 100 && /offline/.test(String(on.text)); i++) {
      await new Promise((res) => setTimeout(res, 20));
      on = await say('turn on the desk lamp');
    }
    assert.deepEqual(on.actions, [{ device: 'lamp', command: 'turn_on' }]);
    // The broker hands the commands to this subscriber on its own time: wait for both (bounded), then check them.
    for (let i = 0; i < 250 && !(sent.some((s) => s.startsWith('home/stat')) && sent.some((s) => s.startsWith('home/lamp'))); i++) {
      await new Promise((res) => setTimeout(res, 20));
    }
    assert.deepEqual(sent.filter((s) => s.startsWith('home/stat')), ['home/stat/temp/set 21.5']);
    assert.equal(sent.filter((s) => s.startsWith('home/lamp/set')).length, 1, 'the lamp got a command only once it was online');
  } finally {
    client.close();
    await mq.endAsync();
    await d.cleanup();
  }
});
