/**
 * Latency at a real load (issue 18): utterances arrive at a fixed rate, whatever the server does (open loop),
 * spread round-robin over 100 voice clients, each naming one of 100 devices. Every send time is fixed before
 * the run starts (t0 + k / rate) and every latency is taken from that scheduled time, so a server (or a load
 * generator) that falls behind shows as latency, not as fewer samples: no coordinated omission.
 *
 * Measured: reply p50/p99 from the hub as users run it (the bundle, the unit's node flags, its own process)
 * and from a bare `ws` server in its own process at the same rate; and utterance → the MQTT command
 * arriving at the device's own subscribed client (100 device clients, one per device). Commands are matched
 * to utterances per device in order; each utterance is counted until it is answered and its command arrives.
 * The hub's minor GCs (young-generation scavenges) during each run come from its /metrics.
 *
 * In rounds: one tail moved from run to run more than builds differed (a hub 1.65× the bare server in one run,
 * 0.73× right after), so each hub and the bare server take turns at each rate, several short rounds each, and
 * the figure is the median of the rounds' own ratios with their range (as the ingest bench does).
 */
import { readFile, rm } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { connectAsync, type MqttClient } from 'mqtt';
import { WebSocket } from 'ws';
import { hundredDeviceHome } from './voiceHome.js';
import { metricValue, processUse, startBareVoiceProcess, startBenchDaemon, type BenchDaemon } from './daemonTarget.js';
import { median } from './stats.js';
import { quantile } from './report.js';
import { SHIPPED_NODE_FLAGS } from '../helpers/daemon.js';
import { gcProbeFile, type GcPause } from './gcProbe.js';

export interface OpenLoopRun {
  target: string;
  rate: number;
  /** Which round (0-based) of the rate this row is: hubs and the bare server alternate round by round. */
  round?: number;
  seconds: number;
  sent: number;
  replies: number;
  errors: number;
  /** Error frames by their code. */
  errorCodes: Record<string, number>;
  /** Utterances with no reply at all by the end of the drain. */
  unanswered: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The load generator's own lateness (actual send − scheduled), p99: it counts in every latency. */
  sendLagP99Ms: number;
  commands?: { expected: number; received: number; lost: number; p50Ms: number; p99Ms: number; maxMs: number };
  /** Hub only: young-generation scavenges during the run, and their total pause. */
  scavenges?: { count: number; totalMs: number };
  /**
   * The server process's CPU time (user + system) and read/write system calls per utterance, counted from the
   * end of the warm-up to the end of the drain (the measured utterances): what the latency is made of, counted
   * rather than timed, so a busy machine hardly moves it. `setupCpuMs` is the rest of the run's CPU, outside
   * that window: 100 WebSocket upgrades with their tokens checked, the warm-up second, the closes. Before it was
   * split off it was spread over the utterances, about 300 µs each in a 10 s run at 200/s.
   */
  perUtterance?: { cpuUs: number; syscalls: number; setupCpuMs: number };
  /** Hub only: what the slowest 1 % of replies (above the p99) coincided with; see TailCauses. */
  tail?: TailCauses;
  /** Hub only: socket inputs the loop phase budget held for a later phase during the run (0: it never held one). */
  inputsHeld?: number;
  /** Hub only: its resident memory at the end of the run (MB). */
  rssMB?: number;
}

/**
 * The slowest 1 % of replies set against the hub's garbage collections (from gcProbe.ts, on the wall clock):
 * how many of them a GC pause overlapped (between the utterance's scheduled time and its reply), against the
 * share of all measured utterances a pause overlapped (what chance alone gives); and how many had been sent
 * late by the load generator (its lag over half the latency: the client side, not the hub, was slow).
 */
export interface TailCauses {
  slow: number;
  slowWithGc: number;
  slowWithMajorGc: number;
  slowSentLate: number;
  /** Share of all measured utterances a GC pause overlapped. */
  allWithGcShare: number;
  gc: { minor: number; major: number; minorMaxMs: number; majorMaxMs: number; totalMs: number };
}

