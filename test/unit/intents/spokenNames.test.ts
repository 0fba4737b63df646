import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Device } from '../../../devices/model.js';
import { spokenNames } from '../../../daemon/intents/spokenNames.js';
import { intentLists } from '../../../daemon/intents/fromDevice.js';

function dev(id: string, name: string, extra: Partial<Device> = {}): Device {
  return {
    id, name, aliases: [], type: 'light', capabilities: ['onoff'], source: 'ha-discovery', mqtt: { schema: 'default' },
    state: {}, available: true, lastSeen: null, ...extra,
  };
}

test('the entity name alone, without node prefix, is the spoken and the reply name', () => {
  const names = spokenNames([dev('a', 'Office node Desk lamp', { deviceName: 'Office node' })]);
  assert.equal(names.get('a')?.name, 'Desk lamp');
  assert.ok(names.get('a')?.aliases.includes('Office Desk lamp'));
  assert.equal(names.get('a')?.area, 'office', 'the room word the name starts with places it');
});

test('a lock named by its device loses the kind word; a suggested area is not overridden', () => {
  const names = spokenNames([dev('l', 'Front door lock', { type: 'lock', deviceName: 'Front door lock', area: 'Hall' })]);
  assert.equal(names.get('l')?.name, 'Front door');
  assert.equal(names.get('l')?.area, undefined);
});

test('an entity name two devices share is not an alias of either; the full names stay', () => {
  const names = spokenNames([
    dev('a', 'Office node Desk lamp', { deviceName: 'Office node' }),
    dev('b', 'Study node Desk lamp', { deviceName: 'Study node' }),
  ]);
  assert.ok(!names.get('a')?.aliases.includes('Desk lamp'));
  assert.ok(!names.get('b')?.aliases.includes('Desk lamp'));
  assert.equal(names.get('a')?.name, 'Office Desk lamp');
  assert.equal(names.get('b')?.name, 'Study Desk lamp');
});

test('a measurement word or a room alone is never an alias; the class reading keeps the room', () => {
  const names = spokenNames([
    dev('t', 'Bedroom sensor Temperature', { type: 'sensor', deviceName: 'Bedroom sensor' }),
    dev('k', 'kitchen-esp Kitchen', { deviceName: 'kitchen-esp' }),
  ]);
  assert.equal(names.get('t')?.name, 'Bedroom Temperature');
  assert.ok(!names.get('t')?.aliases.some((a) => a.toLowerCase() === 'temperature'));
  assert.ok(!names.get('k')?.aliases.some((a) => a.toLowerCase() === 'kitchen'));
});

test('a derived alias never takes a name another device has as given', () => {
  const names = spokenNames([
    dev('a', 'Tasmota Hall Fan', { type: 'fan', deviceName: 'Tasmota' }),
    dev('b', 'Hall Fan', { type: 'fan', source: 'config' }),
  ]);
  assert.ok(!names.get('a')?.aliases.some((x) => x.toLowerCase() === 'hall fan'));
  assert.equal(names.get('a')?.name, 'Tasmota Hall Fan');
});

test('config devices keep exactly the names the user gave', () => {
  const lists = intentLists([dev('c', 'Office node Desk lamp', { source: 'config', deviceName: 'Office node' })]);
  assert.equal(lists.devices[0].name, 'Office node Desk lamp');
  assert.deepEqual(lists.devices[0].aliases, []);
  assert.equal(lists.devices[0].area, undefined);
});

test('intentLists: the announced name stays an alias after the spoken one', () => {
  const lists = intentLists([dev('a', 'Office node Desk lamp', { deviceName: 'Office node', aliases: ['lampy'] })]);
  assert.equal(lists.devices[0].name, 'Desk lamp');
  assert.equal(lists.devices[0].aliases[0], 'lampy');
  assert.ok(lists.devices[0].aliases.includes('Office node Desk lamp'));
});

test('the kind word goes from the reply name only where the verb says it; Zigbee2MQTT groups', () => {
  const names = spokenNames([
    dev('h', 'Hallway ceiling light', { deviceName: 'Hallway ceiling light' }),
    dev('z', 'living_room/desk_lamp', { source: 'zigbee2mqtt', deviceName: 'living_room/desk_lamp' }),
  ]);
  assert.equal(names.get('h')?.name, 'Hallway ceiling light');
  assert.ok(names.get('h')?.aliases.includes('Hallway ceiling'), 'still an alias');
  assert.equal(names.get('z')?.name, 'desk lamp');
  assert.equal(names.get('z')?.area, 'living room');
});

test('a button\'s entity name is an action: it stays an alias, the reply names the device too', () => {
  const names = spokenNames([
    dev('r', 'Router Restart', { type: 'button', deviceName: 'Router', capabilities: ['press'] }),
    dev('i', 'Office node Identify', { type: 'button', deviceName: 'Office node', capabilities: ['press'] }),
  ]);
  assert.equal(names.get('r')?.name, 'Router Restart');
  assert.ok(names.get('r')?.aliases.includes('Restart'), 'said alone it still reaches the button');
  assert.equal(names.get('i')?.name, 'Office Identify', 'without the node word, with the device\'s own');
});
