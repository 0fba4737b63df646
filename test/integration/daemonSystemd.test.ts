import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startDaemon, makeTempDir } from '../helpers/daemon.js';
import { notifySkipReason, startNotifyReceiver } from '../helpers/notifySocket.js';

const skip = await notifySkipReason();

/** Waits (polling every 20 ms, 15 s at most) until the condition holds. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 15_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('the real daemon tells systemd READY after listening, STATUS, WATCHDOG pings, and STOPPING on SIGTERM', { skip, timeout: 60_000 }, async () => {
  const dir = await makeTempDir();
  const socket = join(dir, 'notify.sock');
  const receiver = await startNotifyReceiver(socket);
  const daemon = await startDaemon({ dir, env: { NOTIFY_SOCKET: socket, WATCHDOG_USEC: '400000' } });
  try {
    const listenedAt = daemon.lines.findIndex((l) => l.msg === 'listening');
    assert.ok(listenedAt >= 0);
    await until(() => receiver.datagrams.some((d) => d.data.includes('READY=1')), 'READY=1');
    const ready = receiver.datagrams.find((d) => d.data.includes('READY=1'))!;
    assert.match(ready.data, /STATUS=\d+ devices, \d+ voice clients/);
    await until(() => receiver.datagrams.filter((d) => d.data === 'WATCHDOG=1').length >= 3, 'three WATCHDOG=1 pings');
    assert.equal((await daemon.stop('SIGTERM')).code, 0);
    await until(() => receiver.datagrams.some((d) => d.data.includes('STOPPING=1')), 'STOPPING=1');
    const order = receiver.datagrams.map((d) => d.data);
    assert.ok(order.findIndex((d) => d.includes('READY=1')) < order.findIndex((d) => d.includes('STOPPING=1')));
  } finally {
    await receiver.stop();
    await daemon.cleanup();
  }
});

test('without NOTIFY_SOCKET nothing is sent and the hub runs as usual', async () => {
  const daemon = await startDaemon({ env: { WATCHDOG_USEC: 'garbage' } });
  try {
    const res = await fetch(`${daemon.url}/health`);
    assert.equal(res.status, 200);
    assert.equal((await daemon.stop()).code, 0);
    assert.equal(daemon.lines.filter((l) => l.level === 'error' || l.level === 'fatal').length, 0);
  } finally {
    await daemon.cleanup();
  }
});
