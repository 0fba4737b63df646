import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HubError } from '../../../daemon/core/errors.js';
import { translateCommand } from '../../../devices/commands.js';
import { parseDiscovery } from '../../../devices/haDiscovery.js';
import type { Device, DeviceCommand } from '../../../devices/model.js';
import { parseBridgeDevices } from '../../../devices/zigbee2mqtt.js';
import { bridgeDevicesPayload, device, haFixture } from './helpers.js';

async function discovered(name: string): Promise<Device> {
  const f = await haFixture(name);
  const r = parseDiscovery(f.topic, f.payload, 'homeassistant');
  return r.kind === 'config' ? r.entities[0]!.device : (undefined as never);
}

async function z2m(id: string): Promise<Device> {
  const r = parseBridgeDevices(await bridgeDevicesPayload(), 'zigbee2mqtt');
  return (r.ok ? r.devices.find((x) => x.id === id) : undefined)!;
}

/** [topic, payload] pairs; also checks every publish is QoS 1 and not retained. */
function sent(d: Device, c: DeviceCommand): Array<[string, string]> {
  const out = translateCommand(d, c);
  for (const p of out) assert.deepEqual([p.qos, p.retain], [1, false]);
  return out.map((p) => [p.topic, p.payload]);
}

function rejects(d: Device, c: DeviceCommand, code: 'DEVICE_UNSUPPORTED' | 'VALUE_OUT_OF_RANGE'): void {
  assert.throws(() => translateCommand(d, c), (err: unknown) => err instanceof HubError && err.code === code, JSON.stringify(c));
}

test('JSON-schema light: state and brightness scaled by brightness_scale (default 255, Zigbee2MQTT 254)', async () => {
  const esp = await discovered('espLight');
  const t = 'livingroom-env/light/ceiling_light/command';
  assert.deepEqual(sent(esp, { command: 'turn_on' }), [[t, '{"state":"ON"}']]);
  assert.deepEqual(sent(esp, { command: 'turn_off' }), [[t, '{"state":"OFF"}']]);
  assert.deepEqual(sent(esp, { command: 'set_brightness', params: { brightness: 50 } }), [[t, '{"state":"ON","brightness":128}']]);
  assert.deepEqual(sent(esp, { command: 'turn_on', params: { brightness: 100 } }), [[t, '{"state":"ON","brightness":255}']]);
  assert.deepEqual(sent(esp, { command: 'set_brightness', params: { brightness: 1 } }), [[t, '{"state":"ON","brightness":3}']]);
  assert.deepEqual(sent(esp, { command: 'set_brightness', params: { brightness: 0 } }), [[t, '{"state":"OFF"}']]);
  const z = await discovered('z2mLight');
  assert.deepEqual(sent(z, { command: 'set_brightness', params: { brightness: 100 } }), [['zigbee2mqtt/kitchen_ceiling/set', '{"state":"ON","brightness":254}']]);
  rejects(esp, { command: 'set_brightness', params: { brightness: 101 } }, 'VALUE_OUT_OF_RANGE');
  rejects(esp, { command: 'set_brightness', params: { brightness: -1 } }, 'VALUE_OUT_OF_RANGE');
  rejects(esp, { command: 'set_brightness', params: { brightness: Number.NaN } }, 'VALUE_OUT_OF_RANGE');
  rejects(esp, { command: 'lock' }, 'DEVICE_UNSUPPORTED');
  const onOffOnly = await discovered('docsKitchenLight');
  onOffOnly.capabilities = ['onoff'];
  rejects(onOffOnly, { command: 'set_brightness', params: { brightness: 20 } }, 'DEVICE_UNSUPPORTED');
});

test('default-schema light: payload_on/off, brightness on its own topic scaled, on_command_type order', async () => {
  const d = await discovered('hallLight');
  assert.deepEqual(sent(d, { command: 'turn_on' }), [['hall/light/switch', '1']]);
  assert.deepEqual(sent(d, { command: 'turn_off' }), [['hall/light/switch', '0']]);
  assert.deepEqual(sent(d, { command: 'turn_on', params: { brightness: 40 } }), [['hall/light/brightness/set', '40'], ['hall/light/switch', '1']]);
  d.mqtt.onCommandType = 'first';
  assert.deepEqual(sent(d, { command: 'set_brightness', params: { brightness: 40 } }), [['hall/light/switch', '1'], ['hall/light/brightness/set', '40']]);
  d.mqtt.onCommandType = 'brightness';
  assert.deepEqual(sent(d, { command: 'set_brightness', params: { brightness: 40 } }), [['hall/light/brightness/set', '40']]);
  d.mqtt.brightnessScale = undefined;
  assert.deepEqual(sent(d, { command: 'set_brightness', params: { brightness: 40 } }), [['hall/light/brightness/set', '102']]);
  rejects(d, { command: 'set_temperature', params: { temperature: 20 } }, 'DEVICE_UNSUPPORTED');
});

