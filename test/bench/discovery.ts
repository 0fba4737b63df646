/**
 * Device ingest, discovery (issue 18): 2,000 devices announced by Home Assistant discovery at once (every
 * config published without waiting for the one before), against the daemon as users run it: the time until
 * the hub lists them all on its retained `voicehub/bridge/devices`. Anchor: the same 2,000 messages through
 * bare aedes as npm ships it (its own process, the hub's node flags) to one subscriber (the time until it has
 * them all), in the same run.
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { connectAsync } from 'mqtt';
import { discoveryConfig } from './discoveryConfig.js';
import { startBareAedesProcess, startBenchDaemon } from './daemonTarget.js';

export interface DiscoveryResult { devices: number; hubMs: number; listed: number; bareMs: number }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function announce(url: string, count: number): Promise<number> {
  const c = await connectAsync(url, { reconnectPeriod: 0 });
  const t0 = performance.now();
  await Promise.all(Array.from({ length: count }, (_, i) => {
    const { topic, payload } = discoveryConfig(i);
    return c.publishAsync(topic, payload, { qos: 1 });
  }));
  await c.endAsync();
  return t0;
}

export async function benchDiscovery(count = 2000, timeoutMs = 120_000): Promise<DiscoveryResult> {
  // Anchor: bare aedes as npm ships it, in its own process with the hub's node flags, and a subscriber to the discovery topics.
  const bare = await startBareAedesProcess();
  let bareMs = NaN;
  try {
    const sub = await connectAsync(bare.url, { reconnectPeriod: 0 });
    let got = 0;
    let allAt = 0;
    sub.on('message', () => { if (++got === count) allAt = performance.now(); });
    await sub.subscribeAsync('homeassistant/#', { qos: 1 });
    const t0 = await announce(bare.url, count);
    for (const until = Date.now() + timeoutMs; got < count && Date.now() < until;) await sleep(5);
    bareMs = got === count ? allAt - t0 : NaN;
    await sub.endAsync();
  } finally {
    await bare.stop();
  }

  const hub = await startBenchDaemon({ mqtt: { connectionsPerSecond: 10_000 } });
  try {
    const watcher = await connectAsync(hub.mqttUrl, { reconnectPeriod: 0 });
    let listed = 0;
    let allAt = 0;
    watcher.on('message', (_t, payload) => {
      listed = (JSON.parse(payload.toString()) as unknown[]).length;
      if (listed >= count && allAt === 0) allAt = performance.now();
    });
    await watcher.subscribeAsync('voicehub/bridge/devices');
    const t0 = await announce(hub.mqttUrl, count);
    for (const until = Date.now() + timeoutMs; allAt === 0 && Date.now() < until;) await sleep(5);
    await watcher.endAsync();
    return { devices: count, hubMs: allAt === 0 ? NaN : allAt - t0, listed, bareMs };
  } finally {
    await hub.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url) && !process.env.NODE_TEST_CONTEXT) {
  process.stdout.write(`${JSON.stringify(await benchDiscovery(Number(process.argv[2] ?? 2000)))}\n`);
}
