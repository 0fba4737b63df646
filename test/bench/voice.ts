import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, performance, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { WebSocket, WebSocketServer } from 'ws';
import { AuthService } from '../../daemon/auth/authService.js';
import { buildConfig } from '../../daemon/config/load.js';
import { systemClock } from '../../daemon/core/context.js';
import { EventBus } from '../../daemon/core/bus.js';
import { silentLogger } from '../../daemon/core/log.js';
import { createMetricsRegistry } from '../../daemon/core/metrics.js';
import { VoiceServer } from '../../daemon/voice/voiceServer.js';
import { VoiceCore } from '../../daemon/voice/voiceCore.js';
import type { HandlerStage } from '../../daemon/voice/handlerStage.js';
import { median } from './stats.js';
import { threadUse } from './daemonTarget.js';
import { captureContract, describeContract, startContractFloor } from './contractFloor.js';

/**
 * Capacity, voice WebSocket benchmark: the hub's /voice (JWT auth at upgrade, schema validation, rate limiter,
 * idempotency cache, work queue with timeout, state machine with its `state` frames, metrics) against a bare
 * `ws` server that only parses and answers, with 100/300/500 closed-loop clients (each sends its next
 * utterance when the last is answered). The seed article's table (100: 62 ms, 300: 89 ms, 500: 142 ms and
 * 1.1 % errors) is what this replaces with measured numbers.
 *
 * Rate limiter: every client has its own token subject (as real clients would) and the limit is lifted to
 * 1,000,000/s so the limiter still runs on every utterance but never refuses: a closed-loop client on
 * loopback sends far more than the default 20/s, and the point is the pipeline's cost, not the limit.
 *
 * Load comes from a worker thread, so clients and servers do not share one event loop (they still share
 * the machine's cores). With closed-loop clients and no think time, Little's law ties the numbers together:
 * mean latency = clients ÷ msgs/s, so p99 ≤ 20 ms at 500 clients needs well over 25,000 msgs/s from one
 * event loop; on a 2-core box that is about what the bare server manages. `serverUsPerMsg` (main-thread
 * busy time per message) is the steadier figure when other work shares the machine.
 * Run: `node dist/test/bench/voice.js [seconds]`.
 */
export interface BenchVoiceOptions {
  /** Client counts to run (default 100, 300, 500). */
  clients?: number[];
  /** Measured seconds per run (default 3), after `warmupMs` (default 500). */
  seconds?: number;
  warmupMs?: number;
  /** The hub's handler stage (default: a trivial one that answers at once). */
  stage?: HandlerStage;
  /** What the clients say: each client goes round the list, starting at its own place in it. */
  texts?: readonly string[];
  /**
   * Runs per client count and server (default 1). With more, hub and bare alternate (hub first, then bare
   * first, …) and the table shows medians: on a shared machine one run can be 20 % off.
   */
  rounds?: number;
  /** Which servers to run (default both; the ratio needs both). */
  targets?: Array<'hub' | 'bare'>;
  /**
   * The hub to measure (default: a VoiceServer alone with `stage`). The bench runner passes the whole
   * in-process hub here, so the handler is the real one: intent lookup, a plugin, one MQTT command.
   */
  hub?: (maxClients: number) => Promise<BenchHub>;
  /**
   * Also run the contract floor (contractFloor.ts) at the largest client count, captured from the hub: needs
   * the hub's `mqttUrl`. Its rounds alternate with the hub's and the bare server's.
   */
  floor?: boolean;
  /** Progress lines (default: none). */
  progress?: (line: string) => void;
}

export interface BenchHub {
  url: string;
  /** The hub's MQTT listener (for the contract floor's capture). */
  mqttUrl?: string;
  token(sub: string): Promise<string>;
  stop(): Promise<void>;
}

export type BenchTarget = 'hub' | 'bare' | 'floor';

