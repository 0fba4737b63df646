import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HubError } from '../../../../daemon/core/errors.js';
import { translateCommand } from '../../../../devices/commands.js';
import { parseDiscovery } from '../../../../devices/haDiscovery.js';
import { decodePayload } from '../../../../devices/payload.js';
import { parseDeviceMessage } from '../../../../devices/stateParser.js';
import { readConfigDevices } from '../../../../devices/configDevices.js';
import { commandTopicsOf, topicsOf } from '../../../../devices/registryIndex.js';
import { parseCommandBody } from '../../../../daemon/devices/commandBody.js';
import type { Device, DeviceCommand } from '../../../../devices/model.js';

/**
 * The humidifier and water heater kinds (HA's MQTT humidifier and water_heater platforms): discovery in full
 * and abbreviated form, state on each topic, commands as MQTT with their ranges and modes, `devices:` entries.
 */

function discover(topic: string, config: Record<string, unknown>): Device {
  const r = parseDiscovery(topic, Buffer.from(JSON.stringify(config)), 'homeassistant');
  assert.equal(r.kind, 'config', JSON.stringify(r));
  if (r.kind !== 'config') throw new Error('not a config');
  assert.deepEqual(r.problems ?? [], []);
  return r.entities[0]!.device;
}

function refusal(topic: string, config: Record<string, unknown>): string {
  const r = parseDiscovery(topic, Buffer.from(JSON.stringify(config)), 'homeassistant');
  if (r.kind === 'invalid') return r.code;
  return r.kind === 'config' && r.problems.length > 0 ? r.problems[0]!.code : 'accepted';
}

function sent(d: Device, c: DeviceCommand): Array<[string, string]> {
  const out = translateCommand(d, c);
  for (const p of out) assert.deepEqual([p.qos, p.retain], [1, false]);
  return out.map((p) => [p.topic, p.payload]);
}

function rejects(d: Device, c: DeviceCommand, code: string): void {
  assert.throws(() => translateCommand(d, c), (err: unknown) => err instanceof HubError && err.code === code, JSON.stringify(c));
}

function state(d: Device, topic: string, payload: string): Record<string, unknown> | null {
  const msg = decodePayload(topic, Buffer.from(payload));
  if (!msg.ok) throw new Error(`undecodable: ${msg.reason}`);
  return parseDeviceMessage(d, msg).patch;
}

