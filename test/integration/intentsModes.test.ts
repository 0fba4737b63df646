import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { startDaemon, runCli, makeTempDir, SHIPPED_NODE_FLAGS, type DaemonProcess } from '../helpers/daemon.js';
import { VoiceClient, type Frame } from '../helpers/voiceClient.js';
import { spokenCommands, untilDevices } from '../helpers/spokenCommands.js';

/**
 * Issue 14: named fan speeds, presets and modes of the devices' own, and a humidifier's own lowest and highest,
 * through the whole hub: the bundled daemon with its embedded broker, devices announcing themselves over Home
 * Assistant discovery (a fan with `preset_modes`, a fan with a percentage only, a humidifier whose `modes` hold
 * words no sentence table knows, a dehumidifier without them), a real voice client in English and Chinese, and
 * the device side subscribed to every command topic: each sentence must put the right payload on the right
 * topic, or be refused with nothing sent.
 */
let d: DaemonProcess;
let device: MqttClient;
let voice: VoiceClient;
const received: Array<{ topic: string; payload: string }> = [];

const PRESET_FAN = {
  name: null, uniq_id: 'bedroom_fan', cmd_t: 'bedroom/fan/set', stat_t: 'bedroom/fan/state', pct_cmd_t: 'bedroom/fan/speed/set',
  pr_mode_cmd_t: 'bedroom/fan/preset/set', pr_mode_stat_t: 'bedroom/fan/preset', pr_modes: ['Low', 'Medium', 'High', 'Breeze'],
  dev: { ids: ['bedroom-fan'], name: 'Bedroom fan', sa: 'Bedroom' },
};
const PLAIN_FAN = {
  name: null, uniq_id: 'office_fan', cmd_t: 'office/fan/set', stat_t: 'office/fan/state', pct_cmd_t: 'office/fan/speed/set',
  dev: { ids: ['office-fan'], name: 'Office fan', sa: 'Office' },
};
const HUMIDIFIER = {
  name: null, uniq_id: 'nursery_humidifier', dev_cla: 'humidifier', cmd_t: 'nursery/humidifier/set', hum_cmd_t: 'nursery/humidifier/humidity/set',
  mode_cmd_t: 'nursery/humidifier/mode/set', modes: ['normal', 'baby', 'Night_Mode'], min_hum: 35, max_hum: 65,
  dev: { ids: ['nursery-humidifier'], name: 'Nursery humidifier', sa: 'Nursery' },
};
const DEHUMIDIFIER = {
  name: null, uniq_id: 'cellar_dehumidifier', dev_cla: 'dehumidifier', cmd_t: 'cellar/dehumidifier/set', hum_cmd_t: 'cellar/dehumidifier/humidity/set',
  mode_cmd_t: 'cellar/dehumidifier/mode/set', modes: ['normal', 'eco'], dev: { ids: ['cellar-dehumidifier'], name: 'Cellar dehumidifier', sa: 'Cellar' },
};

const CONFIG = `
areas:
  bedroom: { aliases: [卧室] }
  office: { aliases: [书房] }
  nursery: { aliases: [婴儿房] }
  cellar: { aliases: [地下室] }
`;

before(async () => {
  const dir = await makeTempDir();
  d = await startDaemon({ dir, config: CONFIG, nodeArgs: SHIPPED_NODE_FLAGS });
  device = await connectAsync(`mqtt://127.0.0.1:${d.mqttPort}`, { reconnectPeriod: 0 });
  device.on('message', (topic, payload) => received.push({ topic, payload: payload.toString() }));
  await device.subscribeAsync(['bedroom/fan/#', 'office/fan/#', 'nursery/humidifier/#', 'cellar/dehumidifier/#']);
  for (const [topic, config] of [
    ['homeassistant/fan/bedroom_fan/config', PRESET_FAN], ['homeassistant/fan/office_fan/config', PLAIN_FAN],
    ['homeassistant/humidifier/nursery_humidifier/config', HUMIDIFIER], ['homeassistant/humidifier/cellar_dehumidifier/config', DEHUMIDIFIER],
  ] as const) await device.publishAsync(topic, JSON.stringify(config), { retain: true, qos: 1 });
  const token = (await runCli(['token', 'create', '--sub', 'bedroom-satellite', '--scope', 'voice devices:read', '--area', 'bedroom'], { cwd: dir, env: { VOICEHUB_DATA_DIR: join(dir, 'data') } })).stdout.trim();
  voice = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, token);
  await untilDevices(d.url, token, (list) => list.length >= 4);
});

