import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPatch, checkPatch } from '../../../devices/userOverrides.js';
import { patchBody } from '../../../daemon/devicesSetCommand.js';

test('applyPatch: set, add, replace, clear and reset', () => {
  assert.deepEqual(applyPatch(undefined, { name: ' Kettle ', addAliases: ['tea'] }), { name: 'Kettle', aliases: ['tea'] });
  assert.deepEqual(applyPatch({ name: 'Kettle', aliases: ['tea'] }, { addAliases: ['tea', 'boiler'] }), { name: 'Kettle', aliases: ['tea', 'boiler'] });
  assert.deepEqual(applyPatch({ name: 'Kettle', aliases: ['tea'] }, { aliases: ['boiler'] }), { name: 'Kettle', aliases: ['boiler'] });
  assert.deepEqual(applyPatch({ name: 'Kettle', aliases: ['tea'] }, { aliases: null }), { name: 'Kettle', aliases: [] });
  assert.deepEqual(applyPatch({ name: 'Kettle', area: 'Kitchen' }, { name: null }), { area: 'Kitchen' });
  assert.equal(applyPatch({ name: 'Kettle' }, { reset: true }), null);
  assert.deepEqual(applyPatch({ name: 'Kettle' }, { reset: true, area: 'Hall' }), { area: 'Hall' });
});

test('checkPatch refuses what does not fit, naming the field', () => {
  assert.equal(checkPatch({ name: 'ok' }).ok, true);
  for (const [bad, word] of [[{ name: 5 }, 'name'], [{ area: '' }, 'area'], [{ addAliases: 'x' }, 'addAliases'], [{ reset: 'yes' }, 'reset'], [{ x: 1 }, 'unknown'], [null, 'object']] as const) {
    const r = checkPatch(bad);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.reason, new RegExp(word));
  }
});

test('the CLI\'s flags map to one PATCH body: --alias adds, --clear-alias replaces', () => {
  assert.deepEqual(patchBody({ alias: ['a'], name: 'N' }), { name: 'N', addAliases: ['a'] });
  assert.deepEqual(patchBody({ alias: ['a'], clearAlias: true }), { aliases: ['a'] });
  assert.deepEqual(patchBody({ alias: [], clearAlias: true }), { aliases: [] });
  assert.deepEqual(patchBody({ alias: [], reset: true }), { reset: true });
});
