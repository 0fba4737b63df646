import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HubError } from '../../../../daemon/core/errors.js';
import { translateCommand } from '../../../../devices/commands.js';
import { parseDiscovery } from '../../../../devices/haDiscovery.js';
import { parseBridgeDevices } from '../../../../devices/zigbee2mqtt.js';
import { commandTopicsOf } from '../../../../devices/registryIndex.js';
import { cssRgb, rgbToHs, rgbToXy } from '../../../../devices/color.js';
import { colorLabel, colorWords } from '../../../../devices/colorWords.js';
import { intentCommand } from '../../../../devices/kinds/index.js';
import type { Device, DeviceCommand } from '../../../../devices/model.js';
import { readConfigDevices } from '../../../../devices/configDevices.js';
import type { DeviceConfig } from '../../../../daemon/config/schema.js';

function discover(topic: string, config: Record<string, unknown>): Device {
  const r = parseDiscovery(topic, Buffer.from(JSON.stringify(config)), 'homeassistant');
  if (r.kind !== 'config') throw new Error(JSON.stringify(r));
  return r.entities[0]!.device;
}

function sent(d: Device, c: DeviceCommand): Array<[string, string]> {
  return translateCommand(d, c).map((p) => [p.topic, p.payload]);
}

function rejects(d: Device, c: DeviceCommand, code: string): void {
  assert.throws(() => translateCommand(d, c), (err: unknown) => err instanceof HubError && err.code === code, JSON.stringify(c));
}

const RED: DeviceCommand = { command: 'set_color', params: { rgb: [255, 0, 0] } };

