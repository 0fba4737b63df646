import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { DEVICE_TYPES, intentCommand, isDeviceType, kindOf, typesForIntent, typesForStateWord } from '../../../devices/kinds/index.js';
import { SUPPORTED_COMPONENTS } from '../../../devices/haComponents.js';
import { readConfigDevices } from '../../../devices/configDevices.js';
import type { DeviceConfig } from '../../../daemon/config/schema.js';
import { ConfigSchema } from '../../../daemon/config/schema.js';

const ROOT = new URL('../../../../', import.meta.url);

describe('the table of device kinds', () => {
  test('lists the kinds in the order of the config schema', () => {
    assert.deepEqual([...DEVICE_TYPES], [
      'light', 'switch', 'sensor', 'binary_sensor', 'climate', 'cover', 'lock', 'fan', 'valve', 'vacuum', 'media_player', 'scene', 'button', 'script',
      'humidifier', 'water_heater',
    ]);
  });

  test('every derived list is the table: discovery components, the config enum, the written JSON schema', async () => {
    assert.deepEqual([...SUPPORTED_COMPONENTS], [...DEVICE_TYPES]);
    const written = JSON.parse(await readFile(new URL('voicehub.schema.json', ROOT), 'utf8')) as Record<string, unknown>;
    const enumOf = (schema: unknown): string[] => {
      const device = (schema as { properties: { devices: { items: { properties: { type: { anyOf: Array<{ const: string }> } } } } } })
        .properties.devices.items.properties.type;
      return device.anyOf.map((s) => s.const);
    };
    assert.deepEqual(enumOf(ConfigSchema), [...DEVICE_TYPES]);
    assert.deepEqual(enumOf(written), [...DEVICE_TYPES]);
  });

  test('a name that is not a kind has no module, whatever Object.prototype holds', () => {
    for (const name of ['siren', '__proto__', 'constructor', 'toString', '']) {
      assert.equal(kindOf(name), undefined);
      assert.equal(isDeviceType(name), false);
    }
  });

  test('the intents a kind answers by default and its state words', () => {
    assert.deepEqual(typesForIntent('HassTurnOn'), ['light', 'switch', 'fan']);
    assert.deepEqual(typesForIntent('HassGetState').sort(), ['cover', 'fan', 'light', 'lock', 'switch', 'valve']);
    assert.deepEqual(typesForIntent('HassClimateSetTemperature'), ['climate']);
    assert.deepEqual(typesForStateWord('locked'), ['lock']);
    assert.deepEqual(typesForStateWord('open').sort(), ['binary_sensor', 'cover', 'lock', 'valve']);
  });

  test('the device command an intent means is the kind\'s decision', () => {
    assert.deepEqual(intentCommand('cover', 'HassTurnOff', {}), { command: 'close' });
    assert.deepEqual(intentCommand('lock', 'HassTurnOn', {}), { command: 'lock' });
    assert.deepEqual(intentCommand('light', 'HassLightSet', { brightness: 30 }), { command: 'set_brightness', params: { brightness: 30 } });
    assert.equal(intentCommand('light', 'HassLightSet', {}), null);
    assert.equal(intentCommand('sensor', 'HassTurnOn', {}), null);
    assert.equal(intentCommand('siren', 'HassTurnOn', {}), null);
    assert.deepEqual(intentCommand('vacuum', 'HassTurnOn', {}), { command: 'start' });
  });

  test('a config entry reads through its kind: capabilities, and climate reads stateTopic as the room temperature', () => {
    const { devices, problems } = readConfigDevices([
      { id: 'lamp', type: 'light', commandTopic: 'lamp/set', brightnessCommandTopic: 'lamp/bri' },
      { id: 'blind', type: 'cover', commandTopic: 'blind/set', setPositionTopic: 'blind/pos' },
      { id: 'trv', type: 'climate', stateTopic: 'trv/temp', temperatureCommandTopic: 'trv/set' },
      { id: 'door', type: 'lock', commandTopic: 'door/set' },
    ] as DeviceConfig[]);
    assert.deepEqual(problems, []);
    const byId = new Map(devices.map((d) => [d.id, d]));
    assert.deepEqual(byId.get('lamp')!.capabilities, ['onoff', 'brightness']);
    assert.deepEqual(byId.get('blind')!.capabilities, ['open_close', 'stop', 'position']);
    assert.deepEqual(byId.get('trv')!.capabilities, ['target_temperature', 'current_temperature']);
    assert.equal(byId.get('trv')!.mqtt.currentTemperatureTopic, 'trv/temp');
    assert.equal(byId.get('trv')!.mqtt.stateTopic, undefined);
    assert.deepEqual(byId.get('door')!.capabilities, ['lock']);
  });

  test('a config entry whose type is not a kind (past the schema) is a problem, not a device', () => {
    const { devices, problems } = readConfigDevices([{ id: 'robot', type: 'siren', commandTopic: 'robot/set' }] as unknown as DeviceConfig[]);
    assert.deepEqual(devices, []);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.id, 'robot');
  });
});