describe('humidifier (HA MQTT humidifier)', () => {
  // The HA documentation's full example, as discovery, with its abbreviations.
  const config = {
    name: 'Bedroom humidifier', uniq_id: 'bedroom_humidifier', dev_cla: 'humidifier',
    stat_t: 'bedroom_humidifier/on/state', act_t: 'bedroom_humidifier/action', cmd_t: 'bedroom_humidifier/on/set',
    current_humidity_topic: 'bedroom_humidifier/humidity/current', hum_cmd_t: 'bedroom_humidifier/humidity/set',
    hum_stat_t: 'bedroom_humidifier/humidity/state', mode_stat_t: 'bedroom_humidifier/mode/state', mode_cmd_t: 'bedroom_humidifier/preset/preset_mode',
    modes: ['normal', 'eco', 'away', 'boost', 'comfort', 'home', 'sleep', 'auto', 'baby'], pl_on: 'true', pl_off: 'false', min_hum: 30, max_hum: 80,
  };
  const d = discover('homeassistant/humidifier/bedroom_humidifier/config', config);

  test('discovery: capabilities, topics it listens and commands on', () => {
    assert.equal(d.type, 'humidifier');
    assert.deepEqual(d.capabilities, ['onoff', 'target_humidity', 'mode']);
    assert.deepEqual(topicsOf(d).sort(), [
      'bedroom_humidifier/action', 'bedroom_humidifier/humidity/current', 'bedroom_humidifier/humidity/state', 'bedroom_humidifier/mode/state', 'bedroom_humidifier/on/state',
    ]);
    assert.deepEqual(commandTopicsOf(d).sort(), ['bedroom_humidifier/humidity/set', 'bedroom_humidifier/on/set', 'bedroom_humidifier/preset/preset_mode']);
  });

  test('HA requires command_topic and target_humidity_command_topic', () => {
    assert.equal(refusal('homeassistant/humidifier/a/config', { name: 'A', hum_cmd_t: 'a/h' }), 'DISCOVERY_INVALID');
    assert.equal(refusal('homeassistant/humidifier/b/config', { name: 'B', cmd_t: 'b/set' }), 'DISCOVERY_INVALID');
  });

  test('state on each topic', () => {
    assert.deepEqual(state(d, 'bedroom_humidifier/on/state', 'true'), { state: 'on' });
    assert.deepEqual(state(d, 'bedroom_humidifier/humidity/state', '45'), { target_humidity: 45 });
    assert.deepEqual(state(d, 'bedroom_humidifier/humidity/current', '38.5'), { current_humidity: 38.5 });
    assert.deepEqual(state(d, 'bedroom_humidifier/mode/state', 'sleep'), { mode: 'sleep' });
    assert.deepEqual(state(d, 'bedroom_humidifier/action', 'humidifying'), { action: 'humidifying' });
    assert.equal(state(d, 'bedroom_humidifier/action', 'exploding'), null, 'an action HA does not know is not stored');
  });

  test('commands: on/off with its payloads, a humidity inside its range, a mode it lists', () => {
    assert.deepEqual(sent(d, { command: 'turn_on' }), [['bedroom_humidifier/on/set', 'true']]);
    assert.deepEqual(sent(d, { command: 'turn_off' }), [['bedroom_humidifier/on/set', 'false']]);
    assert.deepEqual(sent(d, { command: 'set_humidity', params: { humidity: 45.4 } }), [['bedroom_humidifier/humidity/set', '45']]);
    assert.deepEqual(sent(d, { command: 'set_mode', params: { mode: 'sleep' } }), [['bedroom_humidifier/preset/preset_mode', 'sleep']]);
    rejects(d, { command: 'set_humidity', params: { humidity: 85 } }, 'VALUE_OUT_OF_RANGE');
    rejects(d, { command: 'set_humidity', params: { humidity: 29 } }, 'VALUE_OUT_OF_RANGE');
    rejects(d, { command: 'set_mode', params: { mode: 'turbo' } }, 'VALUE_OUT_OF_RANGE');
    rejects(d, { command: 'set_temperature', params: { temperature: 21 } }, 'DEVICE_UNSUPPORTED');
  });

  test('templates: the target humidity through target_humidity_command_template', () => {
    const t = discover('homeassistant/humidifier/t/config', { name: 'T', uniq_id: 't', cmd_t: 't/set', hum_cmd_t: 't/h', hum_cmd_tpl: '{"humidity": {{ value }}}' });
    assert.deepEqual(sent(t, { command: 'set_humidity', params: { humidity: 50 } }), [['t/h', '{"humidity": 50}']]);
    assert.ok(!t.capabilities.includes('mode'), 'no modes without mode_command_topic');
    rejects(t, { command: 'set_mode', params: { mode: 'eco' } }, 'DEVICE_UNSUPPORTED');
  });

  test('a devices: entry', () => {
    const { devices, problems } = readConfigDevices([{
      id: 'dehum', type: 'humidifier', commandTopic: 'dh/set', targetHumidityCommandTopic: 'dh/hum', modeCommandTopic: 'dh/mode', modes: ['auto', 'sleep'], minHumidity: 35,
    }]);
    assert.deepEqual(problems, []);
    const c = devices[0]!;
    assert.deepEqual(c.capabilities, ['onoff', 'target_humidity', 'mode']);
    assert.deepEqual(sent(c, { command: 'set_humidity', params: { humidity: 40 } }), [['dh/hum', '40']]);
    rejects(c, { command: 'set_humidity', params: { humidity: 30 } }, 'VALUE_OUT_OF_RANGE');
    assert.deepEqual(sent(c, { command: 'set_mode', params: { mode: 'auto' } }), [['dh/mode', 'auto']]);
  });
});

