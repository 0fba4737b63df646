import { loadavg } from 'node:os';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import type { CDPSession } from 'playwright-core';
import { launchChromium, chromiumMissing } from '../helpers/browser.js';
import { runCli, startDaemon } from '../helpers/daemon.js';
import { benchBridgeDevices, benchTopic } from './mqtt.js';

/**
 * The page with many devices, in Debian's Chromium against the daemon bundle: how long until every device
 * card is in the page, and how smooth the page stays while every device reports state (frame gaps from
 * requestAnimationFrame, and long tasks over 50 ms, as a user would feel jank). Then again with Chromium's
 * CPU slowed down (`cpuSlowdown`, 4× by default: DevTools' mid-range phone), since the page is meant for phones.
 *
 * Built to give a figure on a busy machine (the development box runs other builds beside it):
 * - the anchor is the same page, empty, from a second hub with no devices, in the same browser;
 * - the machine does the same work for both: the loaded hub gets the same state updates over MQTT while the
 *   empty page is measured, so the only difference is what the page itself does with 500 devices;
 * - empty and loaded runs are interleaved, `rounds` pairs, the order alternating, and each pair gives a
 *   ratio: the figure is the median of those ratios (drift in the machine's load cancels within a pair);
 * - the load average and the runnable processes are sampled at every run and reported beside the figures.
 */
export interface PageRun {
  devices: number;
  /** Chromium's CPU throttling (1: this machine; 4: about a mid-range phone, as DevTools offers it). */
  cpuSlowdown: number;
  renderMs: number;
  updatesPerSec: number;
  frameP50Ms: number;
  frameP99Ms: number;
  longTasks: number;
  longestTaskMs: number;
  /** Main-thread time per second of updates, from the DevTools protocol's Performance.getMetrics. */
  scriptMsPerSec: number;
  /**
   * CPU time of the page's main thread per second (ThreadTime): unlike the durations above, which are wall
   * time and grow when a loaded machine takes the CPU away, this counts only the work the page did.
   * Meaningless under CPU throttling (Chromium throttles by keeping the thread busy).
   */
  cpuMsPerSec: number;
  layoutMsPerSec: number;
  styleMsPerSec: number;
}

// Injected before the page's own script (not subject to its CSP, which forbids eval: waitForFunction with a
// string fails under it). Each frame until every card is in, it checks whether the page is live with the
// number of cards asked for in the URL's ?bench=N, and keeps that moment as the first render.
const PERF_PROBE = `
  window.__frames = []; window.__long = [];
  const want = Number((/bench=(\\d+)/.exec(location.search) || [])[1] ?? -1);
  (function loop(last) { requestAnimationFrame((now) => {
    if (last) window.__frames.push(now - last);
    if (window.__rendered === undefined && want >= 0 && document.querySelector('[data-status="live"]') && document.querySelectorAll('article.device').length >= want) window.__rendered = now;
    loop(now);
  }); })(0);
  try { new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push(e.duration); }).observe({ type: 'longtask', buffered: true }); } catch {}
`;

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** One measured run and what the machine was doing. */
export interface PageSample extends PageRun {
  /** 1-minute load average at the start and the end of the run. */
  load1: [number, number];
  /**
   * The page's main-thread tasks in thread CPU time (Chromium's trace, `RunTask` `tdur`), which a busy machine
   * stretches in wall time but not in CPU time: the work a quiet machine would have to fit between frames.
   */
  tasks: { count: number; p99CpuMs: number; maxCpuMs: number; overFrameBudget: number };
}

/** A frame at 60 Hz: a task longer than this in CPU time drops a frame even on a quiet machine. */
const FRAME_BUDGET_MS = 1000 / 60;

interface TraceEvent { name: string; ph: string; pid: number; tid: number; dur?: number; tdur?: number; args?: { name?: string } }

/** Runs `during` with Chromium tracing its main-thread tasks, and returns their CPU times in ms. */
async function traceTasks(cdp: CDPSession, during: () => Promise<void>): Promise<number[]> {
  const events: TraceEvent[] = [];
  const onData = (e: { value: unknown[] }): void => { events.push(...(e.value as TraceEvent[])); };
  cdp.on('Tracing.dataCollected', onData);
  await cdp.send('Tracing.start', { categories: 'toplevel,disabled-by-default-devtools.timeline', transferMode: 'ReportEvents' });
  try {
    await during();
  } finally {
    const done = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
    await cdp.send('Tracing.end');
    await done;
    cdp.off('Tracing.dataCollected', onData);
  }
  const mains = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  return events.filter((e) => e.ph === 'X' && (e.name === 'ThreadControllerImpl::RunTask' || e.name === 'RunTask') && e.tdur !== undefined && mains.has(`${e.pid}:${e.tid}`))
    .map((e) => e.tdur! / 1000);
}

export interface PageRound { slowdown: number; baseline: PageSample; loaded: PageSample }

