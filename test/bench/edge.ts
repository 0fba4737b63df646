/**
 * Edge fitness under the combined load (issue 18): the daemon as users run it (the bundle, the unit's node
 * flags, its own process) with 100 configured devices and 1,000 Zigbee2MQTT devices, then
 *   - idle: RSS and data-dir file writes over a quiet window;
 *   - load: 500 closed-loop voice clients (each sends its next utterance when the last is answered) and
 *     1,000 device clients each publishing QoS 1 state once a second: peak RSS, event-loop delay max
 *     (the hub's own monitor, read from /metrics, which restarts it at every scrape), file writes/s;
 *   - after: RSS again a minute after the load stops, against the idle figure.
 * The load generator runs in a worker thread of this process; file writes are counted from outside with
 * inotify on the data dir, per file (see WriteCounter).
 */
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, workerData } from 'node:worker_threads';
import { metricValue, startBenchDaemon } from './daemonTarget.js';
import { openLoopConfig } from './openLoop.js';
import { WriteCounter } from '../helpers/writeCounter.js';
import { announceBridgeDevices, runLoad, type LoadParams, type LoadResult } from '../helpers/combinedLoad.js';
import { SHIPPED_NODE_FLAGS } from '../helpers/daemon.js';
import type { LoopProbeResult } from './loopProbe.js';

export interface EdgeResult {
  idleSeconds: number;
  idleRssMB: number;
  idleWrites: number;
  loadSeconds: number;
  voiceClients: number;
  deviceClients: number;
  voiceAnswered: number;
  voiceErrors: number;
  devicePublishes: number;
  peakRssMB: number;
  meanRssMB: number;
  loopDelayMaxMs: number;
  /** The hub's monitor, once a second under the load (ms). */
  loopDelaysMs: number[];
  /** The hub's monitor over the second in which all the load's clients left at once, after the load (ms). */
  leaveDelayMaxMs: number;
  loadWrites: number;
  /** The window those writes were counted in: from the load's start to its end (s). */
  loadWriteSeconds: number;
  /** Writes under the load per file (inotify), e.g. `{ "devices.json": 20 }`. */
  loadWritesByFile: Record<string, number>;
  /** The hub's own figure: the longest time from a flush tick being due to its writes on disk (ms). */
  flushMaxMs: number;
  afterSeconds: number;
  afterRssMB: number;
  afterWrites: number;
  /**
   * The hub's longest stretch without reaching its timers under the load, from a probe preloaded into it
   * (loopProbe.ts): in CPU time (what the hub itself spent; a busy machine hardly moves it) and wall time.
   */
  loopProbe?: LoopProbeResult;
}

export interface EdgeOptions {
  voiceClients?: number;
  deviceClients?: number;
  idleSeconds?: number;
  loadSeconds?: number;
  afterSeconds?: number;
  /** Node flags of the hub (default the unit's); e.g. `--cpu-prof` to see where its time goes under the load. */
  nodeArgs?: readonly string[];
  progress?: (line: string) => void;
  /** Another build's bundled CLI (a before/after in one session; BENCH_EDGE_CLI below); default this tree's. */
  cli?: string;
}

/** `eventLoopMonitoringPrecision` in daemon/core/metrics.ts. */
const LOOP_MONITOR_RESOLUTION_MS = 100;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The loop probe's own settings (its heap snapshots), handed to the hub, whose environment is the unit's. */
function probeEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter(([k, v]) => k.startsWith('BENCH_EDGE_HEAPSNAP') && v !== undefined)) as Record<string, string>;
}

