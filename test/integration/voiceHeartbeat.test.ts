import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startDaemon, createToken, makeTempDir } from '../helpers/daemon.js';

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

const EACH = 12;

// The heartbeat pings a slice of the clients every tenth of voice.heartbeatMs (daemon/core/spreadSweep.ts)
// instead of all of them in one turn: every client must still be pinged each interval, and every client that
// stops answering must still be cut, however the slices fall.
test('sliced heartbeat: every live client is pinged again and again and kept; every client that answers no ping is terminated', { timeout: 60_000 }, async () => {
  const dir = await makeTempDir();
  const d = await startDaemon({ dir, config: JSON.stringify({ voice: { heartbeatMs: 300 } }) });
  cleanups.push(() => d.cleanup());
  const url = `ws://127.0.0.1:${d.httpPort}/voice`;
  const open = (token: string, autoPong: boolean) => new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` }, autoPong });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
  const [liveToken, deadToken] = [await createToken(dir, 'live'), await createToken(dir, 'half-open')];
  // Interleaved, so live and dead clients share the sweep's slices.
  const live: WebSocket[] = [];
  const dead: WebSocket[] = [];
  for (let i = 0; i < EACH; i++) {
    live.push(await open(liveToken, true));
    dead.push(await open(deadToken, false));
  }
  for (const ws of [...live, ...dead]) cleanups.push(() => ws.terminate());
  const pings = live.map(() => 0);
  live.forEach((ws, i) => ws.on('ping', () => { pings[i]!++; }));
  const deadClosed = dead.map((ws) => new Promise<number>((resolve) => ws.once('close', (code) => resolve(code))));
  let liveClosed = 0;
  for (const ws of live) ws.once('close', () => { liveClosed++; });

  const codes = await Promise.all(deadClosed);
  assert.deepEqual(codes, dead.map(() => 1006), 'each half-open client terminated, without a close handshake');

  // Every live client pinged at least three times: the sweep reaches each of them every interval.
  const deadline = Date.now() + 30_000;
  while (pings.some((n) => n < 3) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.ok(pings.every((n) => n >= 3), `pings per live client: ${pings.join(', ')}`);
  assert.equal(liveClosed, 0);
  // And they are served: each answers a ping frame with a pong.
  await Promise.all(live.map((ws, i) => new Promise<void>((resolve, reject) => {
    ws.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as { type: string; id?: string };
      if (frame.type === 'pong') resolve();
    });
    ws.once('close', () => reject(new Error(`live client ${i} closed`)));
    ws.send(JSON.stringify({ type: 'ping', id: `p${i}` }));
  })));
});
