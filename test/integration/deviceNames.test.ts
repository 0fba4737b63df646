import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { startDaemon, runCli, makeTempDir, type DaemonProcess } from '../helpers/daemon.js';
import { VoiceClient } from '../helpers/voiceClient.js';
import { ALL_FIRMWARE } from '../fixtures/firmware/discovery.js';
import { until } from '../helpers/until.js';

/**
 * Names as real firmware gives them, tried as a new user would: a daemon with no config, devices that
 * announce themselves the way ESPHome, Tasmota and Zigbee2MQTT do, and the short names people say.
 */
let d: DaemonProcess;
let device: MqttClient;
let voice: VoiceClient;
const received: Array<{ topic: string; payload: string }> = [];

before(async () => {
  const dir = await makeTempDir();
  d = await startDaemon({ dir });
  device = await connectAsync(`mqtt://127.0.0.1:${d.mqttPort}`, { reconnectPeriod: 0 });
  device.on('message', (topic, payload) => received.push({ topic, payload: payload.toString() }));
  await device.subscribeAsync(['office-node/#', 'kitchen-esp/#', 'cmnd/#', 'zigbee2mqtt/+/set/#']);
  for (const a of ALL_FIRMWARE) await device.publishAsync(a.topic, JSON.stringify(a.payload), { retain: true, qos: 1 });
  await device.publishAsync('office-node/status', 'online', { retain: true, qos: 1 });
  await device.publishAsync('kitchen-esp/status', 'online', { retain: true, qos: 1 });
  await device.publishAsync('tele/tasmota_8C4B14/LWT', 'Online', { retain: true, qos: 1 });
  await device.publishAsync('zigbee2mqtt/bridge/state', JSON.stringify({ state: 'online' }), { retain: true, qos: 1 });
  await device.publishAsync('zigbee2mqtt/Front door lock', JSON.stringify({ state: 'LOCK' }), { qos: 1 });
  await device.publishAsync('zigbee2mqtt/Bedroom sensor', JSON.stringify({ temperature: 21.5, humidity: 48.2, linkquality: 90 }), { qos: 1 });
  const token = (await runCli(['token', 'create', '--sub', 'phone', '--scope', 'voice devices:read'], { cwd: dir, env: { VOICEHUB_DATA_DIR: join(dir, 'data') } })).stdout.trim();
  voice = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, token);
  // Every announcement is in once the last one's state answers.
  for (let i = 0; ; i++) {
    const r = await voice.say(`warmup-${i}`, 'what is the humidity');
    if (r.type === 'reply' && /48/.test(String(r.text))) break;
    if (i > 100) throw new Error(`devices never appeared: ${JSON.stringify(r)}`);
    await new Promise((res) => setTimeout(res, 50));
  }
});

after(async () => {
  voice?.close();
  await device?.endAsync();
  await d?.cleanup();
});

async function command(id: string, text: string, topic: string): Promise<{ reply: Record<string, unknown>; payload: string }> {
  const before = received.filter((m) => m.topic === topic).length;
  const reply = await voice.say(id, text);
  assert.equal(reply.type, 'reply', `${text}: ${JSON.stringify(reply)}`);
  const sent = await until(() => received.filter((m) => m.topic === topic)[before], `the command on ${topic}`);
  return { reply, payload: sent.payload };
}

test('ESPHome: "turn on the desk lamp" reaches "Office node Desk lamp" and the reply says the short name', async () => {
  const { reply, payload } = await command('n1', 'turn on the desk lamp', 'office-node/light/desk_lamp/command');
  assert.equal(JSON.parse(payload).state, 'ON');
  assert.equal(reply.text, 'Turned on the desk lamp.');
});

