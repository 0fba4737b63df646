/** The engine's API: plugin sentences, owners, active intents, live lists, template syntax. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HubError } from '../../../daemon/core/errors.js';
import { IntentEngine, intentLists, isResolveError, toRequestSlots } from '../../../daemon/intents/index.js';
import type { Resolution } from '../../../daemon/intents/index.js';
import type { Device } from '../../../devices/model.js';
import { DEVICES, AREAS, homeEngine } from './fixture.js';

function ids(r: Resolution): string[] | undefined {
  return isResolveError(r) ? undefined : r.devices.map((d) => d.id).sort();
}

describe('plugin sentences', () => {
  test('a plugin adds an intent with its own wildcard slot and removes it again', () => {
    const engine = homeEngine();
    engine.addSentences('en', 'ComExampleRecipe', ['how do i (make|cook) {dish}', 'recipe for {dish}'], { owner: 'com.example.recipes' });
    engine.addSentences('zh', 'ComExampleRecipe', ['{dish}怎么做'], { owner: 'com.example.recipes' });
    const m = engine.match('How do I make pancakes?');
    assert.equal(m?.intent, 'ComExampleRecipe');
    assert.equal(m?.slots.dish, 'pancakes');
    assert.equal(m?.owner, 'com.example.recipes');
    assert.equal(engine.match('红烧肉怎么做')?.slots.dish, '红烧肉');
    engine.removeOwner('com.example.recipes');
    assert.equal(engine.match('how do i make pancakes'), null);
    assert.equal(engine.match('turn on the kitchen light')?.intent, 'HassTurnOn');
  });
  test('plugin sentences may use the built-in rules and lists', () => {
    const engine = homeEngine();
    engine.addSentences('en', 'ComExampleBlink', [{ sentences: ['blink <target> [{number} times]'], domains: ['light'] }], { owner: 'x' });
    const m = engine.match('blink the kitchen light 3 times');
    assert.equal(m?.intent, 'ComExampleBlink');
    assert.equal(m?.slots.number, 3);
    assert.deepEqual(ids(engine.resolve(m!)), ['kitchen_light']);
  });
  test('built-in sentences stay ahead of a plugin\'s (a tie goes to the earlier), though they compile only at the first match', () => {
    // A plugin registers at start-up, before anything is matched: the built-ins are compiled later, at the
    // first match, and still go first.
    const engine = new IntentEngine();
    engine.addSentences('en', 'ComExampleTie', ['turn on <target>', 'turn on {name}'], { owner: 'p' });
    engine.setLists({ devices: DEVICES, areas: AREAS });
    assert.equal(engine.match('turn on the kitchen light')?.intent, 'HassTurnOn');
    engine.setActiveIntents(['ComExampleTie']);
    assert.equal(engine.match('turn on the kitchen light')?.intent, 'ComExampleTie', 'the plugin\'s sentences are there too');
  });
  test('bad templates and languages are refused with PLUGIN_MANIFEST_INVALID, adding nothing', () => {
    const engine = new IntentEngine();
    for (const bad of ['turn (on', 'turn on]', '{unclosed', 'use <no_such_rule>', '{bad name}']) {
      assert.throws(() => engine.addSentences('en', 'X', [bad], { owner: 'p' }),
        (e: unknown) => e instanceof HubError && e.code === 'PLUGIN_MANIFEST_INVALID', bad);
    }
    assert.throws(() => engine.addSentences('de', 'X', ['hallo'], { owner: 'p' }), (e: unknown) => e instanceof HubError);
    assert.throws(() => engine.addSentences('en', 'bad intent', ['hi'], { owner: 'p' }), (e: unknown) => e instanceof HubError);
    assert.ok(!engine.intents().includes('X'));
  });
  test('the weather sentences are there for a weather plugin to answer: the weather plugin ships them', () => {
    assert.ok(homeEngine().intents('zh').includes('HassGetWeather'));
  });
  test('each intent has one owner: the core sentences hold only device intents (and time and date, which no plugin owns)', () => {
    for (const lang of ['en', 'zh'] as const) {
      const core = new IntentEngine().intents(lang);
      for (const owned of ['HassStartTimer', 'HassCancelTimer', 'HassCancelAllTimers', 'HassTimerStatus', 'HassPauseTimer', 'HassUnpauseTimer', 'HassIncreaseTimer', 'HassDecreaseTimer', 'HubStatus', 'HassGetWeather']) {
        assert.ok(!core.includes(owned), `${lang} core sentences still have ${owned}`);
      }
    }
  });
});

describe('which intents may match', () => {
  test('setActiveIntents limits matching to handled intents', () => {
    const engine = homeEngine();
    engine.setActiveIntents(['HassTurnOn']);
    assert.equal(engine.match('set a timer for 5 minutes'), null);
    assert.equal(engine.match('turn on the kitchen light')?.intent, 'HassTurnOn');
    engine.setActiveIntents(null);
    assert.equal(engine.match('set a timer for 5 minutes')?.intent, 'HassStartTimer');
  });
  test('a per-call intent filter', () => {
    const engine = homeEngine();
    assert.equal(engine.match('what is the weather', { intents: new Set(['HassStartTimer']) }), null);
  });
  test('an engine without built-ins matches only what was added', () => {
    const engine = new IntentEngine({ builtins: false });
    assert.equal(engine.match('turn on the kitchen light'), null);
    engine.addSentences('en', 'Hello', ['hello [there]'], { owner: 'p' });
    assert.equal(engine.match('Hello there!')?.intent, 'Hello');
  });
});

describe('live lists', () => {
  test('a renamed device is found by its new name only after setLists', () => {
    const engine = homeEngine();
    assert.equal(ids(engine.resolve(engine.match('turn on the pantry light')!)), undefined);
    const renamed = DEVICES.map((d) => (d.id === 'kitchen_light' ? { ...d, name: 'Pantry Light' } : d));
    engine.setLists({ devices: renamed, areas: AREAS });
    assert.deepEqual(ids(engine.resolve(engine.match('turn on the pantry light')!)), ['kitchen_light']);
  });
  test('config area aliases are spoken forms of the area', () => {
    const engine = new IntentEngine();
    engine.setLists({
      areas: [{ name: 'den', aliases: ['tv room', '小客厅'] }],
      devices: [{ id: 'den_lamp', name: 'Reading Lamp', aliases: [], area: 'den', type: 'light' }],
    });
    assert.deepEqual(ids(engine.resolve(engine.match('turn on the lights in the tv room')!)), ['den_lamp']);
    assert.deepEqual(ids(engine.resolve(engine.match('打开小客厅的灯')!)), ['den_lamp']);
  });
  test('intentLists builds the lists from registry devices and config areas', () => {
    const device: Device = {
      id: 'x1', name: 'Porch Light', aliases: ['front light'], area: 'porch', type: 'light', capabilities: ['onoff'],
      source: 'config', mqtt: { schema: 'default', deviceClass: 'x' }, state: { state: 'on' }, available: true, lastSeen: null,
    };
    const lists = intentLists([device], { porch: { aliases: ['veranda'] } });
    assert.equal(lists.devices[0].deviceClass, 'x');
    assert.deepEqual(lists.areas, [{ name: 'porch', aliases: ['veranda'] }]);
    const engine = new IntentEngine();
    engine.setLists(lists);
    assert.deepEqual(ids(engine.resolve(engine.match('turn off the front light')!)), ['x1']);
    assert.deepEqual(ids(engine.resolve(engine.match('turn off the veranda lights')!)), ['x1']);
  });
});

describe('template syntax', () => {
  const engine = new IntentEngine({ builtins: false });
  engine.addSentences('en', 'T', ['(open|close) [the] window[s] [(now|right away)]', 'count timer(s|)'], { owner: 'p' });
  for (const text of ['open window', 'close the windows', 'open windows right away', 'count timers', 'count timer']) {
    test(text, () => assert.equal(engine.match(text)?.intent, 'T'));
  }
  for (const text of ['open', 'window open', 'open windows later']) {
    test(`not: ${text}`, () => assert.equal(engine.match(text), null));
  }
});

describe('slots for plugins', () => {
  test('toRequestSlots flattens to text, numbers and device ids', () => {
    const engine = homeEngine();
    const m = engine.match('dim the living room lights to 30%')!;
    const slots = toRequestSlots(m, engine.resolve(m));
    assert.equal(slots.area, 'living_room');
    assert.equal(slots.type, 'light');
    assert.equal(slots.brightness, 30);
    assert.deepEqual([...(slots.devices as string[])].sort(), ['floor_lamp', 'lr_ceiling']);
  });
});
