import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fillResponse } from '../../../daemon/intents/fillResponse.js';

test('fillResponse: {name} and {Name}, values put in as they are, only strings and numbers fill', () => {
  assert.equal(fillResponse('Turned on {target}.', { target: 'the lamp' }), 'Turned on the lamp.');
  assert.equal(fillResponse('{Target} is on.', { target: 'the lamp' }), 'The lamp is on.');
  assert.equal(fillResponse('Set to {value}.', { value: 21.5 }), 'Set to 21.5.');
  assert.equal(fillResponse('Turned on {target}.', { target: "$& {area} $'" }), "Turned on $& {area} $'.", 'a hostile name is text');
  for (const v of [undefined, null, {}, ['x'], true]) assert.equal(fillResponse('Turned on {target}.', { target: v }), 'Turned on {target}.', String(v));
});
