import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HubError } from '../../../../daemon/core/errors.js';
import { translateCommand } from '../../../../devices/commands.js';
import { parseDiscovery } from '../../../../devices/haDiscovery.js';
import { decodePayload } from '../../../../devices/payload.js';
import { parseDeviceMessage } from '../../../../devices/stateParser.js';
import { readConfigDevices } from '../../../../devices/configDevices.js';
import { parseBridgeDevices } from '../../../../devices/zigbee2mqtt.js';
import { topicsOf, commandTopicsOf } from '../../../../devices/registryIndex.js';
import { intentDevice } from '../../../../daemon/intents/fromDevice.js';
import type { Device, DeviceCommand } from '../../../../devices/model.js';
import { radiatorValve } from '../../../helpers/zigbeeRadiatorValve.js';

/**
 * A thermostat's presets (issue 14): HA climate discovery's preset_modes on preset_mode_command_topic with its state
 * topic, Zigbee2MQTT's climate `preset` enum, a `devices:` entry's presetModeCommandTopic/presetModes; the capability,
 * the state read back, the command as MQTT, and a preset the device does not list refused with nothing sent.
 */

function discover(config: Record<string, unknown>): Device {
  const r = parseDiscovery('homeassistant/climate/t/config', Buffer.from(JSON.stringify(config)), 'homeassistant');
  assert.equal(r.kind, 'config', JSON.stringify(r));
  if (r.kind !== 'config') throw new Error('not a config');
  assert.deepEqual(r.problems ?? [], []);
  return r.entities[0]!.device;
}

function state(d: Device, topic: string, payload: string): Record<string, unknown> | null {
  const msg = decodePayload(topic, Buffer.from(payload));
  if (!msg.ok) throw new Error(`undecodable: ${msg.reason}`);
  return parseDeviceMessage(d, msg).patch;
}

function sent(d: Device, c: DeviceCommand): Array<[string, string]> {
  return translateCommand(d, c).map((p) => [p.topic, p.payload]);
}

function refused(d: Device, c: DeviceCommand, code: string): void {
  assert.throws(() => translateCommand(d, c), (err: unknown) => err instanceof HubError && err.code === code, JSON.stringify(c));
}

describe('HA climate discovery with presets', () => {
  const config = {
    name: 'Hallway', uniq_id: 'hall_tstat', temp_cmd_t: 'hall/temp/set', mode_cmd_t: 'hall/mode/set', mode_stat_t: 'hall/mode',
    modes: ['off', 'heat'], pr_mode_cmd_t: 'hall/preset/set', pr_mode_stat_t: 'hall/preset', pr_mode_val_tpl: '{{ value_json.preset }}',
    pr_mode_cmd_tpl: '{"preset": "{{ value }}"}', pr_modes: ['eco', 'away', 'none', 'comfort'],
  };

  test('the presets (without "none", HA\'s word for no preset) become the capability preset_mode', () => {
    const d = discover(config);
    assert.deepEqual(d.mqtt.presetModes, ['eco', 'away', 'comfort']);
    assert.ok(d.capabilities.includes('preset_mode'));
    assert.ok(d.capabilities.includes('hvac_mode'));
    assert.ok(topicsOf(d).includes('hall/preset'), 'its preset state topic is subscribed');
    assert.ok(commandTopicsOf(d).includes('hall/preset/set'), 'its preset command topic is guarded');
  });

  test('the preset state is read through its template', () => {
    const d = discover(config);
    assert.deepEqual(state(d, 'hall/preset', '{"preset":"away"}'), { preset_mode: 'away' });
    assert.deepEqual(state(d, 'hall/mode', 'heat'), { hvac_mode: 'heat' });
  });

  test('set_preset_mode publishes a preset it lists through its template; others are refused', () => {
    const d = discover(config);
    assert.deepEqual(sent(d, { command: 'set_preset_mode', params: { preset_mode: 'eco' } }), [['hall/preset/set', '{"preset": "eco"}']]);
    refused(d, { command: 'set_preset_mode', params: { preset_mode: 'boost' } }, 'VALUE_OUT_OF_RANGE');
    refused(d, { command: 'set_preset_mode', params: { preset_mode: 'none' } }, 'VALUE_OUT_OF_RANGE');
    refused(d, { command: 'set_hvac_mode', params: { mode: 'cool' } }, 'VALUE_OUT_OF_RANGE');
  });

  test('a thermostat without presets has no preset_mode and refuses the command', () => {
    const d = discover({ name: 'Plain', uniq_id: 'plain', temp_cmd_t: 'plain/temp/set', pr_modes: ['eco'] });
    assert.ok(!d.capabilities.includes('preset_mode'), 'presets without a command topic are no capability');
    refused(d, { command: 'set_preset_mode', params: { preset_mode: 'eco' } }, 'DEVICE_UNSUPPORTED');
  });

  test('the intents see its HVAC modes and its presets apart', () => {
    const v = intentDevice(discover(config));
    assert.deepEqual(v.hvacModes, ['off', 'heat']);
    assert.deepEqual(v.modes, ['eco', 'away', 'comfort']);
    // HA's six HVAC modes when a thermostat with a mode topic lists none.
    const dflt = intentDevice(discover({ name: 'AC', uniq_id: 'ac', mode_cmd_t: 'ac/mode/set' }));
    assert.deepEqual(dflt.hvacModes, ['auto', 'off', 'cool', 'heat', 'dry', 'fan_only']);
    assert.equal(dflt.modes, undefined);
  });
});

