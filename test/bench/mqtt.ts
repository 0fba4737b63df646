/**
 * MQTT throughput benchmark: N device clients (default 200), each publishing QoS 1 state closed-loop (the
 * next publish when the previous one is acknowledged), against
 *   (a) bare aedes as npm ships it (its defaults, the real `debug` its packet code calls; no auth, no guards:
 *       the ceiling of the library we build on), test/bench/bareAedesServer.ts in its own process;
 *   (b) the hub as users run it: the bundle (`dist/bundle/cli.js start`, where `debug` is a stub unless DEBUG
 *       is set: daemon/build/bundle.ts) in its own process with the systemd unit's node flags and environment,
 *       told about the bench devices by a retained Zigbee2MQTT `bridge/devices`, so every message is applied;
 *   (c) Mosquitto, when it is on PATH, as the reference broker;
 *   (d) with BENCH_MQTT_BASELINE=/copy/of/dist/bundle/cli.js, another build of the hub run the same way, in
 *       the same rounds: a before/after of two builds in one run, as the machine was for both.
 * Bare aedes gets the hub's node flags and environment too, so the two differ only by the code. The load runs
 * in a worker thread of this process, so the clients and the broker under test use different processes.
 *
 * Bare aedes itself moves by up to 40 % between runs on the same machine, so one run of each says little:
 * the targets run in `rounds` (default 3), alternating which goes first, each round with a fresh broker;
 * the ratio is the median of the rounds' own hub / bare ratios, with their range.
 *
 * Device i publishes `{"state":"ON"|"OFF","brightness":n}` to `zigbee2mqtt/bench_<i>`.
 *
 *   node dist/test/bench/mqtt.js [clients] [seconds] [rounds] [rate: msgs/s over all clients, 0 = as fast as acknowledged]
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { createServer } from 'node:net';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectAsync, type MqttClient } from 'mqtt';
import { median } from './stats.js';
import { processUse, startBareAedesProcess, startBenchDaemon, threadUse } from './daemonTarget.js';

export interface BenchTarget {
  url: string;
  /** The broker's process (its main thread's CPU is what the figure counts; Mosquitto has one thread). */
  pid: number;
  /** Device state messages the target applied so far (0 for a plain broker). */
  applied(): Promise<number>;
  /** Completed storage file writes so far (0 for a plain broker). */
  writes(): Promise<number>;
  /** Young-generation collections (scavenges) of the broker's heap so far, when it reports them (the hub). */
  scavenges?(): Promise<number>;
  stop(): Promise<void>;
}

export interface BenchRun {
  name: string;
  clients: number;
  seconds: number;
  messages: number;
  msgsPerSec: number;
  /** What the target reports it applied during the run (hub targets). */
  applied?: number;
  /**
   * The broker's CPU time per acknowledged message while the clients publish (µs, user + system, from /proc):
   * the main thread of the broker's process (aedes, the hub: V8's GC helper threads left out), Mosquitto's
   * process. A count a loaded machine changes far less than msgs/s.
   */
  cpuUsPerMsg?: number;
  /** The same for the whole process (GC helper threads included). */
  processCpuUsPerMsg?: number;
  /**
   * Scavenges of the broker's heap per 1,000 acknowledged messages (the hub: from its /metrics). With the young
   * generation at its cap (the unit's --max-semi-space-size) this is bytes allocated per message in other
   * units: a count the machine's load does not change.
   */
  scavengesPer1k?: number;
  /** Storage file writes from the devices being known to the broker's stop, and that window's length. */
  writes?: number;
  writeWindowSeconds?: number;
}

export interface BenchMqttResult {
  /** Over the rounds: msgs/s the median, messages (and applied) the sum. */
  bare: BenchRun;
  target: BenchRun;
  /** target / bare msgs/s: the median of the rounds' own ratios. */
  ratio: number;
  /** The lowest and highest of the rounds' ratios. */
  ratioRange: [number, number];
  rounds: number;
  /** Each round's runs, in the order they ran. */
  perRound: Array<{ bare: BenchRun; target: BenchRun; mosquitto?: BenchRun; baseline?: BenchRun }>;
  mosquitto?: BenchRun;
  /** Another build of the hub (BENCH_MQTT_BASELINE), and its ratio to bare aedes as for the target. */
  baseline?: BenchRun & { ratio: number; ratioRange: [number, number] };
}

