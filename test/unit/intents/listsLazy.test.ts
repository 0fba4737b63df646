/**
 * The fixed lists' tries are built at their first read, not when lists.ts loads (10–15 ms of the hub's
 * start-up before `listening`); whether a name is a fixed list is answered without them, from the same
 * names the build uses. This file runs in its own process (node --test), so nothing has read them first.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { staticLists, staticListsBuilt } from '../../../daemon/intents/lists.js';
import { STATIC_LISTS } from '../../../daemon/intents/sentences/lists.js';
import { kindLists } from '../../../devices/kinds/index.js';
import { IntentEngine } from '../../../daemon/intents/engine.js';

test('compiling sentences asks only for list names; the first match builds the tries', () => {
  const engine = new IntentEngine({ builtins: false });
  engine.addSentences('en', 'ComExampleCount', ['{count} lamps are {state}'], { owner: 'test' });
  assert.equal(staticListsBuilt(), false);
  assert.equal(staticLists.has('state'), true);
  assert.equal(staticListsBuilt(), false);
  assert.equal(engine.match('how many lamps are on')?.intent, 'ComExampleCount');
  assert.equal(staticListsBuilt(), true);
});

test('has() names exactly the lists get() holds', () => {
  const names = ['type', ...Object.keys(STATIC_LISTS), ...Object.keys(kindLists())];
  for (const name of names) {
    assert.equal(staticLists.has(name), true, name);
    assert.notEqual(staticLists.get(name), undefined, name);
  }
  for (const name of ['name', 'area', 'nope', 'constructor', '__proto__']) {
    assert.equal(staticLists.has(name), false, name);
    assert.equal(staticLists.get(name), undefined, name);
  }
});
