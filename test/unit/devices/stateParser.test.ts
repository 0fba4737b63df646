import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDiscovery } from '../../../devices/haDiscovery.js';
import type { Device } from '../../../devices/model.js';
import { decodePayload } from '../../../devices/payload.js';
import { parseDeviceMessage, type ParsedMessage } from '../../../devices/stateParser.js';
import { parseBridgeDevices } from '../../../devices/zigbee2mqtt.js';
import { bridgeDevicesPayload, buf, device, haFixture } from './helpers.js';

function parse(d: Device, topic: string, payload: string | Buffer): ParsedMessage {
  const msg = decodePayload(topic, typeof payload === 'string' ? buf(payload) : payload);
  assert.ok(msg.ok, 'decodes');
  return parseDeviceMessage(d, msg.ok ? msg : (undefined as never));
}

async function discovered(name: string): Promise<Device> {
  const f = await haFixture(name);
  const r = parseDiscovery(f.topic, f.payload, 'homeassistant');
  assert.equal(r.kind, 'config');
  return r.kind === 'config' ? r.entities[0]!.device : (undefined as never);
}

async function z2m(id: string): Promise<Device> {
  const r = parseBridgeDevices(await bridgeDevicesPayload(), 'zigbee2mqtt');
  const d = r.ok ? r.devices.find((x) => x.id === id) : undefined;
  assert.ok(d, id);
  return d!;
}

test('JSON-schema light: state and brightness scaled by brightness_scale to 0–100', async () => {
  const d = await discovered('z2mLight');
  assert.deepEqual(parse(d, 'zigbee2mqtt/kitchen_ceiling', '{"state":"ON","brightness":127,"color_temp":300}').patch, { state: 'on', brightness: 50, color_temp: 300 });
  assert.deepEqual(parse(d, 'zigbee2mqtt/kitchen_ceiling', '{"state":"OFF"}').patch, { state: 'off' });
  const esp = await discovered('espLight');
  assert.deepEqual(parse(esp, 'livingroom-env/light/ceiling_light/state', '{"state":"ON","brightness":255}').patch, { state: 'on', brightness: 100 });
  const bad = parse(d, 'zigbee2mqtt/kitchen_ceiling', 'ON');
  assert.equal(bad.failure?.code, 'PAYLOAD_NOT_JSON');
  assert.equal(bad.failure?.topic, 'zigbee2mqtt/kitchen_ceiling');
});

test('availability with a value template over JSON, combined later per mode', async () => {
  const d = await discovered('z2mLight');
  assert.equal(parse(d, 'zigbee2mqtt/bridge/state', '{"state":"online"}').availability, true);
  assert.equal(parse(d, 'zigbee2mqtt/kitchen_ceiling/availability', '{"state":"offline"}').availability, false);
  const silent = parse(d, 'zigbee2mqtt/bridge/state', '{"other":1}');
  assert.deepEqual([silent.availability, silent.failure], [null, null], 'a template rendering nothing says nothing');
  const weird = parse(d, 'zigbee2mqtt/bridge/state', '{"state":"sleepy"}');
  assert.equal(weird.availability, null);
  assert.equal(weird.failure?.code, 'VALUE_INVALID');
});

test('default-schema light: payload_on/off "1"/"0" and brightness topic with scale 100', async () => {
  const d = await discovered('hallLight');
  assert.deepEqual(parse(d, 'hall/light/status', '1').patch, { state: 'on' });
  assert.deepEqual(parse(d, 'hall/light/status', '0').patch, { state: 'off' });
  assert.deepEqual(parse(d, 'hall/light/brightness', '40').patch, { brightness: 40 });
  assert.equal(parse(d, 'hall/light/brightness', 'bright').failure?.code, 'VALUE_INVALID');
  assert.equal(parse(d, 'hall/light/status', 'maybe').failure?.code, 'VALUE_INVALID');
});

test('switch with a value template (Tasmota STATE) and Online/Offline availability', async () => {
  const d = await discovered('tasmotaSwitch');
  assert.deepEqual(parse(d, 'tasmota/kettle/tele/STATE', '{"Time":"2024-06-01T10:00:00","POWER":"ON","Wifi":{"RSSI":80}}').patch, { state: 'on' });
  const empty = parse(d, 'tasmota/kettle/tele/STATE', '{"Time":"x"}');
  assert.equal(empty.patch, null, 'a template that renders empty says nothing');
  assert.equal(empty.failure, null);
  assert.equal(parse(d, 'tasmota/kettle/tele/LWT', 'Online').availability, true);
  assert.equal(parse(d, 'tasmota/kettle/tele/LWT', 'Offline').availability, false);
});

