import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Histogram, HotHistogram, Registry } from '../../../daemon/core/metrics.js';
import { LATENCY_BUCKETS } from '../../../daemon/voice/metrics.js';

/** The same observations into prom-client's Histogram and a HotHistogram, each on its own registry. */
function pair(buckets: readonly number[]) {
  const theirs = new Registry();
  const ours = new Registry();
  const reference = new Histogram({ name: 'h_seconds', help: 'help text', buckets: [...buckets], registers: [theirs] });
  const hot = new HotHistogram('h_seconds', 'help text', buckets, ours);
  return {
    observe(value: number) {
      reference.observe(value);
      hot.observe(value);
    },
    reset() {
      reference.reset();
      hot.reset();
    },
    async same(what: string) {
      assert.equal(await ours.metrics(), await theirs.metrics(), `text exposition, ${what}`);
      assert.deepEqual(await ours.getMetricsAsJSON(), await theirs.getMetricsAsJSON(), `JSON, ${what}`);
    },
  };
}

test('a scrape of a HotHistogram is what prom-client\'s Histogram shows for the same observations', async () => {
  const h = pair(LATENCY_BUCKETS);
  await h.same('before any observation');
  // Exactly on a bound (inclusive, le), between, below the first, above the last, zero, tiny and huge.
  for (const value of [...LATENCY_BUCKETS, 0, 1e-9, 0.0004, 0.0007, 0.003, 0.3, 4.99, 5.0000001, 7, 1e6, 0.1 + 0.2]) h.observe(value);
  await h.same('after odd values');
  for (let i = 0; i < 5000; i++) h.observe((i % 97) / 1000);
  await h.same('after many');
  h.reset();
  await h.same('after reset');
  h.observe(0.002);
  await h.same('after reset and one observation');
});

test('a HotHistogram refuses what prom-client refuses: values that are not finite', () => {
  const hot = new HotHistogram('h_seconds', 'help', [1], new Registry());
  for (const bad of [NaN, Infinity, -Infinity]) assert.throws(() => hot.observe(bad), TypeError);
});

test('buckets out of order are refused (prom-client would show nonsense for them)', () => {
  assert.throws(() => new HotHistogram('h_seconds', 'help', [2, 0.5, 1], new Registry()), TypeError);
  assert.throws(() => new HotHistogram('h_seconds', 'help', [1, 1], new Registry()), TypeError);
});