test('ESPHome: the node prefix is not spoken: "Turned on the kitchen light", and 厨房灯 in Chinese', async () => {
  const en = await command('n2', 'turn on the kitchen light', 'kitchen-esp/light/kitchen_light/command');
  assert.equal(en.reply.text, 'Turned on the kitchen light.');
  const zh = await command('n2zh', '关掉厨房灯', 'kitchen-esp/light/kitchen_light/command');
  assert.equal(JSON.parse(zh.payload).state, 'OFF');
  assert.equal(zh.reply.text, '已关闭厨房灯。');
});

test('Tasmota: "turn on the hall fan" reaches "Tasmota Hall Fan"', async () => {
  const { reply, payload } = await command('n3', 'turn on the hall fan', 'cmnd/tasmota_8C4B14/FanSpeed');
  assert.equal(payload, '2');
  assert.equal(reply.text, 'Turned on the hall fan.');
});

test('Zigbee2MQTT: "lock the front door" reaches the lock "Front door lock"', async () => {
  const { reply, payload } = await command('n4', 'lock the front door', 'zigbee2mqtt/Front door lock/set/state');
  assert.equal(payload, 'LOCK');
  assert.equal(reply.intent, 'HassTurnOn');
  assert.equal(reply.text, 'Locked the front door.');
});

test('Zigbee2MQTT: "what\'s the bedroom temperature" answers from the temperature entity, not the humidity', async () => {
  const reply = await voice.say('n5', "what's the bedroom temperature");
  assert.equal(reply.type, 'reply', JSON.stringify(reply));
  assert.equal(reply.text, 'The bedroom temperature reads 21.5 °C.');
});

test('the area word in a name places the device: "what is the temperature in the bedroom"', async () => {
  const reply = await voice.say('n6', 'what is the temperature in the bedroom');
  assert.equal(reply.type, 'reply', JSON.stringify(reply));
  assert.match(String(reply.text), /21\.5/);
});

test('two targets in one command: one reply, one command to each device', async () => {
  const lamp = received.filter((m) => m.topic === 'office-node/light/desk_lamp/command').length;
  const fan = received.filter((m) => m.topic === 'cmnd/tasmota_8C4B14/FanSpeed').length;
  const reply = await voice.say('m1', 'turn off the desk lamp and the hall fan');
  assert.equal(reply.type, 'reply', JSON.stringify(reply));
  assert.equal(reply.text, 'Turned off the desk lamp and the hall fan.');
  assert.deepEqual(reply.actions, [{ device: 'ESPlightdesk_lamp', command: 'turn_off' }, { device: '8C4B14_fan', command: 'turn_off' }]);
  await until(() => received.filter((m) => m.topic === 'office-node/light/desk_lamp/command')[lamp], 'the lamp command');
  const sent = await until(() => received.filter((m) => m.topic === 'cmnd/tasmota_8C4B14/FanSpeed')[fan], 'the fan command');
  assert.equal(sent.payload, '0');
});

test('follow-ups in a session: "the desk one" answers the hub\'s question; "and the hall fan too" repeats the command', async () => {
  const question = await voice.say('f1', 'turn on the lamp');
  assert.equal(question.type, 'error', JSON.stringify(question));
  assert.match(String(question.message), /^Which lamp do you mean/);
  const lamp = received.filter((m) => m.topic === 'office-node/light/desk_lamp/command').length;
  const answer = await voice.say('f2', 'the desk one');
  assert.equal(answer.type, 'reply', JSON.stringify(answer));
  assert.equal(answer.text, 'Turned on the desk lamp.');
  await until(() => received.filter((m) => m.topic === 'office-node/light/desk_lamp/command')[lamp], 'the lamp command');
  const fan = received.filter((m) => m.topic === 'cmnd/tasmota_8C4B14/FanSpeed').length;
  const again = await voice.say('f3', 'and the hall fan too');
  assert.equal(again.type, 'reply', JSON.stringify(again));
  assert.equal(again.text, 'Turned on the hall fan.');
  assert.equal((await until(() => received.filter((m) => m.topic === 'cmnd/tasmota_8C4B14/FanSpeed')[fan], 'the fan command')).payload, '2');
});
