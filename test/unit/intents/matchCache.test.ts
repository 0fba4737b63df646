/** The engine keeps the match of recent texts: same answers as the matcher, never stale, never shared mutable. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IntentEngine, type IntentDevice } from '../../../daemon/intents/index.js';
import { AREAS, DEVICES, homeEngine } from './fixture.js';

describe('recent matches', () => {
  test('a repeated sentence gets the same match as the first time, frozen so no caller can change it for the next', () => {
    const engine = homeEngine();
    const first = engine.match('turn on the kitchen light', { lang: 'en' });
    const again = engine.match('turn on the kitchen light', { lang: 'en' });
    assert.equal(first?.intent, 'HassTurnOn');
    assert.deepEqual(again, first);
    assert.ok(Object.isFrozen(again) && Object.isFrozen(again!.slots), 'a shared match is read-only');
    assert.throws(() => { (again!.slots as Record<string, unknown>).brightness = 5; }, TypeError);
    assert.equal(engine.match('turn on the kitchen light', { lang: 'en' })?.slots.brightness, undefined);
  });

  test('the asking client\'s area goes with its own match only', () => {
    const engine = homeEngine();
    assert.equal(engine.match('turn on the lights in here', { lang: 'en', area: 'kitchen' })?.sessionArea, 'kitchen');
    assert.equal(engine.match('turn on the lights in here', { lang: 'en', area: 'bedroom' })?.sessionArea, 'bedroom');
    assert.equal(engine.match('turn on the lights in here', { lang: 'en' })?.sessionArea, undefined);
  });

  test('new device names are matched at once, even for a text that matched something else before', () => {
    const engine = homeEngine();
    assert.equal(engine.match('turn on the disco ball')?.slots.name?.unknown, true, 'before: a name nobody has');
    const disco: IntentDevice = { id: 'disco', name: 'Disco Ball', aliases: [], area: 'living_room', type: 'switch', capabilities: ['onoff'], state: { state: 'off' } };
    engine.setLists({ devices: [...DEVICES, disco], areas: AREAS });
    assert.deepEqual(engine.match('turn on the disco ball')?.slots.name?.ids, ['disco']);
  });

  test('a sentence that matched nothing matches once a plugin adds it, and stops when the plugin goes', () => {
    const engine = homeEngine();
    assert.equal(engine.match('make me a sandwich'), null);
    engine.addSentences('en', 'ComExampleSandwich', ['make me a sandwich'], { owner: 'deli' });
    assert.equal(engine.match('make me a sandwich')?.intent, 'ComExampleSandwich');
    engine.removeOwner('deli');
    assert.equal(engine.match('make me a sandwich'), null);
  });

  test('switching intents off applies to texts already seen', () => {
    const engine = homeEngine();
    assert.equal(engine.match('turn on the kitchen light')?.intent, 'HassTurnOn');
    engine.setActiveIntents(['HassTurnOff']);
    assert.equal(engine.match('turn on the kitchen light')?.intent, undefined);
    engine.setActiveIntents(null);
    assert.equal(engine.match('turn on the kitchen light')?.intent, 'HassTurnOn');
  });

  test('the same text in another language setting is its own entry', () => {
    const engine = homeEngine();
    assert.equal(engine.match('打开厨房的灯', { lang: 'zh' })?.lang, 'zh');
    assert.equal(engine.match('打开厨房的灯')?.lang, 'zh');
    assert.equal(engine.match('turn on the kitchen light', { lang: 'en' })?.lang, 'en');
  });

  test('recentMatches: 0 matches every text afresh (what the intents benchmark times)', () => {
    const engine = new IntentEngine({ recentMatches: 0 });
    engine.setLists({ devices: DEVICES, areas: AREAS });
    const first = engine.match('turn on the kitchen light');
    const again = engine.match('turn on the kitchen light');
    assert.equal(first?.intent, 'HassTurnOn');
    assert.notEqual(first, again, 'a new match each time');
    assert.equal(Object.isFrozen(first), false);
  });
});