export const benchTopic = (i: number): string => `zigbee2mqtt/bench_${i}`;

/** A Zigbee2MQTT `bridge/devices` payload naming the bench devices as dimmable lights. */
export function benchBridgeDevices(clients: number): string {
  return JSON.stringify(Array.from({ length: clients }, (_, i) => ({
    ieee_address: `0x00124b00${i.toString(16).padStart(8, '0')}`,
    friendly_name: `bench_${i}`,
    type: 'Router',
    supported: true,
    interview_completed: true,
    definition: {
      model: 'BENCH-1', vendor: 'voicehub', description: 'benchmark light',
      exposes: [{ type: 'light', features: [
        { type: 'binary', name: 'state', property: 'state', value_on: 'ON', value_off: 'OFF', access: 7 },
        { type: 'numeric', name: 'brightness', property: 'brightness', value_min: 0, value_max: 254, access: 7 },
      ] }],
    },
  })));
}

export async function benchMqtt(opts: { clients?: number; seconds?: number; rounds?: number; baselineCli?: string; rate?: number } = {}): Promise<BenchMqttResult> {
  const clients = opts.clients ?? 200;
  const rate = opts.rate ?? 0;
  const seconds = opts.seconds ?? 5;
  const rounds = Math.max(1, opts.rounds ?? 3);
  const baselineCli = opts.baselineCli ?? process.env.BENCH_MQTT_BASELINE;
  const withMosquitto = mosquittoPath() !== null;
  const perRound: BenchMqttResult['perRound'] = [];
  for (let round = 0; round < rounds; round++) {
    type Run = [keyof BenchMqttResult['perRound'][number], () => Promise<BenchRun>];
    const runs: Run[] = [
      ['bare', () => runAgainst('aedes (bare)', bareAedes, clients, seconds, rate)],
      ['target', () => runAgainst('hub', () => bundledHub(clients), clients, seconds, rate)],
    ];
    if (baselineCli) runs.push(['baseline', () => runAgainst('hub (baseline build)', () => bundledHub(clients, baselineCli), clients, seconds, rate)]);
    // Each target goes first in turn.
    for (let i = 0; i < round % runs.length; i++) runs.push(runs.shift()!);
    const got: Partial<BenchMqttResult['perRound'][number]> = {};
    for (const [key, run] of runs) got[key] = await run();
    if (withMosquitto) got.mosquitto = await runAgainst('mosquitto', mosquittoTarget, clients, seconds, rate);
    perRound.push(got as BenchMqttResult['perRound'][number]);
  }
  const ratios = (pick: (r: BenchMqttResult['perRound'][number]) => BenchRun) => perRound.map((r) => pick(r).msgsPerSec / r.bare.msgsPerSec);
  const each = ratios((r) => r.target);
  const baseRatios = baselineCli ? ratios((r) => r.baseline!) : [];
  return {
    bare: overRounds(perRound.map((r) => r.bare)),
    target: overRounds(perRound.map((r) => r.target)),
    ratio: median(each),
    ratioRange: [Math.min(...each), Math.max(...each)],
    rounds,
    perRound,
    ...(withMosquitto ? { mosquitto: overRounds(perRound.map((r) => r.mosquitto!)) } : {}),
    ...(baselineCli ? { baseline: { ...overRounds(perRound.map((r) => r.baseline!)), ratio: median(baseRatios), ratioRange: [Math.min(...baseRatios), Math.max(...baseRatios)] as [number, number] } } : {}),
  };
}

