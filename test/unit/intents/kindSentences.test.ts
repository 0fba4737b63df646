import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IntentEngine } from '../../../daemon/intents/index.js';
import type { IntentDevice } from '../../../daemon/intents/index.js';

const LAMP: IntentDevice = { id: 'lamp', name: 'Lamp', aliases: [], type: 'light', capabilities: ['onoff'], state: {} };
const ROBOT: IntentDevice = { id: 'robot', name: 'Robbie', aliases: [], type: 'vacuum', capabilities: ['start', 'return_home'], state: {} };

test('a kind\'s own sentences are tried only while the home has a device of that kind, and again once it has', () => {
  const e = new IntentEngine();
  e.prepare();
  e.setLists({ devices: [LAMP] });
  // At most the unknown-device answer of the common sentences ("I don't know a device called vacuum").
  assert.notEqual(e.match('start the vacuum', { lang: 'en' })?.intent ?? null, 'HassVacuumStart');
  assert.equal(e.match('扫地机回充', { lang: 'zh' }), null);
  e.setLists({ devices: [LAMP, ROBOT] });
  assert.equal(e.match('start the vacuum', { lang: 'en' })?.intent, 'HassVacuumStart');
  assert.equal(e.match('扫地机回充', { lang: 'zh' })?.intent, 'HassVacuumReturnToBase');
  e.setLists({ devices: [LAMP] });
  assert.notEqual(e.match('send robbie home', { lang: 'en' })?.intent ?? null, 'HassVacuumReturnToBase');
});

test('a sentence is not tried when the text lacks one of its words or list values, and still matches when it has them', () => {
  const e = new IntentEngine({ recentMatches: 0 });
  e.setLists({ devices: [{ ...LAMP, capabilities: ['onoff', 'color'] }] });
  assert.equal(e.match('make the lamp purple', { lang: 'en' })?.slots.color, 'purple');
  assert.equal(e.match('make the lamp purplish', { lang: 'en' })?.intent, undefined);
  assert.equal(e.match('turn on the lamp', { lang: 'en' })?.intent, 'HassTurnOn');
});