after(async () => {
  voice?.close();
  await device?.endAsync();
  await d?.cleanup();
});

const { command, refused } = spokenCommands(() => voice, received, 'm', { text: 'turn off the office fan', id: 'office_fan', cmd: 'turn_off', topic: 'office/fan/set' });

test('named speeds: the fan\'s own preset when it has one, else 33/66/100 %, and the reply says what was set', async () => {
  let r = await command('set the bedroom fan to low', 'bedroom_fan', 'set_mode');
  assert.deepEqual(r.got, { topic: 'bedroom/fan/preset/set', payload: 'Low' }, 'its preset, as it spells it');
  assert.equal(r.reply.text, 'Set the bedroom fan to low.');
  r = await command('turn the office fan up to high', 'office_fan', 'set_fan_speed');
  assert.deepEqual(r.got, { topic: 'office/fan/speed/set', payload: '100' });
  assert.equal(r.reply.text, 'Set the office fan to high (100%).');
  r = await command('office fan on medium', 'office_fan', 'set_fan_speed');
  assert.equal(r.got.payload, '66');
  // The satellite is in the bedroom: "the fan" is the bedroom's.
  r = await command('风扇调到高档', 'bedroom_fan', 'set_mode', 'zh');
  assert.deepEqual(r.got, { topic: 'bedroom/fan/preset/set', payload: 'High' });
  assert.equal(r.reply.text, '已将卧室风扇调到高速。');
  r = await command('書房風扇調到低速', 'office_fan', 'set_fan_speed', 'zh-TW');
  assert.equal(r.got.payload, '33');
  assert.equal(r.reply.text, '已將辦公室風扇調到低速（33%）。');
});

test('presets and modes of the devices\' own, matched against each device\'s list, never acting on one without it', async () => {
  let r = await command('set the bedroom fan to breeze mode', 'bedroom_fan', 'set_mode');
  assert.deepEqual(r.got, { topic: 'bedroom/fan/preset/set', payload: 'Breeze' });
  r = await command('set the nursery humidifier to baby mode', 'nursery_humidifier', 'set_mode');
  assert.deepEqual(r.got, { topic: 'nursery/humidifier/mode/set', payload: 'baby' });
  r = await command('把婴儿房加湿器调到睡眠模式', 'nursery_humidifier', 'set_mode', 'zh');
  assert.deepEqual(r.got, { topic: 'nursery/humidifier/mode/set', payload: 'Night_Mode' }, 'its own word for sleep');
  await refused('set the cellar dehumidifier to baby mode', /has no baby mode; it has normal and eco/);
  await refused('set the office fan to breeze mode', /has no breeze mode\./i);
});

test('a humidifier\'s lowest and highest are its own min_humidity and max_humidity', async () => {
  let r = await command('set the nursery humidifier to the highest setting', 'nursery_humidifier', 'set_humidity');
  assert.deepEqual(r.got, { topic: 'nursery/humidifier/humidity/set', payload: '65' });
  assert.equal(r.reply.text, 'Set the nursery humidifier to 65% humidity.');
  r = await command('婴儿房加湿器调到最低', 'nursery_humidifier', 'set_humidity', 'zh');
  assert.equal(r.got.payload, '35');
});
