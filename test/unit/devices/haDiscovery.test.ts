import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ABBREVIATIONS, DEVICE_ABBREVIATIONS, expandKeys } from '../../../devices/haAbbreviations.js';
import { parseDiscovery, parseDiscoveryTopic, type DiscoveryResult } from '../../../devices/haDiscovery.js';
import type { Device } from '../../../devices/model.js';
import { buf, haFixture } from './helpers.js';

const PREFIX = 'homeassistant';

function single(r: DiscoveryResult): Device {
  assert.equal(r.kind, 'config', JSON.stringify(r));
  if (r.kind !== 'config') throw new Error('unreachable');
  assert.equal(r.entities.length, 1);
  return r.entities[0]!.device;
}

async function fixture(name: string): Promise<Device> {
  const f = await haFixture(name);
  return single(parseDiscovery(f.topic, f.payload, PREFIX));
}

test('discovery topics with and without node_id; anything else is not a discovery topic', () => {
  assert.deepEqual(parseDiscoveryTopic('homeassistant/light/kitchen/config', PREFIX), { component: 'light', objectId: 'kitchen' });
  assert.deepEqual(parseDiscoveryTopic('homeassistant/sensor/node-1/temp_2/config', PREFIX), { component: 'sensor', nodeId: 'node-1', objectId: 'temp_2' });
  assert.equal(parseDiscoveryTopic('homeassistant/light/kitchen/state', PREFIX), null);
  assert.equal(parseDiscoveryTopic('homeassistant/light/a/b/c/config', PREFIX), null);
  assert.equal(parseDiscoveryTopic('homeassistant/light/bad id/config', PREFIX), null);
  assert.equal(parseDiscoveryTopic('other/light/kitchen/config', PREFIX), null);
});

test('the abbreviation table expands config, device and availability keys from HA', () => {
  assert.equal(ABBREVIATIONS.stat_t, 'state_topic');
  assert.equal(ABBREVIATIONS.cmd_t, 'command_topic');
  assert.equal(ABBREVIATIONS.avty_t, 'availability_topic');
  assert.equal(ABBREVIATIONS.cmps, 'components');
  assert.equal(ABBREVIATIONS.p, 'platform');
  assert.equal(ABBREVIATIONS.pl_unlk, 'payload_unlock');
  assert.equal(DEVICE_ABBREVIATIONS.sa, 'suggested_area');
  assert.ok(Object.keys(ABBREVIATIONS).length > 250, 'the full table, not a subset');
  for (const full of Object.values(ABBREVIATIONS)) assert.match(full, /^[a-z_]+$/);
  assert.deepEqual(expandKeys({ stat_t: 'a', state_topic: 'b', custom: 1 }, ABBREVIATIONS), { state_topic: 'b', custom: 1 });
});

test('Zigbee2MQTT light (full keys, json schema, name null, availability list with mode all)', async () => {
  const d = await fixture('z2mLight');
  assert.equal(d.id, '0x000b57fffec6a5b2_light_zigbee2mqtt');
  assert.equal(d.name, 'kitchen_ceiling', 'name: null takes the device name');
  assert.equal(d.type, 'light');
  assert.equal(d.mqtt.schema, 'json');
  assert.equal(d.mqtt.brightnessScale, 254);
  assert.deepEqual(d.capabilities, ['onoff', 'brightness', 'color_temp']);
  assert.equal(d.physicalId, 'zigbee2mqtt_0x000b57fffec6a5b2');
  assert.equal(d.manufacturer, 'IKEA');
  assert.equal(d.mqtt.availabilityMode, 'all');
  assert.deepEqual(d.mqtt.availability?.map((a) => [a.topic, a.payloadAvailable, a.payloadNotAvailable, a.valueTemplate]), [
    ['zigbee2mqtt/bridge/state', 'online', 'offline', '{{ value_json.state }}'],
    ['zigbee2mqtt/kitchen_ceiling/availability', 'online', 'offline', '{{ value_json.state }}'],
  ]);
  assert.equal(d.available, null);
  assert.equal(d.source, 'ha-discovery');
});

test('ESPHome sensors (abbreviated): names prefixed by the device, area from sa, shared physicalId', async () => {
  const t = await fixture('espTemperature');
  const h = await fixture('espHumidity');
  assert.equal(t.name, 'Living room env Temperature');
  assert.equal(h.name, 'Living room env Humidity', 'no name + device_class: the class names it');
  assert.equal(t.area, 'Living room');
  assert.equal(t.physicalId, 'a4cf12b3c4d5');
  assert.equal(h.physicalId, t.physicalId);
  assert.equal(t.mqtt.unit, '°C');
  assert.equal(t.mqtt.deviceClass, 'temperature');
  assert.equal(t.mqtt.stateTopic, 'livingroom-env/sensor/temperature/state');
  assert.deepEqual(t.mqtt.availability, [{ topic: 'livingroom-env/status', payloadAvailable: 'online', payloadNotAvailable: 'offline' }]);
  assert.equal(t.mqtt.availabilityMode, 'latest', 'HA default');
  assert.equal(t.model, 'esp32dev');
  assert.deepEqual(t.capabilities, ['measurement']);
});

