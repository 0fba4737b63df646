import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommandBody } from '../../../daemon/devices/commandBody.js';

test('commands the page sends become device commands', () => {
  assert.deepEqual(parseCommandBody({ device: 'a', command: 'toggle' }), { device: 'a', command: { command: 'toggle' } });
  assert.deepEqual(parseCommandBody({ device: 'a', command: 'turn_on' }), { device: 'a', command: { command: 'turn_on' } });
  assert.deepEqual(parseCommandBody({ device: 'a', command: 'turn_on', params: { brightness: 40 } }), { device: 'a', command: { command: 'turn_on', params: { brightness: 40 } } });
  assert.deepEqual(parseCommandBody({ device: 'a', command: 'set_position', params: { position: 50 } }), { device: 'a', command: { command: 'set_position', params: { position: 50 } } });
  assert.deepEqual(parseCommandBody({ device: 'a', command: 'set_hvac_mode', params: { mode: 'heat' } }), { device: 'a', command: { command: 'set_hvac_mode', params: { mode: 'heat' } } });
});

test('anything else is BAD_REQUEST before it reaches a device', () => {
  const bad: Array<Record<string, unknown>> = [
    {}, { device: 'a' }, { device: '', command: 'toggle' }, { device: 'x'.repeat(300), command: 'toggle' },
    { device: 'a', command: '__proto__' }, { device: 'a', command: 'constructor' }, { device: 'a', command: 'explode' },
    { device: 'a', command: 'toggle', params: { x: 1 } }, { device: 'a', command: 'set_brightness' },
    { device: 'a', command: 'set_brightness', params: { brightness: '40' } }, { device: 'a', command: 'set_brightness', params: { brightness: Infinity } },
    { device: 'a', command: 'set_brightness', params: { brightness: 1, extra: 2 } }, { device: 'a', command: 'set_brightness', params: [40] },
    { device: 'a', command: 'set_hvac_mode', params: { mode: 'x'.repeat(65) } }, { device: 'a', command: 'turn_on', params: { colour: 'red' } },
    { device: 1, command: 'toggle' },
  ];
  for (const body of bad) assert.throws(() => parseCommandBody(body), { code: 'BAD_REQUEST' }, JSON.stringify(body));
});
