import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEVICE_TYPES, KIND_CONFIG, kindOf } from '../../../../devices/kinds/index.js';
import { configJsonSchema } from '../../../../daemon/config/writeSchema.js';
import { buildConfig } from '../../../../daemon/config/load.js';
import { readConfigDevices } from '../../../../devices/configDevices.js';

/**
 * The `devices:` keys a kind needs of its own come from its module (devices/kinds/<kind>.ts `config`): the
 * config schema's device entry is the common keys and every kind's, and a config device's binding gets them.
 */

test('every key a kind declares is in the config schema\'s device entry, with the kind\'s schema', () => {
  const entry = JSON.parse(configJsonSchema()).properties.devices.items;
  assert.equal(entry.additionalProperties, false);
  let declared = 0;
  for (const t of DEVICE_TYPES) {
    const config = kindOf(t)!.config;
    if (!config) continue;
    for (const [key, schema] of Object.entries(config.properties)) {
      declared++;
      assert.deepEqual(entry.properties[key], JSON.parse(JSON.stringify(schema)), `${t}.${key}`);
    }
    for (const key of [...(config.topics ?? []), ...(config.entryOnly ?? [])]) assert.ok(Object.hasOwn(config.properties, key) || ['commandTopic', 'stateTopic'].includes(key), `${t}: ${key} is one of its keys`);
  }
  assert.ok(declared >= 15, String(declared));
  for (const key of ['minHumidity', 'maxHumidity', 'targetHumidityCommandTopic', 'modes', 'minTemp', 'supportedColorModes', 'positionTopic']) assert.ok(entry.properties[key], key);
});

test('a humidifier entry with only its own topic is a device, its range and modes in its binding; a bad value is a config error naming the key', () => {
  const config = buildConfig({
    devices: [
      { id: 'hum', type: 'humidifier', targetHumidityCommandTopic: 'h/target', minHumidity: 30, maxHumidity: 70, modes: ['eco'], modeCommandTopic: 'h/mode' },
      { id: 'lamp', type: 'light', commandTopic: 'l/set', brightness: true, schema: 'json' },
    ],
  });
  const { devices, problems } = readConfigDevices(config.devices);
  assert.deepEqual(problems, []);
  const hum = devices.find((d) => d.id === 'hum')!;
  assert.equal(hum.mqtt.targetHumidityCommandTopic, 'h/target');
  assert.equal(hum.mqtt.minHumidity, 30);
  assert.equal(hum.mqtt.maxHumidity, 70);
  assert.deepEqual(hum.mqtt.modes, ['eco']);
  assert.deepEqual(hum.capabilities, ['target_humidity', 'mode']);
  const lamp = devices.find((d) => d.id === 'lamp')!;
  assert.ok(lamp.capabilities.includes('brightness'), 'the light reads its entry-only key');
  assert.equal((lamp.mqtt as unknown as Record<string, unknown>).brightness, undefined, 'an entry-only key stays out of the binding');
  assert.ok(KIND_CONFIG.topics.includes('targetHumidityCommandTopic'));
  assert.throws(() => buildConfig({ devices: [{ id: 'hum', type: 'humidifier', maxHumidity: 150 }] }), (err: Error & { code?: string }) => err.code === 'CONFIG_INVALID' && /devices\.0\.maxHumidity/.test(err.message));
});
