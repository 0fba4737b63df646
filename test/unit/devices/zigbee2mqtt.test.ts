import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBridgeDevices } from '../../../devices/zigbee2mqtt.js';
import type { Device } from '../../../devices/model.js';
import { bridgeDevicesPayload, buf } from './helpers.js';

async function devices(): Promise<Map<string, Device>> {
  const r = parseBridgeDevices(await bridgeDevicesPayload(), 'zigbee2mqtt');
  assert.ok(r.ok);
  return new Map(r.ok ? r.devices.map((d) => [d.id, d]) : []);
}

test('the coordinator, a disabled device and one still interviewing are skipped; the coordinator silently', async () => {
  const r = parseBridgeDevices(await bridgeDevicesPayload(), 'zigbee2mqtt');
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.ok(!r.devices.some((d) => d.physicalId === '0x00124b0022cd4a6a'));
  assert.deepEqual(r.skipped.map((s) => [s.name, s.reason]), [
    ['old_motion_sensor', 'disabled'],
    ['0x00158d0009990002', 'not supported by Zigbee2MQTT'],
  ]);
});

test('a light with brightness (0–254) and colour temperature, topics from the base and friendly name', async () => {
  const d = (await devices()).get('0x000b57fffec6a5b2')!;
  assert.equal(d.type, 'light');
  assert.equal(d.name, 'kitchen_ceiling');
  assert.equal(d.source, 'zigbee2mqtt');
  assert.deepEqual(d.capabilities, ['onoff', 'brightness', 'color_temp']);
  assert.equal(d.mqtt.commandTopic, 'zigbee2mqtt/kitchen_ceiling/set');
  assert.equal(d.mqtt.stateTopic, 'zigbee2mqtt/kitchen_ceiling');
  assert.equal(d.mqtt.availability?.[0]?.topic, 'zigbee2mqtt/kitchen_ceiling/availability');
  assert.equal(d.mqtt.brightnessScale, 254);
  assert.equal(d.mqtt.z2mProperty, 'state');
  assert.deepEqual(d.mqtt.z2m, { friendlyName: 'kitchen_ceiling', valueOn: 'ON', valueOff: 'OFF', valueToggle: 'TOGGLE', brightnessProperty: 'brightness', colorTempProperty: 'color_temp' });
  assert.equal(d.manufacturer, 'IKEA');
  assert.equal(d.model, 'LED1545G12');
  assert.equal(d.physicalId, '0x000b57fffec6a5b2');
  assert.ok(![...(await devices()).keys()].some((id) => id.endsWith('_linkquality')), 'linkquality is not a sensor');
});

test('a plug: a switch plus power and energy sensors sharing its physicalId', async () => {
  const all = await devices();
  const plug = all.get('0x0c4314fffe7c92d1')!;
  assert.equal(plug.type, 'switch');
  assert.equal(plug.name, 'kitchen/kettle_plug');
  assert.equal(plug.mqtt.commandTopic, 'zigbee2mqtt/kitchen/kettle_plug/set');
  const power = all.get('0x0c4314fffe7c92d1_power')!;
  assert.equal(power.type, 'sensor');
  assert.equal(power.mqtt.unit, 'W');
  assert.equal(power.physicalId, plug.physicalId);
  assert.equal(power.name, 'kitchen/kettle_plug Power');
});

test('a temperature/humidity sensor becomes one sensor per measurement, grouped by physicalId', async () => {
  const all = await devices();
  const ids = [...all.keys()].filter((id) => id.startsWith('0x00158d00045b2f10'));
  assert.deepEqual(ids.sort(), ['0x00158d00045b2f10_battery', '0x00158d00045b2f10_humidity', '0x00158d00045b2f10_pressure', '0x00158d00045b2f10_temperature']);
  const t = all.get('0x00158d00045b2f10_temperature')!;
  assert.equal(t.mqtt.z2mProperty, 'temperature');
  assert.equal(t.mqtt.deviceClass, 'temperature');
  assert.equal(t.mqtt.unit, '°C');
  assert.deepEqual(t.capabilities, ['measurement']);
});

test('a contact sensor is a binary sensor whose value_on is false', async () => {
  const c = (await devices()).get('0x00158d0001d7d3e1_contact')!;
  assert.equal(c.type, 'binary_sensor');
  assert.equal(c.mqtt.z2m?.valueOn, false);
  assert.equal(c.mqtt.z2m?.valueOff, true);
});

test('a lock, a TRV and a cover', async () => {
  const all = await devices();
  const lock = all.get('0x000d6f0011a2b3c4')!;
  assert.equal(lock.type, 'lock');
  assert.deepEqual(lock.capabilities, ['lock']);
  assert.equal(lock.mqtt.z2m?.valueOn, 'LOCK');

  const trv = all.get('0x84fd27fffe3e1a55')!;
  assert.equal(trv.type, 'climate');
  assert.deepEqual(trv.capabilities, ['target_temperature', 'current_temperature', 'hvac_mode']);
  assert.equal(trv.mqtt.minTemp, 5);
  assert.equal(trv.mqtt.maxTemp, 35);
  assert.equal(trv.mqtt.tempStep, 0.5);
  assert.deepEqual(trv.mqtt.modes, ['off', 'heat', 'auto']);
  assert.equal(trv.mqtt.z2m?.setpointProperty, 'occupied_heating_setpoint');
  assert.ok(all.has('0x84fd27fffe3e1a55_battery'));

  const blind = all.get('0x680ae2fffe9d5b21')!;
  assert.equal(blind.type, 'cover');
  assert.deepEqual(blind.capabilities, ['open_close', 'stop', 'position']);
  assert.equal(blind.mqtt.z2m?.positionProperty, 'position');
});

