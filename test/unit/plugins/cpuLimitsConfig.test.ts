import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildConfig } from '../../../daemon/config/load.js';
import { ConfigError } from '../../../daemon/core/errors.js';
import { pluginEntry } from '../../../daemon/plugins/grants.js';

/** plugins.nice and plugins.cpuQuota (issue 18, plugins under fire): defaults, per-plugin overrides, refusals. */

function problems(raw: unknown): string[] {
  try {
    buildConfig(raw, {});
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.code, 'CONFIG_INVALID');
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

test('isolated plugins run 5 below the hub, may use half a core over 5 s and must answer a heartbeat within 1 s unless the config says otherwise', () => {
  const c = buildConfig({ plugins: { 'com.example.weather': { grant: ['geo:read'] } } });
  assert.equal(c.plugins.nice, 5);
  assert.deepEqual(c.plugins.cpuQuota, { percent: 50, windowMs: 5000, stuckMs: 1000 });
  // An entry without the keys gets no object of its own: the plugins.* values apply to it.
  const entry = pluginEntry(c, 'com.example.weather')!;
  assert.equal(entry.nice, undefined);
  assert.equal(entry.cpuQuota, undefined);
});

test('a global and a per-plugin quota and niceness are taken, a partial quota filled from the defaults', () => {
  const c = buildConfig({ plugins: { nice: 0, cpuQuota: { percent: 25 }, 'com.acme.stt': { nice: 19, cpuQuota: { percent: 200, windowMs: 30000, stuckMs: 10000 } }, 'com.acme.off': { cpuQuota: { percent: 0, stuckMs: 0 } } } });
  assert.equal(c.plugins.nice, 0);
  assert.deepEqual(c.plugins.cpuQuota, { percent: 25, windowMs: 5000, stuckMs: 1000 });
  assert.equal(pluginEntry(c, 'com.acme.stt')!.nice, 19);
  assert.deepEqual(pluginEntry(c, 'com.acme.stt')!.cpuQuota, { percent: 200, windowMs: 30000, stuckMs: 10000 });
  assert.deepEqual(pluginEntry(c, 'com.acme.off')!.cpuQuota, { percent: 0, windowMs: 5000, stuckMs: 0 });
});

test('niceness outside 0-19, a negative or huge share, a window under a second, unknown keys: CONFIG_INVALID naming each path', () => {
  const found = problems({ plugins: {
    nice: -5,
    cpuQuota: { percent: -1, windowMs: 10, burst: 3, stuckMs: -1 },
    'com.acme.x': { nice: 20, cpuQuota: { percent: 5000, stuckMs: 600001 } },
    'com.acme.z': { cpuQuota: { stuckMs: 1.5 } },
    'com.acme.y': { nice: 2.5, cpuQuota: 'half' },
  } });
  const text = found.join('\n');
  for (const path of ['plugins.nice', 'plugins.cpuQuota.percent', 'plugins.cpuQuota.windowMs', 'plugins.cpuQuota.stuckMs', 'plugins.cpuQuota', 'plugins.com.acme.x.nice', 'plugins.com.acme.x.cpuQuota.percent', 'plugins.com.acme.x.cpuQuota.stuckMs', 'plugins.com.acme.z.cpuQuota.stuckMs', 'plugins.com.acme.y.nice', 'plugins.com.acme.y.cpuQuota']) {
    assert.ok(found.some((p) => p.startsWith(path)), `${path} in:\n${text}`);
  }
  assert.match(text, /burst/);
});
