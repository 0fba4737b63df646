import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { ExternalTransport } from '../../../daemon/mqtt/externalTransport.js';
import { silentLogger } from '../../../daemon/core/log.js';
import { systemClock, type Clock } from '../../../daemon/core/context.js';

/**
 * Issue 18 finding: with the hub's usual 30 s backoff cap, a hub whose broker was away for a minute waited up to
 * 30 s after the broker was back. The reconnect waits of the external transport are capped at 4 s, so it is
 * back within about 4 s of the broker, however long the outage.
 */
test('reconnect waits to an unreachable broker grow but never past 4 s, however many attempts fail', async (t) => {
  const server = createServer((socket) => socket.destroy()); // hangs up before CONNACK: unreachable
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as { port: number }).port;
  const delays: number[] = [];
  let enough: () => void = () => {};
  const done = new Promise<void>((resolve) => { enough = resolve; });
  // Records each wait and fires it at once: twenty attempts in a moment instead of minutes.
  const clock: Clock = {
    ...systemClock,
    setTimeout: (fn, ms) => {
      delays.push(ms);
      if (delays.length >= 20) enough();
      return setTimeout(fn, 0);
    },
    clearTimeout: (h) => clearTimeout(h),
  };
  const transport = new ExternalTransport({ url: `mqtt://127.0.0.1:${port}`, log: silentLogger(), clock });
  t.after(() => transport.stop());
  await transport.start();
  await done;
  const waits = delays.slice(0, 20);
  assert.ok(Math.max(...waits) <= 4000, `waits ${waits.join(', ')} ms`);
  assert.ok(waits.slice(-5).every((ms) => ms >= 2000), `the wait still grows to its cap: ${waits.join(', ')} ms`);
  assert.ok(waits[0]! <= 500, 'the first retry is quick');
});