test('sensor: numbers stay numbers, strings stay strings, unknown becomes null; plain availability', async () => {
  const d = await discovered('espTemperature');
  assert.deepEqual(parse(d, 'livingroom-env/sensor/temperature/state', '21.5').patch, { value: 21.5 });
  assert.deepEqual(parse(d, 'livingroom-env/sensor/temperature/state', 'unknown').patch, { value: null });
  assert.equal(parse(d, 'livingroom-env/status', 'online').availability, true);
  const tpl = device({ type: 'sensor', mqtt: { schema: 'default', stateTopic: 's', valueTemplate: '{{ (value_json.t | float) | round(1) }}' } });
  assert.deepEqual(parse(tpl, 's', '{"t":"19.94"}').patch, { value: 19.9 });
  const text = device({ type: 'sensor', mqtt: { schema: 'default', stateTopic: 's' } });
  assert.deepEqual(parse(text, 's', 'charging').patch, { value: 'charging' });
});

test('binary sensor with boolean payload_on false (a Zigbee2MQTT contact through HA discovery)', async () => {
  const d = await discovered('z2mContact');
  assert.deepEqual(parse(d, 'zigbee2mqtt/front_door', '{"contact":false,"battery":90}').patch, { state: 'on' });
  assert.deepEqual(parse(d, 'zigbee2mqtt/front_door', '{"contact":true}').patch, { state: 'off' });
});

test('cover: state names and position scaled from position_open 255; position alone implies open/closed', async () => {
  const d = await discovered('garageCover');
  assert.deepEqual(parse(d, 'garage/door/state', 'opening').patch, { state: 'opening' });
  assert.deepEqual(parse(d, 'garage/door/state', 'closed').patch, { state: 'closed' });
  assert.deepEqual(parse(d, 'garage/door/position', '255').patch, { position: 100 });
  assert.deepEqual(parse(d, 'garage/door/position', '51').patch, { position: 20 });
  const positionOnly = device({ type: 'cover', mqtt: { schema: 'default', positionTopic: 'p' } });
  assert.deepEqual(parse(positionOnly, 'p', '0').patch, { position: 0, state: 'closed' });
  assert.deepEqual(parse(positionOnly, 'p', '30').patch, { position: 30, state: 'open' });
});

test('lock: locked, unlocked, jammed; anything else is VALUE_INVALID', async () => {
  const d = await discovered('frontLock');
  assert.deepEqual(parse(d, 'home/front/lock/state', 'LOCKED').patch, { state: 'locked' });
  assert.deepEqual(parse(d, 'home/front/lock/state', 'UNLOCKED').patch, { state: 'unlocked' });
  assert.deepEqual(parse(d, 'home/front/lock/state', 'JAMMED').patch, { state: 'jammed' });
  assert.equal(parse(d, 'home/front/lock/state', 'OPEN SESAME').failure?.code, 'VALUE_INVALID');
});

test('climate: current temperature through a template, target temperature and mode', async () => {
  const d = await discovered('studyThermostat');
  assert.deepEqual(parse(d, 'study/hvac/current', '{"temperature":19.5}').patch, { current_temperature: 19.5 });
  assert.deepEqual(parse(d, 'study/hvac/temp/state', '21').patch, { target_temperature: 21 });
  assert.deepEqual(parse(d, 'study/hvac/mode/state', 'heat').patch, { hvac_mode: 'heat' });
});

test('fan: on/off payloads and percentage from a 1–3 speed range', async () => {
  const d = await discovered('bedroomFan');
  assert.deepEqual(parse(d, 'bedroom/fan/on/state', 'true').patch, { state: 'on' });
  assert.deepEqual(parse(d, 'bedroom/fan/speed/percentage_state', '2').patch, { percentage: 66 });
  assert.deepEqual(parse(d, 'bedroom/fan/speed/percentage_state', '3').patch, { percentage: 100 });
});

test('json_attributes_topic fills attributes; a non-object is PAYLOAD_NOT_JSON', () => {
  const d = device({ type: 'sensor', mqtt: { schema: 'default', stateTopic: 's', jsonAttributesTopic: 'a' } });
  assert.deepEqual(parse(d, 'a', '{"rssi":-60}').patch, { attributes: { rssi: -60 } });
  assert.equal(parse(d, 'a', '42').failure?.code, 'PAYLOAD_NOT_JSON');
});

