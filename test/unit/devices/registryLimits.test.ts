import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../../daemon/core/log.js';
import { DeviceRegistry, MAX_DEVICES } from '../../../devices/registry.js';
import { emptyDevicesDocument, type DevicesDocument } from '../../../devices/registryStore.js';
import { ManualClock, MemoryCollection, buf, recordingBus } from './helpers.js';

// Issue 11, memory under a flood of discovery configs: the number of devices the registry keeps is bounded.

test('past MAX_DEVICES a new announcement is ignored with DEVICE_LIMIT; known devices still update, removals make room', () => {
  const lines: string[] = [];
  const log = createLogger({ level: 'warn', destination: { write: (s: string) => void lines.push(s) } as never });
  const collection = new MemoryCollection<DevicesDocument>('devices', emptyDevicesDocument());
  const registry = new DeviceRegistry({
    collection, bus: recordingBus().bus, clock: new ManualClock(), log,
    discoveryPrefix: 'homeassistant', zigbee2mqttBaseTopic: 'zigbee2mqtt', configDevices: [],
  });
  registry.start();
  const announce = (i: number, name = `S${i}`) =>
    registry.handleMessage(`homeassistant/sensor/s${i}/config`, buf(JSON.stringify({ stat_t: `s/${i}`, uniq_id: `s${i}`, name })));
  for (let i = 0; i < MAX_DEVICES + 10; i++) announce(i);
  assert.equal(registry.list().length, MAX_DEVICES);
  assert.equal(registry.get(`s${MAX_DEVICES}`), undefined);
  const limited = lines.map((l) => JSON.parse(l) as { code?: string; topic: string }).filter((l) => l.code === 'DEVICE_LIMIT');
  assert.equal(limited.length, 10);
  announce(0, 'Renamed');
  assert.equal(registry.get('s0')?.name, 'Renamed');
  registry.handleMessage('homeassistant/sensor/s1/config', Buffer.alloc(0));
  announce(MAX_DEVICES);
  assert.ok(registry.get(`s${MAX_DEVICES}`));
  assert.equal(Object.keys(collection.data.devices).length, MAX_DEVICES);
});