describe('light colour and colour temperature', () => {
  test('colour maths: CSS names, hs and xy as HA computes them', () => {
    assert.deepEqual(cssRgb('Light Blue'), [173, 216, 230]);
    assert.equal(cssRgb('constructor'), undefined);
    assert.deepEqual(rgbToHs([255, 0, 0]), [0, 100]);
    assert.deepEqual(rgbToHs([0, 0, 255]), [240, 100]);
    assert.deepEqual(rgbToXy([255, 0, 0]), [0.7006, 0.2993]);
    const words = new Map(colorWords().map(([w, v]) => [w, v]));
    assert.equal(words.get('dark sea green'), 'darkseagreen');
    assert.equal(words.get('light goldenrod yellow'), 'lightgoldenrodyellow');
    assert.equal(words.get('暖光'), 'warm_white');
    assert.equal(words.get('warm white'), 'warm_white');
    assert.deepEqual([colorLabel('darkorange', 'en'), colorLabel('warm_white', 'en'), colorLabel('red', 'zh'), colorLabel('tomato', 'zh')], ['dark orange', 'warm white', '红色', 'tomato']);
  });

  test('the intent: a colour name, a named white, kelvin and mireds', () => {
    assert.deepEqual(intentCommand('light', 'HassLightSet', { color: 'red' }), RED);
    assert.deepEqual(intentCommand('light', 'HassLightSet', { color: 'warm_white' }), { command: 'set_color_temp', params: { kelvin: 2700 } });
    assert.deepEqual(intentCommand('light', 'HassLightSet', { color_temp: 4000 }), { command: 'set_color_temp', params: { kelvin: 4000 } });
    assert.deepEqual(intentCommand('light', 'HassLightSet', { color_temp_mireds: 250 }), { command: 'set_color_temp', params: { kelvin: 4000 } });
    assert.equal(intentCommand('light', 'HassLightSet', { color: 'toString' }), null);
  });

  test('HA JSON schema: color in the light\'s first mode (rgb, hs, xy), color_temp in mireds clamped to its range', () => {
    const base = { schema: 'json', cmd_t: 'l/set', stat_t: 'l/state', brightness: true };
    const rgb = discover('homeassistant/light/a/config', { ...base, name: 'A', uniq_id: 'a', sup_clrm: ['rgb', 'color_temp'], min_mirs: 153, max_mirs: 370 });
    assert.ok(rgb.capabilities.includes('color') && rgb.capabilities.includes('color_temp'));
    assert.deepEqual(sent(rgb, RED), [['l/set', '{"state":"ON","color":{"r":255,"g":0,"b":0}}']]);
    assert.deepEqual(sent(rgb, { command: 'set_color_temp', params: { kelvin: 2000 } }), [['l/set', '{"state":"ON","color_temp":370}']], 'clamped to max_mireds');
    assert.deepEqual(sent(rgb, { command: 'set_color_temp', params: { kelvin: 4000 } }), [['l/set', '{"state":"ON","color_temp":250}']]);
    const hs = discover('homeassistant/light/b/config', { ...base, name: 'B', uniq_id: 'b', sup_clrm: ['hs'] });
    assert.deepEqual(sent(hs, { command: 'set_color', params: { rgb: [0, 0, 255] } }), [['l/set', '{"state":"ON","color":{"h":240,"s":100}}']]);
    rejects(hs, { command: 'set_color_temp', params: { kelvin: 3000 } }, 'DEVICE_UNSUPPORTED');
    const xy = discover('homeassistant/light/c/config', { ...base, name: 'C', uniq_id: 'c', sup_clrm: ['xy', 'color_temp'], clr_temp_k: true, min_k: 2200, max_k: 6500 });
    assert.deepEqual(sent(xy, RED), [['l/set', '{"state":"ON","color":{"x":0.7006,"y":0.2993}}']]);
    assert.deepEqual(sent(xy, { command: 'set_color_temp', params: { kelvin: 1500 } }), [['l/set', '{"state":"ON","color_temp":2198}']], 'kelvin, clamped to min_kelvin (as whole mireds)');
    rejects(xy, { command: 'set_color', params: { rgb: [300, 0, 0] as [number, number, number] } }, 'VALUE_OUT_OF_RANGE');
    const dimmer = discover('homeassistant/light/d/config', { ...base, name: 'D', uniq_id: 'd', sup_clrm: ['brightness'] });
    rejects(dimmer, RED, 'DEVICE_UNSUPPORTED');
  });

  test('HA default schema: rgb/hs/xy and color_temp topics through their templates, ON after as on_command_type says', () => {
    const l = discover('homeassistant/light/tasmota/config', {
      name: 'Strip', uniq_id: 'strip', cmd_t: 'strip/power', rgb_cmd_t: 'strip/rgb', rgb_cmd_tpl: '{{ red }},{{ green }},{{ blue }},0',
      clr_temp_cmd_t: 'strip/ct', max_mirs: 454, min_mirs: 250,
    });
    assert.deepEqual(sent(l, RED), [['strip/rgb', '255,0,0,0'], ['strip/power', 'ON']]);
    assert.deepEqual(sent(l, { command: 'set_color_temp', params: { kelvin: 6500 } }), [['strip/ct', '250'], ['strip/power', 'ON']]);
    assert.deepEqual(commandTopicsOf(l).sort(), ['strip/ct', 'strip/power', 'strip/rgb']);
    const hs = discover('homeassistant/light/hs/config', { name: 'HS', uniq_id: 'hs', cmd_t: 'hs/power', hs_cmd_t: 'hs/hs', on_cmd_type: 'first' });
    assert.deepEqual(sent(hs, { command: 'set_color', params: { rgb: [0, 255, 0] } }), [['hs/power', 'ON'], ['hs/hs', '120,100']]);
  });

  test('Zigbee2MQTT: {"color":{r,g,b}} and color_temp in mireds clamped to the expose\'s value_min/value_max', () => {
    const bulb = {
      ieee_address: '0x0017880109abcdef', type: 'Router', friendly_name: 'lounge_bulb', supported: true, interview_completed: true,
      definition: {
        model: '9290022166', vendor: 'Philips', description: 'Hue white and color ambiance E26/E27',
        exposes: [{
          type: 'light', features: [
            { type: 'binary', name: 'state', property: 'state', access: 7, value_on: 'ON', value_off: 'OFF', value_toggle: 'TOGGLE' },
            { type: 'numeric', name: 'brightness', property: 'brightness', access: 7, value_min: 0, value_max: 254 },
            { type: 'numeric', name: 'color_temp', property: 'color_temp', access: 7, unit: 'mired', value_min: 153, value_max: 500 },
            { type: 'composite', name: 'color_xy', property: 'color', access: 7, features: [{ type: 'numeric', name: 'x', property: 'x', access: 7 }, { type: 'numeric', name: 'y', property: 'y', access: 7 }] },
          ],
        }],
      },
    };
    const r = parseBridgeDevices(Buffer.from(JSON.stringify([bulb])), 'zigbee2mqtt');
    assert.ok(r.ok);
    const d = r.devices.find((x) => x.type === 'light')!;
    assert.ok(d.capabilities.includes('color') && d.capabilities.includes('color_temp'));
    assert.deepEqual(sent(d, RED), [['zigbee2mqtt/lounge_bulb/set', '{"state":"ON","color":{"r":255,"g":0,"b":0}}']]);
    assert.deepEqual(sent(d, { command: 'set_color_temp', params: { kelvin: 10000 } }), [['zigbee2mqtt/lounge_bulb/set', '{"state":"ON","color_temp":153}']]);
  });

  test('a devices: entry: supportedColorModes (JSON schema) or rgb/colour temperature topics (default schema)', () => {
    const { devices } = readConfigDevices([
      { id: 'json', type: 'light', schema: 'json', commandTopic: 'j/set', supportedColorModes: ['hs', 'color_temp'], maxMireds: 400 },
      { id: 'plain', type: 'light', commandTopic: 'p/set', rgbCommandTopic: 'p/rgb' },
      { id: 'onoff', type: 'light', commandTopic: 'o/set' },
    ] as DeviceConfig[]);
    const [json, plain, onoff] = devices;
    assert.deepEqual(json!.capabilities, ['onoff', 'brightness', 'color_temp', 'color']);
    assert.deepEqual(sent(json!, { command: 'set_color_temp', params: { kelvin: 2000 } }), [['j/set', '{"state":"ON","color_temp":400}']]);
    assert.deepEqual(sent(plain!, RED), [['p/rgb', '255,0,0'], ['p/set', 'ON']]);
    assert.deepEqual(onoff!.capabilities, ['onoff']);
    rejects(onoff!, RED, 'DEVICE_UNSUPPORTED');
  });
});