export interface OpenLoopOptions {
  rates?: number[];
  /** Length of one round (one target at one rate), the warm-up included. */
  seconds?: number;
  /** Rounds per rate: each target (every hub, then the bare server) once a round, in a rotating order. */
  rounds?: number;
  warmupSeconds?: number;
  clients?: number;
  /**
   * Node flag sets for the hub: the first is the shipped one; the others are measured beside it. `cli` runs
   * another build's bundle (`BENCH_OPENLOOP_BASELINE`: a before/after of a change in one run).
   */
  hubFlags?: Array<{ label: string; nodeArgs: string[]; cli?: string }>;
  progress?: (line: string) => void;
}

export function openLoopConfig(): Record<string, unknown> {
  const home = hundredDeviceHome();
  return {
    devices: home.devices,
    areas: home.areas,
    // The load is 20 utterances/s per client at 2,000/s, the default per-client limit: lifted so it still
    // runs on every utterance but never refuses. The device clients connect at once.
    voice: { rateLimit: { perSecond: 100_000, burst: 100_000 } },
    mqtt: { connectionsPerSecond: 10_000 },
  };
}

export const BARE_TARGET = 'bare ws server';

/**
 * Every hub (one process per flag set, started once and kept for all its rounds) and the bare server take
 * turns at each rate, round after round, the order rotating each round (and each rate), so that no target
 * always runs first on a machine still settling, or always right after a given other. One row per target per
 * round (`round`); `openLoopSummary` turns them into the median of the rounds' own ratios. A run's tail
 * moved from run to run more than builds differed: the rounds put that spread beside the figure.
 */
export async function benchOpenLoop(options: OpenLoopOptions = {}): Promise<OpenLoopRun[]> {
  const rates = options.rates ?? [200, 2000];
  const seconds = options.seconds ?? 4;
  const rounds = Math.max(1, options.rounds ?? 3);
  const warmup = options.warmupSeconds ?? 1;
  const clients = options.clients ?? 100;
  const flagSets = options.hubFlags ?? [{ label: 'hub', nodeArgs: SHIPPED_NODE_FLAGS }];
  const runs: OpenLoopRun[] = [];
  const names = hundredDeviceHome().names;
  const bare = await startBareVoiceProcess();
  const hubs: Array<{ label: string; hub: BenchDaemon; tokens: string[]; devices: Devices | null; rows: Array<{ row: OpenLoopRun; samples: Samples }> }> = [];
  try {
    for (const flags of flagSets) {
      const hub = await startBenchDaemon(openLoopConfig(), [...flags.nodeArgs, `--import=${new URL('./gcProbe.js', import.meta.url).href}`], flags.cli);
      const entry = { label: flags.label, hub, tokens: [] as string[], devices: null as Devices | null, rows: [] as Array<{ row: OpenLoopRun; samples: Samples }> };
      hubs.push(entry);
      entry.tokens = await hub.tokens(clients, 'open');
      entry.devices = await connectDevices(hub.mqttUrl, hundredDeviceHome().devices.map((d) => d.commandTopic!));
    }
    const bareTokens = hubs[0]!.tokens;
    const targets = [...hubs.map((_, i) => i), -1];
    for (const [r, rate] of rates.entries()) {
      for (let round = 0; round < rounds; round++) {
        for (const t of rotate(targets, round + r)) {
          const h = t >= 0 ? hubs[t]! : null;
          const gcBefore = h ? await minorGc(h.hub.httpUrl) : null;
          const heldBefore = h ? await metricValue(h.hub.httpUrl, 'voicehub_input_held_total') : 0;
          const pid = h ? h.hub.pid : bare.pid;
          const useBefore = await processUse(pid);
          const { samples, window, ...run } = await driveOpenLoop({
            url: h ? h.hub.wsUrl : bare.url, tokens: h ? h.tokens : bareTokens, rate, seconds, warmup, names,
            devices: h ? h.devices : null, pid,
          });
          const useAfter = await processUse(pid);
          const setupCpuMs = (useAfter.cpuUs - useBefore.cpuUs - window.cpuUs) / 1000;
          const row: OpenLoopRun = {
            target: h ? h.label : BARE_TARGET, rate, round, seconds, ...run,
            perUtterance: { cpuUs: window.cpuUs / samples.count, syscalls: window.syscalls / samples.count, setupCpuMs },
          };
          if (h && gcBefore) {
            h.rows.push({ row, samples });
            const after = await minorGc(h.hub.httpUrl);
            row.scavenges = { count: after.count - gcBefore.count, totalMs: (after.sum - gcBefore.sum) * 1000 };
            row.inputsHeld = await metricValue(h.hub.httpUrl, 'voicehub_input_held_total') - heldBefore;
            row.rssMB = await h.hub.rssMB();
          }
          runs.push(row);
          options.progress?.(`open loop ${row.target} ${rate}/s round ${round + 1}/${rounds}: reply p50 ${row.p50Ms.toFixed(2)} p99 ${row.p99Ms.toFixed(2)} ms${row.commands ? `, command p99 ${row.commands.p99Ms.toFixed(2)} ms, lost ${row.commands.lost}` : ''}; per utterance ${row.perUtterance!.cpuUs.toFixed(0)} µs CPU, ${row.perUtterance!.syscalls.toFixed(2)} syscalls`);
        }
      }
    }
  } finally {
    for (const h of hubs) {
      if (h.devices) await Promise.all(h.devices.clients.map((c) => c.endAsync(true)));
      await h.hub.stop();
      // The probe writes its collections when the hub exits.
      const pauses = await readFile(gcProbeFile(h.hub.pid), 'utf8').then((t) => JSON.parse(t) as GcPause[], () => null);
      await rm(gcProbeFile(h.hub.pid), { force: true });
      if (pauses) for (const { row, samples } of h.rows) row.tail = tailCauses(samples, pauses);
    }
    await bare.stop();
  }
  return runs;
}

