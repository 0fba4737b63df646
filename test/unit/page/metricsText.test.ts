import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { build } from 'esbuild';
import { REPO_ROOT } from '../../helpers/daemon.js';

/**
 * The hub panel's figures from /metrics text (daemon/page/ui/metricsText.ts). The page's source is browser
 * code outside the daemon's tsconfig, so the test bundles that one module with the project's esbuild and
 * imports the result.
 */
interface Scrape { at: number; utterances: number; buckets: Array<[number, number]>; mqttClients: number; memoryMB: number; loopDelayMs: number }
interface Module {
  parseMetrics(text: string, at: number): Scrape;
  figures(prev: Scrape | null, cur: Scrape): { utterancesPerMin: number; p99Ms: number | null; mqttClients: number; memoryMB: number; loopDelayMs: number };
}

async function load(): Promise<Module> {
  const out = await build({ entryPoints: [join(REPO_ROOT, 'daemon/page/ui/metricsText.ts')], bundle: true, format: 'esm', platform: 'neutral', write: false, logLevel: 'silent' });
  return import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0]!.text).toString('base64')}`) as Promise<Module>;
}

const scrape = (utterances: number, fast: number, slow: number): string => `
# HELP voicehub_utterances_total x
voicehub_utterances_total{outcome="ok"} ${utterances}
voicehub_utterances_total{outcome="error"} 1
voicehub_voice_latency_seconds_bucket{le="0.01"} ${fast}
voicehub_voice_latency_seconds_bucket{le="0.1"} ${fast + slow}
voicehub_voice_latency_seconds_bucket{le="+Inf"} ${fast + slow}
voicehub_mqtt_clients 3
voicehub_process_resident_memory_bytes 73400320
voicehub_nodejs_eventloop_lag_p99_seconds 0.0123
garbage line {
`;

test('figures: utterances a minute, p99 from the buckets of the interval, gauges as they are', async () => {
  const m = await load();
  const a = m.parseMetrics(scrape(10, 100, 0), 0);
  assert.equal(a.utterances, 11);
  assert.equal(a.mqttClients, 3);
  assert.equal(a.memoryMB, 70);
  assert.equal(a.loopDelayMs, 12.3);
  const b = m.parseMetrics(scrape(40, 150, 50), 30_000);
  const f = m.figures(a, b);
  assert.equal(f.utterancesPerMin, 60);
  assert.equal(f.p99Ms, 100, 'half of the interval\'s answers were slow: p99 is the slow bucket');
  const quiet = m.figures(b, m.parseMetrics(scrape(40, 150, 50), 60_000));
  assert.equal(quiet.utterancesPerMin, 0);
  assert.equal(quiet.p99Ms, null, 'no answers in the interval: no p99');
});
