import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../../daemon/core/log.js';
import { DeviceRegistry } from '../../../devices/registry.js';
import { CommandTopicIndex, commandTopicsOf } from '../../../devices/registryIndex.js';
import { emptyDevicesDocument, type DevicesDocument } from '../../../devices/registryStore.js';
import { ManualClock, MemoryCollection, bridgeDevicesPayload, buf, device, haFixture, recordingBus } from './helpers.js';

function registry(): DeviceRegistry {
  const r = new DeviceRegistry({
    collection: new MemoryCollection<DevicesDocument>('devices', emptyDevicesDocument()), bus: recordingBus().bus,
    clock: new ManualClock(), log: silentLogger(), discoveryPrefix: 'homeassistant', zigbee2mqttBaseTopic: 'zigbee2mqtt',
    configDevices: [{ id: 'hall_lamp', name: 'Hall lamp', type: 'light', commandTopic: 'hall/lamp/set', stateTopic: 'hall/lamp' }] as never,
  });
  r.start();
  return r;
}

test('commandTopicsOf lists every topic the hub sends a command to, and no state or wildcard topic', () => {
  const d = device({
    type: 'climate',
    mqtt: { schema: 'default', commandTopic: 'c/set', stateTopic: 'c/state', temperatureCommandTopic: 'c/temp/set', modeCommandTopic: 'c/mode/set',
      brightnessCommandTopic: 'c/+/set', percentageCommandTopic: 'c/pct/set', setPositionTopic: 'c/pos/set' },
  });
  assert.deepEqual(commandTopicsOf(d).sort(), ['c/mode/set', 'c/pct/set', 'c/pos/set', 'c/set', 'c/temp/set']);
});

test('the command topic index counts shared topics and covers <command topic>/<attribute> of a …/set topic only', () => {
  const index = new CommandTopicIndex();
  const a = device({ type: 'light', mqtt: { schema: 'json', commandTopic: 'z/lamp/set' } });
  const b = device({ type: 'switch', mqtt: { schema: 'json', commandTopic: 'z/lamp/set' } });
  const c = device({ type: 'switch', mqtt: { schema: 'default', commandTopic: 'tasmota/cmnd/POWER' } });
  for (const d of [a, b, c]) index.add(d);
  assert.ok(index.covers('z/lamp/set') && index.covers('z/lamp/set/state') && index.covers('tasmota/cmnd/POWER'));
  for (const t of ['z/lamp', 'z/lamp/get', 'z/lamp/set/state/x', 'tasmota/cmnd/POWER/x', 'set', '/set/x', 'z/other/set']) assert.ok(!index.covers(t), t);
  index.remove(a);
  assert.ok(index.covers('z/lamp/set'), 'still one device on it');
  index.remove(b);
  assert.ok(!index.covers('z/lamp/set/state'));
  assert.equal(index.size, 1);
});

test('the registry\'s index follows discovery, updates, removal, Zigbee2MQTT and config devices', async () => {
  const r = registry();
  assert.ok(r.isCommandTopic('hall/lamp/set'), 'a config device');
  assert.ok(!r.isCommandTopic('hall/lamp'), 'its state topic is not a command topic');
  const lock = await haFixture('frontLock');
  r.handleMessage(lock.topic, lock.payload, true);
  assert.ok(r.isCommandTopic('home/front/lock/set'));
  // The same entity announced with another command topic: the old one is no longer a device's.
  r.handleMessage(lock.topic, buf(JSON.stringify({ ...lock.json, cmd_t: 'home/front/lock/cmd' })), true);
  assert.ok(r.isCommandTopic('home/front/lock/cmd'));
  assert.ok(!r.isCommandTopic('home/front/lock/set'));
  r.handleMessage(lock.topic, Buffer.alloc(0), true);
  assert.ok(!r.isCommandTopic('home/front/lock/cmd'), 'removed with its device');
  r.handleMessage('zigbee2mqtt/bridge/devices', await bridgeDevicesPayload(), true);
  assert.ok(r.isCommandTopic('zigbee2mqtt/kitchen_ceiling/set'));
  assert.ok(r.isCommandTopic('zigbee2mqtt/kitchen_ceiling/set/state'));
  assert.ok(!r.isCommandTopic('zigbee2mqtt/kitchen_ceiling'));
  // Zigbee2MQTT forgets the device: so does the index.
  r.handleMessage('zigbee2mqtt/bridge/devices', buf('[]'), true);
  assert.ok(!r.isCommandTopic('zigbee2mqtt/kitchen_ceiling/set'));
});
