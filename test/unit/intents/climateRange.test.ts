/** Issue 14 items 7 and 11: set-points checked against each thermostat's own range, in its own unit. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IntentEngine } from '../../../daemon/intents/index.js';
import type { IntentDevice } from '../../../daemon/intents/index.js';
import { EngineAdapter } from '../../../daemon/pipeline/engineAdapter.js';

const DEVICES: IntentDevice[] = [
  { id: 'trv', name: 'Radiator', aliases: [], area: 'bedroom', type: 'climate', capabilities: ['target_temperature'], minTemp: 5, maxTemp: 30 },
  { id: 'hall_stat', name: 'Hall Thermostat', aliases: [], area: 'hallway', type: 'climate', capabilities: ['target_temperature'], minTemp: 10, maxTemp: 28 },
  { id: 'us_stat', name: 'Upstairs Thermostat', aliases: [], area: 'office', type: 'climate', unit: '°F', capabilities: ['target_temperature'], minTemp: 50, maxTemp: 90 },
  { id: 'plain', name: 'Garage Heater', aliases: [], area: 'garage', type: 'climate', capabilities: ['target_temperature'] },
];

function adapter(): EngineAdapter {
  const engine = new IntentEngine();
  engine.setLists({ devices: DEVICES, areas: [] });
  return new EngineAdapter(engine);
}

function say(a: EngineAdapter, text: string) {
  const request = a.match(text, { lang: text.match(/\p{Script=Han}/u) ? 'zh' : 'en' });
  assert.ok(request, `no match for ${text}`);
  return () => a.resolve(request);
}

test('out of range names the device\'s own range, every time', () => {
  const a = adapter();
  assert.throws(say(a, 'set the radiator to 45 degrees'), { code: 'VALUE_OUT_OF_RANGE', message: 'Temperature must be between 5 and 30 °C.' });
  assert.throws(say(a, 'set the radiator to 32 degrees'), { code: 'VALUE_OUT_OF_RANGE', message: 'Temperature must be between 5 and 30 °C.' });
  assert.throws(say(a, 'set the hall thermostat to 29'), { code: 'VALUE_OUT_OF_RANGE', message: 'Temperature must be between 10 and 28 °C.' });
  assert.throws(say(a, 'set the garage heater to 40'), { code: 'VALUE_OUT_OF_RANGE', message: 'Temperature must be between 7 and 35 °C.' });
  assert.throws(say(a, '把暖气片调到40度'), (err: Error) => /5.*30/.test(err.message));
  // Inside the range: the value as said.
  assert.deepEqual(say(a, 'set the hall thermostat to 21.5')().commands, [{ command: 'set_temperature', params: { temperature: 21.5 } }]);
});

test('a Fahrenheit thermostat takes numbers in °F; a Celsius one converts what was said in °F', () => {
  const a = adapter();
  assert.deepEqual(say(a, 'set the upstairs thermostat to 70')().commands, [{ command: 'set_temperature', params: { temperature: 70 } }]);
  assert.deepEqual(say(a, 'set the upstairs thermostat to 72 degrees fahrenheit')().commands, [{ command: 'set_temperature', params: { temperature: 72 } }]);
  assert.throws(say(a, 'set the upstairs thermostat to 95'), { code: 'VALUE_OUT_OF_RANGE', message: 'Temperature must be between 50 and 90 °F.' });
  assert.throws(say(a, 'set the upstairs thermostat to 20'), { code: 'VALUE_OUT_OF_RANGE', message: 'Temperature must be between 50 and 90 °F.' });
  assert.deepEqual(say(a, 'set the radiator to 70 degrees fahrenheit')().commands, [{ command: 'set_temperature', params: { temperature: 21 } }]);
  assert.throws(say(a, 'set the radiator to 95 fahrenheit'), { code: 'VALUE_OUT_OF_RANGE', message: 'Temperature must be between 5 and 30 °C.' });
});
