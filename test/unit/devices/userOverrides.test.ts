import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPatch, checkOverridesDocument, checkPatch } from '../../../devices/userOverrides.js';
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

const FLOORS = { ground: { aliases: ['downstairs'] }, first_floor: { aliases: ['Upstairs', '楼上'] } };

test('a floor is checked against the configured floors by key or alias (case and _ aside) and kept as the key', () => {
  for (const [said, key] of [['ground', 'ground'], ['GROUND', 'ground'], ['first floor', 'first_floor'], ['First_Floor', 'first_floor'], [' upstairs ', 'first_floor'], ['楼上', 'first_floor'], ['Downstairs', 'ground']] as const) {
    const r = checkPatch({ floor: said }, FLOORS);
    assert.equal(r.ok, true, said);
    if (r.ok) assert.equal(r.patch.floor, key, said);
  }
  const gone = checkPatch({ floor: null }, FLOORS);
  assert.deepEqual(gone.ok && gone.patch, { floor: null });
  for (const [bad, why] of [
    [{ floor: 'attic' }, /"attic" is not a configured floor \(floors: "ground", "first_floor"\)/],
    [{ floor: '' }, /floor must not be empty/], [{ floor: 2 }, /floor must be a string/], [{ floor: 'x'.repeat(65) }, /longer than 64/],
    [{ floor: 'ground\u0000' }, /control characters/],
  ] as const) {
    const r = checkPatch(bad, FLOORS);
    assert.equal(r.ok, false, JSON.stringify(bad));
    if (!r.ok) assert.match(r.reason, why);
  }
  const none = checkPatch({ floor: 'ground' });
  assert.equal(none.ok, false);
  if (!none.ok) assert.match(none.reason, /no floors are configured/);
});

test('applyPatch sets and drops a floor; reset drops it with the rest', () => {
  assert.deepEqual(applyPatch({ name: 'Lamp' }, { floor: 'ground' }), { name: 'Lamp', floor: 'ground' });
  assert.deepEqual(applyPatch({ name: 'Lamp', floor: 'ground' }, { floor: null }), { name: 'Lamp' });
  assert.equal(applyPatch({ floor: 'ground' }, { floor: null }), null);
  assert.equal(applyPatch({ floor: 'ground' }, { reset: true }), null);
});

test('a stored floor no longer configured is dropped alone; the rest of the override stays', () => {
  const stored = { overrides: { a: { name: 'Lamp', floor: 'attic' }, b: { floor: 'Upstairs' }, c: { floor: 7 } } };
  const { doc, dropped, floorsDropped } = checkOverridesDocument(stored, FLOORS);
  assert.equal(dropped, 0);
  assert.equal(floorsDropped, 2);
  assert.deepEqual(doc.overrides, { a: { name: 'Lamp' }, b: { floor: 'first_floor' }, c: {} });
  assert.equal(checkOverridesDocument(stored).floorsDropped, 3, 'no floors configured: none is kept');
});

test('--floor F and --no-floor map to the PATCH body', () => {
  assert.deepEqual(patchBody({ alias: [], floor: 'upstairs' }), { floor: 'upstairs' });
  assert.deepEqual(patchBody({ alias: [], floor: false }), { floor: null });
});