test('toggle follows the last known state; unknown state turns on', async () => {
  const d = await discovered('hallLight');
  assert.deepEqual(sent(d, { command: 'toggle' }), [['hall/light/switch', '1']]);
  d.state.state = 'on';
  assert.deepEqual(sent(d, { command: 'toggle' }), [['hall/light/switch', '0']]);
  const sw = await discovered('tasmotaSwitch');
  sw.state.state = 'off';
  assert.deepEqual(sent(sw, { command: 'toggle' }), [['tasmota/kettle/cmnd/POWER', 'ON']]);
});

test('switch and fan payloads, fan percentage into the speed range, 0 % turns the fan off', async () => {
  const sw = await discovered('tasmotaSwitch');
  assert.deepEqual(sent(sw, { command: 'turn_off' }), [['tasmota/kettle/cmnd/POWER', 'OFF']]);
  rejects(sw, { command: 'open' }, 'DEVICE_UNSUPPORTED');
  const fan = await discovered('bedroomFan');
  assert.deepEqual(sent(fan, { command: 'turn_on' }), [['bedroom/fan/on/set', 'true']]);
  assert.deepEqual(sent(fan, { command: 'set_fan_speed', params: { percentage: 100 } }), [['bedroom/fan/speed/percentage', '3']]);
  assert.deepEqual(sent(fan, { command: 'set_fan_speed', params: { percentage: 50 } }), [['bedroom/fan/speed/percentage', '2']]);
  assert.deepEqual(sent(fan, { command: 'set_fan_speed', params: { percentage: 10 } }), [['bedroom/fan/speed/percentage', '1']]);
  assert.deepEqual(sent(fan, { command: 'set_fan_speed', params: { percentage: 0 } }), [['bedroom/fan/on/set', 'false']]);
  rejects(fan, { command: 'set_fan_speed', params: { percentage: 120 } }, 'VALUE_OUT_OF_RANGE');
  const readOnly = device({ type: 'switch', capabilities: ['onoff'], mqtt: { schema: 'default', stateTopic: 's' } });
  rejects(readOnly, { command: 'turn_on' }, 'DEVICE_UNSUPPORTED');
});

test('cover: open/close, stop only when payload_stop is not null, set_position scaled to position_open', async () => {
  const g = await discovered('garageCover');
  assert.deepEqual(sent(g, { command: 'open' }), [['garage/door/set', 'OPEN']]);
  assert.deepEqual(sent(g, { command: 'close' }), [['garage/door/set', 'CLOSE']]);
  assert.deepEqual(sent(g, { command: 'set_position', params: { position: 40 } }), [['garage/door/position/set', '102']]);
  rejects(g, { command: 'stop' }, 'DEVICE_UNSUPPORTED');
  rejects(g, { command: 'set_position', params: { position: 150 } }, 'VALUE_OUT_OF_RANGE');
  const reversed = device({ type: 'cover', capabilities: ['open_close', 'stop', 'position'],
    mqtt: { schema: 'default', commandTopic: 'c', setPositionTopic: 'p', positionOpen: 0, positionClosed: 100, setPositionTemplate: '{"pos": {{ position }}}' } });
  assert.deepEqual(sent(reversed, { command: 'set_position', params: { position: 25 } }), [['p', '{"pos": 75}']]);
  assert.deepEqual(sent(reversed, { command: 'stop' }), [['c', 'STOP']]);
});

test('lock and unlock', async () => {
  const l = await discovered('frontLock');
  assert.deepEqual(sent(l, { command: 'lock' }), [['home/front/lock/set', 'LOCK']]);
  assert.deepEqual(sent(l, { command: 'unlock' }), [['home/front/lock/set', 'UNLOCK']]);
  rejects(l, { command: 'turn_on' }, 'DEVICE_UNSUPPORTED');
});