/** One row for a target's rounds: the median msgs/s and CPU; messages, applied and writes summed (every message must be applied). */
function overRounds(runs: BenchRun[]): BenchRun {
  const sum = (pick: (r: BenchRun) => number | undefined) => runs.reduce((total, r) => total + (pick(r) ?? 0), 0);
  const medianOf = (pick: (r: BenchRun) => number | undefined) => {
    const xs = runs.map(pick).filter((x): x is number => x !== undefined);
    return xs.length === runs.length ? median(xs) : undefined;
  };
  const cpu = medianOf((r) => r.cpuUsPerMsg);
  const scavengesPer1k = medianOf((r) => r.scavengesPer1k);
  const processCpu = medianOf((r) => r.processCpuUsPerMsg);
  const applied = sum((r) => r.applied);
  const writeWindowSeconds = sum((r) => r.writeWindowSeconds);
  return {
    ...(cpu !== undefined && { cpuUsPerMsg: cpu }),
    ...(processCpu !== undefined && { processCpuUsPerMsg: processCpu }),
    ...(scavengesPer1k !== undefined && { scavengesPer1k }),
    name: runs[0]!.name, clients: runs[0]!.clients, seconds: runs[0]!.seconds,
    messages: sum((r) => r.messages),
    msgsPerSec: Math.round(median(runs.map((r) => r.msgsPerSec))),
    ...(applied > 0 && { applied }),
    ...(writeWindowSeconds > 0 && { writes: sum((r) => r.writes), writeWindowSeconds }),
  };
}

async function runAgainst(name: string, factory: () => Promise<BenchTarget>, clients: number, seconds: number, rate: number): Promise<BenchRun> {
  const target = await factory();
  try {
    // Writes are counted from when the devices are known until the load has ended and settled: the clients'
    // connects fall inside that window too, so the rate is over the window's own length, not the load's seconds.
    const windowStart = performance.now();
    const writesBefore = await target.writes();
    const appliedBefore = await target.applied();
    const scavengesBefore = await target.scavenges?.();
    const use = () => ({ thread: threadUse(target.pid, target.pid).cpuUs, process: processUse(target.pid) });
    let atStart: ReturnType<typeof use> | undefined;
    const { messages, elapsedMs } = await runLoad(target.url, clients, seconds, rate, () => { atStart = use(); });
    const atEnd = use();
    const threadUs = atEnd.thread - (atStart?.thread ?? NaN);
    const processUs = (await atEnd.process).cpuUs - ((await atStart?.process)?.cpuUs ?? NaN);
    await sleep(50); // let the last acknowledged messages be applied
    const applied = (await target.applied()) - appliedBefore;
    const writes = (await target.writes()) - writesBefore;
    const scavenges = scavengesBefore === undefined ? undefined : (await target.scavenges!()) - scavengesBefore;
    const perMsg = (us: number) => (Number.isFinite(us) && messages > 0 ? us / messages : undefined);
    return {
      name, clients, seconds, messages, msgsPerSec: Math.round(messages / (elapsedMs / 1000)), ...(applied > 0 && { applied }),
      cpuUsPerMsg: perMsg(threadUs), processCpuUsPerMsg: perMsg(processUs),
      ...(scavenges !== undefined && messages > 0 && { scavengesPer1k: (1000 * scavenges) / messages }),
      ...(name.startsWith('hub') && { writes, writeWindowSeconds: (performance.now() - windowStart) / 1000 }),
    };
  } finally {
    await target.stop();
  }
}

interface LoadSpec { url: string; clients: number; seconds: number; rate: number }

/** Starts the load worker; resolves with acknowledged publishes and the measured window. */
function runLoad(url: string, clients: number, seconds: number, rate: number, onStart: () => void): Promise<{ messages: number; elapsedMs: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { role: 'mqtt-bench-load', url, clients, seconds, rate } });
    worker.on('message', (m: { messages: number; elapsedMs: number } | { error: string } | { started: true }) => {
      if ('started' in m) onStart();
      else if ('error' in m) reject(new Error(m.error));
      else resolve(m);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => { if (code !== 0) reject(new Error(`load worker exited with ${code}`)); });
  });
}

/**
 * Worker side: connect every client, then publish closed-loop for the given time: each client's next publish
 * when the last is acknowledged, or with `rate` (msgs/s over all clients) not before its scheduled time either.
 */
