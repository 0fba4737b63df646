import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BARE_TARGET, openLoopSummary, rotate, type OpenLoopRun } from '../../bench/openLoop.js';

/** A row of one round: only what the summary reads. */
function row(target: string, rate: number, round: number, p99Ms: number, extra: Partial<OpenLoopRun> = {}): OpenLoopRun {
  return {
    target, rate, round, seconds: 4, sent: 800, replies: 800, errors: 0, errorCodes: {}, unanswered: 0,
    p50Ms: 1, p99Ms, maxMs: p99Ms * 2, sendLagP99Ms: 0.1, ...extra,
  };
}

const commands = (p99Ms: number, lost = 0) => ({ expected: 800, received: 800 - lost, lost, p50Ms: 1, p99Ms, maxMs: p99Ms });

test('each round\'s hub p99 is set against the bare server\'s of the same round; the ratio is their median, with the range', () => {
  const runs = [
    row('hub', 200, 0, 6, { commands: commands(9) }), row(BARE_TARGET, 200, 0, 3),
    // Round 1's bare server was slow: its own ratio is low, which a ratio of medians would hide.
    row(BARE_TARGET, 200, 1, 12), row('hub', 200, 1, 6, { commands: commands(6) }),
    row('hub', 200, 2, 4, { commands: commands(8, 1), errors: 2, unanswered: 1 }), row(BARE_TARGET, 200, 2, 4, { errors: 1 }),
  ];
  const [s, ...more] = openLoopSummary(runs);
  assert.equal(more.length, 0);
  assert.equal(s!.rounds, 3);
  assert.deepEqual(s!.replyRatios, [2, 0.5, 1]);
  assert.equal(s!.replyRatio, 1);
  assert.deepEqual(s!.replyRange, [0.5, 2]);
  assert.deepEqual(s!.commandRatios, [3, 0.5, 2]);
  assert.equal(s!.commandRatio, 2);
  assert.deepEqual(s!.commandRange, [0.5, 3]);
  // Failures are counted over all rounds, never a median.
  assert.equal(s!.errors, 2);
  assert.equal(s!.unanswered, 1);
  assert.equal(s!.commandsLost, 1);
  assert.equal(s!.commandsOwed, 2400);
  assert.equal(s!.sent, 2400);
  assert.equal(s!.bareFailures, 1);
});

test('every hub variant and every rate gets its own summary against that rate\'s bare rounds', () => {
  const runs = [
    row('hub', 200, 0, 2), row('hub, other', 200, 0, 8), row(BARE_TARGET, 200, 0, 4),
    row('hub', 2000, 0, 10), row(BARE_TARGET, 2000, 0, 5), row('hub, other', 2000, 0, 5),
  ];
  const got = openLoopSummary(runs).map((s) => [s.target, s.rate, s.replyRatio]);
  assert.deepEqual(got, [['hub', 200, 0.5], ['hub, other', 200, 2], ['hub', 2000, 2], ['hub, other', 2000, 1]]);
});

test('the slowest 1 % and their GC pauses are summed over the rounds', () => {
  const tail = (slow: number, withGc: number, major: number) => ({
    slow, slowWithGc: withGc, slowWithMajorGc: major, slowSentLate: 0, allWithGcShare: 0.01,
    gc: { minor: 1, major: 1, minorMaxMs: 1, majorMaxMs: 1, totalMs: 2 },
  });
  const runs = [row('hub', 200, 0, 2, { tail: tail(8, 5, 2) }), row(BARE_TARGET, 200, 0, 2), row('hub', 200, 1, 2, { tail: tail(7, 1, 1) }), row(BARE_TARGET, 200, 1, 2)];
  const [s] = openLoopSummary(runs);
  assert.deepEqual([s!.slow, s!.slowWithGc, s!.slowWithMajorGc], [15, 6, 3]);
});

test('rounds rotate the order of the targets, so none always goes first', () => {
  assert.deepEqual(rotate([0, 1, -1], 0), [0, 1, -1]);
  assert.deepEqual(rotate([0, 1, -1], 1), [1, -1, 0]);
  assert.deepEqual(rotate([0, 1, -1], 5), [-1, 0, 1]);
  assert.deepEqual(rotate([0, -1], 3), [-1, 0]);
});