export interface BenchVoiceRow {
  target: BenchTarget;
  clients: number;
  msgsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errorRate: number;
  /**
   * Server event-loop time per answered message (µs): busy time of the main thread during the measured
   * window ÷ messages. Less sensitive than msgs/s to other load on the machine and to the load generator.
   */
  serverUsPerMsg: number;
  /**
   * The server thread's CPU time per answered message (µs, user + system, from /proc): unlike busy time it
   * leaves out the time the thread waited for a core, so it moves least when others share the machine.
   */
  serverCpuUsPerMsg: number;
  /** The server thread's read and write system calls per answered message (a count the load hardly moves). */
  syscallsPerMsg: number;
  /**
   * Young-generation collections of the server's heap per 1,000 answered messages: with the semi-space size
   * fixed (the shipped flags) this follows the bytes allocated per message, and the machine's load hardly moves it.
   */
  scavengesPerKMsg: number;
}

export interface BenchVoiceResult {
  rows: BenchVoiceRow[];
  /** hub msgs/s ÷ bare msgs/s, per client count: the median over the rounds of each round's ratio. */
  ratio: Record<number, number>;
  /** The lowest and highest of the rounds' ratios, per client count. */
  ratioRange: Record<number, [number, number]>;
  rounds: number;
  /** The targets of the issue at the largest client count: ≥ 0.7× the bare server's msgs/s, no errors. */
  pass: boolean;
  /**
   * With `floor`: at the largest client count, the medians over the rounds of hub / floor and floor / bare
   * msgs/s (each round's own ratio), with their ranges, and what the floor sends per utterance.
   */
  floor?: { clients: number; hubToFloor: number; hubToFloorRange: [number, number]; floorToBare: number; floorToBareRange: [number, number]; describes: string };
}

/**
 * Issue 18's capacity target at 500 clients. The closed-loop p99 ≤ 20 ms target is gone: with closed-loop
 * clients Little's law fixes the mean latency at clients ÷ msgs/s; latency is measured open loop instead
 * (openLoop.ts).
 */
export const CAPACITY_TARGET = 0.7;

/** A handler that answers at once: what the voice path costs without intents, plugins or MQTT. */
export const trivialStage: HandlerStage = { handle: () => ({ text: 'Turned on the kitchen light.', intent: 'HassTurnOn', handledBy: 'bench' }) };

export async function benchVoice(options: BenchVoiceOptions = {}): Promise<BenchVoiceResult> {
  const counts = options.clients ?? [100, 300, 500];
  const seconds = options.seconds ?? 3;
  const warmupMs = options.warmupMs ?? 500;
  const texts = options.texts ?? ['turn on the kitchen light'];
  const max = Math.max(...counts);
  const hub = options.hub ? await options.hub(max) : await startHub(options.stage ?? trivialStage, max);
  const bare = await startBare();
  const tokens = await Promise.all(Array.from({ length: max }, (_, i) => hub.token(`bench-${i}`)));
  const rounds = Math.max(1, options.rounds ?? 1);
  const targets = options.targets ?? ['hub', 'bare'];
  const runs: BenchVoiceRow[] = [];
  let floor: Awaited<ReturnType<typeof startContractFloor>> | null = null;
  let describes = '';
  try {
    if (options.floor && hub.mqttUrl) {
      const contract = await captureContract(hub.url, await hub.token('contract-capture'), hub.mqttUrl, texts);
      describes = describeContract(contract);
      floor = await startContractFloor(contract);
    }
    for (const clients of counts) {
      for (let round = 0; round < rounds; round++) {
        const all: Array<readonly [BenchTarget, string]> = [['hub', hub.url], ['bare', bare.url]];
        if (floor && clients === max) all.push(['floor', floor.url]);
        const order = all.filter(([t]) => t === 'floor' || targets.includes(t));
        for (const [target, url] of round % 2 === 0 ? order : [...order].reverse()) {
          const run = await drive({ url, tokens: tokens.slice(0, clients), warmupMs, durationMs: seconds * 1000, texts });
          const row = summarize(target, clients, run);
          runs.push(row);
          options.progress?.(`${target} ${clients} clients: ${row.msgsPerSec} msgs/s, p99 ${row.p99Ms} ms`);
        }
      }
    }
  } finally {
    await hub.stop();
    await bare.stop();
    await floor?.stop();
  }
  const rows: BenchVoiceRow[] = [];
  const ratio: Record<number, number> = {};
  const ratioRange: Record<number, [number, number]> = {};
  for (const clients of counts) {
    const of = (target: BenchTarget) => runs.filter((r) => r.target === target && r.clients === clients);
    const [h, b, f] = [of('hub'), of('bare'), of('floor')];
    for (const each of [h, b, f]) if (each.length > 0) rows.push(medianRow(each));
    const ratios = roundRatios(h, b);
    if (ratios) [ratio[clients], ratioRange[clients]] = ratios;
  }
  const top = rows.find((r) => r.target === 'hub' && r.clients === max);
  const result: BenchVoiceResult = { rows, ratio, ratioRange, rounds, pass: top !== undefined && (ratio[max] ?? 0) >= CAPACITY_TARGET && top.errorRate === 0 };
  const at = (target: BenchTarget) => runs.filter((r) => r.target === target && r.clients === max);
  const hubToFloor = roundRatios(at('hub'), at('floor'));
  const floorToBare = roundRatios(at('floor'), at('bare'));
  if (hubToFloor && floorToBare) {
    result.floor = { clients: max, hubToFloor: hubToFloor[0], hubToFloorRange: hubToFloor[1], floorToBare: floorToBare[0], floorToBareRange: floorToBare[1], describes };
  }
  return result;
}

