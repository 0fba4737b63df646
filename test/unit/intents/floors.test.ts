import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IntentEngine, isResolveError } from '../../../daemon/intents/index.js';
import { targetPhrase } from '../../../daemon/intents/responses.js';
import { intentFloors } from '../../../daemon/intents/fromDevice.js';
import { buildConfig } from '../../../daemon/config/load.js';

/** A two-storey house with a cellar: floors from the config, each area naming its floor. */
function house(): IntentEngine {
  const e = new IntentEngine();
  const light = (id: string, name: string, area: string) => ({ id, name, aliases: [], area, type: 'light' as const, capabilities: ['onoff' as const], state: {} });
  e.setLists({
    devices: [
      light('k', 'Kitchen Light', 'kitchen'), light('l', 'Lounge Lamp', 'living_room'), light('b', 'Bedroom Lamp', 'bedroom'),
      light('o', 'Office Light', 'office'), light('c', 'Cellar Light', 'cellar'),
      { id: 'fan', name: 'Office Fan', aliases: [], area: 'office', type: 'fan', capabilities: ['onoff'], state: {} },
    ],
    areas: [
      { name: 'kitchen', aliases: ['厨房'], floor: 'ground' }, { name: 'living_room', aliases: [], floor: 'ground' },
      { name: 'bedroom', floor: 'upper' }, { name: 'office', floor: 'upper' }, { name: 'cellar', floor: 'below' },
    ],
    floors: intentFloors({ ground: { aliases: ['main level'], level: 0 }, upper: { aliases: ['bedroom floor'], level: 1 }, below: { level: -1 } }),
  });
  return e;
}

function ids(e: IntentEngine, text: string, lang: 'en' | 'zh' = 'en'): string[] | string {
  const m = e.match(text, { lang });
  assert.ok(m, `no match for ${text}`);
  const r = e.resolve(m);
  return isResolveError(r) ? r.error : r.devices.map((d) => d.id).sort();
}

test('floors: "upstairs"/"downstairs" by level, ordinal and configured names, in English and Chinese', () => {
  const e = house();
  for (const t of ['turn off the lights upstairs', 'turn off the upstairs lights', 'turn on the lights on the first floor', 'turn off the bedroom floor lights', 'turn off all the lights upstairs']) {
    assert.deepEqual(ids(e, t), ['b', 'o'], t);
  }
  for (const t of ['turn off the lights downstairs', 'turn on the ground floor lights', 'turn off the lights on the main level']) assert.deepEqual(ids(e, t), ['k', 'l'], t);
  assert.deepEqual(ids(e, 'turn off the lights in the basement'), ['c'], 'level -1 answers to "basement"');
  assert.deepEqual(ids(e, 'turn off the fans upstairs'), ['fan'], 'only the type said');
  for (const t of ['二楼的灯关掉', '关闭楼上所有的灯', '把楼上的灯关了']) assert.deepEqual(ids(e, t, 'zh'), ['b', 'o'], t);
  for (const t of ['打开一楼的灯', '关掉楼下的灯']) assert.deepEqual(ids(e, t, 'zh'), ['k', 'l'], t);
  assert.equal(ids(e, 'turn off the fans downstairs'), 'DEVICE_NOT_FOUND', 'no fan on that floor: nothing, not every fan');
  assert.deepEqual(ids(e, 'turn on the lamp upstairs'), ['b'], 'a name narrowed by floor');
});

test('a reply names the floor as said; the config takes floors and each area\'s floor', () => {
  const e = house();
  const m = e.match('turn off the lights upstairs', { lang: 'en' })!;
  const r = e.resolve(m);
  assert.ok(!isResolveError(r));
  assert.equal(targetPhrase(m, r, e.deviceLists), 'the upstairs lights');
  const zh = e.match('二楼的灯关掉', { lang: 'zh' })!;
  const rz = e.resolve(zh);
  assert.ok(!isResolveError(rz));
  assert.equal(targetPhrase(zh, rz, e.deviceLists), '二楼的灯');
  const config = buildConfig({ floors: { up: { aliases: ['upstairs'], level: 1 } }, areas: { study: { floor: 'up' }, hall: {} } }, {}, '/tmp');
  assert.deepEqual(config.floors, { up: { aliases: ['upstairs'], level: 1 } });
  assert.equal(config.areas.study!.floor, 'up');
  assert.equal(config.areas.hall!.floor, null);
});

test('a floor set on the device itself goes before its area\'s, and places a device with no area', () => {
  const e = house();
  const lists = e.deviceLists;
  const devices = lists.devices().map((d) => (d.id === 'k' ? { ...d, floor: 'upper' } : d));
  devices.push({ id: 'landing', name: 'Landing Light', aliases: [], floor: 'upper', type: 'light', capabilities: ['onoff'], state: {} });
  e.setLists({
    devices,
    areas: [
      { name: 'kitchen', aliases: ['厨房'], floor: 'ground' }, { name: 'living_room', aliases: [], floor: 'ground' },
      { name: 'bedroom', floor: 'upper' }, { name: 'office', floor: 'upper' }, { name: 'cellar', floor: 'below' },
    ],
    floors: intentFloors({ ground: { aliases: ['main level'], level: 0 }, upper: { aliases: ['bedroom floor'], level: 1 }, below: { level: -1 } }),
  });
  assert.deepEqual(ids(e, 'turn off the lights upstairs'), ['b', 'k', 'landing', 'o']);
  assert.deepEqual(ids(e, 'turn off the lights downstairs'), ['l'], 'the kitchen light is no longer on its area\'s floor');
  assert.deepEqual(ids(e, 'turn off the lights in the kitchen'), ['k'], 'it is still in its area');
  assert.equal(e.deviceLists.floorOf('landing'), 'upper');
});
