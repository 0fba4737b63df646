import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, silentLogger, type Logger } from '../../../daemon/core/log.js';
import type { DeviceConfig } from '../../../daemon/config/schema.js';
import { DeviceRegistry } from '../../../devices/registry.js';
import { emptyDevicesDocument, type DevicesDocument } from '../../../devices/registryStore.js';
import { ManualClock, MemoryCollection, bridgeDevicesPayload, buf, haFixture, recordingBus } from './helpers.js';

interface Harness {
  registry: DeviceRegistry;
  collection: MemoryCollection<DevicesDocument>;
  events: ReturnType<typeof recordingBus>['events'];
  clock: ManualClock;
  applied: string[];
}

function harness(options: { configDevices?: DeviceConfig[]; collection?: MemoryCollection<DevicesDocument>; log?: Logger } = {}): Harness {
  const { bus, events } = recordingBus();
  const collection = options.collection ?? new MemoryCollection<DevicesDocument>('devices', emptyDevicesDocument());
  const clock = new ManualClock();
  const applied: string[] = [];
  const registry = new DeviceRegistry({
    collection, bus, clock, log: options.log ?? silentLogger(),
    // The config defaults (PROTOCOL §1); config entries are typed DeviceConfig, as the schema validates them.
    discoveryPrefix: 'homeassistant',
    zigbee2mqttBaseTopic: 'zigbee2mqtt',
    configDevices: options.configDevices ?? [],
    onStateApplied: (d) => applied.push(d.id),
  });
  registry.start();
  return { registry, collection, events, clock, applied };
}

async function discover(h: Harness, ...names: string[]): Promise<void> {
  for (const name of names) {
    const f = await haFixture(name);
    h.registry.handleMessage(f.topic, f.payload, true);
  }
}

const names = (events: Harness['events'], name: string) => events.filter((e) => e.name === name).map((e) => (e.payload as { deviceId: string }).deviceId);

test('discovery adds a device: listed, found by normalised name, persisted, announced on the bus', async () => {
  const h = harness();
  await discover(h, 'espTemperature');
  const d = h.registry.get('livingroom-envsensortemperature');
  assert.ok(d);
  assert.deepEqual(h.registry.list().map((x) => x.id), ['livingroom-envsensortemperature']);
  assert.deepEqual(h.registry.findByName('living_room ENV temperature').map((x) => x.id), ['livingroom-envsensortemperature']);
  assert.deepEqual(h.registry.findByName('nothing'), []);
  assert.deepEqual(names(h.events, 'device.added'), ['livingroom-envsensortemperature']);
  assert.equal(h.collection.data.devices['livingroom-envsensortemperature']?.device, d);
  assert.ok(h.collection.dirtyCount > 0);
});

test('state messages are routed by exact topic, emit changed keys, count every applied message and mark dirty', async () => {
  const h = harness();
  await discover(h, 'espTemperature', 'espHumidity');
  const dirty = h.collection.dirtyCount;
  h.clock.time += 1000;
  h.registry.handleMessage('livingroom-env/sensor/temperature/state', buf('21.5'), false);
  const t = h.registry.get('livingroom-envsensortemperature')!;
  assert.deepEqual(t.state, { value: 21.5 });
  assert.equal(t.lastSeen, h.clock.time);
  assert.equal(h.registry.get('livingroom-envsensorhumidity')!.lastSeen, null, 'the other device is untouched');
  const stateEvents = h.events.filter((e) => e.name === 'device.state');
  assert.deepEqual(stateEvents.map((e) => e.payload), [{ deviceId: t.id, state: { value: 21.5 }, changed: ['value'], ts: h.clock.time }]);
  h.clock.time += 500;
  h.registry.handleMessage('livingroom-env/sensor/temperature/state', buf('21.5'), false);
  assert.equal(h.events.filter((e) => e.name === 'device.state').length, 1, 'no event when nothing changed');
  assert.deepEqual(h.applied, [t.id, t.id], 'both messages were applied and counted');
  assert.equal(h.collection.dirtyCount, dirty + 1, 'the change marks the store dirty; the repeat, which moved only lastSeen, does not (an SD card write per repeat report)');
  assert.equal(t.lastSeen, h.clock.time, 'lastSeen still moves in memory');
  h.registry.stop();
  assert.equal(h.collection.dirtyCount, dirty + 2, 'and is written by the final flush on stop');
  h.registry.handleMessage('unknown/topic', buf('x'), false);
  assert.equal(h.applied.length, 2);
});

