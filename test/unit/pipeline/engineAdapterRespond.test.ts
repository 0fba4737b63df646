import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IntentEngine } from '../../../daemon/intents/index.js';
import { EngineAdapter } from '../../../daemon/pipeline/engineAdapter.js';

const adapter = new EngineAdapter(new IntentEngine());

test('respond renders a shared response in either language', () => {
  assert.equal(adapter.respond('no_match', {}, 'zh'), '抱歉，我没听懂。');
  assert.equal(typeof adapter.respond('no_match', {}, 'en'), 'string');
});

test('respond answers null, never throws, for keys that only Object.prototype has', () => {
  for (const key of ['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf', 'isPrototypeOf']) {
    for (const lang of ['en', 'zh']) assert.equal(adapter.respond(key, {}, lang), null, `${key} (${lang})`);
  }
});

test('respond ignores variables that are not a plain object (as an isolated plugin may send)', () => {
  assert.equal(typeof adapter.respond('no_match', null as unknown as Record<string, unknown>, 'en'), 'string');
  assert.equal(typeof adapter.respond('no_match', 'x' as unknown as Record<string, unknown>, 'en'), 'string');
});
