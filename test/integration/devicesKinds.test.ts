import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { startDaemon, runCli, makeTempDir, SHIPPED_NODE_FLAGS, type DaemonProcess } from '../helpers/daemon.js';
import { VoiceClient, type Frame } from '../helpers/voiceClient.js';
import { spokenCommands, untilDevices } from '../helpers/spokenCommands.js';

/**
 * The device kinds of issue 14 through the whole hub: the real daemon and its embedded broker, devices that
 * announce themselves as their firmware does (Valetudo's vacuum, an LNXlink-style media player on the
 * mqtt_media_player convention, an ESPHome-style valve and restart button, a scene), a script from the
 * config, a real voice client saying the sentences, and the device side subscribed to its command topics.
 */
let d: DaemonProcess;
let device: MqttClient;
let voice: VoiceClient;
const received: Array<{ topic: string; payload: string }> = [];

const VACUUM = {
  name: 'Robbie', object_id: 'valetudo_robbie_vacuum', unique_id: 'robbie_vacuum',
  availability_topic: 'valetudo/robbie/$state', payload_available: 'ready', payload_not_available: 'lost',
  command_topic: 'valetudo/robbie/BasicControlCapability/operation/set',
  payload_start: 'START', payload_pause: 'PAUSE', payload_stop: 'STOP', payload_return_to_base: 'HOME',
  state_topic: 'valetudo/robbie/hass/robbie_vacuum/state',
  supported_features: ['start', 'pause', 'stop', 'return_home', 'battery', 'status', 'locate', 'clean_spot', 'fan_speed'],
  device: { identifiers: ['robbie'], manufacturer: 'Dreame', model: 'L10S', name: 'Robbie', suggested_area: 'Hallway' },
};
const SPEAKER = {
  name: 'Kitchen Speaker', unique_id: 'kitchen_speaker',
  availability: { topic: 'lnxlink/kitchen/available', payload_available: 'ON', payload_not_available: 'OFF' },
  state_state_topic: 'lnxlink/kitchen/state', state_volume_topic: 'lnxlink/kitchen/volume', state_title_topic: 'lnxlink/kitchen/title',
  command_play_topic: 'lnxlink/kitchen/play', command_play_payload: 'play', command_pause_topic: 'lnxlink/kitchen/pause', command_pause_payload: 'pause',
  command_next_topic: 'lnxlink/kitchen/next', command_next_payload: 'next', command_previous_topic: 'lnxlink/kitchen/previous',
  command_volume_topic: 'lnxlink/kitchen/set_volume',
};
const VALVE = {
  '~': 'garden-node/valve/tap', name: 'Tap', uniq_id: 'garden_tap', dev_cla: 'water', cmd_t: '~/command', stat_t: '~/state',
  dev: { ids: ['garden-node'], name: 'Garden', sa: 'Garden' },
};
const RESTART = {
  name: 'Restart', uniq_id: 'office_node_restart', dev_cla: 'restart', cmd_t: 'office-node/button/restart/command', pl_prs: 'PRESS',
  dev: { ids: ['office-node'], name: 'Router', sa: 'Office' },
};
const BULB = {
  '~': 'esphome/lounge', name: null, uniq_id: 'lounge_bulb', schema: 'json', cmd_t: '~/light/bulb/command', stat_t: '~/light/bulb/state', brightness: true,
  sup_clrm: ['rgb', 'color_temp'], min_mirs: 153, max_mirs: 370, dev: { ids: ['esp-lounge'], name: 'Lounge bulb', sa: 'Lounge' },
};
const SCENE = { name: 'Movie Night', uniq_id: 'scene_movie_night', cmd_t: 'hue2mqtt/scene/movie_night/set', pl_on: 'ON' };

const CONFIG = `
areas:
  kitchen: { aliases: [厨房] }
  hallway: { aliases: [hall, 走廊] }
  garden: { aliases: [花园], floor: ground }
  lounge: { floor: ground }
floors:
  ground: { aliases: [main level], level: 0 }
  upper: { level: 1 }
devices:
  - { id: kitchen_speaker, area: kitchen, aliases: [厨房音箱] }
  - { id: robbie_vacuum, aliases: [扫地机器人] }
  - { id: bedtime, name: Bedtime, type: script, commandTopic: nodered/bedtime, payloadOn: run, aliases: [睡前流程] }
`;