describe('Zigbee2MQTT climate preset', () => {
  const bridge = [radiatorValve('bedroom_trv', ['manual', 'schedule', 'holiday', 'boost', 'comfort', 'eco', 'frost_protection'])];

  function trv(): Device {
    const r = parseBridgeDevices(Buffer.from(JSON.stringify(bridge)), 'zigbee2mqtt');
    assert.ok(r.ok);
    const d = r.ok ? r.devices.find((x) => x.type === 'climate') : undefined;
    assert.ok(d, 'a climate device');
    return d!;
  }

  test('the preset enum becomes presetModes and preset_mode; its state is read and its command sent as JSON', () => {
    const d = trv();
    assert.deepEqual(d.mqtt.presetModes, ['manual', 'schedule', 'holiday', 'boost', 'comfort', 'eco', 'frost_protection']);
    assert.ok(d.capabilities.includes('preset_mode'));
    assert.deepEqual(state(d, 'zigbee2mqtt/bedroom_trv', '{"preset":"eco","system_mode":"heat","local_temperature":20.5}'),
      { preset_mode: 'eco', hvac_mode: 'heat', current_temperature: 20.5 });
    assert.deepEqual(sent(d, { command: 'set_preset_mode', params: { preset_mode: 'boost' } }), [['zigbee2mqtt/bedroom_trv/set', '{"preset":"boost"}']]);
    refused(d, { command: 'set_preset_mode', params: { preset_mode: 'away' } }, 'VALUE_OUT_OF_RANGE');
  });
});

test('a devices: thermostat takes presetModeCommandTopic and presetModes', () => {
  const { devices } = readConfigDevices([{
    id: 'lounge_ac', name: 'Lounge AC', type: 'climate', modeCommandTopic: 'ac/mode/set', modes: ['off', 'cool'],
    presetModeCommandTopic: 'ac/preset/set', presetModes: ['eco', 'sleep'],
  }]);
  const d = devices[0]!;
  assert.ok(d.capabilities.includes('preset_mode'));
  assert.deepEqual(sent(d, { command: 'set_preset_mode', params: { preset_mode: 'sleep' } }), [['ac/preset/set', 'sleep']]);
  refused(d, { command: 'set_preset_mode', params: { preset_mode: 'boost' } }, 'VALUE_OUT_OF_RANGE');
});
