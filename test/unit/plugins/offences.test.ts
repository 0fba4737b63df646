import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FORGIVEN_AFTER_MS, OFFENCE_MAX_MS, Offences } from '../../../daemon/plugins/isolated/offences.js';

test('limit stops in a row back off eight-fold up to an hour; crashes leave the record alone and get the crash back-off', () => {
  const o = new Offences();
  assert.equal(o.stopped(2000, false), null, 'a crash: the caller\'s crash back-off');
  assert.equal(o.inRow, 0);
  const delays = [1, 2, 3, 4, 5, 6, 7].map(() => o.stopped(1500, true));
  assert.deepEqual(delays, [1000, 8000, 64_000, 512_000, OFFENCE_MAX_MS, OFFENCE_MAX_MS, OFFENCE_MAX_MS]);
  assert.equal(o.inRow, 7);
  // A crash between two offences neither forgives nor counts.
  assert.equal(o.stopped(1000, false), null);
  assert.equal(o.inRow, 7);
});

test('an offender that ran clean for 10 minutes is forgiven: its next stop starts again from 1 s', () => {
  const o = new Offences();
  o.stopped(100, true);
  o.stopped(100, true);
  assert.equal(o.stopped(FORGIVEN_AFTER_MS - 1, true), 64_000);
  assert.equal(o.stopped(FORGIVEN_AFTER_MS, true), 1000);
  assert.equal(o.inRow, 1);
  // A crash after a long clean run forgives too (the next restart is at the plugin's own niceness).
  o.stopped(FORGIVEN_AFTER_MS, false);
  assert.equal(o.inRow, 0);
});