export async function benchEdge(options: EdgeOptions = {}): Promise<EdgeResult> {
  const voiceClients = options.voiceClients ?? 500;
  const deviceClients = options.deviceClients ?? 1000;
  const idleSeconds = options.idleSeconds ?? 15;
  const loadSeconds = options.loadSeconds ?? 20;
  const afterSeconds = options.afterSeconds ?? 60;
  const base = openLoopConfig();
  const hub = await startBenchDaemon({
    ...base,
    // BENCH_EDGE_IDEMPOTENCY_TTL=0 (a look inside, never a reported run): without the replay cache of
    // PROTOCOL §3, which keeps up to voice.idempotencyMaxEntries answers for 10 minutes after the load.
    voice: { ...(base.voice as object), maxClients: voiceClients + 100, ...(process.env.BENCH_EDGE_IDEMPOTENCY_TTL && { idempotencyTtlSeconds: Number(process.env.BENCH_EDGE_IDEMPOTENCY_TTL) }) },
    // Zigbee2MQTT's bridge/devices list for 1,000 devices is about 0.4 MB, past the default packet cap.
    mqtt: { ...(base.mqtt as object), maxPacketBytes: 4 * 1024 * 1024 },
  }, [...(options.nodeArgs ?? SHIPPED_NODE_FLAGS), `--import=${new URL('./loopProbe.js', import.meta.url).href}`], options.cli, probeEnv());
  let writes: WriteCounter | null = null;
  let result: EdgeResult;
  try {
    options.progress?.(`edge: hub started (pid ${hub.pid})`);
    const listed = await announceBridgeDevices(hub.mqttUrl, deviceClients, 100);
    options.progress?.(`edge: ${listed} devices known`);
    const tokens = await hub.tokens(voiceClients, 'edge');
    await sleep(12_000); // past the first system sample and the first coalesced writes
    writes = new WriteCounter(hub.dataDir);
    await sleep(idleSeconds * 1000);
    const idleWrites = writes.take().total;
    const idleRssMB = await hub.rssMB();
    process.kill(hub.pid, 'SIGUSR2'); // the loop probe notes the idle hub's memory
    options.progress?.(`edge: idle RSS ${idleRssMB.toFixed(1)} MB, ${idleWrites} file writes in ${idleSeconds} s`);

    const worker = new Worker(new URL(import.meta.url), { workerData: { role: 'edge-load', wsUrl: hub.wsUrl, mqttUrl: hub.mqttUrl, tokens, deviceClients, loadSeconds } });
    const workerFailed = new Promise<never>((_, reject) => worker.once('error', reject));
    const loaded = new Promise<void>((resolve) => worker.on('message', (m) => { if (m === 'loaded') resolve(); }));
    const done = new Promise<LoadResult>((resolve) => worker.on('message', (m) => { if (typeof m === 'object') resolve(m as LoadResult); }));
    await Promise.race([loaded, workerFailed]);
    await metricValue(hub.httpUrl, 'voicehub_nodejs_eventloop_lag_max_seconds'); // restarts the hub's monitor
    process.kill(hub.pid, 'SIGUSR2'); // arms the loop probe
    writes.take();
    const writesSince = performance.now();
    const rss: number[] = [];
    const loopDelays: number[] = [];
    let sampling = true;
    const sampler = (async () => { while (sampling) { rss.push(await hub.rssMB()); await sleep(250); } })();
    // The hub's monitor, read (and restarted) once a second. A window with no sample at all means its timer
    // never ran in it (one poll phase took the whole window): the delay was at least that window.
    const scraper = (async () => {
      let last = performance.now();
      while (sampling) {
        await sleep(1000);
        const max = await metricValue(hub.httpUrl, 'voicehub_nodejs_eventloop_lag_max_seconds');
        const now = performance.now();
        loopDelays.push(max > 0 ? 1000 * max - LOOP_MONITOR_RESOLUTION_MS : now - last);
        last = now;
      }
    })();
    const load = await Promise.race([done, workerFailed]);
    // Counted over the load itself: the samplers' last round below can add a second in which the load's
    // last changes are written.
    const { total: loadWrites, byFile: loadWritesByFile } = writes.take();
    const loadWriteSeconds = (performance.now() - writesSince) / 1000;
    process.kill(hub.pid, 'SIGUSR2'); // freezes the loop probe
    sampling = false;
    await Promise.all([sampler, scraper]);
    const flushMaxMs = 1000 * await metricValue(hub.httpUrl, 'voicehub_storage_flush_max_seconds');
    // Node's monitor records the whole time between its timer's runs: the delay is that less its resolution.
    const loopDelayMaxMs = Math.max(...loopDelays);
    // Only now do the load's 1,500 clients leave (all at once, as after a Wi-Fi access point restarts): a
    // stretch of its own, measured apart from the load's.
    await metricValue(hub.httpUrl, 'voicehub_nodejs_eventloop_lag_max_seconds');
    const left = new Promise<void>((resolve) => worker.on('message', (m) => { if (m === 'left') resolve(); }));
    worker.postMessage('leave');
    await Promise.race([left, workerFailed]);
    await sleep(1000);
    const leaveDelayMaxMs = Math.max(0, 1000 * await metricValue(hub.httpUrl, 'voicehub_nodejs_eventloop_lag_max_seconds') - LOOP_MONITOR_RESOLUTION_MS);
    await worker.terminate();
    const peakRssMB = Math.max(...rss);
    options.progress?.(`edge: load peak RSS ${peakRssMB.toFixed(1)} MB, loop delay max ${loopDelayMaxMs.toFixed(1)} ms, ${loadWrites} writes ${JSON.stringify(loadWritesByFile)}, flush tick due → on disk max ${flushMaxMs.toFixed(0)} ms`);
    await sleep(afterSeconds * 1000);
    const afterWrites = writes.take().total;
    const afterRssMB = await hub.rssMB();
    result = {
      idleSeconds, idleRssMB, idleWrites, loadSeconds: load.elapsedMs / 1000, voiceClients, deviceClients,
      voiceAnswered: load.answered, voiceErrors: load.errors, devicePublishes: load.publishes,
      peakRssMB, meanRssMB: rss.reduce((a, b) => a + b, 0) / Math.max(1, rss.length), loopDelayMaxMs, loopDelaysMs: loopDelays, leaveDelayMaxMs,
      loadWrites, loadWriteSeconds, loadWritesByFile, flushMaxMs, afterSeconds, afterRssMB, afterWrites,
    };
  } finally {
    writes?.close();
    await hub.stop();
  }
  // Written by the probe as the hub exits; its figures cover the load only.
  const probeFile = join(tmpdir(), `voicehub-loop-probe-${hub.pid}.json`);
  const probe = await readFile(probeFile, 'utf8').then((t) => JSON.parse(t) as LoopProbeResult, () => undefined);
  await rm(probeFile, { force: true });
  // No timer run at all while armed: both signals were handled in one turn (the loop was stuck that long),
  // and the probe has nothing to say; the delay monitor's figure stands alone.
  return { ...result, ...(probe && probe.ticks > 0 && { loopProbe: probe }) };
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'edge-load') {
  await runLoad(workerData as LoadParams);
}

// `node dist/test/bench/edge.js [loadSeconds] [afterSeconds]`: this bench alone.
if (isMainThread && process.argv[1] === fileURLToPath(import.meta.url) && !process.env.NODE_TEST_CONTEXT) {
  const [loadSeconds, afterSeconds] = process.argv.slice(2).map(Number);
  const r = await benchEdge({
    loadSeconds: loadSeconds || 20, afterSeconds: afterSeconds ?? 60,
    voiceClients: Number(process.env.BENCH_EDGE_VOICE ?? 500), deviceClients: Number(process.env.BENCH_EDGE_DEVICES ?? 1000),
    idleSeconds: Number(process.env.BENCH_EDGE_IDLE ?? 15), ...(process.env.BENCH_EDGE_CLI && { cli: process.env.BENCH_EDGE_CLI }),
    // BENCH_EDGE_NODE_ARGS='--a --b': the hub under other node flags (a before/after of a unit flag).
    ...(process.env.BENCH_EDGE_NODE_ARGS && { nodeArgs: process.env.BENCH_EDGE_NODE_ARGS.split(/\s+/) }), progress: (l) => process.stderr.write(`${l}\n`) });
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
}
