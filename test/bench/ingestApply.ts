/**
 * The device registry's own work per state message, without sockets or a broker: the ingest bench's 200
 * Zigbee2MQTT lights, each message `{"state":"ON"|"OFF","brightness":n}` on its own topic (so every one
 * changes the state and emits `device.state` to a listener), through `handleMessage` as the broker hands it
 * over. Heap bytes allocated per message (from `heapUsed` over batches no collection ran in: a count the
 * machine's load does not change) and µs per message (the median batch; that one does move with the load).
 *
 * With `baselineDist` (BENCH_INGEST_BASELINE=/copy/of/dist) another build's registry (its tsc output) runs
 * the same messages in alternating batches, in this process: a before/after of the registry's code.
 *
 *   node dist/test/bench/ingestApply.js [/copy/of/dist]
 */
import { join } from 'node:path';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DeviceRegistry } from '../../devices/registry.js';
import type { EventBus } from '../../daemon/core/bus.js';
import { systemClock } from '../../daemon/core/context.js';
import { silentLogger } from '../../daemon/core/log.js';
import { median } from './stats.js';
import { benchBridgeDevices, benchTopic } from './mqtt.js';

export interface ApplyCost { bytesPerMsg: number; usPerMsg: number; batches: number }
export interface ApplyResult { devices: number; messages: number; target: ApplyCost; baseline?: ApplyCost }

const DEVICES = 200;
const BATCH = 1000;

type RegistryModule = { DeviceRegistry: typeof DeviceRegistry; emptyDevicesDocument: () => unknown };
type BusModule = { EventBus: typeof EventBus };

/** A registry of `dist` (this build's when undefined) knowing the bench devices, and its one device.state listener. */
async function makeRegistry(dist?: string): Promise<{ registry: DeviceRegistry; heard: () => number }> {
  const load = async <T>(path: string): Promise<T> => (dist ? import(pathToFileURL(join(dist, path)).href) : import(`../../${path}`)) as Promise<T>;
  const { DeviceRegistry: Registry, emptyDevicesDocument } = await load<RegistryModule>('devices/registry.js');
  const { EventBus: Bus } = await load<BusModule>('daemon/core/bus.js');
  const log = silentLogger();
  const bus = new Bus(log);
  let heard = 0;
  bus.on('device.state', {}, () => { heard++; });
  const collection = { name: 'devices', data: emptyDevicesDocument(), markDirty() {}, async flush() {} };
  const registry = new Registry({
    collection: collection as never, bus, log, clock: systemClock,
    discoveryPrefix: 'homeassistant', zigbee2mqttBaseTopic: 'zigbee2mqtt', configDevices: [],
    onStateApplied: () => {},
  });
  registry.start();
  registry.handleMessage('zigbee2mqtt/bridge/devices', Buffer.from(benchBridgeDevices(DEVICES)), true);
  if (registry.list().length !== DEVICES) throw new Error(`the registry knows ${registry.list().length} of ${DEVICES} bench devices`);
  return { registry, heard: () => heard };
}

export async function benchIngestApply(opts: { batches?: number; baselineDist?: string } = {}): Promise<ApplyResult> {
  const batches = opts.batches ?? 200;
  const topics = Array.from({ length: DEVICES }, (_, i) => benchTopic(i));
  // Payload buffers made up front, as the broker hands them over: the cost measured is the registry's alone.
  const payloads = Array.from({ length: 2 * 255 }, (_, n) => Buffer.from(`{"state":"${n % 2 ? 'ON' : 'OFF'}","brightness":${n % 255}}`));
  let collections = 0;
  const observer = new PerformanceObserver((list) => { collections += list.getEntries().length; });
  observer.observe({ entryTypes: ['gc'] });
  const targets = [{ name: 'target', ...(await makeRegistry()) }];
  if (opts.baselineDist) targets.push({ name: 'baseline', ...(await makeRegistry(opts.baselineDist)) });
  const samples = new Map(targets.map((t) => [t.name, { bytes: [] as number[], us: [] as number[] }]));
  let n = 0;
  const gcSettled = () => new Promise((resolve) => setImmediate(resolve)); // gc entries arrive on the loop
  try {
    for (let b = 0; b < batches; b++) {
      for (const t of b % 2 === 0 ? targets : [...targets].reverse()) {
        await gcSettled();
        const before = collections;
        const heapBefore = process.memoryUsage().heapUsed;
        const t0 = performance.now();
        for (let i = 0; i < BATCH; i++, n++) t.registry.handleMessage(topics[n % DEVICES]!, payloads[Math.floor(n / DEVICES) % payloads.length]!);
        const us = ((performance.now() - t0) * 1000) / BATCH;
        const heapAfter = process.memoryUsage().heapUsed;
        await gcSettled();
        const s = samples.get(t.name)!;
        s.us.push(us);
        if (collections === before) s.bytes.push((heapAfter - heapBefore) / BATCH);
      }
    }
  } finally {
    observer.disconnect();
  }
  for (const t of targets) if (t.heard() === 0) throw new Error(`${t.name}: no device.state event heard`);
  const cost = (name: string): ApplyCost => {
    const s = samples.get(name)!;
    return { bytesPerMsg: median(s.bytes), usPerMsg: median(s.us), batches: s.bytes.length };
  };
  return { devices: DEVICES, messages: batches * BATCH, target: cost('target'), ...(opts.baselineDist && { baseline: cost('baseline') }) };
}

if (process.argv[1] === fileURLToPath(import.meta.url) && !process.env.NODE_TEST_CONTEXT) {
  process.stdout.write(`${JSON.stringify(await benchIngestApply({ baselineDist: process.argv[2] ?? process.env.BENCH_INGEST_BASELINE }))}\n`);
}