test('a two-gang switch gives one device per endpoint; a fan maps its modes to speeds and presets', async () => {
  const all = await devices();
  const l1 = all.get('0x0017880104a1b2c3_l1')!;
  const l2 = all.get('0x0017880104a1b2c3_l2')!;
  assert.equal(l1.name, 'hallway_double_switch l1');
  assert.equal(l1.mqtt.z2mProperty, 'state_l1');
  assert.equal(l2.mqtt.z2mProperty, 'state_l2');
  assert.ok(!all.has('0x0017880104a1b2c3'));

  const fan = all.get('0x00124b0029aabbcc')!;
  assert.deepEqual(fan.capabilities, ['onoff', 'fan_speed', 'mode']);
  assert.equal(fan.mqtt.z2mProperty, 'fan_state');
  assert.deepEqual(fan.mqtt.z2m?.fanSpeeds, ['low', 'medium', 'high']);
  // Every fan_mode value but off/on is a preset said by name ("set the ceiling fan to smart").
  assert.deepEqual(fan.mqtt.modes, ['low', 'medium', 'high', 'auto', 'smart']);
  assert.equal(fan.mqtt.z2m?.fanModeProperty, 'fan_mode');
});

test('Zigbee2MQTT 1.x shape (no interview_state) and a custom base topic', () => {
  const list = [{ ieee_address: '0x01', type: 'EndDevice', friendly_name: 'plug', supported: true, interview_completed: true,
    definition: { model: 'm', vendor: 'v', exposes: [{ type: 'switch', features: [{ type: 'binary', name: 'state', property: 'state', access: 7, value_on: 'ON', value_off: 'OFF' }] }] } }];
  const r = parseBridgeDevices(buf(JSON.stringify(list)), 'z2m/home');
  assert.ok(r.ok && r.devices.length === 1);
  if (r.ok) assert.equal(r.devices[0]!.mqtt.commandTopic, 'z2m/home/plug/set');
  const pending = parseBridgeDevices(buf(JSON.stringify([{ ...list[0], interview_completed: false }])), 'z2m');
  assert.ok(pending.ok && pending.devices.length === 0 && pending.skipped[0]!.reason === 'interview not completed');
});

test('garbage is a coded failure, never a throw', () => {
  assert.deepEqual(parseBridgeDevices(buf('{"not":"a list"}'), 'z').ok, false);
  const r = parseBridgeDevices(Buffer.from([0xc3, 0x28]), 'z');
  assert.equal(!r.ok && r.code, 'PAYLOAD_BINARY');
  const weird = parseBridgeDevices(buf('[1, null, {"friendly_name":"x"}, {"ieee_address":"0x2","definition":{"exposes":"nope"}}]'), 'z');
  assert.ok(weird.ok && weird.devices.length === 0);
});

test('values copied from a hostile bridge payload are bounded: short strings, numbers and booleans only', () => {
  const long = 'x'.repeat(10_000);
  const payload = [{
    ieee_address: '0x00000000000000aa', friendly_name: 'evil', type: 'Router', supported: true, interview_completed: true,
    definition: { model: 'm', vendor: 'v', exposes: [
      { type: 'light', features: [
        { type: 'binary', name: 'state', property: 'state', access: 7, value_on: { nested: [1, 2, 3] }, value_off: long, value_toggle: ['TOGGLE'] },
        { type: 'numeric', name: 'brightness', property: long, access: 7, value_max: -5 },
      ] },
      { type: 'fan', features: [
        { type: 'binary', name: 'state', property: 'fan_state', access: 7, value_on: 1, value_off: 0 },
        { type: 'enum', name: 'fan_mode', property: 'fan_mode', access: 7, values: ['low', long, { a: 1 }, 'high', ...Array.from({ length: 1000 }, (_, i) => `m${i}`)] },
      ] },
      { type: 'binary', name: 'contact', property: 'contact', access: 1, value_on: false, value_off: [true] },
    ] },
  }];
  const r = parseBridgeDevices(buf(JSON.stringify(payload)), 'zigbee2mqtt');
  assert.ok(r.ok);
  if (!r.ok) return;
  const byType = new Map(r.devices.map((d) => [d.type, d]));
  const light = byType.get('light')!;
  assert.equal(light.mqtt.z2m?.valueOn, undefined, 'an object is not a value');
  assert.equal(light.mqtt.z2m?.valueOff, undefined, 'a 10 000-character string is not a value');
  assert.equal(light.mqtt.z2m?.valueToggle, undefined, 'an array is not a value');
  assert.equal(light.mqtt.z2m?.brightnessProperty, undefined, 'a 10 000-character property name is dropped');
  assert.equal(light.mqtt.brightnessScale, 254, 'a negative value_max falls back to 254');
  const fan = byType.get('fan')!;
  assert.equal(fan.mqtt.z2m?.valueOn, 1, 'numbers are kept');
  assert.equal(fan.mqtt.z2m?.valueOff, 0);
  assert.deepEqual(fan.mqtt.z2m?.fanSpeeds, ['low', 'high']);
  const contact = byType.get('binary_sensor')!;
  assert.equal(contact.mqtt.z2m?.valueOn, false, 'booleans are kept');
  assert.equal(contact.mqtt.z2m?.valueOff, undefined);
  // Whatever was announced, nothing persisted for these devices is long.
  for (const d of r.devices) assert.ok(JSON.stringify(d).length < 2000, `${d.id}: ${JSON.stringify(d).length} chars`);
});
