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
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { connectAsync, type MqttClient } from 'mqtt';
import { WebSocket } from 'ws';
import { hundredDeviceHome } from './voiceHome.js';
import { metricValue, processUse, startBareVoiceProcess, startBenchDaemon } from './daemonTarget.js';
import { quantile } from './report.js';
import { SHIPPED_NODE_FLAGS } from '../helpers/daemon.js';

export interface OpenLoopRun {
  target: string;
  rate: number;
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
   * The server process's CPU time (user + system) and read/write system calls over the run, per utterance
   * sent: what the latency is made of, counted rather than timed, so a busy machine hardly moves it.
   */
  perUtterance?: { cpuUs: number; syscalls: number };
}

export interface OpenLoopOptions {
  rates?: number[];
  seconds?: number;
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

export async function benchOpenLoop(options: OpenLoopOptions = {}): Promise<OpenLoopRun[]> {
  const rates = options.rates ?? [200, 2000];
  const seconds = options.seconds ?? 10;
  const warmup = options.warmupSeconds ?? 1;
  const clients = options.clients ?? 100;
  const flagSets = options.hubFlags ?? [{ label: 'hub', nodeArgs: SHIPPED_NODE_FLAGS }];
  const runs: OpenLoopRun[] = [];
  const bare = await startBareVoiceProcess();
  try {
    for (const [v, flags] of flagSets.entries()) {
      const hub = await startBenchDaemon(openLoopConfig(), flags.nodeArgs, flags.cli);
      try {
        const tokens = await hub.tokens(clients, 'open');
        const names = hundredDeviceHome().names;
        const devices = await connectDevices(hub.mqttUrl, hundredDeviceHome().devices.map((d) => d.commandTopic!));
        try {
          for (const [i, rate] of rates.entries()) {
            // Hub and bare alternate which goes first, so neither always runs on a machine still settling.
            const order = (i + v) % 2 === 0 ? ['hub', 'bare'] : ['bare', 'hub'];
            for (const which of order) {
              if (which === 'bare' && v > 0) continue; // the bare server's rows are measured once
              const gcBefore = which === 'hub' ? await minorGc(hub.httpUrl) : null;
              const pid = which === 'hub' ? hub.pid : bare.pid;
              const useBefore = await processUse(pid);
              const run = await driveOpenLoop({
                url: which === 'hub' ? hub.wsUrl : bare.url, tokens, rate, seconds, warmup, names,
                devices: which === 'hub' ? devices : null,
              });
              const useAfter = await processUse(pid);
              const row: OpenLoopRun = {
                target: which === 'hub' ? flags.label : 'bare ws server', rate, seconds, ...run,
                perUtterance: { cpuUs: (useAfter.cpuUs - useBefore.cpuUs) / run.sent, syscalls: (useAfter.syscalls - useBefore.syscalls) / run.sent },
              };
              if (gcBefore) {
                const after = await minorGc(hub.httpUrl);
                row.scavenges = { count: after.count - gcBefore.count, totalMs: (after.sum - gcBefore.sum) * 1000 };
              }
              runs.push(row);
              options.progress?.(`open loop ${row.target} ${rate}/s: reply p50 ${row.p50Ms.toFixed(2)} p99 ${row.p99Ms.toFixed(2)} ms${row.commands ? `, command p99 ${row.commands.p99Ms.toFixed(2)} ms, lost ${row.commands.lost}` : ''}; per utterance ${row.perUtterance!.cpuUs.toFixed(0)} µs CPU, ${row.perUtterance!.syscalls.toFixed(2)} syscalls`);
            }
          }
        } finally {
          await Promise.all(devices.clients.map((c) => c.endAsync(true)));
        }
      } finally {
        await hub.stop();
      }
    }
  } finally {
    await bare.stop();
  }
  return runs;
}

async function minorGc(httpUrl: string): Promise<{ count: number; sum: number }> {
  const [count, sum] = await Promise.all([
    metricValue(httpUrl, 'voicehub_nodejs_gc_duration_seconds_count{kind="minor"}'),
    metricValue(httpUrl, 'voicehub_nodejs_gc_duration_seconds_sum{kind="minor"}'),
  ]);
  return { count, sum };
}

interface Devices {
  clients: MqttClient[];
  /** Per device: called with the arrival time of each command on its topic. */
  onCommand: Array<((at: number) => void) | null>;
}

async function connectDevices(mqttUrl: string, topics: string[]): Promise<Devices> {
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
}

/** Which device utterance k names: round the 100, shifted every round so client and device do not pair up. */
const deviceOf = (k: number, n: number) => (k + Math.floor(k / n)) % n;

async function driveOpenLoop(p: DriveParams): Promise<Omit<OpenLoopRun, 'target' | 'rate' | 'seconds'>> {
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
  const result: Omit<OpenLoopRun, 'target' | 'rate' | 'seconds'> = {
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
  const runs = await benchOpenLoop({ seconds: seconds || 10, ...(rates.length > 0 && { rates }), progress: (l) => process.stderr.write(`${l}\n`) });
  process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
}
