import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nameKeys, normaliseName } from '../../../devices/names.js';

test('underscores, hyphens, slashes, case and extra spaces normalise alike', () => {
  assert.equal(normaliseName('kitchen_ceiling'), 'kitchen ceiling');
  assert.equal(normaliseName('Kitchen-Ceiling'), 'kitchen ceiling');
  assert.equal(normaliseName('  Kitchen   Ceiling  '), 'kitchen ceiling');
  assert.equal(normaliseName('kitchen/kettle_plug'), 'kitchen kettle plug');
});

test('full-width letters, digits and the ideographic space fold to half-width (NFKC)', () => {
  assert.equal(normaliseName('ｋｉｔｃｈｅｎ　ｃｅｉｌｉｎｇ'), 'kitchen ceiling');
  assert.equal(normaliseName('Ｌａｍｐ１'), 'lamp1');
  assert.equal(normaliseName('客厅　灯'), '客厅 灯');
});

test('nameKeys covers the name and aliases without duplicates or empty keys', () => {
  assert.deepEqual(nameKeys('Kitchen_Ceiling', ['kitchen ceiling', 'big light', '  ']), ['kitchen ceiling', 'big light']);
});
