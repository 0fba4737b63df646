import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectAsync } from 'mqtt';
import { startDaemon, SHIPPED_NODE_FLAGS } from '../helpers/daemon.js';

/**
 * The bundle as the unit runs it gives its spare heap back once it has gone quiet (daemon/core/memorySettle.ts):
 * after start-up, and again after a busy spell. The busy spell here is MQTT traffic that leaves garbage
 * behind: 12 MB of retained messages, then each cleared.
 */
async function settled(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('voicehub_memory_settled_total '));
  assert.ok(line, 'the metric is there');
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  for (const end = Date.now() + timeoutMs; Date.now() < end;) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('the hub settles its heap once quiet after start-up and again after a busy spell', { timeout: 180_000 }, async (t) => {
  const d = await startDaemon({ nodeArgs: SHIPPED_NODE_FLAGS });
  t.after(() => d.cleanup());
  // Two quiet 3 s windows after the warm-up: start-up's grown young generation is given back.
  await waitFor('the settle after start-up', async () => await settled(d.url) >= 1, 60_000);
  const before = await settled(d.url);

  const c = await connectAsync(`mqtt://127.0.0.1:${d.mqttPort}`, { reconnectPeriod: 0 });
  t.after(() => c.endAsync(true));
  const payload = Buffer.alloc(4096, 'x');
  for (let round = 0; round < 3; round++) {
    await Promise.all(Array.from({ length: 1000 }, (_, i) => c.publishAsync(`spell/${i}`, payload, { qos: 1, retain: true })));
    await Promise.all(Array.from({ length: 1000 }, (_, i) => c.publishAsync(`spell/${i}`, '', { qos: 1, retain: true })));
  }
  await c.endAsync();

  // Scraped once a second: a scrape costs the hub far less than the 5 % of a core that counts as busy.
  await waitFor('a settle after the busy spell', async () => await settled(d.url) > before, 60_000);
});