test('one topic feeding several devices (device-based discovery with a shared state topic)', async () => {
  const h = harness();
  await discover(h, 'deviceBased');
  h.registry.handleMessage('sensorBedroom/state', buf('{"temperature":20.1,"humidity":55}'), false);
  assert.deepEqual(h.registry.get('temp01ae_t')!.state, { value: 20.1 });
  assert.deepEqual(h.registry.get('temp01ae_h')!.state, { value: 55 });
  assert.equal(h.registry.get('temp01ae_t')!.physicalId, h.registry.get('temp01ae_h')!.physicalId);
});

test('availability: latest mode, all mode (Zigbee2MQTT discovery) and devices without availability', async () => {
  const h = harness();
  await discover(h, 'espTemperature', 'z2mLight', 'hallLight');
  assert.equal(h.registry.get('hall_light')!.available, true);
  h.registry.handleMessage('livingroom-env/status', buf('offline'), true);
  assert.equal(h.registry.get('livingroom-envsensortemperature')!.available, false);
  h.registry.handleMessage('livingroom-env/status', buf('online'), true);
  assert.equal(h.registry.get('livingroom-envsensortemperature')!.available, true);

  const light = h.registry.get('0x000b57fffec6a5b2_light_zigbee2mqtt')!;
  h.registry.handleMessage('zigbee2mqtt/bridge/state', buf('{"state":"online"}'), true);
  assert.equal(light.available, null, 'all: one topic of two is not enough');
  h.registry.handleMessage('zigbee2mqtt/kitchen_ceiling/availability', buf('{"state":"online"}'), true);
  assert.equal(light.available, true);
  h.registry.handleMessage('zigbee2mqtt/kitchen_ceiling/availability', buf('{"state":"offline"}'), true);
  assert.equal(light.available, false);
  const avail = h.events.filter((e) => e.name === 'device.availability').map((e) => e.payload as { deviceId: string; available: boolean });
  assert.deepEqual(avail.map((a) => [a.deviceId, a.available]), [
    ['livingroom-envsensortemperature', false], ['livingroom-envsensortemperature', true],
    ['0x000b57fffec6a5b2_light_zigbee2mqtt', true], ['0x000b57fffec6a5b2_light_zigbee2mqtt', false],
  ]);
});

test('an empty discovery payload removes the device, its persisted entry and its routes', async () => {
  const h = harness();
  await discover(h, 'frontLock');
  assert.ok(h.registry.get('front_lock'));
  h.registry.handleMessage('homeassistant/lock/front/lock/config', Buffer.alloc(0), true);
  assert.equal(h.registry.get('front_lock'), undefined);
  assert.equal(h.collection.data.devices.front_lock, undefined);
  assert.deepEqual(names(h.events, 'device.removed'), ['front_lock']);
  h.registry.handleMessage('home/front/lock/state', buf('LOCKED'), false);
  assert.equal(h.applied.length, 0);
  assert.ok(!h.registry.subscriptions().includes('home/front/lock/state'));
});

