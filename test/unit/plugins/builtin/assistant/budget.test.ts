import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Budget } from '../../../../../plugins/builtin/assistant/budget.js';
import { History } from '../../../../../plugins/builtin/assistant/history.js';

test('the budget allows maxPerHour per subject in any hour, and frees each slot an hour after it was used', () => {
  let now = 1_000_000;
  const budget = new Budget({ perHour: 3, perMinute: 1000 }, () => now);
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(budget.take('kitchen'), { ok: true });
    now += 10 * 60_000;
  }
  assert.deepEqual(budget.take('kitchen'), { ok: false, reason: 'over_budget', limit: 3 });
  assert.deepEqual(budget.take('hall'), { ok: true }, 'another subject has its own');
  now += 30 * 60_000 + 1; // the first use is now more than an hour old
  assert.deepEqual(budget.take('kitchen'), { ok: true });
  assert.equal(budget.take('kitchen').ok, false);
});

test('the hub-wide rate: perMinute at once, then refilled over the minute; a subject over its own budget does not use it up', () => {
  let now = 0;
  const budget = new Budget({ perHour: 100, perMinute: 2 }, () => now);
  assert.equal(budget.take('a').ok, true);
  assert.equal(budget.take('b').ok, true);
  assert.deepEqual(budget.take('c'), { ok: false, reason: 'hub_busy', limit: 2 });
  now += 30_000; // half a minute: one more
  assert.equal(budget.take('c').ok, true);
  assert.equal(budget.take('d').ok, false);
  const strict = new Budget({ perHour: 0, perMinute: 1 }, () => now);
  assert.equal(strict.take('x').ok, false);
  assert.equal(strict.take('x').ok, false);
  assert.deepEqual(new Budget({ perHour: 1, perMinute: 1 }, () => now).take('y'), { ok: true });
});

test('the budget tracks a bounded number of subjects, forgetting the least recently asked', () => {
  const now = 0;
  const budget = new Budget({ perHour: 1, perMinute: 1e9, maxSubjects: 2 }, () => now);
  budget.take('a');
  budget.take('b');
  budget.take('c'); // 'a' is forgotten
  assert.equal(budget.take('a').ok, true, 'a started afresh');
  assert.equal(budget.take('c').ok, false, 'c is still counted');
});

test('history keeps the last turns of a session for five minutes after the last one', () => {
  let now = 0;
  const history = new History({ ttlMs: 300_000, maxTurns: 2, maxSessions: 2 }, () => now);
  history.add('s1', { user: 'a', assistant: 'A' });
  history.add('s1', { user: 'b', assistant: 'B' });
  history.add('s1', { user: 'c', assistant: 'C' });
  assert.deepEqual(history.turns('s1').map((t) => t.user), ['b', 'c']);
  now += 299_999;
  assert.equal(history.turns('s1').length, 2);
  now += 2;
  assert.deepEqual(history.turns('s1'), []);
  history.add('s1', { user: 'x', assistant: 'X' });
  history.add('s2', { user: 'y', assistant: 'Y' });
  history.add('s3', { user: 'z', assistant: 'Z' });
  assert.deepEqual(history.turns('s1'), [], 'the stalest session went');
  assert.equal(history.turns('s3').length, 1);
});
