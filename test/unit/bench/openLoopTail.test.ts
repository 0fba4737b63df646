import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tailCauses, type Samples } from '../../bench/openLoop.js';
import type { GcPause } from '../../bench/gcProbe.js';

/** 400 utterances 5 ms apart from epoch 1,000,000 ms, each answered in 1 ms unless `slow` says otherwise. */
function samples(slow: Record<number, { latency: number; lag?: number }>): Samples {
  const n = 400;
  const s: Samples = { count: n, scheduledMs: new Float64Array(n), latencyMs: new Float64Array(n).fill(1), sendLagMs: new Float64Array(n) };
  for (let i = 0; i < n; i++) s.scheduledMs[i] = 1_000_000 + i * 5;
  for (const [i, v] of Object.entries(slow)) {
    s.latencyMs[Number(i)] = v.latency;
    s.sendLagMs[Number(i)] = v.lag ?? 0;
  }
  return s;
}

test('the slow replies are those above the p99, each set against the GC pauses that overlapped it', () => {
  // p99 of 400 is the fifth slowest but one: of these five, the three above 7 ms are the slow ones.
  const s = samples({ 10: { latency: 9 }, 50: { latency: 8.5 }, 120: { latency: 8, lag: 6 }, 130: { latency: 7 }, 140: { latency: 6.5 } });
  const pauses: GcPause[] = [
    [1_000_000 + 10 * 5 + 1, 3, 'minor'], // inside utterance 10's 9 ms
    [1_000_000 + 120 * 5 + 6.5, 1, 'major'], // inside utterance 120's 8 ms
    [1_000_000 + 180 * 5 + 0.2, 0.5, 'minor'], // over a fast one (180)
    [900_000, 50, 'major'], // before the run: not counted
  ];
  const t = tailCauses(s, pauses);
  assert.equal(t.slow, 3);
  assert.equal(t.slowWithGc, 2); // 10 and 120; 50 had none
  assert.equal(t.slowWithMajorGc, 1); // 120
  assert.equal(t.slowSentLate, 1); // 120: sent 6 ms late of its 8

  assert.deepEqual(t.gc, { minor: 2, major: 1, minorMaxMs: 3, majorMaxMs: 1, totalMs: 4.5 });
  // Utterances 10 and 120 and 180 were overlapped: 3 of 400.
  assert.equal(t.allWithGcShare, 3 / 400);
});

test('a slow reply the load generator sent late is counted as sent late; unanswered utterances are left out', () => {
  const s = samples({ 5: { latency: 20, lag: 15 }, 6: { latency: 19, lag: 1 }, 7: { latency: 18 } });
  s.latencyMs[100] = NaN;
  const t = tailCauses(s, []);
  assert.equal(t.slow, 3); // p99 of the 399 answered is 1 ms: the three above it

  assert.equal(t.slowSentLate, 1);
  assert.equal(t.slowWithGc, 0);
  assert.equal(t.allWithGcShare, 0);
  assert.deepEqual(t.gc, { minor: 0, major: 0, minorMaxMs: 0, majorMaxMs: 0, totalMs: 0 });
});