/** `xs` started at index `by` (mod its length): round k's order of the targets. */
export function rotate<T>(xs: readonly T[], by: number): T[] {
  const k = ((by % xs.length) + xs.length) % xs.length;
  return [...xs.slice(k), ...xs.slice(0, k)];
}

/** One hub target at one rate over its rounds, each round's p99 set against the bare server's of the same round. */
export interface OpenLoopSummary {
  target: string;
  rate: number;
  rounds: number;
  /** Hub reply p99 / bare p99, per round (in round order), their median and range. */
  replyRatios: number[];
  replyRatio: number;
  replyRange: [number, number];
  /** Hub utterance → command p99 / bare reply p99, the same way (empty when no command was counted). */
  commandRatios: number[];
  commandRatio: number;
  commandRange: [number, number];
  /** Over all rounds: utterances sent, errors, unanswered, commands owed and lost. */
  sent: number;
  errors: number;
  unanswered: number;
  commandsOwed: number;
  commandsLost: number;
  /** The bare server's over all rounds: errors + unanswered. */
  bareFailures: number;
  /** Over all rounds: the slowest 1 %, those a GC pause overlapped, a major one, and all major pauses seen. */
  slow: number;
  slowWithGc: number;
  slowWithMajorGc: number;
}

/** The rows of `benchOpenLoop` per hub target and rate. Pure: tested in test/unit/bench/openLoopRounds.test.ts. */
export function openLoopSummary(runs: readonly OpenLoopRun[]): OpenLoopSummary[] {
  const out: OpenLoopSummary[] = [];
  const spread = (xs: number[]): [number, number] => (xs.length ? [Math.min(...xs), Math.max(...xs)] : [NaN, NaN]);
  for (const rate of [...new Set(runs.map((r) => r.rate))]) {
    const bareOf = new Map(runs.filter((r) => r.rate === rate && r.target === BARE_TARGET).map((r) => [r.round ?? 0, r]));
    const bares = [...bareOf.values()];
    for (const target of [...new Set(runs.filter((r) => r.rate === rate && r.target !== BARE_TARGET).map((r) => r.target))]) {
      const rows = runs.filter((r) => r.rate === rate && r.target === target).sort((a, b) => (a.round ?? 0) - (b.round ?? 0));
      const replyRatios: number[] = [];
      const commandRatios: number[] = [];
      for (const row of rows) {
        const bare = bareOf.get(row.round ?? 0);
        if (!bare) continue;
        replyRatios.push(row.p99Ms / bare.p99Ms);
        if (row.commands) commandRatios.push(row.commands.p99Ms / bare.p99Ms);
      }
      const sum = (f: (r: OpenLoopRun) => number) => rows.reduce((a, r) => a + f(r), 0);
      out.push({
        target, rate, rounds: rows.length,
        replyRatios, replyRatio: median(replyRatios), replyRange: spread(replyRatios),
        commandRatios, commandRatio: median(commandRatios), commandRange: spread(commandRatios),
        sent: sum((r) => r.sent), errors: sum((r) => r.errors), unanswered: sum((r) => r.unanswered),
        commandsOwed: sum((r) => r.commands?.expected ?? 0), commandsLost: sum((r) => r.commands?.lost ?? 0),
        bareFailures: bares.reduce((a, r) => a + r.errors + r.unanswered, 0),
        slow: sum((r) => r.tail?.slow ?? 0), slowWithGc: sum((r) => r.tail?.slowWithGc ?? 0), slowWithMajorGc: sum((r) => r.tail?.slowWithMajorGc ?? 0),
      });
    }
  }
  return out;
}

