import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../../daemon/core/log.js';
import { DeviceRegistry } from '../../../devices/registry.js';
import type { DevicesDocument } from '../../../devices/registryStore.js';
import { ManualClock, MemoryCollection, buf, recordingBus } from './helpers.js';

/** A registry over a given devices document, with its warn lines kept. */
function start(data: unknown): { registry: DeviceRegistry; collection: MemoryCollection<DevicesDocument>; warns: () => Array<Record<string, unknown>> } {
  const lines: string[] = [];
  const log = createLogger({ level: 'warn', destination: { write: (s: string) => void lines.push(s) } as never });
  const collection = new MemoryCollection<DevicesDocument>('devices', data as DevicesDocument);
  const registry = new DeviceRegistry({
    collection, bus: recordingBus().bus, clock: new ManualClock(), log,
    discoveryPrefix: 'homeassistant', zigbee2mqttBaseTopic: 'zigbee2mqtt', configDevices: [],
  });
  registry.start();
  return { registry, collection, warns: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const sensor = (id: string, mqtt: Record<string, unknown>) => ({
  device: { id, name: id, aliases: [], type: 'sensor', capabilities: ['sensor'], source: 'ha-discovery', mqtt: { schema: 'default', ...mqtt }, state: {}, available: true, lastSeen: null },
  announced: { name: id, aliases: [] },
  discoveryKey: `homeassistant/sensor/${id}/config`,
});

test('a stored template the evaluator now refuses is dropped at load; the device stays and reads its payload as it is', () => {
  const bad = '{% set a = "ab" %}' + '{% set a = a ~ a %}'.repeat(26) + '{{ a.split("") }}';
  const doc = JSON.parse(JSON.stringify({
    version: 1,
    devices: {
      old: sensor('old', { stateTopic: 'old/state', valueTemplate: bad, availability: [{ topic: 'old/avail', payloadAvailable: 'online', payloadNotAvailable: 'offline', valueTemplate: '{{ value.constructor }}' }] }),
      fine: sensor('fine', { stateTopic: 'fine/state', valueTemplate: '{{ value_json.t }}' }),
    },
  })) as unknown;
  const { registry, collection, warns } = start(doc);
  const old = registry.get('old');
  assert.ok(old, 'the device is kept');
  assert.equal(old.mqtt.valueTemplate, undefined);
  assert.equal(old.mqtt.availability?.[0]?.valueTemplate, undefined);
  assert.equal(registry.get('fine')?.mqtt.valueTemplate, '{{ value_json.t }}');
  const dropped = warns().filter((w) => w.msg === 'stored template dropped: the device loads without it');
  assert.deepEqual(dropped.map((w) => [w.device, w.field, w.code]), [['old', 'valueTemplate', 'TEMPLATE_FORBIDDEN'], ['old', 'availability[0].valueTemplate', 'TEMPLATE_FORBIDDEN']]);
  assert.ok(collection.dirtyCount > 0, 'the cleaned document is written back');
  registry.handleMessage('old/state', buf('12.5'));
  assert.equal(registry.get('old')?.state.value, 12.5);
});

test('__proto__, constructor and prototype ids: refused at discovery with a warning, dropped from a stored document', () => {
  const doc = JSON.parse('{"version":1,"devices":{"__proto__":' + JSON.stringify(sensor('__proto__', { stateTopic: 'p/state' })) + '}}') as unknown;
  const { registry, collection, warns } = start(doc);
  assert.equal(registry.list().length, 0);
  assert.equal(Object.keys(collection.data.devices).length, 0);
  for (const id of ['__proto__', 'constructor', 'prototype']) {
    registry.handleMessage(`homeassistant/sensor/${id}_topic/config`, buf(JSON.stringify({ stat_t: `${id}/state`, uniq_id: id })));
  }
  registry.handleMessage('homeassistant/sensor/ok/config', buf('{"stat_t":"ok/state","uniq_id":"ok"}'));
  assert.deepEqual(registry.list().map((d) => d.id), ['ok']);
  // What is listed is what is stored, and the stored map has no prototype an id could reach.
  assert.deepEqual(Object.keys(collection.data.devices), ['ok']);
  assert.equal(Object.getPrototypeOf(collection.data.devices), null);
  const refused = warns().filter((w) => w.code === 'DEVICE_ID_RESERVED').map((w) => w.topic);
  assert.deepEqual(refused, ['__proto__', 'constructor', 'prototype'].map((id) => `homeassistant/sensor/${id}_topic/config`));
});
