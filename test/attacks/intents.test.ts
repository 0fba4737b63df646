/**
 * Hostile text against the intent engine (issue 14, bad input): any text up to 500 characters, in any script,
 * comes back with a match or none within the engine's step budget (no timed assertions here: the time per
 * sentence is in `npm run bench`), and never acts on a device the text does not name.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IntentEngine, isResolveError } from '../../daemon/intents/index.js';
import { UTTERANCE_STEP_BUDGET } from '../../daemon/intents/engine.js';
import { STEP_BUDGET } from '../../daemon/intents/matcher.js';
import { syntheticDevices } from '../bench/intents.js';
import { addBundledPluginSentences } from '../helpers/builtinSentences.js';
import { adversarialTexts } from '../helpers/adversarialTexts.js';

function engine(): IntentEngine {
  const e = addBundledPluginSentences(new IntentEngine({ recentMatches: 0 }));
  e.setLists({ devices: syntheticDevices(500), areas: [] });
  return e;
}

describe('hostile text against the intent engine', () => {
  const e = engine();
  for (const text of adversarialTexts()) {
    test(`${JSON.stringify(text.slice(0, 24))}… (${text.length} chars) stays within the step budget`, () => {
      const m = e.match(text);
      assert.ok(e.lastSteps <= UTTERANCE_STEP_BUDGET + STEP_BUDGET + 1, `${e.lastSteps} steps`);
      if (m) {
        const r = e.resolve(m);
        // Whatever it matched, it never acts on everything by accident: a device command needs a target the text names.
        if (!isResolveError(r) && r.devices.length > 0) {
          const words = text.toLowerCase();
          assert.ok(r.devices.every((d) => words.includes(d.name.toLowerCase().split(' ')[0]) || /light|lamp|灯/.test(words)), `${text.slice(0, 40)} acted on ${r.devices.map((d) => d.id).join(',')}`);
        }
      }
    });
  }

  test('the budget is reached by the worst of them and holds, and an ordinary sentence is far below it', () => {
    const worst = Math.max(...adversarialTexts().map((t) => { e.match(t); return e.lastSteps; }));
    assert.ok(worst <= UTTERANCE_STEP_BUDGET + STEP_BUDGET + 1, String(worst));
    e.match('turn on the kitchen light');
    assert.ok(e.lastSteps > 0 && e.lastSteps < 5_000, `ordinary: ${e.lastSteps} steps`);
  });

  test('longer than the engine takes is no match at all, not a partial one', () => {
    assert.equal(e.match(`turn on the kitchen light ${'x'.repeat(2000)}`), null);
  });
});
