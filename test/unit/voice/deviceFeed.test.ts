import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBus } from '../../../daemon/core/bus.js';
import { silentLogger } from '../../../daemon/core/log.js';
import { DeviceFeed } from '../../../daemon/voice/deviceFeed.js';
import type { Device } from '../../../devices/model.js';

function device(id: string, state: Record<string, unknown> = {}): Device {
  return {
    id, name: id, aliases: [], area: 'hall', type: 'light', capabilities: ['onoff'], source: 'config',
    mqtt: { schema: 'default', commandTopic: `${id}/set`, minTemp: 5 }, state, available: true, lastSeen: null,
  };
}

test('a subscriber gets the whole list, then one batched frame of changes and removals', async () => {
  const bus = new EventBus(silentLogger());
  const devices = new Map([['a', device('a')], ['b', device('b')]]);
  const feed = new DeviceFeed({ bus, devices: { list: () => [...devices.values()], get: (id) => devices.get(id) }, floorOf: () => 'ground', batchMs: 5 });
  feed.start();
  const frames: Array<{ type: string; devices: Array<Record<string, unknown>>; removed?: string[] }> = [];
  const detach = feed.attach((f) => frames.push(JSON.parse(f)));
  assert.equal(frames[0]!.type, 'devices');
  assert.deepEqual(frames[0]!.devices.map((d) => d.id), ['a', 'b']);
  assert.equal(frames[0]!.devices[0]!.floor, 'ground');
  assert.ok(!('mqtt' in frames[0]!.devices[0]!), 'no topics or templates reach the page');
  assert.deepEqual(frames[0]!.devices[0]!.limits, { minTemp: 5 });

  for (let i = 0; i < 50; i++) {
    devices.set('a', device('a', { state: i % 2 ? 'on' : 'off' }));
    bus.emit('device.state', { deviceId: 'a', state: {}, changed: ['state'], ts: i });
  }
  devices.delete('b');
  bus.emit('device.removed', { deviceId: 'b', ts: 0 });
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(frames.length, 2, 'fifty updates make one frame');
  assert.equal(frames[1]!.type, 'devices.changed');
  assert.deepEqual(frames[1]!.devices.map((d) => [d.id, (d.state as { state: string }).state]), [['a', 'on']]);
  assert.deepEqual(frames[1]!.removed, ['b']);

  detach();
  bus.emit('device.state', { deviceId: 'a', state: {}, changed: ['state'], ts: 99 });
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(frames.length, 2, 'nothing after detach');
  feed.stop();
});