test('climate: temperature rounded to temp_step; outside min/max is VALUE_OUT_OF_RANGE, not a silent clamp; modes checked', async () => {
  const c = await discovered('studyThermostat');
  assert.deepEqual(sent(c, { command: 'set_temperature', params: { temperature: 21.3 } }), [['study/hvac/temp/set', '21.5']]);
  assert.deepEqual(sent(c, { command: 'set_temperature', params: { temperature: 30 } }), [['study/hvac/temp/set', '30']]);
  rejects(c, { command: 'set_temperature', params: { temperature: 40 } }, 'VALUE_OUT_OF_RANGE');
  rejects(c, { command: 'set_temperature', params: { temperature: 4.9 } }, 'VALUE_OUT_OF_RANGE');
  assert.deepEqual(sent(c, { command: 'set_hvac_mode', params: { mode: 'auto' } }), [['study/hvac/mode/set', 'auto']]);
  rejects(c, { command: 'set_hvac_mode', params: { mode: 'cool' } }, 'VALUE_OUT_OF_RANGE');
  assert.deepEqual(sent(c, { command: 'turn_off' }), [['study/hvac/mode/set', 'off']]);
  assert.deepEqual(sent(c, { command: 'turn_on' }), [['study/hvac/mode/set', 'heat']]);
  const defaults = device({ type: 'climate', capabilities: ['target_temperature'], mqtt: { schema: 'default', temperatureCommandTopic: 't', temperatureCommandTemplate: '{"target": {{ value }}}' } });
  assert.deepEqual(sent(defaults, { command: 'set_temperature', params: { temperature: 22.4 } }), [['t', '{"target": 22}']]);
  rejects(defaults, { command: 'set_temperature', params: { temperature: 36 } }, 'VALUE_OUT_OF_RANGE');
  rejects(defaults, { command: 'set_hvac_mode', params: { mode: 'heat' } }, 'DEVICE_UNSUPPORTED');
});

test('sensors take no commands', async () => {
  rejects(await discovered('espTemperature'), { command: 'turn_on' }, 'DEVICE_UNSUPPORTED');
  rejects(await z2m('0x00158d00045b2f10_temperature'), { command: 'turn_on' }, 'DEVICE_UNSUPPORTED');
});

test('Zigbee2MQTT: JSON to <friendly>/set with the device property names', async () => {
  const light = await z2m('0x000b57fffec6a5b2');
  const t = 'zigbee2mqtt/kitchen_ceiling/set';
  assert.deepEqual(sent(light, { command: 'turn_on', params: { brightness: 50 } }), [[t, '{"state":"ON","brightness":127}']]);
  assert.deepEqual(sent(light, { command: 'toggle' }), [[t, '{"state":"TOGGLE"}']]);
  assert.deepEqual(sent(light, { command: 'turn_off' }), [[t, '{"state":"OFF"}']]);
  const l2 = await z2m('0x0017880104a1b2c3_l2');
  assert.deepEqual(sent(l2, { command: 'turn_on' }), [['zigbee2mqtt/hallway_double_switch/set', '{"state_l2":"ON"}']]);
  rejects(l2, { command: 'set_brightness', params: { brightness: 10 } }, 'DEVICE_UNSUPPORTED');
  const lock = await z2m('0x000d6f0011a2b3c4');
  assert.deepEqual(sent(lock, { command: 'unlock' }), [['zigbee2mqtt/back_door_lock/set', '{"state":"UNLOCK"}']]);
  const trv = await z2m('0x84fd27fffe3e1a55');
  assert.deepEqual(sent(trv, { command: 'set_temperature', params: { temperature: 20.7 } }), [['zigbee2mqtt/living_room_radiator/set', '{"occupied_heating_setpoint":20.5}']]);
  assert.deepEqual(sent(trv, { command: 'set_hvac_mode', params: { mode: 'auto' } }), [['zigbee2mqtt/living_room_radiator/set', '{"system_mode":"auto"}']]);
  rejects(trv, { command: 'set_temperature', params: { temperature: 36 } }, 'VALUE_OUT_OF_RANGE');
  rejects(trv, { command: 'set_hvac_mode', params: { mode: 'cool' } }, 'VALUE_OUT_OF_RANGE');
  const blind = await z2m('0x680ae2fffe9d5b21');
  assert.deepEqual(sent(blind, { command: 'close' }), [['zigbee2mqtt/bedroom_blind/set', '{"state":"CLOSE"}']]);
  assert.deepEqual(sent(blind, { command: 'stop' }), [['zigbee2mqtt/bedroom_blind/set', '{"state":"STOP"}']]);
  assert.deepEqual(sent(blind, { command: 'set_position', params: { position: 30 } }), [['zigbee2mqtt/bedroom_blind/set', '{"position":30}']]);
  const fan = await z2m('0x00124b0029aabbcc');
  assert.deepEqual(sent(fan, { command: 'set_fan_speed', params: { percentage: 50 } }), [['zigbee2mqtt/ceiling_fan/set', '{"fan_mode":"medium"}']]);
  assert.deepEqual(sent(fan, { command: 'set_fan_speed', params: { percentage: 0 } }), [['zigbee2mqtt/ceiling_fan/set', '{"fan_state":"OFF"}']]);
  assert.deepEqual(sent(fan, { command: 'turn_on' }), [['zigbee2mqtt/ceiling_fan/set', '{"fan_state":"ON"}']]);
  const plug = await z2m('0x0c4314fffe7c92d1');
  assert.deepEqual(sent(plug, { command: 'turn_on' }), [['zigbee2mqtt/kitchen/kettle_plug/set', '{"state":"ON"}']]);
  rejects(plug, { command: 'open' }, 'DEVICE_UNSUPPORTED');
});