/** The measured utterances of one run on the wall clock (epoch ms): scheduled send, reply latency, send lag. */
export interface Samples {
  count: number;
  scheduledMs: Float64Array;
  latencyMs: Float64Array;
  sendLagMs: Float64Array;
}

/** See TailCauses. Pure: tested in test/unit/bench/openLoopTail.test.ts. */
export function tailCauses(s: Samples, pauses: readonly GcPause[]): TailCauses {
  const sorted = Float64Array.from(s.latencyMs.filter((v) => !Number.isNaN(v))).sort();
  const p99 = quantile(sorted, 0.99);
  const from = s.scheduledMs.length ? s.scheduledMs[0]! : 0;
  const to = s.scheduledMs.length ? s.scheduledMs[s.scheduledMs.length - 1]! + sorted[sorted.length - 1]! : 0;
  const inRun = pauses.filter(([at, d]) => at + d >= from && at <= to).sort((a, b) => a[0] - b[0]);
  // The pauses that overlap [start, end]: pauses are few (one to ten a second), a scan per utterance is cheap.
  const overlapping = (start: number, end: number) => inRun.filter(([at, d]) => at <= end && at + d >= start);
  const out: TailCauses = {
    slow: 0, slowWithGc: 0, slowWithMajorGc: 0, slowSentLate: 0, allWithGcShare: 0,
    gc: { minor: 0, major: 0, minorMaxMs: 0, majorMaxMs: 0, totalMs: 0 },
  };
  let answered = 0;
  let withGc = 0;
  for (let i = 0; i < s.count; i++) {
    const latency = s.latencyMs[i]!;
    if (Number.isNaN(latency)) continue;
    answered++;
    const hits = overlapping(s.scheduledMs[i]!, s.scheduledMs[i]! + latency);
    if (hits.length > 0) withGc++;
    if (latency <= p99) continue;
    out.slow++;
    if (hits.length > 0) out.slowWithGc++;
    if (hits.some(([, , kind]) => kind === 'major')) out.slowWithMajorGc++;
    if (s.sendLagMs[i]! > latency / 2) out.slowSentLate++;
  }
  out.allWithGcShare = answered ? withGc / answered : 0;
  for (const [, d, kind] of inRun) {
    out.gc[kind]++;
    if (kind === 'minor') out.gc.minorMaxMs = Math.max(out.gc.minorMaxMs, d);
    else out.gc.majorMaxMs = Math.max(out.gc.majorMaxMs, d);
    out.gc.totalMs += d;
  }
  return out;
}

async function minorGc(httpUrl: string): Promise<{ count: number; sum: number }> {
  const [count, sum] = await Promise.all([
    metricValue(httpUrl, 'voicehub_nodejs_gc_duration_seconds_count{kind="minor"}'),
    metricValue(httpUrl, 'voicehub_nodejs_gc_duration_seconds_sum{kind="minor"}'),
  ]);
  return { count, sum };
}

