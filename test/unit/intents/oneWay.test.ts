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
