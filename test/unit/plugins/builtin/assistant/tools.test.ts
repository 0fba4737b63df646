import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DeviceView } from '../../../../../plugins/sdk/index.js';
import { commandFrom, deviceTool, toolsFor } from '../../../../../plugins/builtin/assistant/tools.js';
import { relevantDevices, MAX_PROMPT_DEVICES, systemPrompt } from '../../../../../plugins/builtin/assistant/context.js';

const view = (over: Partial<DeviceView>): DeviceView => ({
  id: 'd', name: 'D', aliases: [], type: 'light', capabilities: ['onoff'], state: {}, available: true, ...over,
});

test('tools follow the capabilities of the devices the session may control; none of them without control', () => {
  const lamp = view({ id: 'lamp', capabilities: ['onoff', 'brightness'] });
  const names = (devices: DeviceView[]) => toolsFor(devices, { kinds: ['light'], areas: ['hall'] }).map((t) => t.name);
  assert.deepEqual(names([lamp]), ['get_state', 'list_devices', 'turn_on', 'turn_off', 'set_brightness']);
  assert.deepEqual(names([]), ['get_state', 'list_devices']);
  const thermostat = view({ id: 't', type: 'climate', capabilities: ['target_temperature', 'hvac_mode'] });
  assert.ok(names([thermostat]).includes('set_temperature'));
  const spec = toolsFor([lamp], { kinds: ['light'], areas: ['hall'] }).find((t) => t.name === 'set_brightness')!;
  assert.deepEqual(spec.input_schema.required, ['device_id', 'brightness']);
  assert.equal(spec.input_schema.additionalProperties, false);
});

test('a tool input becomes a hub command, or a coded reason it cannot', () => {
  assert.deepEqual(commandFrom(deviceTool('turn_off')!, { device_id: 'x', extra: 'ignored' }), { command: { command: 'turn_off' } });
  assert.deepEqual(commandFrom(deviceTool('set_brightness')!, { brightness: 40 }), { command: { command: 'set_brightness', params: { brightness: 40 } } });
  for (const bad of ['40', null, Number.NaN, Infinity, undefined]) {
    const made = commandFrom(deviceTool('set_brightness')!, { brightness: bad });
    assert.ok('code' in made && made.code === 'BAD_REQUEST', String(bad));
  }
  assert.equal(deviceTool('get_state'), undefined);
  assert.equal(deviceTool('constructor'), undefined);
});

test('the prompt holds the devices the utterance is about, not all 500', () => {
  const all: DeviceView[] = [];
  for (let i = 0; i < 500; i++) all.push(view({ id: `light_${i}`, name: `Light ${i}`, area: `room_${i % 25}` }));
  all.push(view({ id: 'desk_fan', name: 'Desk Fan', type: 'fan', area: 'room_3' }));
  all.push(view({ id: 'front_door', name: 'Front Door', type: 'lock', area: 'hall' }));
  const areas = { hall: { aliases: ['entrance'] }, room_3: { aliases: ['study'] } };
  const ids = (text: string, here?: string) => relevantDevices(all, text, here, areas).map((d) => d.id);
  assert.deepEqual(ids('is the front door locked'), ['front_door']);
  assert.deepEqual(ids('turn on the fan in the study'), ['desk_fan']);
  assert.deepEqual(ids("it's too dark in here", 'room_3').length, 20, 'the lights here');
  assert.ok(ids("it's too dark in here", 'room_3').every((id) => id.startsWith('light_')));
  assert.equal(ids('make everything bright').length, MAX_PROMPT_DEVICES, 'a kind everywhere, capped');
  assert.deepEqual(ids('what should I cook'), [], 'nothing relevant: the model can list_devices');
  const prompt = systemPrompt({ areas, devices: relevantDevices(all, 'entrance lock', undefined, areas), here: 'hall', now: new Date(0), timezone: 'Europe/Amsterdam', lang: 'en' });
  assert.deepEqual(prompt[0]!.cache_control, { type: 'ephemeral' });
  assert.match(prompt[0]!.text, /hall, also called entrance/);
  assert.doesNotMatch(prompt[0]!.text, /front_door/, 'the cached part does not change with the utterance');
  assert.match(prompt[1]!.text, /"id":"front_door"/);
  assert.match(prompt[1]!.text, /Thursday, 1 January 1970 at 01:00/);
  assert.ok(prompt[1]!.text.length < 2000);
});

test('the newer kinds get their tools: colour, scenes, buttons, vacuums and media players, each only where a device can', () => {
  const names = (devices: DeviceView[]) => toolsFor(devices, { kinds: ['light'], areas: [] }).map((t) => t.name);
  const bulb = view({ id: 'bulb', capabilities: ['onoff', 'color', 'color_temp'] });
  assert.ok(names([bulb]).includes('set_color') && names([bulb]).includes('set_color_temp'));
  assert.ok(!names([view({})]).includes('set_color'), 'a plain light is offered no colour');
  const vacuum = view({ id: 'v', type: 'vacuum', capabilities: ['start', 'pause', 'return_home'] });
  assert.deepEqual(names([vacuum]).slice(2), ['start', 'pause', 'return_to_base']);
  const player = view({ id: 'p', type: 'media_player', capabilities: ['play_pause', 'next_previous', 'volume', 'mute'] });
  for (const tool of ['media_play', 'media_pause', 'media_next', 'media_previous', 'volume_set', 'volume_mute', 'volume_unmute']) assert.ok(names([player]).includes(tool), tool);
  assert.ok(names([view({ id: 's', type: 'scene', capabilities: ['activate'] })]).includes('activate'));
  assert.ok(names([view({ id: 'b', type: 'button', capabilities: ['press'] })]).includes('press'));
});

test('a colour is three channels 0-255; anything else is a coded tool error', () => {
  assert.deepEqual(commandFrom(deviceTool('set_color')!, { rgb: [255, 127.6, 0] }), { command: { command: 'set_color', params: { rgb: [255, 128, 0] } } });
  for (const bad of [[255, 0], [256, 0, 0], [-1, 0, 0], ['1', 2, 3], 'red', null, [1, 2, Number.NaN]]) {
    const made = commandFrom(deviceTool('set_color')!, { rgb: bad });
    assert.ok('code' in made && made.code === 'BAD_REQUEST', JSON.stringify(bad));
  }
  assert.deepEqual(commandFrom(deviceTool('set_color_temp')!, { kelvin: 2700 }), { command: { command: 'set_color_temp', params: { kelvin: 2700 } } });
});

test('tools plugins declare come after the hub\'s own; one named like a hub tool, offered now or not, or like an earlier one, is left out', () => {
  const plugin = (name: string, plugin = 'com.example.p') => ({
    name, description: `${name} from ${plugin}`, plugin, inputSchema: { type: 'object' as const, properties: {}, additionalProperties: false as const },
  });
  const tools = toolsFor([view({ id: 'lamp' })], {
    kinds: ['light'], areas: [],
    plugins: [plugin('add_to_list', 'voicehub.lists'), plugin('turn_on'), plugin('set_position'), plugin('start_timer'), plugin('add_to_list', 'com.other'), plugin('roll_dice')],
  });
  assert.deepEqual(tools.map((t) => t.name), ['get_state', 'list_devices', 'turn_on', 'turn_off', 'add_to_list', 'roll_dice']);
  assert.equal(tools.find((t) => t.name === 'add_to_list')!.description, 'add_to_list from voicehub.lists');
  assert.equal(tools.find((t) => t.name === 'turn_on')!.description, deviceTool('turn_on')!.description);
});
