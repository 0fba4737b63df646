import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extremeAt } from '../../../daemon/intents/numbers.js';
import { setPointsFor } from '../../../daemon/intents/resolve.js';
import { tokenize } from '../../../daemon/intents/normalize.js';
import type { IntentDevice, IntentMatch } from '../../../daemon/intents/types.js';

/** "The lowest / highest setting": the words read, and what a thermostat or water heater is sent for them. */

test('extreme words, with the words that may follow them, longest reading first', () => {
  assert.deepEqual(extremeAt(tokenize('lowest setting'), 0), { ends: [2, 1], extreme: 'min' });
  assert.deepEqual(extremeAt(tokenize('its highest speed'), 0), { ends: [3, 2], extreme: 'max' });
  assert.deepEqual(extremeAt(tokenize('max'), 0), { ends: [1], extreme: 'max' });
  assert.deepEqual(extremeAt(tokenize('最低档'), 0), { ends: [3, 2], extreme: 'min' });
  assert.deepEqual(extremeAt(tokenize('最大风速'), 0), { ends: [4, 3, 2], extreme: 'max' });
  assert.equal(extremeAt(tokenize('its lamp'), 0), null, '"its" alone is no setting');
  assert.equal(extremeAt(tokenize('最好'), 0), null);
  assert.equal(extremeAt(tokenize('low'), 0), null, '"low" is a fan speed, not the lowest setting');
});

function match(slots: IntentMatch['slots'], intent = 'HassClimateSetTemperature'): IntentMatch {
  return { intent, lang: 'en', slots, text: '', normalized: '', owner: 'builtin' };
}

test('a set-point per device: its own range for min/max, in its own unit; the number said otherwise', () => {
  const trv: IntentDevice = { id: 't', name: 'TRV', aliases: [], type: 'climate', minTemp: 16, maxTemp: 28 };
  const us: IntentDevice = { id: 'u', name: 'US', aliases: [], type: 'climate', unit: '°F' };
  const boiler: IntentDevice = { id: 'b', name: 'Boiler', aliases: [], type: 'water_heater' };
  assert.deepEqual(setPointsFor(match({ setting: 'min' }), [trv, us, boiler]), [{ value: 16, scale: 'C' }, { value: 44.6, scale: 'F' }, { value: 43.3, scale: 'C' }]);
  assert.deepEqual(setPointsFor(match({ setting: 'max' }), [trv, boiler]), [{ value: 28, scale: 'C' }, { value: 60, scale: 'C' }]);
  assert.deepEqual(setPointsFor(match({ temperature: 21 }), [us]), [{ value: 21, scale: 'F' }], 'a bare number is in the device\'s unit');
  assert.equal(setPointsFor(match({}), [trv]), null);
  assert.equal(setPointsFor(match({ setting: 'max' }, 'HassLightSet'), [trv]), null);
});
