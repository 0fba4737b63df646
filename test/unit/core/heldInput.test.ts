import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HeldInput } from '../../../daemon/core/heldInput.js';
import { TurnBudget } from '../../../daemon/core/turnBudget.js';

/** A held input over a budget on a hand-moved clock, recording what its owner is asked to do. */
function harness() {
  let now = 0;
  const phases: Array<() => void> = [];
  const budget = new TurnBudget({ budgetMs: 8, maxPerPhase: 256, now: () => now, defer: (fn) => { phases.push(fn); } });
  const calls: string[] = [];
  let live = true;
  const input = new HeldInput({
    handle: (data, binary) => calls.push(`handle ${data.toString()}${binary ? ' binary' : ''}`),
    pause: () => calls.push('pause'),
    live: () => live,
    released: () => calls.push('released'),
  }, budget);
  return {
    input, calls,
    overBudget() { budget.admit(); now += 10; },
    checkPhase() { for (const fn of phases.splice(0)) fn(); },
    close() { live = false; },
  };
}

test('within the budget input is handled at once, nothing paused', () => {
  const h = harness();
  h.input.take(Buffer.from('a'));
  h.input.take(Buffer.from('b'), true);
  assert.deepEqual(h.calls, ['handle a', 'handle b binary']);
  assert.equal(h.input.holding, false);
});

test('past the budget input is held in order, the source paused with each, and handed on in the check phase before the owner resumes', () => {
  const h = harness();
  h.overBudget();
  h.input.take(Buffer.from('a'));
  h.input.take(Buffer.from('b'), true);
  assert.equal(h.input.holding, true);
  assert.deepEqual(h.calls, ['pause', 'pause']);
  h.checkPhase();
  assert.deepEqual(h.calls, ['pause', 'pause', 'handle a', 'handle b binary', 'released']);
  assert.equal(h.input.holding, false);
  h.input.take(Buffer.from('c'));
  assert.deepEqual(h.calls.at(-1), 'handle c', 'a fresh phase takes input at once again');
});

test('an owner gone before or during the release: nothing more is handled and it is not resumed', () => {
  const h = harness();
  h.overBudget();
  h.input.take(Buffer.from('a'));
  h.close();
  h.checkPhase();
  assert.deepEqual(h.calls, ['pause']);

  const g = harness();
  g.overBudget();
  g.input.take(Buffer.from('a'));
  g.input.take(Buffer.from('b'));
  const calls = g.calls;
  // The first held input closes its owner (a frame that ends the connection): the second is dropped.
  calls.push = function (this: string[], ...items: string[]) {
    const n = Array.prototype.push.apply(this, items);
    if (items[0] === 'handle a') g.close();
    return n;
  };
  g.checkPhase();
  assert.deepEqual([...calls], ['pause', 'pause', 'handle a']);
});