before(async () => {
  const dir = await makeTempDir();
  d = await startDaemon({ dir, config: CONFIG, nodeArgs: SHIPPED_NODE_FLAGS });
  device = await connectAsync(`mqtt://127.0.0.1:${d.mqttPort}`, { reconnectPeriod: 0 });
  device.on('message', (topic, payload) => received.push({ topic, payload: payload.toString() }));
  await device.subscribeAsync(['valetudo/robbie/BasicControlCapability/#', 'lnxlink/kitchen/#', 'garden-node/valve/tap/command', 'office-node/button/#', 'hue2mqtt/scene/#', 'nodered/#', 'esphome/lounge/light/bulb/command']);
  for (const [topic, config] of [
    ['homeassistant/vacuum/robbie/vacuum/config', VACUUM], ['homeassistant/media_player/kitchen_speaker/config', SPEAKER],
    ['homeassistant/valve/garden-node/tap/config', VALVE], ['homeassistant/button/office-node/restart/config', RESTART],
    ['homeassistant/light/lounge/bulb/config', BULB], ['homeassistant/scene/movie_night/config', SCENE],
  ] as const) await device.publishAsync(topic, JSON.stringify(config), { retain: true, qos: 1 });
  await device.publishAsync('valetudo/robbie/$state', 'ready', { qos: 1 });
  await device.publishAsync('lnxlink/kitchen/available', 'ON', { qos: 1 });
  await device.publishAsync('lnxlink/kitchen/volume', '0.4', { qos: 1 });
  const token = (await runCli(['token', 'create', '--sub', 'kitchen-satellite', '--scope', 'voice devices:read'], { cwd: dir, env: { VOICEHUB_DATA_DIR: join(dir, 'data') } })).stdout.trim();
  voice = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, token);
  // Until every device is known: the last one announced takes its command.
  for (let i = 0; ; i++) {
    const r = await voice.say(`warmup-${i}`, 'activate movie night');
    if (r.type === 'reply' && Array.isArray(r.actions) && r.actions.length === 1) break;
    if (i > 150) throw new Error(`devices never appeared: ${JSON.stringify(r)}`);
    await new Promise((res) => setTimeout(res, 50));
  }
  // …and the speaker's volume has been read (a relative change needs it).
  await untilDevices(d.url, token, (list) => list.find((x) => x.id === 'kitchen_speaker')?.state.volume === 40, 'the speaker\'s volume');
});

after(async () => {
  voice?.close();
  await device?.endAsync();
  await d?.cleanup();
});

const { command } = spokenCommands(() => voice, received, 'k');

test('vacuum: start, pause, stop and return to base in Valetudo\'s payloads, en and zh', async () => {
  let r = await command('start the vacuum', 'robbie_vacuum', 'start');
  assert.deepEqual(r.got, { topic: VACUUM.command_topic, payload: 'START' });
  // How a name is spoken ("the robbie") is the reply renderer's (issue 14, "names"); the verb is the kind's.
  assert.match(String(r.reply.text), /^Started .*robbie\.$/i);
  assert.equal(r.reply.intent, 'HassVacuumStart');
  r = await command('pause robbie', 'robbie_vacuum', 'pause');
  assert.equal(r.got.payload, 'PAUSE');
  r = await command('send the vacuum back to the dock', 'robbie_vacuum', 'return_to_base');
  assert.equal(r.got.payload, 'HOME');
  assert.equal(r.reply.intent, 'HassVacuumReturnToBase');
  r = await command('扫地机器人回去充电', 'robbie_vacuum', 'return_to_base', 'zh');
  assert.equal(r.got.payload, 'HOME');
  assert.match(String(r.reply.text), /^已让.+回充。$/);
  r = await command('stop the vacuum', 'robbie_vacuum', 'stop');
  assert.equal(r.got.payload, 'STOP');
});