export interface Devices {
  clients: MqttClient[];
  /** Per device: called with the arrival time of each command on its topic. */
  onCommand: Array<((at: number) => void) | null>;
}

export async function connectDevices(mqttUrl: string, topics: string[]): Promise<Devices> {
  const onCommand: Devices['onCommand'] = topics.map(() => null);
  const clients = await Promise.all(topics.map(async (topic, d) => {
    const c = await connectAsync(mqttUrl, { clientId: `load_device_${d}`, reconnectPeriod: 0 });
    c.on('message', () => onCommand[d]?.(performance.now()));
    await c.subscribeAsync(topic, { qos: 1 });
    return c;
  }));
  return { clients, onCommand };
}

interface DriveParams {
  url: string;
  tokens: string[];
  rate: number;
  seconds: number;
  warmup: number;
  names: string[];
  devices: Devices | null;
  /** The server's process: its CPU and system calls are read at the end of the warm-up and of the drain. */
  pid: number;
}

type Driven = Omit<OpenLoopRun, 'target' | 'rate' | 'round' | 'seconds'> & { samples: Samples; window: { cpuUs: number; syscalls: number } };

/** Which device utterance k names: round the 100, shifted every round so client and device do not pair up. */
const deviceOf = (k: number, n: number) => (k + Math.floor(k / n)) % n;

