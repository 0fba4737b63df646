import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HubError } from '../../../daemon/core/errors.js';
import { IntentEngine } from '../../../daemon/intents/index.js';
import { EngineAdapter } from '../../../daemon/pipeline/engineAdapter.js';

/** An engine that counts how often it is entered to resolve. */
function counted(recentMatches?: number): { engine: IntentEngine; adapter: EngineAdapter; resolves: () => number } {
  const engine = new IntentEngine(recentMatches === undefined ? {} : { recentMatches });
  engine.setLists({
    areas: [{ name: 'kitchen', aliases: [] }, { name: 'garage', aliases: [] }],
    devices: [
      { id: 'kitchen_light', name: 'Kitchen Light', aliases: [], area: 'kitchen', type: 'light' },
      { id: 'garage_door', name: 'Garage Door', aliases: [], area: 'garage', type: 'cover' },
    ],
  });
  let n = 0;
  const resolve = engine.resolve.bind(engine);
  engine.resolve = (...args) => { n++; return resolve(...args); };
  return { engine, adapter: new EngineAdapter(engine), resolves: () => n };
}

describe('one way through the engine', () => {
  for (const recentMatches of [undefined, 0]) {
    const label = recentMatches === 0 ? 'without the recent-match cache' : 'with the recent-match cache';
    test(`a device intent is resolved when matched; the handler's resolve does not enter the engine again (${label})`, () => {
      const { adapter, resolves } = counted(recentMatches);
      const request = adapter.match('open the garage door', { lang: 'en' })!;
      assert.equal(request.intent, 'HassTurnOn');
      assert.equal(resolves(), 1);
      const targets = adapter.resolve(request);
      assert.equal(resolves(), 1);
      assert.deepEqual(targets.ids, ['garage_door']);
      // The command is the cover kind's decision: "turn on"/"open" a cover opens it.
      assert.deepEqual(targets.commands, [{ command: 'open' }]);
    });

    test(`a refusal decided at match time is thrown by resolve, as a HubError with its code, every time (${label})`, () => {
      const { adapter, resolves } = counted(recentMatches);
      for (const [text, code] of [['turn on the moon lamp', 'DEVICE_NOT_FOUND'], ['set the kitchen light to 250 percent', 'VALUE_OUT_OF_RANGE']]) {
        const request = adapter.match(text, { lang: 'en' })!;
        assert.ok(request, text);
        const before = resolves();
        const thrown: unknown[] = [];
        for (let i = 0; i < 2; i++) {
          assert.throws(() => adapter.resolve(request), (err: unknown) => { thrown.push(err); return err instanceof HubError && err.code === code; });
        }
        // A fresh error each time: a caller that decorates one does not change the next.
        assert.notEqual(thrown[0], thrown[1]);
        assert.equal(resolves(), before);
      }
    });
  }

  test('an intent that is not a device intent is not resolved at match time', () => {
    const { adapter, resolves } = counted();
    adapter.match('set a timer for 5 minutes', { lang: 'en' });
    assert.equal(resolves(), 0);
  });

  test('a request made outside the engine is still matched and resolved from its text', () => {
    const { adapter, resolves } = counted();
    const targets = adapter.resolve({ intent: 'HassTurnOn', text: 'turn on the kitchen light', lang: 'en', slots: {} });
    assert.deepEqual(targets.ids, ['kitchen_light']);
    assert.deepEqual(targets.commands, [{ command: 'turn_on' }]);
    assert.equal(resolves(), 1);
  });
});

describe('the request carries the decision to its handler', () => {
  for (const recentMatches of [undefined, 0]) {
    const label = recentMatches === 0 ? 'without the recent-match cache' : 'with the recent-match cache';
    test(`a matched device intent carries the targets resolve answers, each kind's command, and no refusal (${label})`, () => {
      const { adapter, resolves } = counted(recentMatches);
      const request = adapter.match('open the garage door', { lang: 'en' })!;
      assert.equal(request.refused, undefined);
      assert.deepEqual(request.targets?.ids, ['garage_door']);
      assert.deepEqual(request.targets?.commands, [{ command: 'open' }]);
      assert.equal(request.targets?.done, 'Opened the garage door.');
      const { answer, ...same } = adapter.resolve(request);
      assert.equal(answer, '');
      assert.deepEqual(same, request.targets);
      assert.equal(resolves(), 1);
    });

    test(`a refused device intent carries the refusal's code and sentence, and no targets (${label})`, () => {
      const { adapter } = counted(recentMatches);
      const request = adapter.match('set the kitchen light to 250 percent', { lang: 'en' })!;
      assert.equal(request.targets, undefined);
      assert.deepEqual(request.refused, { code: 'VALUE_OUT_OF_RANGE', message: 'Brightness must be between 0 and 100%.' });
      assert.throws(() => adapter.resolve(request), (err: unknown) => err instanceof HubError && err.code === 'VALUE_OUT_OF_RANGE' && err.message === request.refused!.message);
    });
  }

  test('an intent that is not a device intent carries neither', () => {
    const { adapter } = counted();
    adapter.addSentences({ lang: 'en', intent: 'FixtureGreet', sentences: ['greet the guests'] }, 'com.fixture.greeter');
    const request = adapter.match('greet the guests', { lang: 'en' });
    assert.equal(request?.intent, 'FixtureGreet');
    assert.equal(request.targets, undefined);
    assert.equal(request.refused, undefined);
  });
});

test('a change relative to the state now ("a bit brighter") carries no targets: its level is worked out when carried out', () => {
  const engine = new IntentEngine();
  const state: Record<string, unknown> = { state: 'on', brightness: 40 };
  engine.setLists({ areas: [{ name: 'kitchen', aliases: [] }], devices: [{ id: 'kitchen_light', name: 'Kitchen Light', aliases: [], area: 'kitchen', type: 'light' }] });
  const adapter = new EngineAdapter(engine, () => state);
  const request = adapter.match('make the kitchen light brighter', { lang: 'en' });
  assert.ok(request, 'the sentence matches');
  assert.equal(request.targets, undefined);
  assert.equal(request.refused, undefined);
  const first = adapter.resolve(request).commands[0] as { params: { brightness: number } };
  state.brightness = 80;
  const later = adapter.resolve(request).commands[0] as { params: { brightness: number } };
  assert.ok(later.params.brightness > first.params.brightness, `from the state now: ${first.params.brightness} then ${later.params.brightness}`);
});