async function loadWorker({ url, clients, seconds, rate }: LoadSpec): Promise<void> {
  const connected: MqttClient[] = [];
  try {
    // A little at a time: brokers (ours included) limit new connections per second and address.
    for (let i = 0; i < clients; i += 20) {
      const batch = await Promise.all(Array.from({ length: Math.min(20, clients - i) }, (_, k) => connectAsync(url, {
        clientId: `bench_${i + k}`, reconnectPeriod: 250, connectTimeout: 10_000,
      })));
      connected.push(...batch);
    }
    await Promise.all(connected.map((c) => waitConnected(c)));
    parentPort!.postMessage({ started: true }); // the broker's CPU is counted from here (connects left out)
    const deadline = performance.now() + seconds * 1000;
    const started = performance.now();
    const counts = await Promise.all(connected.map(async (c, i) => {
      const topic = benchTopic(i);
      const gapMs = rate > 0 ? (1000 * clients) / rate : 0;
      // Paced clients start spread over one gap, so the rate is even rather than 200 at once.
      if (gapMs > 0) await sleep((gapMs * i) / clients);
      const first = performance.now();
      let n = 0;
      while (performance.now() < deadline) {
        const late = first + n * gapMs - performance.now();
        if (late > 0) await sleep(late);
        await c.publishAsync(topic, `{"state":"${n % 2 ? 'ON' : 'OFF'}","brightness":${n % 255}}`, { qos: 1 });
        n++;
      }
      return n;
    }));
    const elapsedMs = performance.now() - started;
    parentPort!.postMessage({ messages: counts.reduce((a, b) => a + b, 0), elapsedMs });
  } catch (err) {
    parentPort!.postMessage({ error: (err as Error).message });
  } finally {
    await Promise.all(connected.map((c) => c.endAsync(true)));
  }
}

function waitConnected(c: MqttClient): Promise<void> {
  return c.connected ? Promise.resolve() : new Promise((resolve) => c.once('connect', () => resolve()));
}

async function bareAedes(): Promise<BenchTarget> {
  const bare = await startBareAedesProcess();
  return { url: bare.url, pid: bare.pid, applied: async () => 0, writes: async () => 0, stop: () => bare.stop() };
}

/**
 * The hub as users run it (see the top of this file), on port 0 with a temp data dir; ready once its retained
 * `voicehub/bridge/devices` lists the bench devices. Applied and written are read from its /metrics
 * (`voicehub_device_updates_total`, `voicehub_storage_writes_total` over every collection).
 */
async function bundledHub(clients: number, cli?: string): Promise<BenchTarget> {
  const hub = await startBenchDaemon({ mqtt: { connectionsPerSecond: 10_000 } }, undefined, cli);
  try {
    const c = await connectAsync(hub.mqttUrl, { reconnectPeriod: 0 });
    let listed = 0;
    c.on('message', (_topic, payload) => { listed = (JSON.parse(payload.toString()) as unknown[]).length; });
    await c.subscribeAsync('voicehub/bridge/devices');
    // Tell the hub about the bench devices the way Zigbee2MQTT would: a retained bridge/devices list.
    await c.publishAsync('zigbee2mqtt/bridge/devices', benchBridgeDevices(clients), { retain: true, qos: 1 });
    for (const until = Date.now() + 30_000; listed < clients;) {
      if (Date.now() > until) throw new Error(`the hub listed ${listed} of ${clients} bench devices after 30 s`);
      await sleep(20);
    }
    await c.endAsync();
  } catch (err) {
    await hub.stop();
    throw err;
  }
  return {
    url: hub.mqttUrl, pid: hub.pid,
    applied: () => metricSum(hub.httpUrl, 'voicehub_device_updates_total'),
    writes: () => metricSum(hub.httpUrl, 'voicehub_storage_writes_total'),
    scavenges: () => metricSum(hub.httpUrl, 'voicehub_nodejs_gc_duration_seconds_count', 'kind="minor"'),
    stop: () => hub.stop(),
  };
}

