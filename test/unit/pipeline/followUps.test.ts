import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HubError } from '../../../daemon/core/errors.js';
import { EngineAdapter } from '../../../daemon/pipeline/engineAdapter.js';
import { FOLLOW_UP_MS } from '../../../daemon/pipeline/followUps.js';
import { addBundledPluginSentences } from '../../helpers/builtinSentences.js';
import { IntentEngine } from '../../../daemon/intents/index.js';
import { AREAS, DEVICES } from '../intents/fixture.js';

function setup(): { adapter: EngineAdapter; clock: { now: number } } {
  const clock = { now: 1_000_000 };
  const engine = addBundledPluginSentences(new IntentEngine());
  const adapter = new EngineAdapter(engine, undefined, () => ({ devices: DEVICES, areas: AREAS }), () => clock.now);
  adapter.invalidate();
  return { adapter, clock };
}

function targets(adapter: EngineAdapter, text: string, session = 's1', lang = 'en'): string[] {
  const request = adapter.match(text, { lang, session });
  assert.ok(request, `${text}: no match`);
  return [...adapter.resolve(request).ids].sort();
}

function asked(adapter: EngineAdapter, text: string, session = 's1'): string {
  const request = adapter.match(text, { lang: 'en', session });
  assert.ok(request);
  try {
    adapter.resolve(request);
  } catch (err) {
    assert.ok(err instanceof HubError && err.code === 'DEVICE_AMBIGUOUS', String(err));
    return err.message;
  }
  throw new Error(`${text}: no question asked`);
}

test('the answer to "which lamp" completes the command, in the same session only', () => {
  const { adapter } = setup();
  assert.match(asked(adapter, 'turn on the lamp'), /^Which lamp/);
  assert.equal(adapter.match('the office one', { lang: 'en', session: 'other' }), null, 'another session asked nothing');
  const request = adapter.match('the office one', { lang: 'en', session: 's1' });
  assert.equal(request?.intent, 'HassTurnOn');
  assert.deepEqual([...adapter.resolve(request!).ids], ['office_lamp']);
});

test('"and the bedroom too" repeats the last command for another room; "also X" for another device', () => {
  const { adapter } = setup();
  assert.deepEqual(targets(adapter, 'turn off the kitchen light'), ['kitchen_light']);
  assert.deepEqual(targets(adapter, 'and the bedroom too'), ['bedroom_lamp']);
  assert.equal(adapter.match('and the bedroom too', { lang: 'en', session: 's1' })?.intent, 'HassTurnOff');
  assert.deepEqual(targets(adapter, 'also the office lamp'), ['office_lamp']);
  assert.deepEqual(targets(adapter, '关掉厨房灯', 's2', 'zh'), ['kitchen_light']);
  assert.deepEqual(targets(adapter, '卧室也是', 's2', 'zh'), ['bedroom_lamp']);
});

test('a follow-up expires after 30 s, and never mind forgets it', () => {
  const { adapter, clock } = setup();
  targets(adapter, 'turn off the kitchen light');
  clock.now += FOLLOW_UP_MS + 1;
  assert.equal(adapter.match('and the bedroom too', { lang: 'en', session: 's1' }), null);
  asked(adapter, 'turn on the lamp');
  assert.equal(adapter.match('never mind', { lang: 'en', session: 's1' })?.intent, 'HassNevermind');
  assert.equal(adapter.match('the office one', { lang: 'en', session: 's1' }), null);
  targets(adapter, 'turn off the kitchen light');
  assert.equal(adapter.match('and the moon too', { lang: 'en', session: 's1' }), null, 'only rooms and devices the hub knows');
});

test('the open question is handed to a fallback with what led to it and the devices it named, until answered, taken or stale', () => {
  const { adapter, clock } = setup();
  assert.equal(adapter.openQuestion('s1'), null, 'nothing asked yet');
  const question = asked(adapter, 'turn on the lamp');
  assert.equal(adapter.match('the one by the window', { lang: 'en', session: 's1' }), null, 'words no list knows');
  const open = adapter.openQuestion('s1');
  assert.ok(open);
  assert.equal(open.text, question);
  assert.equal(open.asked, 'turn on the lamp');
  assert.ok(open.candidates.length >= 2 && open.candidates.every((c) => typeof c.name === 'string' && c.name.length > 0), JSON.stringify(open.candidates));
  assert.ok(open.candidates.some((c) => c.id === 'office_lamp'));
  assert.equal(adapter.openQuestion('other'), null, 'another session asked nothing');
  // Taken by a fallback: no longer open, and no longer answered locally either.
  adapter.questionTaken('s1');
  assert.equal(adapter.openQuestion('s1'), null);
  assert.equal(adapter.match('the office one', { lang: 'en', session: 's1' }), null);
  // Answered locally: closed.
  asked(adapter, 'turn on the lamp');
  assert.ok(adapter.match('the office one', { lang: 'en', session: 's1' }));
  assert.equal(adapter.openQuestion('s1'), null);
  // Stale after FOLLOW_UP_MS.
  asked(adapter, 'turn on the lamp');
  clock.now += FOLLOW_UP_MS + 1;
  assert.equal(adapter.openQuestion('s1'), null);
});

test('taking the open question keeps the last command for "…too"', () => {
  const { adapter } = setup();
  assert.deepEqual(targets(adapter, 'turn off the kitchen light'), ['kitchen_light']);
  asked(adapter, 'turn on the lamp');
  adapter.questionTaken('s1');
  assert.equal(adapter.openQuestion('s1'), null);
  assert.deepEqual(targets(adapter, 'and the bedroom too'), ['bedroom_lamp']);
});
