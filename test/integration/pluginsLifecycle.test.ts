import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { FIXTURES, hostFor, makeContext } from '../unit/plugins/harness.js';

test('timers, cron jobs and listeners a plugin made are released when it stops; listener errors stay contained', async (t) => {
  const h = await makeContext({ plugins: {
    dir: join(FIXTURES, 'lifecycle'), 'com.fixture.busy': { grant: ['schedule', 'devices:read'] }, 'com.fixture.watcher': { grant: ['devices:read'] },
  } });
  t.after(() => h.close());
  const host = hostFor(h, {});
  const listenersBefore = h.ctx.bus.listenerCount('device.state');
  const availabilityBefore = h.ctx.bus.listenerCount('device.availability');
  await host.start();
  const busy = () => host.list().find((p) => p.id === 'com.fixture.busy')!;
  assert.equal(busy().state, 'running');
  assert.equal(busy().jobs, 3);
  assert.equal(busy().isolation, 'process', 'fixtures from plugins.dir run isolated by default');
  // Both run isolated with devices:read: each host-side copy of the devices the child reads follows the bus too.
  const followers = 2;
  assert.equal(h.ctx.bus.listenerCount('device.state'), listenersBefore + 1 + followers);
  assert.equal(h.ctx.bus.listenerCount('device.availability'), availabilityBefore + 1 + followers, 'an `events` export subscribes too');

  // A throwing listener is contained and counted; the bus and the emitter go on.
  h.ctx.bus.emit('device.state', { deviceId: 'explode', state: {}, changed: [], ts: 1 });
  h.ctx.bus.emit('device.state', { deviceId: 'fine', state: {}, changed: [], ts: 2 });
  while (busy().failures < 1) await new Promise((resolve) => setTimeout(resolve, 20)); // the listener runs in the plugin's process
  await new Promise((resolve) => setTimeout(resolve, 200)); // 'fine' has been handled too: it must not count
  assert.equal(busy().failures, 1);

  await host.stop();
  assert.equal(busy().state, 'stopped');
  assert.equal(busy().jobs, 0);
  assert.equal(h.ctx.bus.listenerCount('device.state'), listenersBefore);
  assert.equal(h.ctx.bus.listenerCount('device.availability'), availabilityBefore);
});