test('Zigbee2MQTT state: light, plug, sensors, contact, lock, TRV, cover, fan, endpoint switch', async () => {
  assert.deepEqual(parse(await z2m('0x000b57fffec6a5b2'), 'zigbee2mqtt/kitchen_ceiling', '{"state":"ON","brightness":254,"color_temp":370,"linkquality":120}').patch,
    { state: 'on', brightness: 100, color_temp: 370 });
  assert.deepEqual(parse(await z2m('0x0c4314fffe7c92d1'), 'zigbee2mqtt/kitchen/kettle_plug', '{"state":"OFF","power":0}').patch, { state: 'off' });
  assert.deepEqual(parse(await z2m('0x0c4314fffe7c92d1_power'), 'zigbee2mqtt/kitchen/kettle_plug', '{"state":"ON","power":1830.5}').patch, { value: 1830.5 });
  const climate = '{"temperature":22.31,"humidity":48.2,"pressure":1012,"battery":97}';
  assert.deepEqual(parse(await z2m('0x00158d00045b2f10_temperature'), 'zigbee2mqtt/bedroom_climate_sensor', climate).patch, { value: 22.31 });
  assert.deepEqual(parse(await z2m('0x00158d00045b2f10_humidity'), 'zigbee2mqtt/bedroom_climate_sensor', climate).patch, { value: 48.2 });
  assert.deepEqual(parse(await z2m('0x00158d0001d7d3e1_contact'), 'zigbee2mqtt/front_door', '{"contact":false}').patch, { state: 'on' });
  assert.deepEqual(parse(await z2m('0x000d6f0011a2b3c4'), 'zigbee2mqtt/back_door_lock', '{"state":"LOCK","lock_state":"locked"}').patch, { state: 'locked' });
  assert.deepEqual(parse(await z2m('0x84fd27fffe3e1a55'), 'zigbee2mqtt/living_room_radiator', '{"occupied_heating_setpoint":21.5,"local_temperature":19.8,"system_mode":"heat"}').patch,
    { target_temperature: 21.5, current_temperature: 19.8, hvac_mode: 'heat' });
  assert.deepEqual(parse(await z2m('0x680ae2fffe9d5b21'), 'zigbee2mqtt/bedroom_blind', '{"state":"OPEN","position":60}').patch, { state: 'open', position: 60 });
  assert.deepEqual(parse(await z2m('0x00124b0029aabbcc'), 'zigbee2mqtt/ceiling_fan', '{"fan_state":"ON","fan_mode":"medium"}').patch, { state: 'on', percentage: 66 });
  assert.deepEqual(parse(await z2m('0x0017880104a1b2c3_l2'), 'zigbee2mqtt/hallway_double_switch', '{"state_l1":"ON","state_l2":"OFF"}').patch, { state: 'off' });
});

test('Zigbee2MQTT availability: plain "online" and JSON {"state":"offline"}', async () => {
  const d = await z2m('0x000b57fffec6a5b2');
  assert.equal(parse(d, 'zigbee2mqtt/kitchen_ceiling/availability', 'online').availability, true);
  assert.equal(parse(d, 'zigbee2mqtt/kitchen_ceiling/availability', '{"state":"offline"}').availability, false);
});

test('garbage: binary, oversized, NUL bytes, non-JSON where JSON is expected — coded failures with the topic', async () => {
  assert.equal(decodePayload('t', Buffer.from([0xff, 0xfe, 0xfd])).ok, false);
  const big = decodePayload('t', Buffer.alloc(70_000, 0x41));
  assert.equal(!big.ok && big.code, 'PAYLOAD_TOO_LARGE');
  assert.equal(!big.ok && big.topic, 't');
  const nul = decodePayload('t', Buffer.from('ON\u0000'));
  assert.equal(!nul.ok && nul.code, 'PAYLOAD_BINARY');
  const trv = await z2m('0x84fd27fffe3e1a55');
  const r = parse(trv, 'zigbee2mqtt/living_room_radiator', '<html>');
  assert.deepEqual(r.failure, { code: 'PAYLOAD_NOT_JSON', topic: 'zigbee2mqtt/living_room_radiator', reason: 'Zigbee2MQTT state is not a JSON object' });
  assert.equal(r.patch, null);
  const tplFail = device({ type: 'sensor', mqtt: { schema: 'default', stateTopic: 's', valueTemplate: '{{ value_json.t | is_defined }}' } });
  assert.equal(parse(tplFail, 's', '{}').failure?.code, 'TEMPLATE_UNDEFINED');
});
