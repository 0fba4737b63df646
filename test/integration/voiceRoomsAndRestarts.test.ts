import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { startDaemon, runCli, makeTempDir, type DaemonProcess } from '../helpers/daemon.js';
import { VoiceClient } from '../helpers/voiceClient.js';

const DEVICES = `devices:
  - { id: kitchen_light, name: Kitchen light, area: kitchen, type: light, commandTopic: home/kitchen/light/set, stateTopic: home/kitchen/light }
  - { id: bedroom_light, name: Bedroom light, area: bedroom, type: light, commandTopic: home/bedroom/light/set, stateTopic: home/bedroom/light }
storage: { flushIntervalMs: 50 }
`;

async function token(dir: string, args: string[]): Promise<string> {
  const r = await runCli(['token', 'create', ...args], { cwd: dir, env: { VOICEHUB_DATA_DIR: join(dir, 'data') } });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

const voiceUrl = (d: DaemonProcess) => `ws://127.0.0.1:${d.httpPort}/voice`;

test('"in here" means the room named in the client\'s token', { timeout: 30_000 }, async () => {
  const dir = await makeTempDir();
  const d = await startDaemon({ dir, config: DEVICES });
  const device = await connectAsync(`mqtt://127.0.0.1:${d.mqttPort}`, { reconnectPeriod: 0 });
  const commands: string[] = [];
  device.on('message', (topic) => commands.push(topic));
  await device.subscribeAsync('home/+/light/set');
  const bedroom = await VoiceClient.connect(voiceUrl(d), await token(dir, ['--sub', 'bedroom-satellite', '--area', 'bedroom']));
  const roomless = await VoiceClient.connect(voiceUrl(d), await token(dir, ['--sub', 'phone']));
  try {
    const reply = await bedroom.say('h1', 'turn on the lights in here');
    assert.equal(reply.type, 'reply', JSON.stringify(reply));
    assert.deepEqual(reply.actions, [{ device: 'bedroom_light', command: 'turn_on' }]);
    const zh = await bedroom.say('h2', '关掉这里的灯');
    assert.equal(zh.type, 'reply', JSON.stringify(zh));
    assert.deepEqual(zh.actions, [{ device: 'bedroom_light', command: 'turn_off' }]);
    const unknownRoom = await roomless.say('h3', 'turn on the lights in here');
    assert.equal(unknownRoom.type, 'error', 'a client with no room cannot say "in here"');
    await bedroom.say('h4', 'turn on the kitchen light'); // a later round trip
    assert.ok(!commands.slice(0, 2).includes('home/kitchen/light/set'), 'the kitchen was never touched by "in here"');
    assert.deepEqual(commands.slice(0, 2), ['home/bedroom/light/set', 'home/bedroom/light/set']);
  } finally {
    bedroom.close();
    roomless.close();
    await device.endAsync();
    await d.cleanup();
  }
});

test('a timer survives a hub restart and speaks to the client that set it once it reconnects', { timeout: 60_000 }, async () => {
  const dir = await makeTempDir();
  let d = await startDaemon({ dir, config: DEVICES });
  const kitchenToken = await token(dir, ['--sub', 'kitchen-satellite', '--area', 'kitchen']);
  let client = await VoiceClient.connect(voiceUrl(d), kitchenToken);
  const reply = await client.say('t1', 'set a timer for 4 seconds');
  assert.equal(reply.type, 'reply', JSON.stringify(reply));
  assert.equal((await d.stop()).code, 0);
  await client.closed;
  d = await startDaemon({ dir, config: DEVICES });
  const other = await VoiceClient.connect(voiceUrl(d), await token(dir, ['--sub', 'bedroom-satellite']));
  client = await VoiceClient.connect(voiceUrl(d), kitchenToken);
  try {
    const spoken = await client.waitFor((f) => f.type === 'speak', 15_000);
    assert.equal(spoken.source, 'voicehub.timers');
    await other.say('o1', 'turn on the kitchen light'); // a round trip after the speak
    assert.equal(other.frames.some((f) => f.type === 'speak'), false, 'only the client that asked hears it');
  } finally {
    client.close();
    other.close();
    await d.cleanup();
  }
});
