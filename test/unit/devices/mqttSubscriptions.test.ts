import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { once } from 'node:events';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import type { MessageHandler, MqttTransport, PublishOptions } from '../../../daemon/core/context.js';
import { silentLogger } from '../../../daemon/core/log.js';
import { DeviceRegistry } from '../../../devices/registry.js';
import { DeviceSubscriptions } from '../../../devices/mqttSubscriptions.js';
import { emptyDevicesDocument, type DevicesDocument } from '../../../devices/registryStore.js';
import { ManualClock, MemoryCollection, haFixture, recordingBus } from './helpers.js';

/**
 * A bare MqttTransport over mqtt.js for this test only (daemon/mqtt/ owns the real one): each pattern gets
 * its own handler, dispatched by mqtt.js's topic matching through the client's message event.
 */
function clientTransport(client: mqtt.MqttClient): MqttTransport {
  const handlers = new Map<string, MessageHandler>();
  client.on('message', (topic, payload, packet) => {
    for (const [pattern, handler] of handlers) if (matches(pattern, topic)) handler(topic, payload, packet.retain);
  });
  return {
    mode: 'external',
    get connected() { return client.connected; },
    async publish(topic: string, payload: string | Buffer, options: PublishOptions = {}) {
      await client.publishAsync(topic, payload, { qos: options.qos ?? 0, retain: options.retain ?? false });
    },
    async subscribe(pattern: string, handler: MessageHandler) {
      handlers.set(pattern, handler);
      await client.subscribeAsync(pattern, { qos: 1 });
      return async () => {
        handlers.delete(pattern);
        await client.unsubscribeAsync(pattern);
      };
    },
    clientCount: () => (client.connected ? 1 : 0),
  };
}

function matches(pattern: string, topic: string): boolean {
  const p = pattern.split('/');
  const t = topic.split('/');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '#') return true;
    if (p[i] !== '+' && p[i] !== t[i]) return false;
  }
  return p.length === t.length;
}

test('subscriptions follow the registry: retained discovery, then the device topics it names, over a real broker', async (t) => {
  const broker = await Aedes.createBroker();
  const server = createServer(broker.handle);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const device = await mqtt.connectAsync(url, { clientId: 'esp-device' });
  const hub = await mqtt.connectAsync(url, { clientId: 'hub' });
  t.after(async () => {
    await hub.endAsync();
    await device.endAsync();
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const { bus } = recordingBus();
  const registry = new DeviceRegistry({
    collection: new MemoryCollection<DevicesDocument>('devices', emptyDevicesDocument()), bus, clock: new ManualClock(), log: silentLogger(),
    discoveryPrefix: 'homeassistant', zigbee2mqttBaseTopic: 'zigbee2mqtt', configDevices: [],
  });
  registry.start();
  const subs = new DeviceSubscriptions({ registry, transport: clientTransport(hub), log: silentLogger() });

  // The device announces itself (retained) and publishes a retained state before the hub subscribes.
  const f = await haFixture('espTemperature');
  await device.publishAsync(f.topic, f.payload, { qos: 1, retain: true });
  await device.publishAsync('livingroom-env/sensor/temperature/state', '23.25', { qos: 1, retain: true });

  const stateSeen = new Promise<void>((resolve) => bus.on('device.state', {}, () => resolve()));
  await subs.start();
  await stateSeen;
  await subs.settled();
  assert.deepEqual(registry.get('livingroom-envsensortemperature')?.state, { value: 23.25 });
  assert.ok(subs.patterns().includes('livingroom-env/sensor/temperature/state'));
  assert.ok(subs.patterns().includes('homeassistant/#'));

  // Removal drops the device and its subscriptions.
  const removed = new Promise<void>((resolve) => bus.on('device.removed', {}, () => resolve()));
  await device.publishAsync(f.topic, '', { qos: 1, retain: true });
  await removed;
  await subs.settled();
  assert.deepEqual(subs.patterns().sort(), ['homeassistant/#', 'zigbee2mqtt/#']);
  await subs.stop();
  assert.deepEqual(subs.patterns(), []);
});
