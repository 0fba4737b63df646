import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IntentEngine, isResolveError } from '../../../daemon/intents/index.js';
import { commandReply } from '../../../daemon/intents/responses.js';
import { AREAS, DEVICES } from './fixture.js';

const engine = new IntentEngine();
engine.setLists({ devices: DEVICES, areas: AREAS });

function run(text: string): { intent: string; ids: string[]; reply: string } {
  const match = engine.match(text);
  assert.ok(match, `${text}: no match`);
  const r = engine.resolve(match);
  assert.ok(!isResolveError(r), `${text}: ${JSON.stringify(r)}`);
  return { intent: match.intent, ids: r.devices.map((d) => d.id).sort(), reply: commandReply(match, r, engine.deviceLists) };
}

test('two rooms in one command: every light of both, one reply naming both rooms', () => {
  const on = run('turn on the kitchen and the hallway lights');
  assert.equal(on.intent, 'HassTurnOn');
  assert.deepEqual(on.ids, ['counter_lights', 'hall_light', 'kitchen_light']);
  assert.equal(on.reply, 'Turned on the kitchen and hallway lights.');
  assert.deepEqual(run('switch off the lights in the bedroom and the office').ids, ['bedroom_lamp', 'office_lamp']);
  const zh = run('打开客厅和卧室的灯');
  assert.deepEqual(zh.ids, ['bedroom_lamp', 'floor_lamp', 'lr_ceiling']);
  assert.equal(zh.reply, '已打开客厅和卧室的灯。');
  assert.equal(run('把厨房和卧室的灯关掉').intent, 'HassTurnOff');
});

test('two names in one command: both devices, each named in the reply', () => {
  const both = run('turn off the floor lamp and the office lamp');
  assert.equal(both.intent, 'HassTurnOff');
  assert.deepEqual(both.ids, ['floor_lamp', 'office_lamp']);
  assert.equal(both.reply, 'Turned off the floor lamp and the office lamp.');
  assert.deepEqual(run('打开客厅吊灯和卧室台灯').ids.length, 2);
  // Once a no-match on purpose (negative.test.ts); two names the user said are two targets now.
  assert.deepEqual(run('turn on the kitchen light and the hallway light').ids, ['hall_light', 'kitchen_light']);
});

test('one unknown target fails the whole command: nothing is acted on', () => {
  const match = engine.match('turn on the kitchen and the garage lights');
  assert.ok(match);
  const r = engine.resolve(match);
  assert.ok(isResolveError(r), 'the garage has no lights: refused, the kitchen is not switched alone');
  assert.equal(engine.match('turn on the moon and the sun'), null);
});
