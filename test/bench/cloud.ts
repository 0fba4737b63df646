import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { buildConfig } from '../../daemon/config/load.js';
import { RequestPool } from '../../daemon/cloud/requestPool.js';
import { FakeCloud } from '../helpers/fakeCloud.js';
import { startInProcessHub } from './hubTarget.js';

/**
 * The cloud link's benchmarks (issue 13): events per second through the hub's link with acks against a bare
 * `ws` sender of the same frames to the same fake cloud; and request latency through the keep-alive pool
 * against a new connection per request, at 1, 10 and 50 concurrent.
 */

export interface LinkBench { events: number; hubPerSec: number; barePerSec: number; ratio: number; flushIntervalMs: number }

const DEVICES = 500;

/** `events` device state changes into the hub (on its bus, as the device layer emits them) until the cloud has acked all. */
export async function benchLinkEvents(events: number, flushIntervalMs: number): Promise<LinkBench> {
  const cloud = await FakeCloud.start();
  try {
    const bare = await bareSender(cloud, events);
    cloud.received.length = 0;
    const target = await startInProcessHub({
      storage: { flushIntervalMs },
      cloud: { url: cloud.url, token: 't', hubId: 'bench', outboxMax: events * 2 },
    });
    try {
      await cloud.waitFor(() => cloud.hellos.length >= 1, 15_000, 'hello');
      const bus = target.hub.ctx.bus;
      const started = performance.now();
      for (let i = 0; i < events; i++) {
        bus.emit('device.state', { deviceId: `d${i % DEVICES}`, state: { state: i % 2 === 0 ? 'on' : 'off', brightness: i % 100 }, changed: ['state'], ts: Date.now() });
        if (i % 1000 === 999) await new Promise((r) => setImmediate(r));
      }
      await cloud.waitFor(() => cloud.received.length >= events && target.hub.cloud.status().outbox === 0, 120_000, 'every event acked');
      const hubPerSec = events / ((performance.now() - started) / 1000);
      return { events, hubPerSec, barePerSec: bare, ratio: hubPerSec / bare, flushIntervalMs };
    } finally {
      await target.stop();
    }
  } finally {
    await cloud.close();
  }
}

/** The same frames (batches of 200, 8 unacked at most) from a plain ws client: the wire and the cloud alone. */
async function bareSender(cloud: FakeCloud, events: number): Promise<number> {
  const ws = new WebSocket(cloud.url);
  await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
  const started = performance.now();
  let next = 1;
  let acked = 0;
  let inflight = 0;
  await new Promise<void>((resolve) => {
    const pump = () => {
      while (inflight < 8 && next <= events) {
        const texts: string[] = [];
        for (let n = 0; n < 200 && next <= events; n++, next++) {
          texts.push(JSON.stringify({ device: `d${next % DEVICES}`, state: { state: 'on', brightness: next % 100 }, changed: ['state'], seq: next, ts: Date.now(), kind: 'device.state' }));
        }
        ws.send(`{"type":"events","seq":${next - 1},"events":[${texts.join(',')}]}`);
        inflight++;
      }
    };
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { type: string; seq: number };
      if (frame.type !== 'ack') return;
      acked = frame.seq;
      inflight--;
      if (acked >= events) resolve();
      else pump();
    });
    pump();
  });
  const perSec = events / ((performance.now() - started) / 1000);
  ws.close();
  return perSec;
}

export interface PoolRow { concurrency: number; pooled: LatencyStats; fresh: LatencyStats }
export interface LatencyStats { perSec: number; p50Ms: number; p99Ms: number }

/** Closed-loop requests for `seconds` at each concurrency: the pool (keep-alive) and a new connection each. */
export async function benchPool(seconds: number, levels: readonly number[] = [1, 10, 50]): Promise<PoolRow[]> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"ok":true,"temperature":21.5}'); });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = buildConfig({ cloud: { url: origin, pool: { maxConnections: 50, minIdle: 0, maxWaitMs: 10_000, perSecond: 1_000_000 } } });
  const pool = new RequestPool({ cloud: config.cloud, timeoutMs: 10_000 });
  const undici = await import('undici');
  const rows: PoolRow[] = [];
  try {
    for (const concurrency of levels) {
      await pool.prewarm();
      const pooled = await closedLoop(concurrency, seconds, async () => { await (await pool.request('/v1/weather')).text(); });
      const fresh = await closedLoop(concurrency, seconds, async () => {
        // A connection of its own for each request, closed after: what a client without a pool pays.
        const client = new undici.Client(origin, { pipelining: 1 });
        try {
          const res = await client.request({ path: '/v1/weather', method: 'GET' });
          await res.body.text();
        } finally {
          await client.close();
        }
      });
      rows.push({ concurrency, pooled, fresh });
    }
  } finally {
    await pool.close();
    server.closeAllConnections();
    server.close();
  }
  return rows;
}

async function closedLoop(concurrency: number, seconds: number, call: () => Promise<void>): Promise<LatencyStats> {
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      await call();
      latencies.push(performance.now() - t0);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { perSec: latencies.length / elapsed, p50Ms: at(0.5), p99Ms: at(0.99) };
}
