import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import { CloudLink } from '../../../daemon/cloud/cloudLink.js';
import { silentLogger } from '../../../daemon/core/log.js';
import { retryAfterMs, MAX_RETRY_AFTER_MS } from '../../../daemon/cloud/retryAfter.js';
import { ManualClock } from '../../helpers/manualClock.js';

/** A ManualClock that remembers every delay asked of it: the link's reconnect waits. */
class RecordingClock extends ManualClock {
  readonly delays: number[] = [];
  override setTimeout(fn: () => void, ms: number): NodeJS.Timeout {
    this.delays.push(ms);
    return super.setTimeout(fn, ms);
  }
}

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Runs the link against a port nobody listens on and returns its first `n` reconnect delays. */
async function delays(n: number, random: () => number, backoffMaxMs = 4000): Promise<number[]> {
  const clock = new RecordingClock();
  const port = await closedPort();
  const link = new CloudLink({
    url: `ws://127.0.0.1:${port}/hub`, token: 't', heartbeatMs: 1000, backoffMaxMs, ca: null,
    hello: () => ({ type: 'hello' }), handler: { opened: () => {}, frame: () => {}, closed: () => {} },
    log: silentLogger(), clock, random,
  });
  link.start();
  try {
    for (let advanced = 0; advanced < n; advanced++) {
      // The refused connection is real I/O; the wait before the next one is the manual clock's.
      const deadline = Date.now() + 5000;
      while (clock.delays.length <= advanced && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      assert.ok(clock.delays.length > advanced, `the link scheduled retry ${advanced + 1}`);
      assert.equal(link.status.state, 'backoff');
      assert.equal(link.status.lastError?.code, 'CLOUD_UNAVAILABLE');
      await clock.advance(clock.delays[advanced]!);
    }
  } finally {
    await link.stop();
  }
  return clock.delays.slice(0, n);
}

test('reconnects back off exponentially from 500 ms to cloud.backoffMaxMs, each drawn from [step/2, step]', async () => {
  const low = await delays(7, () => 0);
  const high = await delays(7, () => 0.9999);
  const steps = [500, 1000, 2000, 4000, 4000, 4000, 4000];
  assert.deepEqual(low, steps.map((s) => s / 2), 'the floor: never a tight loop');
  high.forEach((d, i) => assert.ok(d <= steps[i]! && d > steps[i]! * 0.99, `delay ${i}: ${d}`));
});

test('with real jitter, hubs that failed together do not retry in lockstep', async () => {
  const a = await delays(5, Math.random);
  const b = await delays(5, Math.random);
  assert.notDeepEqual(a, b);
  for (const d of [...a, ...b]) assert.ok(d >= 250 && d <= 4000);
});

test('Retry-After: seconds or an HTTP date (read against the server\'s Date), capped at an hour; garbage is ignored', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(retryAfterMs('3', undefined, now), 3000);
  assert.equal(retryAfterMs('Thu, 01 Jan 2026 00:00:10 GMT', undefined, now), 10_000);
  // The hub's clock is an hour fast; the server's Date tells what it meant.
  assert.equal(retryAfterMs('Thu, 01 Jan 2026 00:00:10 GMT', 'Thu, 01 Jan 2026 00:00:05 GMT', now + 3_600_000), 5000);
  assert.equal(retryAfterMs('99999999', undefined, now), MAX_RETRY_AFTER_MS);
  assert.equal(retryAfterMs('soon', undefined, now), null);
  assert.equal(retryAfterMs(undefined, undefined, now), null);
  assert.equal(retryAfterMs('-5', undefined, now), null);
});

test('a link that stayed up for the stable time starts its backoff again from the first step; one that flaps does not', async (t) => {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  let hold = false;
  let held: WebSocket | null = null;
  server.on('connection', (ws) => { if (hold) held = ws; else ws.close(); });
  const clock = new RecordingClock();
  const link = new CloudLink({
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/hub`, token: 't', heartbeatMs: 60_000, backoffMaxMs: 8000, ca: null,
    hello: () => ({ type: 'hello' }), handler: { opened: () => {}, frame: () => {}, closed: () => {} },
    log: silentLogger(), clock, random: () => 0, stableMs: 50,
  });
  t.after(() => link.stop());
  const waitFor = async (test: () => boolean) => {
    const deadline = Date.now() + 5000;
    while (!test() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.ok(test());
  };
  link.start();
  for (let i = 0; i < 3; i++) {
    await waitFor(() => clock.delays.length > i);
    if (i === 2) hold = true;
    await clock.advance(clock.delays[i]!);
  }
  assert.deepEqual(clock.delays.slice(0, 3), [250, 500, 1000], 'links closed at once: the backoff grows');
  await waitFor(() => held !== null && link.status.state === 'connected');
  await clock.advance(60); // up longer than stableMs
  held!.close();
  await waitFor(() => clock.delays.length === 4);
  assert.equal(clock.delays[3], 250, 'after a stable link: the first step again');
});
