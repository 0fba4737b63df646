import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { startDaemon, runCli, makeTempDir, SHIPPED_NODE_FLAGS, type DaemonProcess } from '../helpers/daemon.js';
import { VoiceClient } from '../helpers/voiceClient.js';
import { spokenCommands, untilDevices } from '../helpers/spokenCommands.js';
import { radiatorValve } from '../helpers/zigbeeRadiatorValve.js';

/**
 * Issue 14: a thermostat's HVAC modes and presets by voice, through the whole hub: the bundled daemon with its
 * embedded broker, an air conditioner announcing itself over Home Assistant discovery (modes and preset_modes, each
 * with its state topic), a radiator valve from a Zigbee2MQTT bridge list (system_mode and the climate `preset` enum),
 * a fan, a real voice client in English, Chinese and Traditional Chinese, and the device side subscribed to every
 * command topic: each sentence must put the right payload on the right topic, or be refused with nothing sent.
 */
let d: DaemonProcess;
let device: MqttClient;
let voice: VoiceClient;
const received: Array<{ topic: string; payload: string }> = [];

const AC = {
  name: null, uniq_id: 'lounge_ac', temp_cmd_t: 'ac/temp/set', mode_cmd_t: 'ac/mode/set', mode_stat_t: 'ac/mode',
  modes: ['off', 'cool', 'heat', 'auto', 'dry', 'fan_only'], pr_mode_cmd_t: 'ac/preset/set', pr_mode_stat_t: 'ac/preset',
  pr_modes: ['eco', 'sleep', 'boost'], dev: { ids: ['lounge-ac'], name: 'Lounge AC', sa: 'Lounge' },
};
const FAN = {
  name: null, uniq_id: 'desk_fan', cmd_t: 'fan/set', pct_cmd_t: 'fan/speed/set', dev: { ids: ['desk-fan'], name: 'Desk fan', sa: 'Study' },
};
const BRIDGE = [radiatorValve('study_radiator', ['manual', 'schedule', 'boost', 'comfort', 'frost_protection'])];

/** Zigbee2MQTT devices come without an area: a `devices:` entry names the valve and puts it in the study. */
const TRV = '0xa4c1380000000001';
const CONFIG = `
areas:
  lounge: { aliases: [客厅, living room] }
  study: { aliases: [书房] }
devices:
  - { id: '${TRV}', name: Study Radiator, area: study, aliases: [书房暖气] }
`;

before(async () => {
  const dir = await makeTempDir();
  d = await startDaemon({ dir, config: CONFIG, nodeArgs: SHIPPED_NODE_FLAGS });
  device = await connectAsync(`mqtt://127.0.0.1:${d.mqttPort}`, { reconnectPeriod: 0 });
  device.on('message', (topic, payload) => received.push({ topic, payload: payload.toString() }));
  await device.subscribeAsync(['ac/+/set', 'fan/#', 'zigbee2mqtt/+/set']);
  await device.publishAsync('homeassistant/climate/lounge_ac/config', JSON.stringify(AC), { retain: true, qos: 1 });
  await device.publishAsync('homeassistant/fan/desk_fan/config', JSON.stringify(FAN), { retain: true, qos: 1 });
  await device.publishAsync('zigbee2mqtt/bridge/state', JSON.stringify({ state: 'online' }), { retain: true, qos: 1 });
  await device.publishAsync('zigbee2mqtt/bridge/devices', JSON.stringify(BRIDGE), { retain: true, qos: 1 });
  const env = { VOICEHUB_DATA_DIR: join(dir, 'data') };
  // The satellite is in the lounge: "the air conditioner" is the lounge's.
  const token = (await runCli(['token', 'create', '--sub', 'lounge-satellite', '--scope', 'voice devices:read', '--area', 'lounge'], { cwd: dir, env })).stdout.trim();
  voice = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, token);
  await untilDevices(d.url, token, (list) => list.length >= 3);
  // The state the devices report, read back for "what mode is it in".
  await device.publishAsync('ac/mode', 'heat', { retain: true, qos: 1 });
  await device.publishAsync('ac/preset', 'sleep', { retain: true, qos: 1 });
  await device.publishAsync('zigbee2mqtt/study_radiator', JSON.stringify({ system_mode: 'heat', preset: 'comfort', local_temperature: 19.5 }), { qos: 1 });
  await untilDevices(d.url, token, (list) => list.some((x) => x.state.preset_mode === 'sleep') && list.some((x) => x.state.preset_mode === 'comfort'), 'the thermostats\' state');
});

