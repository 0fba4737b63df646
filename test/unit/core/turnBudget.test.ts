import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TurnBudget } from '../../../daemon/core/turnBudget.js';

/** A budget on a hand-moved clock whose check phases run when the test says. */
function harness(budgetMs = 8, maxPerPhase = 256) {
  let now = 0;
  const phases: Array<() => void> = [];
  const budget = new TurnBudget({ budgetMs, maxPerPhase, now: () => now, defer: (fn) => { phases.push(fn); } });
  return {
    budget,
    advance(ms: number) { now += ms; },
    /** Runs the check phases booked so far (those booked while running wait for the next call). */
    checkPhase() { for (const fn of phases.splice(0)) fn(); },
    get booked() { return phases.length; },
  };
}

test('input is handled at once while the phase is within its budget, then held', () => {
  const h = harness(8);
  assert.equal(h.budget.admit(), true);
  h.advance(5);
  assert.equal(h.budget.admit(), true, '5 ms into an 8 ms budget');
  h.advance(4);
  assert.equal(h.budget.admit(), false, '9 ms: past the budget');
  assert.equal(h.booked, 1, 'one check phase booked for the phase, not one per input');
});

test('held input runs once each, in arrival order, in the check phase; new input queues behind it', () => {
  const h = harness(8);
  const ran: string[] = [];
  h.budget.admit();
  h.advance(10);
  assert.equal(h.budget.admit(), false);
  h.budget.hold(() => ran.push('a'));
  h.budget.hold(() => ran.push('b'));
  // Within budget again would not matter: somebody is waiting, so a newcomer waits behind them.
  assert.equal(h.budget.admit(), false);
  h.budget.hold(() => ran.push('c'));
  assert.deepEqual(ran, []);
  h.checkPhase();
  assert.deepEqual(ran, ['a', 'b', 'c']);
  assert.equal(h.budget.waiting, 0);
  h.checkPhase();
  assert.deepEqual(ran, ['a', 'b', 'c'], 'nothing runs twice');
  assert.equal(h.budget.held, 3);
  assert.equal(h.budget.maxLine, 3);
});

test('a check phase stops at its budget and leaves the rest for the next turn, none lost', () => {
  const h = harness(8);
  const ran: number[] = [];
  for (let i = 0; i < 10; i++) h.budget.hold(() => { ran.push(i); h.advance(3); });
  h.checkPhase();
  // 3 ms each: after the third the phase has spent 9 ms, past 8.
  assert.deepEqual(ran, [0, 1, 2]);
  assert.equal(h.budget.waiting, 7);
  assert.equal(h.booked, 1, 'the rest is booked for the next turn');
  assert.equal(h.budget.admit(), false, 'the next poll phase holds new input behind the line');
  h.budget.hold(() => ran.push(99));
  while (h.booked > 0) h.checkPhase();
  assert.deepEqual(ran, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 99]);
});

test('a check phase runs at most maxPerPhase, and at least one even when already past its budget', () => {
  const h = harness(8, 4);
  const ran: number[] = [];
  for (let i = 0; i < 10; i++) h.budget.hold(() => ran.push(i));
  h.checkPhase();
  assert.equal(ran.length, 4);
  const slow = harness(1, 100);
  const slowRan: number[] = [];
  for (let i = 0; i < 3; i++) slow.budget.hold(() => { slowRan.push(i); slow.advance(50); });
  slow.checkPhase();
  assert.deepEqual(slowRan, [0], 'one at least, so the line always moves');
});

test('one held input that throws does not stop the line', () => {
  const h = harness(8);
  const ran: string[] = [];
  h.budget.hold(() => { throw new Error('boom'); });
  h.budget.hold(() => ran.push('after'));
  h.checkPhase();
  assert.deepEqual(ran, ['after']);
});

test('with nothing waiting the phase closes: the next input opens a new one with a fresh budget', () => {
  const h = harness(8);
  h.budget.admit();
  h.advance(20);
  h.checkPhase();
  assert.equal(h.budget.admit(), true, 'a new phase: its budget starts now');
});