test('device-based discovery: a component removed with only p, and one left out of an update', async () => {
  const h = harness();
  const f = await haFixture('deviceBased');
  h.registry.handleMessage(f.topic, f.payload, true);
  assert.ok(h.registry.get('temp01ae_t') && h.registry.get('temp01ae_h'));
  const json = f.json as { cmps: Record<string, unknown> };
  json.cmps.hum = { p: 'sensor' };
  h.registry.handleMessage(f.topic, buf(JSON.stringify(json)), true);
  assert.equal(h.registry.get('temp01ae_h'), undefined);
  delete json.cmps.hum;
  delete json.cmps.temp;
  h.registry.handleMessage(f.topic, buf(JSON.stringify(json)), true);
  assert.equal(h.registry.get('temp01ae_t'), undefined);
  assert.deepEqual(names(h.events, 'device.removed').sort(), ['temp01ae_h', 'temp01ae_t']);
});

test('a discovery update changes the binding in place, keeps state and emits device.changed once', async () => {
  const h = harness();
  await discover(h, 'tasmotaSwitch');
  const d = h.registry.get('1A2B3C_RL_1')!;
  h.registry.handleMessage('tasmota/kettle/tele/STATE', buf('{"POWER":"ON"}'), false);
  const f = await haFixture('tasmotaSwitch');
  h.registry.handleMessage(f.topic, f.payload, true);
  assert.deepEqual(names(h.events, 'device.changed'), [], 'the same config again changes nothing');
  const json = f.json;
  json.stat_t = '~stat/RESULT';
  h.registry.handleMessage(f.topic, buf(JSON.stringify(json)), true);
  assert.deepEqual(names(h.events, 'device.changed'), ['1A2B3C_RL_1']);
  assert.equal(h.registry.get('1A2B3C_RL_1'), d, 'same object');
  assert.equal(d.mqtt.stateTopic, 'tasmota/kettle/stat/RESULT');
  assert.deepEqual(d.state, { state: 'on' });
  h.registry.handleMessage('tasmota/kettle/stat/RESULT', buf('{"POWER":"OFF"}'), false);
  assert.deepEqual(d.state, { state: 'off' });
  h.registry.handleMessage('tasmota/kettle/tele/STATE', buf('{"POWER":"ON"}'), false);
  assert.deepEqual(d.state, { state: 'off' }, 'the old topic is no longer routed');
});

test('a unique_id already owned by another discovery topic is refused, as HA does', async () => {
  const h = harness();
  await discover(h, 'frontLock');
  h.registry.handleMessage('homeassistant/lock/other/config', buf('{"uniq_id":"front_lock","cmd_t":"x"}'), true);
  assert.equal(h.registry.get('front_lock')!.mqtt.commandTopic, 'home/front/lock/set');
});

test('config devices and overrides: own devices, and name/aliases/area over a discovered device', async () => {
  const h = harness({
    configDevices: [
      { id: 'porch_light', name: 'Porch light', type: 'light', commandTopic: 'porch/set', stateTopic: 'porch/state', availabilityTopic: 'porch/lwt', aliases: ['outside light'], area: 'Outside' },
      { id: 'livingroom-envsensortemperature', name: 'Lounge temperature', aliases: ['lounge temp'], area: 'Lounge' },
      { id: 'broken', commandTopic: 'x' },
    ],
  });
  const porch = h.registry.get('porch_light')!;
  assert.equal(porch.source, 'config');
  assert.deepEqual(porch.capabilities, ['onoff']);
  assert.equal(porch.available, null);
  assert.equal(h.registry.get('broken'), undefined, 'a device with topics but no type is skipped');
  assert.deepEqual(h.registry.findByName('Outside Light').map((d) => d.id), ['porch_light']);
  h.registry.handleMessage('porch/state', buf('ON'), false);
  assert.deepEqual(porch.state, { state: 'on' });

  await discover(h, 'espTemperature');
  const t = h.registry.get('livingroom-envsensortemperature')!;
  assert.equal(t.name, 'Lounge temperature');
  assert.deepEqual(t.aliases, ['lounge temp']);
  assert.equal(t.area, 'Lounge');
  assert.deepEqual(h.registry.findByName('lounge temp').map((d) => d.id), [t.id]);
  assert.deepEqual(h.registry.findByName('Living room env Temperature'), [], 'the announced name is overridden');
  assert.equal(h.collection.data.devices[t.id]?.announced.name, 'Living room env Temperature');

  h.registry.handleMessage('homeassistant/light/porch/config', buf('{"uniq_id":"porch_light","cmd_t":"elsewhere"}'), true);
  assert.equal(porch.mqtt.commandTopic, 'porch/set', 'the config wins over discovery for its own id');
});