describe('water heater (HA MQTT water_heater)', () => {
  const config = {
    name: 'Boiler', uniq_id: 'basement_boiler', modes: ['off', 'eco', 'performance', 'turbo'],
    mode_stat_t: 'basement/boiler/mode', mode_cmd_t: 'basement/boiler/mode/set', mode_cmd_tpl: '{{ value | upper }}',
    temp_stat_t: 'basement/boiler/temperature', temp_cmd_t: 'basement/boiler/temperature/set', curr_temp_t: 'basement/boiler/current_temperature',
    pow_cmd_t: 'basement/boiler/power/set', precision: 1.0,
  };
  const d = discover('homeassistant/water_heater/boiler/config', config);

  test('discovery: capabilities and topics; a mode outside HA\'s list is left out', () => {
    assert.equal(d.type, 'water_heater');
    assert.deepEqual(d.capabilities, ['target_temperature', 'mode', 'onoff', 'current_temperature']);
    assert.deepEqual(d.mqtt.modes, ['off', 'eco', 'performance']);
    assert.deepEqual(commandTopicsOf(d).sort(), ['basement/boiler/mode/set', 'basement/boiler/power/set', 'basement/boiler/temperature/set']);
    assert.equal(refusal('homeassistant/water_heater/x/config', { name: 'X' }), 'DISCOVERY_INVALID');
  });

  test('state: temperatures and the operation mode (mode "off" is off)', () => {
    assert.deepEqual(state(d, 'basement/boiler/current_temperature', '51.5'), { current_temperature: 51.5 });
    assert.deepEqual(state(d, 'basement/boiler/temperature', '55'), { target_temperature: 55 });
    assert.deepEqual(state(d, 'basement/boiler/mode', 'eco'), { mode: 'eco', state: 'on' });
    assert.deepEqual(state(d, 'basement/boiler/mode', 'off'), { mode: 'off', state: 'off' });
  });

  test('value_template renders every state topic without a template of its own', () => {
    const v = discover('homeassistant/water_heater/v/config', { name: 'V', uniq_id: 'v', val_tpl: '{{ value_json.v }}', curr_temp_t: 'v/cur', mode_stat_t: 'v/mode', mode_stat_tpl: '{{ value_json.m }}' });
    assert.deepEqual(state(v, 'v/cur', '{"v": 48}'), { current_temperature: 48 });
    assert.deepEqual(state(v, 'v/mode', '{"m": "gas", "v": "eco"}'), { mode: 'gas', state: 'on' });
  });

  test('commands: a set-point in HA\'s default range (43.3–60 °C) to its precision, a mode through its template, power', () => {
    assert.deepEqual(sent(d, { command: 'set_temperature', params: { temperature: 55.4 } }), [['basement/boiler/temperature/set', '55']]);
    rejects(d, { command: 'set_temperature', params: { temperature: 21 } }, 'VALUE_OUT_OF_RANGE');
    rejects(d, { command: 'set_temperature', params: { temperature: 65 } }, 'VALUE_OUT_OF_RANGE');
    assert.deepEqual(sent(d, { command: 'set_mode', params: { mode: 'eco' } }), [['basement/boiler/mode/set', 'ECO']]);
    rejects(d, { command: 'set_mode', params: { mode: 'gas' } }, 'VALUE_OUT_OF_RANGE');
    assert.deepEqual(sent(d, { command: 'turn_on' }), [['basement/boiler/power/set', 'ON']]);
    assert.deepEqual(sent(d, { command: 'turn_off' }), [['basement/boiler/power/set', 'OFF']]);
  });

  test('in Fahrenheit: 110–140 °F unless it says otherwise; without a power topic "off" is the mode off', () => {
    const f = discover('homeassistant/water_heater/f/config', { name: 'F', uniq_id: 'f', temp_cmd_t: 'f/t', temperature_unit: 'F', mode_cmd_t: 'f/m' });
    assert.deepEqual(sent(f, { command: 'set_temperature', params: { temperature: 120.4 } }), [['f/t', '120']]);
    rejects(f, { command: 'set_temperature', params: { temperature: 50 } }, 'VALUE_OUT_OF_RANGE');
    assert.deepEqual(sent(f, { command: 'turn_off' }), [['f/m', 'off']]);
    rejects(f, { command: 'turn_on' }, 'DEVICE_UNSUPPORTED');
  });

  test('a devices: entry: commandTopic is power, stateTopic the water temperature, its own range', () => {
    const { devices, problems } = readConfigDevices([{
      id: 'tank', type: 'water_heater', commandTopic: 'tank/power', stateTopic: 'tank/temp', temperatureCommandTopic: 'tank/set', modeCommandTopic: 'tank/mode',
      modes: ['off', 'eco', 'heat_pump'], minTemp: 40, maxTemp: 70,
    }]);
    assert.deepEqual(problems, []);
    const c = devices[0]!;
    assert.deepEqual(c.capabilities, ['target_temperature', 'mode', 'onoff', 'current_temperature']);
    assert.deepEqual(sent(c, { command: 'turn_on' }), [['tank/power', 'ON']]);
    assert.deepEqual(sent(c, { command: 'set_temperature', params: { temperature: 65 } }), [['tank/set', '65']]);
    assert.deepEqual(state(c, 'tank/temp', '52'), { current_temperature: 52 });
  });
});

test('the page\'s and the cloud\'s command body knows the new commands', () => {
  assert.deepEqual(parseCommandBody({ device: 'h', command: 'set_humidity', params: { humidity: 45 } }).command, { command: 'set_humidity', params: { humidity: 45 } });
  assert.deepEqual(parseCommandBody({ device: 'w', command: 'set_mode', params: { mode: 'eco' } }).command, { command: 'set_mode', params: { mode: 'eco' } });
  assert.throws(() => parseCommandBody({ device: 'h', command: 'set_humidity', params: { humidity: 'lots' } }), (e: unknown) => e instanceof HubError && e.code === 'BAD_REQUEST');
});