test('ESPHome JSON light: supported_color_modes abbreviated as sup_clrm', async () => {
  const d = await fixture('espLight');
  assert.deepEqual(d.mqtt.supportedColorModes, ['brightness']);
  assert.deepEqual(d.capabilities, ['onoff', 'brightness']);
  assert.equal(d.name, 'Living room env Ceiling light');
});

test('~ at the start of topic values (Tasmota style) and custom availability payloads', async () => {
  const d = await fixture('tasmotaSwitch');
  assert.equal(d.mqtt.commandTopic, 'tasmota/kettle/cmnd/POWER');
  assert.equal(d.mqtt.stateTopic, 'tasmota/kettle/tele/STATE');
  assert.equal(d.mqtt.valueTemplate, '{{value_json.POWER}}');
  assert.deepEqual(d.mqtt.availability, [{ topic: 'tasmota/kettle/tele/LWT', payloadAvailable: 'Online', payloadNotAvailable: 'Offline' }]);
  assert.equal(d.name, 'Tasmota kettle Kettle plug');
});

test('~ from the HA docs example, and ~ at the end of a value inside an abbreviated availability list', async () => {
  const k = await fixture('docsKitchenLight');
  assert.equal(k.mqtt.commandTopic, 'homeassistant/light/kitchen/set');
  assert.equal(k.mqtt.stateTopic, 'homeassistant/light/kitchen/state');
  assert.equal(k.name, 'Kitchen');
  const p = await fixture('gardenPump');
  assert.equal(p.mqtt.commandTopic, 'cmnd/garden/pump');
  assert.equal(p.mqtt.stateTopic, 'stat/garden/pump');
  assert.deepEqual(p.mqtt.availability, [{ topic: 'tele/garden/pump', payloadAvailable: 'up', payloadNotAvailable: 'down' }]);
  assert.equal(p.mqtt.availabilityMode, 'any');
  assert.equal(p.id, 'garden_pump', 'no unique_id: node_id + object_id');
  assert.equal(p.available, null);
});

test('each component: default light, cover, lock, climate, fan, binary sensor', async () => {
  const hall = await fixture('hallLight');
  assert.deepEqual(hall.capabilities, ['onoff', 'brightness']);
  assert.equal(hall.mqtt.brightnessCommandTopic, 'hall/light/brightness/set');
  assert.equal(hall.mqtt.payloadOn, '1');
  assert.equal(hall.available, true, 'no availability topic: always available');

  const garage = await fixture('garageCover');
  assert.deepEqual(garage.capabilities, ['open_close', 'position'], 'payload_stop null: no stop');
  assert.equal(garage.mqtt.positionOpen, 255);
  assert.equal(garage.mqtt.setPositionTopic, 'garage/door/position/set');

  const lock = await fixture('frontLock');
  assert.deepEqual(lock.capabilities, ['lock']);
  assert.equal(lock.mqtt.payloadUnlock, 'UNLOCK');
  assert.equal(lock.mqtt.stateLocked, 'LOCKED');

  const hvac = await fixture('studyThermostat');
  assert.deepEqual(hvac.capabilities, ['target_temperature', 'hvac_mode', 'current_temperature']);
  assert.deepEqual(hvac.mqtt.modes, ['off', 'heat', 'auto']);
  assert.equal(hvac.mqtt.tempStep, 0.5);
  assert.equal(hvac.mqtt.currentTemperatureTemplate, '{{ value_json.temperature }}');

  const fan = await fixture('bedroomFan');
  assert.deepEqual(fan.capabilities, ['onoff', 'fan_speed']);
  assert.equal(fan.mqtt.speedRangeMax, 3);

  const contact = await fixture('z2mContact');
  assert.equal(contact.type, 'binary_sensor');
  assert.equal(contact.mqtt.payloadOn, 'false', 'boolean payloads become strings');
  assert.equal(contact.mqtt.payloadOff, 'true');
  assert.equal(contact.name, 'front_door Door');
});

test('device-based discovery: shared options, cmps with p, unsupported platform reported, component removal', async () => {
  const f = await haFixture('deviceBased');
  const r = parseDiscovery(f.topic, f.payload, PREFIX);
  assert.equal(r.kind, 'config');
  if (r.kind !== 'config') return;
  assert.equal(r.deviceBased, true);
  assert.deepEqual(r.entities.map((e) => [e.key, e.device.id, e.device.name]), [
    ['homeassistant/device/bedroom-sensor/config#temp', 'temp01ae_t', 'Bedroom sensor Temperature'],
    ['homeassistant/device/bedroom-sensor/config#hum', 'temp01ae_h', 'Bedroom sensor Humidity'],
  ]);
  for (const { device } of r.entities) {
    assert.equal(device.mqtt.stateTopic, 'sensorBedroom/state', 'shared state_topic');
    assert.equal(device.mqtt.availability?.[0]?.topic, 'sensorBedroom/status', 'shared availability');
    assert.equal(device.physicalId, 'ea334450945afc');
    assert.equal(device.area, 'Bedroom');
  }
  assert.deepEqual(r.problems.map((p) => [p.key, p.code]), [['homeassistant/device/bedroom-sensor/config#btn', 'COMPONENT_UNSUPPORTED']]);

  const json = f.json as { cmps: Record<string, unknown> };
  json.cmps.hum = { p: 'sensor' };
  const removal = parseDiscovery(f.topic, buf(JSON.stringify(json)), PREFIX);
  assert.equal(removal.kind, 'config');
  if (removal.kind === 'config') assert.deepEqual(removal.removedKeys, ['homeassistant/device/bedroom-sensor/config#hum']);
});