test('state, availability and discovered devices survive a restart; removing an override restores the name', async () => {
  const collection = new MemoryCollection<DevicesDocument>('devices', emptyDevicesDocument());
  const first = harness({ collection, configDevices: [{ id: 'livingroom-envsensortemperature', name: 'Lounge temperature' }] });
  await discover(first, 'espTemperature', 'hallLight');
  first.registry.handleMessage('livingroom-env/sensor/temperature/state', buf('19'), false);
  first.registry.handleMessage('livingroom-env/status', buf('online'), true);
  first.registry.handleMessage('hall/light/status', buf('1'), false);
  first.registry.stop();

  const data = JSON.parse(JSON.stringify(collection.data)) as DevicesDocument; // as it would come back from disk
  const second = harness({ collection: new MemoryCollection('devices', data) });
  const t = second.registry.get('livingroom-envsensortemperature')!;
  assert.deepEqual(t.state, { value: 19 });
  assert.equal(t.available, true);
  assert.equal(t.name, 'Living room env Temperature', 'override gone: the announced name is back');
  assert.deepEqual(second.registry.get('hall_light')!.state, { state: 'on' });
  second.registry.handleMessage('livingroom-env/sensor/temperature/state', buf('20'), false);
  assert.deepEqual(t.state, { value: 20 }, 'restored devices are routed');
});

test('a config device keeps its state across restarts; one removed from the config is dropped', () => {
  const collection = new MemoryCollection<DevicesDocument>('devices', emptyDevicesDocument());
  const cfg: DeviceConfig = { id: 'pump', type: 'switch', commandTopic: 'pump/set', stateTopic: 'pump/state' };
  const first = harness({ collection, configDevices: [cfg] });
  first.registry.handleMessage('pump/state', buf('ON'), false);
  const second = harness({ collection, configDevices: [cfg] });
  assert.deepEqual(second.registry.get('pump')!.state, { state: 'on' });
  const third = harness({ collection, configDevices: [] });
  assert.equal(third.registry.get('pump'), undefined);
  assert.equal(collection.data.devices.pump, undefined);
});

test('a corrupt or foreign store starts empty instead of crashing', () => {
  const collection = new MemoryCollection<DevicesDocument>('devices', { version: 7, devices: 'nope' } as unknown as DevicesDocument);
  const h = harness({ collection });
  assert.deepEqual(h.registry.list(), []);
  assert.equal(collection.data.version, 1);
  const partly = new MemoryCollection<DevicesDocument>('devices', { version: 1, devices: { x: { device: { id: 'y' } } } } as unknown as DevicesDocument);
  assert.deepEqual(harness({ collection: partly }).registry.list(), []);
});

