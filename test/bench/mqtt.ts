/**
 * MQTT throughput benchmark: N device clients (default 200), each publishing QoS 1 state closed-loop (the
 * next publish when the previous one is acknowledged), against
 *   (a) a bare aedes broker (no auth, no guards: the ceiling of the library we build on),
 *   (b) the target: the hub (`hubFactory`, from the lead's bench runner) or, run directly, our embedded
 *       broker subsystem with an in-process subscriber standing in for the device layer,
 *   (c) Mosquitto, when it is on PATH, as the reference broker.
 * The load runs in a worker thread so the clients and the broker under test use different cores.
 *
 * Bare aedes itself moves by up to 40 % between runs on the same machine, so one run of each says little:
 * the targets run in `rounds` (default 3), alternating which goes first, each round with a fresh broker;
 * the ratio is the median of the rounds' own hub / bare ratios, with their range.
 *
 * Device i publishes `{"state":"ON"|"OFF","brightness":n}` to `zigbee2mqtt/bench_<i>`; a hub target that
 * should apply them can publish `benchBridgeDevices(n)` retained to `zigbee2mqtt/bridge/devices` first.
 *
 *   node dist/test/bench/mqtt.js [clients] [seconds] [rounds]
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
import { Aedes } from 'aedes';
import { connectAsync, type MqttClient } from 'mqtt';
import { Registry } from 'prom-client';
import { buildConfig } from '../../daemon/config/load.js';
import { EventBus } from '../../daemon/core/bus.js';
import { silentLogger } from '../../daemon/core/log.js';
import { systemClock, type HubContext } from '../../daemon/core/context.js';
import { MqttSubsystem } from '../../daemon/mqtt/mqttSubsystem.js';
import { median } from './stats.js';
import { processUse, threadUse } from './daemonTarget.js';

export interface BenchTarget {
  url: string;
  /** The broker's own process when it is not this one (Mosquitto); else its thread is this process's main thread. */
  pid?: number;
  /** Device state messages the target applied so far (0 for a plain broker). */
  applied(): number;
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
   * the main thread of this process for aedes and the hub (the load runs in a worker), Mosquitto's process.
   * A count a loaded machine changes far less than msgs/s.
   */
  cpuUsPerMsg?: number;
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
  perRound: Array<{ bare: BenchRun; target: BenchRun; mosquitto?: BenchRun }>;
  mosquitto?: BenchRun;
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

export async function benchMqtt(opts: { clients?: number; seconds?: number; rounds?: number; hubFactory?: () => Promise<BenchTarget> } = {}): Promise<BenchMqttResult> {
  const clients = opts.clients ?? 200;
  const seconds = opts.seconds ?? 5;
  const rounds = Math.max(1, opts.rounds ?? 3);
  const withMosquitto = mosquittoPath() !== null;
  const perRound: BenchMqttResult['perRound'] = [];
  for (let round = 0; round < rounds; round++) {
    const runs: Array<[keyof BenchMqttResult['perRound'][number], () => Promise<BenchRun>]> = [
      ['bare', () => runAgainst('aedes (bare)', bareAedes, clients, seconds)],
      ['target', () => runAgainst(opts.hubFactory ? 'hub' : 'embedded broker subsystem', opts.hubFactory ?? embeddedSubsystem, clients, seconds)],
    ];
    if (round % 2 === 1) runs.reverse();
    const got: Partial<BenchMqttResult['perRound'][number]> = {};
    for (const [key, run] of runs) got[key] = await run();
    if (withMosquitto) got.mosquitto = await runAgainst('mosquitto', mosquittoTarget, clients, seconds);
    perRound.push(got as BenchMqttResult['perRound'][number]);
  }
  const each = perRound.map((r) => r.target.msgsPerSec / r.bare.msgsPerSec);
  return {
    bare: overRounds(perRound.map((r) => r.bare)),
    target: overRounds(perRound.map((r) => r.target)),
    ratio: median(each),
    ratioRange: [Math.min(...each), Math.max(...each)],
    rounds,
    perRound,
    ...(withMosquitto ? { mosquitto: overRounds(perRound.map((r) => r.mosquitto!)) } : {}),
  };
}

/** One row for a target's rounds: the median msgs/s; messages and applied summed (every one must be applied). */
function overRounds(runs: BenchRun[]): BenchRun {
  const applied = runs.reduce((sum, r) => sum + (r.applied ?? 0), 0);
  const cpu = runs.map((r) => r.cpuUsPerMsg).filter((x): x is number => x !== undefined);
  return {
    ...(cpu.length === runs.length && { cpuUsPerMsg: median(cpu) }),
    name: runs[0]!.name, clients: runs[0]!.clients, seconds: runs[0]!.seconds,
    messages: runs.reduce((sum, r) => sum + r.messages, 0),
    msgsPerSec: Math.round(median(runs.map((r) => r.msgsPerSec))),
    ...(applied > 0 && { applied }),
  };
}

