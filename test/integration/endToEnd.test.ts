import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { startDaemon, runCli, makeTempDir, type DaemonProcess } from '../helpers/daemon.js';
import { VoiceClient, type Frame } from '../helpers/voiceClient.js';
import { until } from '../helpers/until.js';

/**
 * From a voice client through the whole hub to the MQTT message a device receives: the real daemon, its
 * embedded broker, a device announcing itself by Home Assistant discovery, and a real `ws` voice client.
 */
let d: DaemonProcess;
let device: MqttClient;
let voice: VoiceClient;
const received: Array<{ topic: string; payload: string }> = [];

const LIGHT = {
  '~': 'esphome/kitchen', name: null, uniq_id: 'kitchen_light', cmd_t: '~/light/set', stat_t: '~/light/state', schema: 'json', brightness: true,
  dev: { ids: ['esp-kitchen'], name: 'Kitchen light', sa: 'Kitchen' },
};
const LOCK = {
  name: 'Front door', uniq_id: 'front_door', cmd_t: 'zwave/front_door/set', stat_t: 'zwave/front_door/state',
  dev: { ids: ['zw-lock'], name: 'Front door', sa: 'Hall' },
};

before(async () => {
  const dir = await makeTempDir();
  d = await startDaemon({ dir, env: { VOICEHUB_LOG_LEVEL: 'debug' } });
  device = await connectAsync(`mqtt://127.0.0.1:${d.mqttPort}`, { reconnectPeriod: 0 });
  device.on('message', (topic, payload) => received.push({ topic, payload: payload.toString() }));
  await device.subscribeAsync(['esphome/kitchen/light/set', 'zwave/front_door/set']);
  await device.publishAsync('homeassistant/light/kitchen/config', JSON.stringify(LIGHT), { retain: true, qos: 1 });
  await device.publishAsync('homeassistant/lock/front_door/config', JSON.stringify(LOCK), { retain: true, qos: 1 });
  await device.publishAsync('zwave/front_door/state', 'LOCKED', { qos: 1 });
  const token = (await runCli(['token', 'create', '--sub', 'kitchen-satellite', '--scope', 'voice devices:read'], { cwd: dir, env: { VOICEHUB_DATA_DIR: join(dir, 'data') } })).stdout.trim();
  await until(() => (d.lines.length > 0 ? true : undefined), 'logs');
  // Wait until both devices are known: the hub answers a state query about the lock.
  voice = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, token);
  for (let i = 0; ; i++) {
    const r = await voice.say(`warmup-${i}`, 'is the front door locked');
    if (r.type === 'reply') break;
    if (i > 100) throw new Error(`devices never appeared: ${JSON.stringify(r)}`);
    await new Promise((res) => setTimeout(res, 50));
  }
});

after(async () => {
  voice?.close();
  await device?.endAsync();
  await d?.cleanup();
});

const commandsTo = (topic: string) => received.filter((m) => m.topic === topic);

test('"turn on the kitchen light" publishes the device\'s own JSON command and answers with the action', async () => {
  const before = commandsTo('esphome/kitchen/light/set').length;
  const reply = await voice.say('e1', 'turn on the kitchen light');
  assert.equal(reply.type, 'reply', JSON.stringify(reply));
  assert.equal(reply.intent, 'HassTurnOn');
  assert.equal(reply.handledBy, 'voicehub.devices');
  assert.deepEqual(reply.actions, [{ device: 'kitchen_light', command: 'turn_on' }]);
  assert.match(String(reply.text), /kitchen light/i);
  assert.equal(typeof reply.ms, 'number');
  const sent = await until(() => commandsTo('esphome/kitchen/light/set')[before], 'the MQTT command');
  assert.equal(JSON.parse(sent.payload).state, 'ON');
  const logged = await until(() => d.lines.find((l) => l.msg === 'device command' && String(l.traceId).endsWith('/e1')), 'the command log line');
  assert.equal(logged.device, 'kitchen_light', 'the command is logged with the utterance\'s trace id');
  assert.equal(logged.level, 'debug', 'at debug: info stays quiet on the hot path');
});

test('Chinese: "把厨房的灯调到百分之四十" sets brightness 40 % (102 of 255)', async () => {
  const before = commandsTo('esphome/kitchen/light/set').length;
  const reply = await voice.say('z1', '把厨房的灯调到百分之四十');
  assert.equal(reply.type, 'reply', JSON.stringify(reply));
  assert.equal(reply.intent, 'HassLightSet');
  const sent = await until(() => commandsTo('esphome/kitchen/light/set')[before], 'the MQTT command');
  assert.equal(JSON.parse(sent.payload).brightness, 102);
  assert.match(String(reply.text), /[\u4e00-\u9fff]/, 'answered in Chinese');
});

test('out of range: "set the kitchen light to 250 percent" is refused and nothing is published', async () => {
  const before = commandsTo('esphome/kitchen/light/set').length;
  const reply = await voice.say('r1', 'set the kitchen light to 250 percent');
  assert.equal(reply.type, 'error');
  assert.equal(reply.code, 'BAD_REQUEST');
  await voice.say('r2', 'is the front door locked'); // a later round trip: anything published would be here by now
  assert.equal(commandsTo('esphome/kitchen/light/set').length, before);
});

test('the same id again returns the first reply and runs nothing twice', async () => {
  const before = commandsTo('esphome/kitchen/light/set').length;
  const [a, b] = await Promise.all([voice.say('dup', 'turn off the kitchen light'), voice.say('dup', 'turn off the kitchen light')]);
  const third = await voice.say('dup', 'turn off the kitchen light');
  assert.deepEqual(b, a);
  assert.deepEqual(third, a);
  await voice.say('dup-check', 'is the front door locked');
  assert.equal(commandsTo('esphome/kitchen/light/set').length, before + 1);
});

test('a state query answers from the last state the device reported', async () => {
  const reply = await voice.say('q1', 'is the front door locked');
  assert.equal(reply.type, 'reply');
  assert.equal(reply.intent, 'HassGetState');
  assert.match(String(reply.text), /locked/i);
});

test('"unlock the front door" publishes the lock\'s own payload', async () => {
  const before = commandsTo('zwave/front_door/set').length;
  const reply = await voice.say('l1', 'unlock the front door');
  assert.equal(reply.type, 'reply', JSON.stringify(reply));
  const sent = await until(() => commandsTo('zwave/front_door/set')[before], 'the lock command');
  assert.equal(sent.payload, 'UNLOCK');
});

test('nonsense gets NO_MATCH and the session goes on', async () => {
  const reply = await voice.say('n1', 'sing me a song about the sea');
  assert.equal(reply.type, 'error');
  assert.equal(reply.code, 'NO_MATCH');
  assert.equal((await voice.say('n2', 'is the front door locked')).type, 'reply');
});

test('a timer set by voice speaks to the session that asked when it ends', { timeout: 20_000 }, async () => {
  const reply = await voice.say('t1', 'set a timer for 1 second');
  assert.equal(reply.type, 'reply', JSON.stringify(reply));
  assert.equal(reply.intent, 'HassStartTimer');
  const spoken: Frame = await voice.waitFor((f) => f.type === 'speak', 10_000);
  assert.equal(spoken.source, 'voicehub.timers');
  assert.ok(String(spoken.text).length > 0);
});

test('state frames arrive in order for each utterance', async () => {
  const start = voice.frames.length;
  await voice.say('s1', 'is the front door locked');
  const states = voice.frames.slice(start).filter((f) => f.type === 'state').map((f) => f.state);
  assert.deepEqual(states, ['processing', 'replying', 'idle']);
});