test('Zigbee2MQTT: bridge/devices adds devices, state fans out to the entities of one device, bridge offline', async () => {
  const h = harness();
  h.registry.handleMessage('zigbee2mqtt/bridge/devices', await bridgeDevicesPayload(), true);
  const ids = h.registry.list().map((d) => d.id);
  assert.ok(ids.includes('0x000b57fffec6a5b2') && ids.includes('0x84fd27fffe3e1a55') && ids.includes('0x00158d00045b2f10_temperature'));
  h.registry.handleMessage('zigbee2mqtt/bedroom_climate_sensor', buf('{"temperature":22.5,"humidity":41,"battery":90,"linkquality":80}'), false);
  assert.deepEqual(h.registry.get('0x00158d00045b2f10_temperature')!.state, { value: 22.5 });
  assert.deepEqual(h.registry.get('0x00158d00045b2f10_humidity')!.state, { value: 41 });
  assert.equal(h.applied.length, 3, 'temperature, humidity, battery; pressure was not in the message');
  assert.deepEqual(h.registry.get('0x00158d00045b2f10_pressure')!.state, {});
  h.registry.handleMessage('zigbee2mqtt/kitchen_ceiling/availability', buf('{"state":"online"}'), true);
  assert.equal(h.registry.get('0x000b57fffec6a5b2')!.available, true);
  h.registry.handleMessage('zigbee2mqtt/bridge/state', buf('offline'), true);
  assert.ok(h.registry.list().filter((d) => d.source === 'zigbee2mqtt').every((d) => d.available === false));
  h.registry.handleMessage('zigbee2mqtt/bridge/state', buf('{"state":"online"}'), true);
  assert.equal(h.registry.get('0x000b57fffec6a5b2')!.available, true);
  assert.equal(h.registry.get('0x84fd27fffe3e1a55')!.available, true, 'no availability of its own: up with the bridge');
  assert.deepEqual(h.registry.findByName('kitchen kettle plug').map((d) => d.id), ['0x0c4314fffe7c92d1']);
});

test('Zigbee2MQTT: a device gone from bridge/devices is removed; a rename moves its topics', async () => {
  const h = harness();
  const list = JSON.parse((await bridgeDevicesPayload()).toString()) as Array<Record<string, unknown>>;
  h.registry.handleMessage('zigbee2mqtt/bridge/devices', buf(JSON.stringify(list)), true);
  const trimmed = list.filter((d) => d.ieee_address !== '0x000d6f0011a2b3c4');
  const light = trimmed.find((d) => d.ieee_address === '0x000b57fffec6a5b2')!;
  light.friendly_name = 'dining_light';
  h.registry.handleMessage('zigbee2mqtt/bridge/devices', buf(JSON.stringify(trimmed)), true);
  assert.equal(h.registry.get('0x000d6f0011a2b3c4'), undefined);
  assert.ok(names(h.events, 'device.removed').includes('0x000d6f0011a2b3c4'));
  const d = h.registry.get('0x000b57fffec6a5b2')!;
  assert.equal(d.name, 'dining_light');
  assert.ok(names(h.events, 'device.changed').includes('0x000b57fffec6a5b2'));
  h.registry.handleMessage('zigbee2mqtt/dining_light', buf('{"state":"ON"}'), false);
  assert.equal(d.state.state, 'on');
  h.registry.handleMessage('zigbee2mqtt/kitchen_ceiling', buf('{"state":"OFF"}'), false);
  assert.equal(d.state.state, 'on', 'the old name is not routed');
});

test("Zigbee2MQTT's own HA discovery is hidden while bridge/devices describes the same device", async () => {
  const h = harness();
  await discover(h, 'z2mLight', 'z2mContact', 'espTemperature');
  assert.ok(h.registry.get('0x000b57fffec6a5b2_light_zigbee2mqtt'));
  h.registry.handleMessage('zigbee2mqtt/bridge/devices', await bridgeDevicesPayload(), true);
  assert.equal(h.registry.get('0x000b57fffec6a5b2_light_zigbee2mqtt'), undefined);
  assert.equal(h.registry.get('0x00158d0001d7d3e1_contact_zigbee2mqtt'), undefined);
  assert.ok(h.registry.get('livingroom-envsensortemperature'), 'other discovery is untouched');
  assert.deepEqual(h.registry.findByName('kitchen_ceiling').map((d) => d.id), ['0x000b57fffec6a5b2'], 'not ambiguous');
  await discover(h, 'z2mLight');
  assert.equal(h.registry.get('0x000b57fffec6a5b2_light_zigbee2mqtt'), undefined, 'still hidden when re-announced');
  h.registry.handleMessage('zigbee2mqtt/bridge/devices', buf('[]'), true);
  assert.ok(h.registry.get('0x000b57fffec6a5b2_light_zigbee2mqtt'), 'back once Zigbee2MQTT no longer lists the device');
});

