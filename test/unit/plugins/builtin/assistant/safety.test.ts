import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DeviceView } from '../../../../../plugins/sdk/index.js';
import { answerOf, Confirmations, needsConfirmation } from '../../../../../plugins/builtin/assistant/safety.js';

const view = (over: Partial<DeviceView>): DeviceView => ({
  id: 'd', name: 'D', aliases: [], type: 'light', capabilities: ['onoff'], state: {}, available: true, ...over,
});

test('locks, garage doors, gates, alarms and sensitive devices need a yes; lights and blinds do not', () => {
  assert.equal(needsConfirmation(view({ type: 'lock', capabilities: ['lock'] }), false), true);
  assert.equal(needsConfirmation(view({ type: 'cover', deviceClass: 'garage' }), false), true);
  assert.equal(needsConfirmation(view({ type: 'cover', deviceClass: 'gate' }), false), true);
  assert.equal(needsConfirmation(view({ type: 'switch', deviceClass: 'alarm_panel' }), false), true);
  assert.equal(needsConfirmation(view({ type: 'switch', deviceClass: 'siren' }), false), true);
  assert.equal(needsConfirmation(view({ type: 'switch' }), true), true, 'sensitive: true');
  assert.equal(needsConfirmation(view({ type: 'light' }), false), false);
  assert.equal(needsConfirmation(view({ type: 'cover', deviceClass: 'blind' }), false), false);
});

test('yes and no in English and Chinese; anything else is a new request', () => {
  for (const t of ['yes', 'Yes.', 'yeah', 'ok', 'please do', 'do it', '是', '好的', '确认！']) assert.equal(answerOf(t), 'yes', t);
  for (const t of ['no', 'No!', 'cancel', "don't", 'never mind', '不', '取消', '算了']) assert.equal(answerOf(t), 'no', t);
  for (const t of ['yes and open the garage too', 'unlock the back door', 'nobody', '是不是', '']) assert.equal(answerOf(t), 'other', t);
});

test('a confirmation is asked once, answered once, and expires', () => {
  let now = 0;
  const confirmations = new Confirmations(30_000, 2, () => now);
  const pending = { deviceId: 'front_door', name: 'Front Door', command: { command: 'unlock' as const }, lang: 'en' as const };
  confirmations.ask('s1', pending);
  assert.equal(confirmations.take('s1')?.deviceId, 'front_door');
  assert.equal(confirmations.take('s1'), null, 'taken once');
  confirmations.ask('s1', pending);
  now += 30_001;
  assert.equal(confirmations.take('s1'), null, 'expired');
  confirmations.ask('a', pending);
  confirmations.ask('b', pending);
  confirmations.ask('c', pending);
  assert.equal(confirmations.take('a'), null, 'bounded: the stalest went');
  assert.ok(confirmations.take('c'));
});