/** a / b msgs/s per round (runs in round order): the median and the lowest–highest; null without pairs. */
function roundRatios(a: BenchVoiceRow[], b: BenchVoiceRow[]): [number, [number, number]] | null {
  if (a.length === 0 || a.length !== b.length) return null;
  const each = a.map((r, i) => r.msgsPerSec / b[i]!.msgsPerSec);
  return [round(median(each), 2), [round(Math.min(...each), 2), round(Math.max(...each), 2)]];
}

/** One row for several runs: the median of each figure; the error rate over all of them. */
function medianRow(runs: BenchVoiceRow[]): BenchVoiceRow {
  const m = (pick: (r: BenchVoiceRow) => number) => median(runs.map(pick));
  return {
    target: runs[0]!.target,
    clients: runs[0]!.clients,
    msgsPerSec: Math.round(m((r) => r.msgsPerSec)),
    p50Ms: round(m((r) => r.p50Ms), 2),
    p99Ms: round(m((r) => r.p99Ms), 2),
    errorRate: Math.max(...runs.map((r) => r.errorRate)),
    serverUsPerMsg: round(m((r) => r.serverUsPerMsg), 1),
    serverCpuUsPerMsg: round(m((r) => r.serverCpuUsPerMsg), 1),
    syscallsPerMsg: round(m((r) => r.syscallsPerMsg), 2),
    scavengesPerKMsg: round(m((r) => r.scavengesPerKMsg), 2),
  };
}

async function startHub(stage: HandlerStage, clients: number): Promise<BenchHub> {
  const dir = await mkdtemp(join(tmpdir(), 'voicehub-bench-'));
  const config = buildConfig({
    dataDir: dir,
    voice: { rateLimit: { perSecond: 1_000_000, burst: 1_000_000 }, maxClients: Math.max(1000, clients + 10) },
  });
  const log = silentLogger();
  const ctx = { config, log, bus: new EventBus(log), metrics: createMetricsRegistry(), clock: systemClock };
  const auth = new AuthService(ctx);
  await auth.start();
  const server = await listen(createServer());
  // The server is a front door on a core it is handed, as in the hub: the core is built, started and stopped here.
  const core = new VoiceCore({ ctx, stage });
  await core.start();
  const voice = new VoiceServer({ ctx, auth, http: server, core });
  await voice.start();
  return {
    token: (sub) => auth.create({ sub, scopes: ['voice'], ttl: '1h' }),
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/voice`,
    async stop() {
      await voice.stop();
      await core.stop();
      await auth.stop();
      await close(server);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The baseline: parse the frame, answer a reply. No auth, no validation, no queue. */
async function startBare() {
  const server = await listen(createServer());
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  wss.on('connection', (ws) => {
    ws.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as { id: string };
      ws.send(JSON.stringify({ type: 'reply', id: frame.id, text: 'Turned on the kitchen light.' }));
    });
  });
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/voice`,
    async stop() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      await close(server);
    },
  };
}

