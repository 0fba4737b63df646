/** The running daemon hears Traditional Chinese and Cantonese and answers in the script the user wrote. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { startDaemon, runCli, makeTempDir, SHIPPED_NODE_FLAGS } from '../helpers/daemon.js';
import { VoiceClient } from '../helpers/voiceClient.js';

const CONFIG = `devices:
  - { id: kitchen_light, name: Kitchen light, area: kitchen, type: light, commandTopic: home/kitchen/light/set, stateTopic: home/kitchen/light }
  - { id: desk_lamp, name: 書桌燈, area: office, type: light, commandTopic: home/office/lamp/set, stateTopic: home/office/lamp }
storage: { flushIntervalMs: 50 }
`;

test('Traditional and Cantonese commands act, and the reply is in the script of the question', { timeout: 30_000 }, async () => {
  const dir = await makeTempDir();
  const d = await startDaemon({ dir, config: CONFIG, nodeArgs: SHIPPED_NODE_FLAGS });
  const device = await connectAsync(`mqtt://127.0.0.1:${d.mqttPort}`, { reconnectPeriod: 0 });
  const commands: string[] = [];
  device.on('message', (topic, payload) => commands.push(`${topic} ${payload.toString()}`));
  await device.subscribeAsync('home/#');
  const r = await runCli(['token', 'create', '--sub', 'hk-satellite'], { cwd: dir, env: { VOICEHUB_DATA_DIR: join(dir, 'data') } });
  assert.equal(r.code, 0, r.stderr);
  const client = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, r.stdout.trim());
  try {
    const tw = await client.say('t1', '打開廚房的燈');
    assert.equal(tw.type, 'reply', JSON.stringify(tw));
    assert.deepEqual(tw.actions, [{ device: 'kitchen_light', command: 'turn_on' }]);
    assert.match(String(tw.text), /打開/, `a Traditional reply: ${tw.text}`);
    assert.doesNotMatch(String(tw.text), /打开|厨房|灯/, `no Simplified left: ${tw.text}`);

    const hans = await client.say('t2', '关闭厨房的灯');
    assert.equal(hans.type, 'reply', JSON.stringify(hans));
    assert.match(String(hans.text), /关闭|关/, `a Simplified reply: ${hans.text}`);

    // A device named in Traditional, switched off in Cantonese with a zh-HK tag.
    const yue = await client.say('t3', '閂咗書桌燈', 'zh-HK');
    assert.equal(yue.type, 'reply', JSON.stringify(yue));
    assert.deepEqual(yue.actions, [{ device: 'desk_lamp', command: 'turn_off' }]);
    assert.doesNotMatch(String(yue.text), /书桌灯|关/, `Traditional reply: ${yue.text}`);

    const unknown = await client.say('t4', '打開月亮', 'zh-TW');
    assert.equal(unknown.type, 'error');
    await client.say('t5', 'turn on the kitchen light');
    // The broker hands the commands to this subscriber on its own time: wait for them (bounded), then count.
    const sentCommands = () => commands.filter((c) => c.startsWith('home/kitchen/light/set') || c.startsWith('home/office/lamp/set'));
    for (let i = 0; i < 250 && sentCommands().length < 4; i++) await new Promise((res) => setTimeout(res, 20));
    await new Promise((res) => setTimeout(res, 100)); // room for a wrong fifth one to show up
    assert.equal(sentCommands().length, 4, 'on, off, off, on: the unknown 月亮 sent nothing');
  } finally {
    client.close();
    await device.endAsync();
    await d.cleanup();
  }
});