after(async () => {
  voice?.close();
  await device?.endAsync();
  await d?.cleanup();
});

const { say, command, refused } = spokenCommands(() => voice, received, 'c', { text: 'turn off the desk fan', id: 'desk_fan', cmd: 'turn_off', topic: 'fan/set' });

test('HVAC modes by voice, in the words people use, replied in the user\'s script', async () => {
  let r = await command('switch the lounge AC to cooling mode', 'lounge_ac', 'set_hvac_mode');
  assert.deepEqual(r.got, { topic: 'ac/mode/set', payload: 'cool' });
  assert.equal(r.reply.text, 'Set the lounge AC to cool mode.');
  r = await command('turn the aircon to dehumidify', 'lounge_ac', 'set_hvac_mode');
  assert.deepEqual(r.got, { topic: 'ac/mode/set', payload: 'dry' });
  r = await command('set the thermostat to fan only', 'lounge_ac', 'set_hvac_mode');
  assert.equal(r.got.payload, 'fan_only');
  r = await command('空调开制热', 'lounge_ac', 'set_hvac_mode', 'zh');
  assert.deepEqual(r.got, { topic: 'ac/mode/set', payload: 'heat' });
  assert.match(String(r.reply.text), /^已将.*切换到制热模式。$/);
  r = await command('冷氣調到自動', 'lounge_ac', 'set_hvac_mode', 'zh-TW');
  assert.equal(r.got.payload, 'auto');
  assert.match(String(r.reply.text), /^已將.*切換到自動模式。$/, 'Traditional in, Traditional out');
  r = await command('送风模式', 'lounge_ac', 'set_hvac_mode', 'zh');
  assert.equal(r.got.payload, 'fan_only');
  // The Zigbee2MQTT valve's own system_mode values.
  r = await command('set the study radiator to auto', TRV, 'set_hvac_mode');
  assert.deepEqual(r.got, { topic: 'zigbee2mqtt/study_radiator/set', payload: '{"system_mode":"auto"}' });
});

test('presets from HA discovery and Zigbee2MQTT, in the device\'s own terms', async () => {
  let r = await command('set the lounge ac to eco', 'lounge_ac', 'set_preset_mode');
  assert.deepEqual(r.got, { topic: 'ac/preset/set', payload: 'eco' });
  assert.equal(r.reply.text, 'Set the lounge AC to eco mode.');
  r = await command('turn on boost on the study radiator', TRV, 'set_preset_mode');
  assert.deepEqual(r.got, { topic: 'zigbee2mqtt/study_radiator/set', payload: '{"preset":"boost"}' });
  r = await command('书房暖气调到防冻模式', TRV, 'set_preset_mode', 'zh');
  assert.deepEqual(r.got, { topic: 'zigbee2mqtt/study_radiator/set', payload: '{"preset":"frost_protection"}' });
  assert.match(String(r.reply.text), /切换到防冻模式。$/);
});

test('a mode or preset the device lacks is refused naming what it has, and nothing is sent; a fan is never told to cool', async () => {
  await refused('set the study radiator to cool', /has no cool mode; it has heat, auto, manual, schedule, boost, comfort and frost protection\./);
  await refused('set the lounge ac to away mode', /has no away mode; it has cool, heat, auto, dry, fan only, eco, sleep and boost\./);
  await refused('书房暖气调到节能模式', /没有节能模式，它有制热、自动、手动、日程、强力、舒适和防冻。/, 'zh');
  const before = received.length;
  const fan = await say('set the desk fan to cool');
  assert.notEqual(fan.type, 'reply', JSON.stringify(fan));
  const next = await command('turn off the desk fan', 'desk_fan', 'turn_off');
  assert.equal(received.length - before, 1, 'the fan was sent nothing for "cool"');
  assert.equal(next.got.topic, 'fan/set');
});

test('"what mode is it in" answers from the state the devices reported', async () => {
  // Earlier tests set modes, but the devices' reported state is what answers (they never echoed).
  let r = await say('what mode is the lounge ac in');
  assert.equal(r.text, 'The lounge AC is in heat mode, preset sleep.');
  r = await say('书房暖气现在是什么模式', 'zh');
  assert.match(String(r.text), /现在是制热模式，预设为舒适。$/);
  r = await say('客廳空調現在是什麼模式', 'zh-HK');
  assert.match(String(r.text), /^客廳空調現在是[制製]熱模式，預設為睡眠。$/);
});