async function runAgainst(name: string, factory: () => Promise<BenchTarget>, clients: number, seconds: number): Promise<BenchRun> {
  const target = await factory();
  try {
    const appliedBefore = target.applied();
    const use = async () => (target.pid === undefined ? threadUse(process.pid) : await processUse(target.pid)).cpuUs;
    let cpuAtStart: Promise<number> = Promise.resolve(NaN);
    const { messages, elapsedMs } = await runLoad(target.url, clients, seconds, () => { cpuAtStart = use(); });
    const cpuUs = (await use()) - (await cpuAtStart);
    await sleep(50); // let the last acknowledged messages reach in-process subscribers
    const applied = target.applied() - appliedBefore;
    return {
      name, clients, seconds, messages, msgsPerSec: Math.round(messages / (elapsedMs / 1000)), ...(applied > 0 && { applied }),
      ...(Number.isFinite(cpuUs) && messages > 0 && { cpuUsPerMsg: cpuUs / messages }),
    };
  } finally {
    await target.stop();
  }
}

/** Starts the load worker; resolves with acknowledged publishes and the measured window. */
function runLoad(url: string, clients: number, seconds: number, onStart: () => void): Promise<{ messages: number; elapsedMs: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { role: 'mqtt-bench-load', url, clients, seconds } });
    worker.on('message', (m: { messages: number; elapsedMs: number } | { error: string } | { started: true }) => {
      if ('started' in m) onStart();
      else if ('error' in m) reject(new Error(m.error));
      else resolve(m);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => { if (code !== 0) reject(new Error(`load worker exited with ${code}`)); });
  });
}

/** Worker side: connect every client, then publish closed-loop for the given time. */
async function loadWorker({ url, clients, seconds }: { url: string; clients: number; seconds: number }): Promise<void> {
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
      let n = 0;
      while (performance.now() < deadline) {
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
  const broker = await Aedes.createBroker();
  const server = createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    applied: () => 0,
    stop: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Our embedded broker (auth, ACL, guards) with an in-process subscriber counting what it gets. */
async function embeddedSubsystem(): Promise<BenchTarget> {
  const dataDir = await mkdtemp(join(tmpdir(), 'voicehub-bench-mqtt-'));
  const log = silentLogger();
  const ctx = {
    config: buildConfig({ dataDir, mqtt: { host: '127.0.0.1', port: 0, connectionsPerSecond: 1000 } }),
    log, bus: new EventBus(log), metrics: new Registry(), health: { register() {}, unregister() {} }, clock: systemClock,
    store: undefined as never, mqtt: undefined as never,
  } satisfies HubContext as HubContext;
  const subsystem = new MqttSubsystem(ctx);
  await subsystem.start(new AbortController().signal);
  let applied = 0;
  await ctx.mqtt.subscribe('zigbee2mqtt/+', () => { applied++; });
  return {
    url: `mqtt://127.0.0.1:${subsystem.port}`,
    applied: () => applied,
    stop: async () => {
      await subsystem.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
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
    ...(pid !== undefined && { pid }),
    applied: () => 0,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function printTable(result: BenchMqttResult): void {
  const rows = [result.bare, result.target, ...(result.mosquitto ? [result.mosquitto] : [])];
  console.log(`MQTT QoS 1 closed-loop, ${result.bare.clients} clients, ${result.bare.seconds} s each, ${result.rounds} rounds (msgs/s: median; messages: sum)`);
  console.log('target                        msgs/s    messages  applied  µs CPU/msg');
  for (const r of rows) {
    console.log(`${r.name.padEnd(28)} ${String(r.msgsPerSec).padStart(8)}  ${String(r.messages).padStart(10)}  ${String(r.applied ?? '-').padStart(7)}  ${r.cpuUsPerMsg?.toFixed(1) ?? '-'}`);
  }
  console.log(`per round: ${result.perRound.map((r) => `${r.target.msgsPerSec}/${r.bare.msgsPerSec}`).join(', ')}`);
  console.log(`target / bare aedes: ${result.ratio.toFixed(2)} (median of the rounds' ratios; ${result.ratioRange.map((x) => x.toFixed(2)).join('–')})`);
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'mqtt-bench-load') {
  void loadWorker(workerData as { url: string; clients: number; seconds: number });
} else if (isMainThread && !process.env.NODE_TEST_CONTEXT && process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // NODE_TEST_CONTEXT: `node --test dist/test/` also runs every .js under a test/ folder; loading is all it should do.
  const clients = Number(process.argv[2] ?? 200);
  const seconds = Number(process.argv[3] ?? 5);
  const rounds = Number(process.argv[4] ?? 3);
  benchMqtt({ clients, seconds, rounds }).then(printTable, (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