/** The sum of a metric's samples over all its label sets (those holding `labels`, when given), from the hub's /metrics. */
async function metricSum(httpUrl: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if ((line.startsWith(`${name} `) || line.startsWith(`${name}{`)) && line.includes(labels)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

function mosquittoPath(): string | null {
  for (const p of ['mosquitto', '/usr/sbin/mosquitto', '/usr/local/sbin/mosquitto']) {
    if (spawnSync(p, ['-h']).error === undefined) return p;
  }
  return null;
}

async function mosquittoTarget(): Promise<BenchTarget> {
  const dir = await mkdtemp(join(tmpdir(), 'voicehub-bench-mosquitto-'));
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const p = (probe.address() as { port: number }).port;
      probe.close(() => resolve(p));
    });
  });
  const conf = join(dir, 'mosquitto.conf');
  await writeFile(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest none\nmax_inflight_messages 0\n`);
  const child = spawn(mosquittoPath()!, ['-c', conf], { stdio: 'ignore' });
  const pid = child.pid;
  for (let i = 0; i < 100; i++) {
    const up = await connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, connectTimeout: 500 }).then((c) => c.endAsync(true).then(() => true), () => false);
    if (up) break;
    await sleep(50);
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    pid: pid ?? NaN,
    applied: async () => 0,
    writes: async () => 0,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function printTable(result: BenchMqttResult): void {
  const rows = [result.bare, result.target, ...(result.baseline ? [result.baseline] : []), ...(result.mosquitto ? [result.mosquitto] : [])];
  console.log(`MQTT QoS 1 closed-loop, ${result.bare.clients} clients, ${result.bare.seconds} s each, ${result.rounds} rounds (msgs/s: median; messages: sum)`);
  console.log('target                        msgs/s    messages  applied  µs CPU/msg (main thread; process)  writes/s  scavenges/1k msgs');
  for (const r of rows) {
    const writes = r.writeWindowSeconds ? (r.writes! / r.writeWindowSeconds).toFixed(2) : '-';
    console.log(`${r.name.padEnd(28)} ${String(r.msgsPerSec).padStart(8)}  ${String(r.messages).padStart(10)}  ${String(r.applied ?? '-').padStart(7)}  ${r.cpuUsPerMsg?.toFixed(1) ?? '-'}; ${r.processCpuUsPerMsg?.toFixed(1) ?? '-'}  ${writes}  ${r.scavengesPer1k?.toFixed(2) ?? '-'}`);
  }
  console.log(`per round: ${result.perRound.map((r) => `${r.target.msgsPerSec}/${r.bare.msgsPerSec}`).join(', ')}`);
  const cpu = (r?: BenchRun) => r?.cpuUsPerMsg?.toFixed(1) ?? '-';
  console.log(`per round, µs CPU/msg (main thread) hub/bare${result.baseline ? '/baseline' : ''}: ${result.perRound.map((r) => `${cpu(r.target)}/${cpu(r.bare)}${r.baseline ? `/${cpu(r.baseline)}` : ''}`).join(', ')}`);
  console.log(`target / bare aedes: ${result.ratio.toFixed(2)} (median of the rounds' ratios; ${result.ratioRange.map((x) => x.toFixed(2)).join('–')})`);
  if (result.baseline) console.log(`baseline build / bare aedes: ${result.baseline.ratio.toFixed(2)} (${result.baseline.ratioRange.map((x) => x.toFixed(2)).join('–')})`);
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'mqtt-bench-load') {
  void loadWorker(workerData as LoadSpec);
} else if (isMainThread && !process.env.NODE_TEST_CONTEXT && process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // NODE_TEST_CONTEXT: `node --test dist/test/` also runs every .js under a test/ folder; loading is all it should do.
  const clients = Number(process.argv[2] ?? 200);
  const seconds = Number(process.argv[3] ?? 5);
  const rounds = Number(process.argv[4] ?? 3);
  const rate = Number(process.argv[5] ?? 0);
  benchMqtt({ clients, seconds, rounds, rate }).then(printTable, (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
