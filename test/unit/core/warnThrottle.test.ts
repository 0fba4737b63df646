import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WarnThrottle } from '../../../daemon/core/warnThrottle.js';
import { ManualClock } from '../../helpers/manualClock.js';

test('a burst per key is logged, the rest held back, and the next logged one counts them', async () => {
  const clock = new ManualClock();
  const throttle = new WarnThrottle(clock, { perSecond: 1, burst: 3, maxKeys: 16 });
  const admitted = Array.from({ length: 10 }, () => throttle.admit('PLUGIN_FAILED'));
  assert.deepEqual(admitted, [0, 0, 0, null, null, null, null, null, null, null]);
  assert.equal(throttle.admit('TIMEOUT'), 0, 'another code has its own burst');
  await clock.advance(1000);
  assert.equal(throttle.admit('PLUGIN_FAILED'), 7, 'the seven held back are counted once');
  assert.equal(throttle.admit('PLUGIN_FAILED'), null);
  await clock.advance(1000);
  assert.equal(throttle.admit('PLUGIN_FAILED'), 1);
});