test('media player: pause, next, volume set and relative, on the convention\'s topics', async () => {
  let r = await command('pause the music in the kitchen', 'kitchen_speaker', 'media_pause');
  assert.deepEqual(r.got, { topic: 'lnxlink/kitchen/pause', payload: 'pause' });
  assert.equal(r.reply.text, 'Paused the kitchen speaker.');
  r = await command('next song on the kitchen speaker', 'kitchen_speaker', 'media_next');
  assert.deepEqual(r.got, { topic: 'lnxlink/kitchen/next', payload: 'next' });
  r = await command('set the kitchen speaker volume to 25 percent', 'kitchen_speaker', 'volume_set');
  assert.deepEqual(r.got, { topic: 'lnxlink/kitchen/set_volume', payload: '0.25' });
  assert.equal(r.reply.text, 'Set the volume of the kitchen speaker to 25%.');
  // The player reported 0.4: "louder" is one documented step (10 %) above it.
  r = await command('turn up the volume in the kitchen', 'kitchen_speaker', 'volume_step');
  assert.deepEqual(r.got, { topic: 'lnxlink/kitchen/set_volume', payload: '0.5' });
  r = await command('厨房音箱暂停', 'kitchen_speaker', 'media_pause', 'zh');
  assert.match(String(r.reply.text), /^已暂停.+。$/);
  // A volume out of range is refused before anything is sent.
  const before = received.length;
  const bad = await voice.say('k-bad', 'set the kitchen speaker volume to 140 percent');
  assert.equal(bad.type, 'error');
  assert.match(String(bad.text ?? bad.message ?? ''), /Volume must be between 0 and 100%/);
  const mark = await command('previous track on the kitchen speaker', 'kitchen_speaker', 'media_previous');
  assert.equal(received.length - before, 1, 'only the command after the refusal reached the player');
  assert.equal(mark.got.payload, 'Previous');
});

test('valve, button, scene and a config script, en and zh', async () => {
  let r = await command('turn off the garden tap', 'garden_tap', 'close');
  assert.deepEqual(r.got, { topic: 'garden-node/valve/tap/command', payload: 'CLOSE' });
  r = await command('打开花园的阀门', 'garden_tap', 'open', 'zh');
  assert.equal(r.got.payload, 'OPEN');
  // By floor: the garden is on the ground floor, so "downstairs" (level 0) names its valve.
  r = await command('close the valves downstairs', 'garden_tap', 'close');
  assert.equal(r.got.payload, 'CLOSE');
  assert.equal(r.reply.text, 'Closed the downstairs valves.');
  const none = await voice.say('k-upper', 'close the valves upstairs');
  assert.equal(none.type, 'error', 'nothing of that kind on that floor');
  r = await command('press the router restart button', 'office_node_restart', 'press');
  assert.deepEqual(r.got, { topic: 'office-node/button/restart/command', payload: 'PRESS' });
  // A button's entity name is an action ("Restart"): the reply names its device too (spokenNames.ts).
  assert.equal(r.reply.text, 'Pressed the router restart.');
  // Said by its entity name alone, it is still the router's restart.
  r = await command('press restart', 'office_node_restart', 'press');
  assert.equal(r.reply.text, 'Pressed the router restart.');
  r = await command('activate movie night', 'scene_movie_night', 'activate');
  assert.deepEqual(r.got, { topic: 'hue2mqtt/scene/movie_night/set', payload: 'ON' });
  assert.equal(r.reply.text, 'Activated the movie night.');
  r = await command('run the bedtime routine', 'bedtime', 'activate');
  assert.deepEqual(r.got, { topic: 'nodered/bedtime', payload: 'run' });
  r = await command('执行睡前流程', 'bedtime', 'activate', 'zh');
  assert.equal(r.got.payload, 'run');
});

test('light colour: a CSS colour name and a named white, in the JSON schema\'s own fields, clamped to its range', async () => {
  let r = await command('turn the lounge bulb dark orange', 'lounge_bulb', 'set_color');
  assert.deepEqual(JSON.parse(r.got.payload), { state: 'ON', color: { r: 255, g: 140, b: 0 } });
  assert.equal(r.reply.text, 'Set the lounge bulb to dark orange.');
  r = await command('make the lounge bulb warm white', 'lounge_bulb', 'set_color_temp');
  assert.deepEqual(JSON.parse(r.got.payload), { state: 'ON', color_temp: 370 }, '2700 K is 370 mireds, its warmest');
  r = await command('把lounge bulb调成蓝色', 'lounge_bulb', 'set_color', 'zh');
  assert.deepEqual(JSON.parse(r.got.payload).color, { r: 0, g: 0, b: 255 });
  assert.match(String(r.reply.text), /^已将.+调成蓝色。$/);
});