test('subscriptions: the two wildcards plus state topics outside them; watchers hear about new topics', async () => {
  const h = harness();
  let calls = 0;
  h.registry.watchTopics(() => calls++);
  await discover(h, 'espTemperature');
  assert.ok(calls > 0);
  const subs = h.registry.subscriptions();
  assert.deepEqual(subs.slice(0, 2), ['homeassistant/#', 'zigbee2mqtt/#']);
  assert.ok(subs.includes('livingroom-env/sensor/temperature/state'));
  assert.ok(subs.includes('livingroom-env/status'));
  await discover(h, 'docsKitchenLight');
  assert.ok(!h.registry.subscriptions().includes('homeassistant/light/kitchen/state'), 'covered by the prefix wildcard');
  h.registry.handleMessage('homeassistant/light/kitchen/state', buf('{"state":"ON"}'), false);
  assert.equal(h.registry.get('kitchen_light')!.state.state, 'on', 'state under the discovery prefix is still routed');
});

test('snapshot lists id, name, area, type, capabilities and availability', async () => {
  const h = harness();
  await discover(h, 'espTemperature');
  assert.deepEqual(h.registry.snapshot(), [{
    id: 'livingroom-envsensortemperature', name: 'Living room env Temperature', area: 'Living room', type: 'sensor',
    capabilities: ['measurement'], available: null,
  }]);
});

test('a flood of garbage: logged once per topic per minute, never thrown, registry intact', async () => {
  const lines: string[] = [];
  const log = createLogger({ level: 'warn', destination: { write: (s: string) => void lines.push(s) } as never });
  const h = harness({ log });
  await discover(h, 'studyThermostat', 'z2mLight');
  h.registry.handleMessage('zigbee2mqtt/bridge/devices', await bridgeDevicesPayload(), true);
  const garbage = [Buffer.from([0xff, 0x00, 0xfe]), buf('{"unterminated'), Buffer.alloc(100_000, 0x7b), buf('null'), buf('[]'), buf('"str"'), buf('NaN')];
  const topics = ['study/hvac/current', 'study/hvac/temp/state', 'zigbee2mqtt/living_room_radiator', 'zigbee2mqtt/kitchen_ceiling/availability',
    'homeassistant/light/x/config', 'homeassistant/device/y/config', 'zigbee2mqtt/bridge/devices', 'zigbee2mqtt/bridge/state'];
  for (let i = 0; i < 50; i++) for (const t of topics) for (const g of garbage) h.registry.handleMessage(t, g, false);
  const warned = lines.map((l) => JSON.parse(l) as { level: string; topic: string }).filter((l) => l.level === 'warn');
  const perTopic = new Map<string, number>();
  for (const w of warned) perTopic.set(w.topic, (perTopic.get(w.topic) ?? 0) + 1);
  assert.ok(warned.length > 0);
  for (const [topic, n] of perTopic) assert.equal(n, 1, topic);
  h.clock.time += 61_000;
  h.registry.handleMessage('study/hvac/temp/state', buf('hot'), false);
  assert.equal(lines.filter((l) => l.includes('study/hvac/temp/state')).length, 2, 'a minute later it may warn again');
  h.registry.handleMessage('study/hvac/temp/state', buf('22'), false);
  assert.equal(h.registry.get('study_hvac')!.state.target_temperature, 22);
  // "[]" was a valid (empty) bridge/devices list among the garbage; a real one brings the devices back.
  h.registry.handleMessage('zigbee2mqtt/bridge/devices', await bridgeDevicesPayload(), true);
  h.registry.handleMessage('zigbee2mqtt/living_room_radiator', buf('{"local_temperature":18}'), false);
  assert.equal(h.registry.get('0x84fd27fffe3e1a55')!.state.current_temperature, 18);
});