export async function benchPage(options: { devices: number; seconds: number; updatesPerSec: number; cpuSlowdown: number; rounds: number }): Promise<{ rounds: PageRound[] } | string> {
  const missing = await chromiumMissing();
  if (missing) return missing;
  const config = 'storage:\n  flushIntervalMs: 1000\n';
  const empty = await startDaemon({ config });
  const hub = await startDaemon({ config });
  const browser = await launchChromium();
  try {
    const tokenFor = async (d: typeof hub): Promise<string> => (await runCli(['token', 'create', '--sub', 'bench-page', '--scope', 'voice devices:read devices:control'],
      { cwd: d.dir, env: { VOICEHUB_DATA_DIR: join(d.dir, 'data') } })).stdout.trim();
    const tokens = new Map([[empty, await tokenFor(empty)], [hub, await tokenFor(hub)]]);
    const page = await browser.context.newPage();
    // The token of the hub the page is opened on (each hub has its own signing key).
    await page.addInitScript(`localStorage.setItem('voicehub.token', ${JSON.stringify(Object.fromEntries([...tokens].map(([d, t]) => [String(d.httpPort), t])))}[location.port]); ${PERF_PROBE}`);
    const mqtt = await connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`);
    await mqtt.publishAsync('zigbee2mqtt/bridge/devices', benchBridgeDevices(options.devices), { retain: true, qos: 1 });
    for (;;) {
      const res = await fetch(`${hub.url}/api/devices`, { headers: { authorization: `Bearer ${tokens.get(hub)}` } });
      if (((await res.json()) as { devices: unknown[] }).devices.length >= options.devices) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const metrics = async (): Promise<Record<string, number>> => {
      const { metrics: list } = await cdp.send('Performance.getMetrics');
      return Object.fromEntries(list.map((m) => [m.name, m.value]));
    };
    let sent = 0;

    const run = async (target: typeof hub, cpuSlowdown: number): Promise<PageSample> => {
      const devices = target === hub ? options.devices : 0;
      const load1: [number, number] = [loadavg()[0]!, 0];
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpuSlowdown });
      await page.goto(`${target.url}/?bench=${devices}`);
      let renderMs: number | undefined;
      for (const end = Date.now() + 60_000; renderMs === undefined; await new Promise((r) => setTimeout(r, 50))) {
        if (Date.now() > end) throw new Error(`the page did not show ${devices} devices within 60 s`);
        renderMs = await page.evaluate('window.__rendered') as number | undefined;
      }
      await page.evaluate('window.__frames.length = 0; window.__long.length = 0');
      const before = await metrics();
      const started = Date.now();
      const sentBefore = sent;
      // The loaded hub gets the same updates whichever page is open: the machine's work is the same.
      const taskMs = await traceTasks(cdp, async () => {
        while (Date.now() - started < options.seconds * 1000) {
          const tickStart = Date.now();
          const perTick = Math.round(options.updatesPerSec / 10);
          for (let i = 0; i < perTick; i++, sent++) {
            const n = sent % options.devices;
            void mqtt.publishAsync(benchTopic(n), JSON.stringify({ state: sent % 2 ? 'ON' : 'OFF', brightness: sent % 254 }), { qos: 0 });
          }
          await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - tickStart))));
        }
      });
      const after = await metrics();
      load1[1] = loadavg()[0]!;
      const perSec = (key: string): number => Math.round(((after[key]! - before[key]!) * 1000 / options.seconds) * 10) / 10;
      const frames = await page.evaluate('window.__frames.slice()') as number[];
      const long = await page.evaluate('window.__long.slice()') as number[];
      return {
        devices, cpuSlowdown, renderMs: Math.round(renderMs), updatesPerSec: Math.round((sent - sentBefore) / options.seconds),
        frameP50Ms: Math.round(percentile(frames, 50) * 10) / 10, frameP99Ms: Math.round(percentile(frames, 99) * 10) / 10,
        longTasks: long.length, longestTaskMs: Math.round(Math.max(0, ...long)),
        cpuMsPerSec: perSec('ThreadTime'), scriptMsPerSec: perSec('ScriptDuration'), layoutMsPerSec: perSec('LayoutDuration'), styleMsPerSec: perSec('RecalcStyleDuration'),
        load1,
        tasks: {
          count: taskMs.length, p99CpuMs: Math.round(percentile(taskMs, 99) * 10) / 10, maxCpuMs: Math.round(Math.max(0, ...taskMs) * 10) / 10,
          overFrameBudget: taskMs.filter((x) => x > FRAME_BUDGET_MS).length,
        },
      };
    };

    const rounds: PageRound[] = [];
    for (const slowdown of options.cpuSlowdown > 1 ? [1, options.cpuSlowdown] : [1]) {
      for (let r = 0; r < options.rounds; r++) {
        // Alternate which goes first, so a machine getting busier or quieter favours neither.
        if (r % 2 === 0) {
          const baseline = await run(empty, slowdown);
          rounds.push({ slowdown, baseline, loaded: await run(hub, slowdown) });
        } else {
          const loaded = await run(hub, slowdown);
          rounds.push({ slowdown, baseline: await run(empty, slowdown), loaded });
        }
      }
    }
    await mqtt.endAsync();
    return { rounds };
  } finally {
    await browser.close();
    await hub.cleanup();
    await empty.cleanup();
  }
}