interface DriveParams { url: string; tokens: string[]; warmupMs: number; durationMs: number; texts: readonly string[] }
interface DriveResult { count: number; errors: number; latencies: Float64Array; elapsedMs: number; serverActiveMs: number; serverCpuUs: number; serverSyscalls: number; serverScavenges: number }

function drive(params: DriveParams): Promise<DriveResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { role: 'voice-bench-clients', params } });
    let elu = performance.eventLoopUtilization();
    let serverActiveMs = 0;
    // The servers run on this (the main) thread, whose Linux thread id is the process id.
    let use = threadUse(process.pid);
    let used = { cpuUs: NaN, syscalls: NaN };
    // This (the servers') isolate's scavenges while measuring; the clients' worker has a heap of its own.
    let measuring = false;
    let scavenges = 0;
    const gc = new PerformanceObserver((list) => {
      if (!measuring) return;
      for (const e of list.getEntries()) if ((e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges++;
    });
    gc.observe({ entryTypes: ['gc'] });
    worker.on('message', (msg: 'measuring' | 'measured' | DriveResult) => {
      if (msg === 'measuring') {
        elu = performance.eventLoopUtilization();
        use = threadUse(process.pid);
        measuring = true;
        return;
      }
      if (msg === 'measured') {
        serverActiveMs = performance.eventLoopUtilization(elu).active;
        const now = threadUse(process.pid);
        used = { cpuUs: now.cpuUs - use.cpuUs, syscalls: now.syscalls - use.syscalls };
        measuring = false;
        return;
      }
      gc.disconnect();
      resolve({ ...msg, serverActiveMs, serverCpuUs: used.cpuUs, serverSyscalls: used.syscalls, serverScavenges: scavenges });
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

/** Worker side: open every client, run them closed-loop, report what was measured after the warm-up. */
async function runClients(p: DriveParams): Promise<DriveResult> {
  const sockets = await Promise.all(p.tokens.map((token) => new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(p.url, { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  })));
  const latencies: number[] = [];
  let measuring = false;
  let stopped = false;
  let count = 0;
  let errors = 0;
  const texts = p.texts.map((t) => JSON.stringify(t));
  sockets.forEach((ws, i) => {
    let seq = 0;
    let sentAt = 0;
    const sendNext = () => {
      if (stopped) return;
      sentAt = performance.now();
      ws.send(`{"type":"utterance","id":"c${i}-${seq}","text":${texts[(i + seq) % texts.length]}}`);
      seq++;
    };
    ws.on('message', (data: Buffer) => {
      // Byte 9 is the first letter of the frame type (`{"type":"…`): r(eply), e(rror); state/pong frames are not answers.
      const kind = data[9];
      if (kind !== 0x72 && kind !== 0x65) return;
      if (measuring) {
        latencies.push(performance.now() - sentAt);
        if (kind === 0x65) errors++;
        else count++;
      }
      sendNext();
    });
    sendNext();
  });
  await sleep(p.warmupMs);
  parentPort!.postMessage('measuring');
  measuring = true;
  const t0 = performance.now();
  await sleep(p.durationMs);
  measuring = false;
  const elapsedMs = performance.now() - t0;
  stopped = true;
  parentPort!.postMessage('measured');
  await Promise.all(sockets.map((ws) => new Promise<void>((resolve) => {
    ws.once('close', () => resolve());
    ws.close();
    setTimeout(() => { ws.terminate(); resolve(); }, 2000).unref();
  })));
  return { count, errors, latencies: Float64Array.from(latencies), elapsedMs, serverActiveMs: 0, serverCpuUs: 0, serverSyscalls: 0, serverScavenges: 0 };
}

function summarize(target: BenchTarget, clients: number, run: DriveResult): BenchVoiceRow {
  const sorted = run.latencies.sort();
  const at = (q: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
  const total = run.count + run.errors;
  return {
    target,
    clients,
    msgsPerSec: Math.round(total / (run.elapsedMs / 1000)),
    p50Ms: round(at(0.5), 2),
    p99Ms: round(at(0.99), 2),
    errorRate: total === 0 ? 0 : round(run.errors / total, 4),
    serverUsPerMsg: total === 0 ? NaN : round((run.serverActiveMs * 1000) / total, 1),
    serverCpuUsPerMsg: total === 0 ? NaN : round(run.serverCpuUs / total, 1),
    syscallsPerMsg: total === 0 ? NaN : round(run.serverSyscalls / total, 2),
    scavengesPerKMsg: total === 0 ? NaN : round((run.serverScavenges * 1000) / total, 2),
  };
}

export function formatTable(result: BenchVoiceResult): string {
  const lines = ['| clients | target | msgs/s | p50 ms | p99 ms | errors | server µs/msg (busy) | server CPU µs/msg | syscalls/msg | scavenges/1k msgs | hub/bare msgs/s |', '|---|---|---|---|---|---|---|---|---|---|---|'];
  for (const r of result.rows) {
    const range = result.ratioRange[r.clients];
    const ratio = r.target !== 'hub' ? '' : result.rounds > 1 && range ? `${result.ratio[r.clients]} (${range[0]}–${range[1]})` : String(result.ratio[r.clients]);
    lines.push(`| ${r.clients} | ${r.target} | ${r.msgsPerSec} | ${r.p50Ms} | ${r.p99Ms} | ${(r.errorRate * 100).toFixed(2)}% | ${r.serverUsPerMsg} | ${r.serverCpuUsPerMsg} | ${r.syscallsPerMsg} | ${r.scavengesPerKMsg} | ${ratio} |`);
  }
  if (result.rounds > 1) lines.push('', `medians of ${result.rounds} rounds, hub and bare alternating; the ratio is the median of each round's ratio (lowest–highest)`);
  const max = Math.max(...result.rows.map((r) => r.clients));
  const top = result.rows.find((r) => r.target === 'hub' && r.clients === max);
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  lines.push('', `target at ${max} clients (hub ≥ ${CAPACITY_TARGET}× bare msgs/s, 0 errors): ${verdict(result.pass)}`);
  if (top && result.ratio[max] !== undefined) {
    lines.push(`  ratio ${result.ratio[max]}: ${verdict(result.ratio[max]! >= CAPACITY_TARGET)}; errors ${(top.errorRate * 100).toFixed(2)} %: ${verdict(top.errorRate === 0)}`);
  }
  const f = result.floor;
  if (f) {
    lines.push(`contract floor at ${f.clients} clients (${f.describes}): hub / floor ${f.hubToFloor} (${f.hubToFloorRange[0]}–${f.hubToFloorRange[1]}), floor / bare ${f.floorToBare} (${f.floorToBareRange[0]}–${f.floorToBareRange[1]})`);
  }
  return lines.join('\n');
}

function listen(server: Server): Promise<Server> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

// Worker thread: the load generator.
if (!isMainThread && (workerData as { role?: string } | null)?.role === 'voice-bench-clients') {
  const result = await runClients((workerData as { params: DriveParams }).params);
  parentPort!.postMessage(result, [result.latencies.buffer as ArrayBuffer]);
}

// Run directly (not when the test runner loads every file under dist/test/, which sets NODE_TEST_CONTEXT).
if (isMainThread && process.argv[1] === fileURLToPath(import.meta.url) && !process.env.NODE_TEST_CONTEXT) {
  const seconds = Number(process.argv[2] ?? 3);
  const result = await benchVoice({ seconds, progress: (line) => process.stderr.write(`${line}\n`) });
  process.stdout.write(`${formatTable(result)}\n`);
}