test('an empty payload is a removal', () => {
  assert.deepEqual(parseDiscovery('homeassistant/light/kitchen/config', Buffer.alloc(0), PREFIX), { kind: 'removal', topic: 'homeassistant/light/kitchen/config' });
});

test('entity name rules: a given name already starting with the device name is not doubled; no device: own name or object id', () => {
  const named = single(parseDiscovery('homeassistant/switch/x/config', buf(JSON.stringify({ name: 'Desk lamp switch', cmd_t: 'a', dev: { ids: 'x', name: 'Desk lamp' } })), PREFIX));
  assert.equal(named.name, 'Desk lamp switch');
  const bare = single(parseDiscovery('homeassistant/switch/desk_fan/config', buf(JSON.stringify({ cmd_t: 'a' })), PREFIX));
  assert.equal(bare.name, 'desk_fan');
  assert.equal(bare.id, 'desk_fan');
});

test('bad input is a result with a reason, never a throw', () => {
  const cases: Array<[string, Buffer, string, string?]> = [
    ['homeassistant/light/x/config', buf('{not json'), 'invalid', 'PAYLOAD_NOT_JSON'],
    ['homeassistant/light/x/config', buf('[1,2]'), 'invalid', 'PAYLOAD_NOT_JSON'],
    ['homeassistant/light/x/config', Buffer.from([0xff, 0xfe, 0x00, 0x80]), 'invalid', 'PAYLOAD_BINARY'],
    ['homeassistant/light/x/config', Buffer.alloc(70_000, 0x20), 'invalid', 'PAYLOAD_TOO_LARGE'],
    ['homeassistant/light/x/config', buf('{"name":"no command topic"}'), 'invalid', 'DISCOVERY_INVALID'],
    ['homeassistant/sensor/x/config', buf('{"name":"no state topic"}'), 'invalid', 'DISCOVERY_INVALID'],
    ['homeassistant/lock/x/config', buf('{"stat_t":"a"}'), 'invalid', 'DISCOVERY_INVALID'],
    ['homeassistant/light/x/config', buf('{"cmd_t":"a","schema":"template"}'), 'invalid', 'COMPONENT_UNSUPPORTED'],
    ['homeassistant/sensor/x/config', buf('{"stat_t":"a","val_tpl":"{{ value.constructor }}"}'), 'invalid', 'TEMPLATE_FORBIDDEN'],
    ['homeassistant/sensor/x/config', buf('{"stat_t":"a","val_tpl":"{{ value_json.t "}'), 'invalid', 'TEMPLATE_INVALID'],
    ['homeassistant/sensor/x/config', buf('{"stat_t":"a","uniq_id":"__proto__"}'), 'invalid', 'DEVICE_ID_RESERVED'],
    ['homeassistant/sensor/x/config', buf('{"stat_t":"a","uniq_id":"constructor"}'), 'invalid', 'DEVICE_ID_RESERVED'],
    ['homeassistant/sensor/prototype/config', buf('{"stat_t":"a"}'), 'invalid', 'DEVICE_ID_RESERVED'],
    // Under the 64 KiB payload cap, but more than one entity may keep.
    ['homeassistant/sensor/x/config', buf(JSON.stringify({ stat_t: 'a', name: 'n'.repeat(20_000) })), 'invalid', 'PAYLOAD_TOO_LARGE'],
    ['homeassistant/siren/x/config', buf('{"cmd_t":"a"}'), 'ignored'],
    ['homeassistant/device/x/config', buf('{"dev":{"ids":"a"}}'), 'invalid', 'DISCOVERY_INVALID'],
    ['homeassistant/light/x/config', buf('{"migrate_discovery":true}'), 'ignored'],
    ['homeassistant/light/x/y/z/config', buf('{}'), 'invalid', 'DISCOVERY_INVALID'],
  ];
  for (const [topic, payload, kind, code] of cases) {
    const r = parseDiscovery(topic, payload, PREFIX);
    assert.equal(r.kind, kind, `${topic} ${payload.toString('utf8', 0, 40)}`);
    if (code) assert.equal(r.kind === 'invalid' && r.code, code, `${payload.toString('utf8', 0, 40)}`);
    if (r.kind === 'invalid' || r.kind === 'ignored') assert.ok(r.reason.length > 0);
  }
});
