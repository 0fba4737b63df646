/** Issue 14 item 1: binary sensors asked by what they sense, numeric sensors by class, the entity the question names. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IntentEngine, isResolveError, queryReply } from '../../../daemon/intents/index.js';
import type { IntentDevice } from '../../../daemon/intents/index.js';
import { expectIntent } from './fixture.js';

const DEVICES: IntentDevice[] = [
  { id: 'hall_motion', name: 'Hallway Motion', aliases: [], area: 'hallway', type: 'binary_sensor', deviceClass: 'motion', state: { state: 'on' } },
  { id: 'bed_presence', name: 'Bed Presence', aliases: [], area: 'bedroom', type: 'binary_sensor', deviceClass: 'occupancy', state: { state: 'off' } },
  { id: 'leak', name: 'Kitchen Leak Sensor', aliases: [], area: 'kitchen', type: 'binary_sensor', deviceClass: 'moisture', state: { state: 'off' } },
  { id: 'smoke', name: 'Smoke Alarm', aliases: [], area: 'hallway', type: 'binary_sensor', deviceClass: 'smoke', state: { state: 'off' } },
  { id: 'hall_light', name: 'Hallway Light', aliases: [], area: 'hallway', type: 'light', state: { state: 'on' } },
  { id: 'front_door', name: 'Front Door', aliases: [], area: 'hallway', type: 'lock', state: { state: 'locked' } },
  { id: 'door_battery', name: 'Front Door Battery', aliases: [], area: 'hallway', type: 'sensor', deviceClass: 'battery', unit: '%', state: { state: 64 } },
  { id: 'meter_power', name: 'Meter Power', aliases: [], area: 'garage', type: 'sensor', deviceClass: 'power', unit: 'W', state: { state: 420 } },
  { id: 'meter_energy', name: 'Meter Energy', aliases: [], area: 'garage', type: 'sensor', deviceClass: 'energy', unit: 'kWh', state: { state: 1234 } },
];

const engine = new IntentEngine();
engine.setLists({ devices: DEVICES, areas: [{ name: 'hallway' }, { name: 'bedroom' }, { name: 'kitchen' }, { name: 'garage' }] });

describe('binary sensors by class', () => {
  test('motion, occupancy and presence: "is there motion", "is anyone in the bedroom", 走廊有人吗', () => {
    expectIntent(engine, 'is there motion in the hallway', 'HassGetState', { ids: ['hall_motion'] });
    expectIntent(engine, 'is anyone in the bedroom', 'HassGetState', { ids: ['bed_presence'] });
    expectIntent(engine, 'is there any movement anywhere', 'HassGetState', { ids: ['hall_motion', 'bed_presence'] });
    expectIntent(engine, '走廊有人吗', 'HassGetState', { ids: ['hall_motion'] });
    expectIntent(engine, '卧室有没有人', 'HassGetState', { ids: ['bed_presence'] });
  });
  test('leak, smoke; the answer reads the sensor', () => {
    const { match, resolution } = expectIntent(engine, 'is there a leak in the kitchen', 'HassGetState', { ids: ['leak'] });
    assert.ok(!isResolveError(resolution));
    assert.match(queryReply(match, resolution, engine.deviceLists), /^No, /);
    const motion = expectIntent(engine, 'is there motion in the hallway', 'HassGetState', { ids: ['hall_motion'] });
    assert.ok(!isResolveError(motion.resolution));
    assert.match(queryReply(motion.match, motion.resolution, engine.deviceLists), /^Yes, /);
    expectIntent(engine, 'is smoke detected', 'HassGetState', { ids: ['smoke'] });
    expectIntent(engine, '厨房漏水了吗', 'HassGetState', { ids: ['leak'] });
    expectIntent(engine, '有没有烟雾', 'HassGetState', { ids: ['smoke'] });
  });
  test('a room without such a sensor is an error, not the room\'s lights', () => {
    expectIntent(engine, 'is there smoke in the garage', 'HassGetState', { error: 'DEVICE_NOT_FOUND' });
    expectIntent(engine, 'is anyone in the garage', 'HassGetState', { error: 'DEVICE_NOT_FOUND' });
  });
  test('a lone word is no question', () => {
    assert.equal(engine.match('人'), null);
    assert.equal(engine.match('motion'), null);
  });
});

describe('numeric sensors: never one class for another (item 11)', () => {
  test('the battery of the front door is its battery sensor, not the lock', () => {
    expectIntent(engine, "what's the battery of the front door", 'HassGetState', { ids: ['door_battery'] });
    expectIntent(engine, '前门电池电量多少', 'HassGetState', { ids: ['door_battery'] });
  });
  test('power and energy are different readings', () => {
    expectIntent(engine, 'what is the power usage in the garage', 'HassGetState', { ids: ['meter_power'] });
    expectIntent(engine, 'what is the energy usage in the garage', 'HassGetState', { ids: ['meter_energy'] });
  });
});

describe('batteries (item 1)', () => {
  const home = new IntentEngine();
  home.setLists({
    devices: [
      { id: 'front', name: 'Front Door', aliases: [], area: 'hallway', type: 'lock', state: { state: 'locked' } },
      { id: 'door_battery', name: 'Front Door Battery', aliases: [], area: 'hallway', type: 'sensor', deviceClass: 'battery', unit: '%', state: { state: 12 } },
      { id: 'remote_low', name: 'Remote Battery Low', aliases: [], area: 'bedroom', type: 'binary_sensor', deviceClass: 'battery', state: { state: 'off' } },
      { id: 'thermo_battery', name: 'Thermometer Battery', aliases: [], area: 'bedroom', type: 'sensor', deviceClass: 'battery', unit: '%', state: { state: 80 } },
    ],
    areas: [{ name: 'hallway' }, { name: 'bedroom' }],
  });
  const reply = (text: string, ids: string[]) => {
    const { match, resolution } = expectIntent(home, text, 'HassGetState', { ids });
    assert.ok(!isResolveError(resolution));
    return queryReply(match, resolution, home.deviceLists);
  };
  test('"is the battery of the front door low" answers with its level', () => {
    assert.equal(reply('is the battery of the front door low', ['door_battery']), 'The battery level of the front door battery is 12%.');
    assert.match(reply('前门电池电量低吗', ['door_battery']), /12%/);
  });
  test('"are any batteries low": levels below 20 % and battery-low sensors that are on', () => {
    assert.equal(reply('are any batteries low', ['door_battery', 'remote_low', 'thermo_battery']), '1 of the 3 batteries is low: front door battery.');
    assert.equal(reply('any low batteries in the bedroom', ['remote_low', 'thermo_battery']), 'None of the 2 batteries are low.');
    assert.match(reply('有没有设备电量低', ['door_battery', 'remote_low', 'thermo_battery']), /^3个电池中有1个电量低：/);
  });
});