export async function driveOpenLoop(p: DriveParams): Promise<Driven> {
  const sockets = await Promise.all(p.tokens.map((token) => new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(p.url, { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  })));
  // Ids unique to this run: the hub remembers ids (idempotency) and would replay an earlier run's answer
  // for a repeated one, with no command sent.
  const runTag = `u${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}-`;
  const total = Math.round(p.rate * p.seconds);
  const gapMs = 1000 / p.rate;
  const measuredFrom = Math.round(p.rate * p.warmup);
  const replyAt = new Float64Array(total).fill(NaN);
  const commandAt = new Float64Array(total).fill(NaN);
  const sendLag = new Float64Array(total);
  let errors = 0;
  const errorCodes: Record<string, number> = {};
  let replies = 0;
  let commands = 0;
  // Commands are matched per device in order of the utterances naming it.
  const pending: number[][] = p.names.map(() => []);
  const utterancesPerDevice = new Array<number>(p.names.length).fill(0);
  if (p.devices) {
    p.devices.onCommand.forEach((_, d) => {
      p.devices!.onCommand[d] = (at) => {
        const k = pending[d]!.shift();
        if (k === undefined) return; // a command no utterance asked for: not counted as delivered
        commandAt[k] = at;
        commands++;
      };
    });
  }
  for (const ws of sockets) {
    ws.on('message', (data: Buffer) => {
      const at = performance.now();
      // `{"type":"reply"…` / `{"type":"error"…`: byte 9 is the type's first letter; state frames are not answers.
      const kind = data[9];
      if (kind !== 0x72 && kind !== 0x65) return;
      const frame = JSON.parse(data.toString()) as { id?: string; code?: string };
      const k = frame.id?.startsWith(runTag) ? Number(frame.id.slice(runTag.length)) : NaN;
      if (!Number.isInteger(k) || k < 0 || k >= total || !Number.isNaN(replyAt[k]!)) return;
      replyAt[k] = at;
      replies++;
      if (kind === 0x65) {
        // Refused: no command is owed for it, so it leaves its device's queue of commands to match.
        errors++;
        errorCodes[frame.code ?? '?'] = (errorCodes[frame.code ?? '?'] ?? 0) + 1;
        const queue = pending[deviceOf(k, p.names.length)]!;
        const i = queue.indexOf(k);
        if (i >= 0) queue.splice(i, 1);
      }
    });
  }
  const t0 = performance.now() + 50;
  // The measured window opens when the first measured utterance is due (the reading is async, off the send path).
  let windowStart: Promise<{ cpuUs: number; syscalls: number }> | undefined;
  const opener = setTimeout(() => { windowStart = processUse(p.pid); }, Math.max(0, t0 + measuredFrom * gapMs - performance.now()));
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (next < total && t0 + next * gapMs <= now) {
        const k = next++;
        const d = deviceOf(k, p.names.length);
        const turn = utterancesPerDevice[d]++ % 2 === 0 ? 'on' : 'off';
        pending[d]!.push(k);
        sendLag[k] = performance.now() - (t0 + k * gapMs);
        sockets[k % sockets.length]!.send(`{"type":"utterance","id":"${runTag}${k}","text":"turn ${turn} the ${p.names[d]}"}`);
      }
      if (next < total) setTimeout(tick, Math.max(0, t0 + next * gapMs - performance.now() - 0.5));
      else resolve();
    };
    setTimeout(tick, 50);
  });
  // Drain: until every reply (and owed command) is in, or nothing more came for 5 s (at most 60 s): a late
  // command is late, not lost; one that never comes is lost.
  const owing = () => replies < total || (p.devices !== null && commands < replies - errors);
  for (let last = -1, quietSince = performance.now(), end = performance.now() + 60_000; owing() && performance.now() < end;) {
    await new Promise((r) => setTimeout(r, 20));
    if (replies + commands !== last) { last = replies + commands; quietSince = performance.now(); }
    if (performance.now() - quietSince > 5000) break;
  }
  clearTimeout(opener);
  const windowEnd = await processUse(p.pid);
  const opened = await (windowStart ?? Promise.resolve(windowEnd));
  const window = { cpuUs: windowEnd.cpuUs - opened.cpuUs, syscalls: windowEnd.syscalls - opened.syscalls };
  await Promise.all(sockets.map((ws) => new Promise<void>((resolve) => {
    ws.once('close', () => resolve());
    ws.close();
    setTimeout(() => { ws.terminate(); resolve(); }, 2000).unref();
  })));
  if (p.devices) p.devices.onCommand.fill(null);
  const since = (at: Float64Array) => {
    const out: number[] = [];
    for (let k = measuredFrom; k < total; k++) {
      const v = at[k]!;
      if (!Number.isNaN(v)) out.push(v - (t0 + k * gapMs));
    }
    return Float64Array.from(out).sort();
  };
  const r = since(replyAt);
  const lag = Float64Array.from(sendLag.subarray(measuredFrom)).sort();
  const measured = total - measuredFrom;
  const samples: Samples = {
    count: measured,
    scheduledMs: Float64Array.from({ length: measured }, (_, i) => performance.timeOrigin + t0 + (measuredFrom + i) * gapMs),
    latencyMs: Float64Array.from({ length: measured }, (_, i) => replyAt[measuredFrom + i]! - (t0 + (measuredFrom + i) * gapMs)),
    sendLagMs: sendLag.slice(measuredFrom),
  };
  const result: Driven = {
    samples, window,
    sent: total, replies, errors, errorCodes, unanswered: total - replies,
    p50Ms: quantile(r, 0.5), p99Ms: quantile(r, 0.99), maxMs: r.length ? r[r.length - 1]! : NaN,
    sendLagP99Ms: quantile(lag, 0.99),
  };
  if (p.devices) {
    const c = since(commandAt);
    // Owed: one command per utterance answered with a reply (an answered action); a refused one owes none.
    const owed = replies - errors;
    result.commands = { expected: owed, received: commands, lost: owed - commands, p50Ms: quantile(c, 0.5), p99Ms: quantile(c, 0.99), maxMs: c.length ? c[c.length - 1]! : NaN };
  }
  return result;
}

// `node dist/test/bench/openLoop.js [seconds] [rate…]`: this bench alone.
if (process.argv[1] === fileURLToPath(import.meta.url) && !process.env.NODE_TEST_CONTEXT) {
  const [seconds, ...rates] = process.argv.slice(2).map(Number);
  const rounds = Number(process.env.BENCH_OPENLOOP_ROUNDS ?? 3);
  const runs = await benchOpenLoop({ seconds: seconds || 4, rounds, ...(rates.length > 0 && { rates }), progress: (l) => process.stderr.write(`${l}\n`) });
  process.stdout.write(`${JSON.stringify({ summary: openLoopSummary(runs), runs }, null, 2)}\n`);
}
