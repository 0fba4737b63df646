import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync } from 'node:fs';
import { createMetricsRegistry, WALKING_DEFAULT_GAUGES } from '../../../daemon/core/metrics.js';

function value(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  assert.ok(line, `${name} is scraped`);
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}

test('the default gauges that walk every socket are still scraped, but read at most every 10 s: a scrape in between gets the last reading', async (t) => {
  const registry = createMetricsRegistry();
  for (const name of WALKING_DEFAULT_GAUGES) assert.ok(registry.getSingleMetric(name), `${name} is there`);
  const before = value(await registry.metrics(), 'voicehub_process_open_fds');
  const fds = Array.from({ length: 20 }, () => openSync('/dev/null', 'r'));
  t.after(() => { for (const fd of fds) closeSync(fd); });
  const text = await registry.metrics();
  assert.equal(value(text, 'voicehub_process_open_fds'), before, 'the fd table is not read again within 10 s');
  assert.match(text, /^voicehub_nodejs_active_handles\{type="[^"]+"\} \d+$/m);
});
