/**
 * MQTT throughput benchmark: N device clients (default 200), each publishing QoS 1 state closed-loop (the
 * next publish when the previous one is acknowledged), against
 *   (a) a bare aedes broker (no auth, no guards: the ceiling of the library we build on),
 *   (b) the target: the hub (`hubFactory`, from the lead's bench runner) or, run directly, our embedded
 *       broker subsystem with an in-process subscriber standing in for the device layer,
 *   (c) Mosquitto, when it is on PATH, as the reference broker.
 * The load runs in a worker thread so the clients and the broker under test use different cores.
 *
 * Device i publishes `{"state":"ON"|"OFF","brightness":n}` to `zigbee2mqtt/bench_<i>`; a hub target that
 * should apply them can publish `benchBridgeDevices(n)` retained to `zigbee2mqtt/bridge/devices` first.
 *
 *   node dist/test/bench/mqtt.js [clients] [seconds]
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

export interface BenchTarget {
  url: string;
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
}

export interface BenchMqttResult {
  bare: BenchRun;
  target: BenchRun;
  /** target / bare msgs/s. */
  ratio: number;
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

export async function benchMqtt(opts: { clients?: number; seconds?: number; hubFactory?: () => Promise<BenchTarget> } = {}): Promise<BenchMqttResult> {
  const clients = opts.clients ?? 200;
  const seconds = opts.seconds ?? 5;
  const bare = await runAgainst('aedes (bare)', bareAedes, clients, seconds);
  const target = await runAgainst(opts.hubFactory ? 'hub' : 'embedded broker subsystem', opts.hubFactory ?? embeddedSubsystem, clients, seconds);
  const result: BenchMqttResult = { bare, target, ratio: target.msgsPerSec / bare.msgsPerSec };
  if (mosquittoPath()) result.mosquitto = await runAgainst('mosquitto', mosquittoTarget, clients, seconds);
  return result;
}

async function runAgainst(name: string, factory: () => Promise<BenchTarget>, clients: number, seconds: number): Promise<BenchRun> {
  const target = await factory();
  try {
    const appliedBefore = target.applied();
    const { messages, elapsedMs } = await runLoad(target.url, clients, seconds);
    await sleep(50); // let the last acknowledged messages reach in-process subscribers
    const applied = target.applied() - appliedBefore;
    return { name, clients, seconds, messages, msgsPerSec: Math.round(messages / (elapsedMs / 1000)), ...(applied > 0 && { applied }) };
  } finally {
    await target.stop();
  }
}

/** Starts the load worker; resolves with acknowledged publishes and the measured window. */
function runLoad(url: string, clients: number, seconds: number): Promise<{ messages: number; elapsedMs: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { role: 'mqtt-bench-load', url, clients, seconds } });
    worker.once('message', (m: { messages: number; elapsedMs: number } | { error: string }) => {
      if ('error' in m) reject(new Error(m.error));
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
  for (let i = 0; i < 100; i++) {
    const up = await connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, connectTimeout: 500 }).then((c) => c.endAsync(true).then(() => true), () => false);
    if (up) break;
    await sleep(50);
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
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
  console.log(`MQTT QoS 1 closed-loop, ${result.bare.clients} clients, ${result.bare.seconds} s each`);
  console.log('target                        msgs/s    messages  applied');
  for (const r of rows) {
    console.log(`${r.name.padEnd(28)} ${String(r.msgsPerSec).padStart(8)}  ${String(r.messages).padStart(10)}  ${r.applied ?? '-'}`);
  }
  console.log(`target / bare aedes: ${result.ratio.toFixed(2)}`);
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'mqtt-bench-load') {
  void loadWorker(workerData as { url: string; clients: number; seconds: number });
} else if (isMainThread && !process.env.NODE_TEST_CONTEXT && process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // NODE_TEST_CONTEXT: `node --test dist/test/` also runs every .js under a test/ folder; loading is all it should do.
  const clients = Number(process.argv[2] ?? 200);
  const seconds = Number(process.argv[3] ?? 5);
  benchMqtt({ clients, seconds }).then(printTable, (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
