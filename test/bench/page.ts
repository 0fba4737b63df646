import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { launchChromium, chromiumMissing } from '../helpers/browser.js';
import { runCli, startDaemon } from '../helpers/daemon.js';
import { benchBridgeDevices, benchTopic } from './mqtt.js';

/**
 * The page with many devices, in Debian's Chromium against the daemon bundle: how long until every device
 * card is in the page, and how smooth the page stays while every device reports state (frame gaps from
 * requestAnimationFrame, and long tasks over 50 ms, as a user would feel jank). Baseline, same run: the same
 * page with no devices and no updates. Then both again with Chromium's CPU slowed down (`cpuSlowdown`, 4×
 * by default: DevTools' mid-range phone), since the page is meant for phones too.
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

export async function benchPage(options: { devices: number; seconds: number; updatesPerSec: number; cpuSlowdown: number }): Promise<{ runs: Array<{ baseline: PageRun; loaded: PageRun }> } | string> {
  const missing = await chromiumMissing();
  if (missing) return missing;
  const hub = await startDaemon({ config: 'storage:\n  flushIntervalMs: 1000\n' });
  const browser = await launchChromium();
  try {
    const made = await runCli(['token', 'create', '--sub', 'bench-page', '--scope', 'voice devices:read devices:control'], { cwd: hub.dir, env: { VOICEHUB_DATA_DIR: join(hub.dir, 'data') } });
    const token = made.stdout.trim();
    const page = await browser.context.newPage();
    await page.addInitScript(`localStorage.setItem('voicehub.token', ${JSON.stringify(token)}); ${PERF_PROBE}`);
    const mqtt = await connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`);
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const metrics = async (): Promise<Record<string, number>> => {
      const { metrics: list } = await cdp.send('Performance.getMetrics');
      return Object.fromEntries(list.map((m) => [m.name, m.value]));
    };

    const run = async (devices: number, updatesPerSec: number, cpuSlowdown: number): Promise<PageRun> => {
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpuSlowdown });
      if (devices > 0) {
        await mqtt.publishAsync('zigbee2mqtt/bridge/devices', benchBridgeDevices(devices), { retain: true, qos: 1 });
        for (;;) {
          const res = await fetch(`${hub.url}/api/devices`, { headers: { authorization: `Bearer ${token}` } });
          if (((await res.json()) as { devices: unknown[] }).devices.length >= devices) break;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      await page.goto(`${hub.url}/?bench=${devices}`);
      let renderMs: number | undefined;
      for (const end = Date.now() + 60_000; renderMs === undefined; await new Promise((r) => setTimeout(r, 50))) {
        if (Date.now() > end) throw new Error(`the page did not show ${devices} devices within 60 s`);
        renderMs = await page.evaluate('window.__rendered') as number | undefined;
      }
      await page.evaluate('window.__frames.length = 0; window.__long.length = 0');
      const before = await metrics();
      const started = Date.now();
      let sent = 0;
      while (Date.now() - started < options.seconds * 1000) {
        const tickStart = Date.now();
        const perTick = Math.round(updatesPerSec / 10);
        for (let i = 0; i < perTick && devices > 0; i++, sent++) {
          const n = sent % devices;
          void mqtt.publishAsync(benchTopic(n), JSON.stringify({ state: sent % 2 ? 'ON' : 'OFF', brightness: sent % 254 }), { qos: 0 });
        }
        await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - tickStart))));
      }
      const after = await metrics();
      const perSec = (key: string): number => Math.round(((after[key]! - before[key]!) * 1000 / options.seconds) * 10) / 10;
      const frames = await page.evaluate('window.__frames.slice()') as number[];
      const long = await page.evaluate('window.__long.slice()') as number[];
      return {
        devices, cpuSlowdown, renderMs: Math.round(renderMs), updatesPerSec: Math.round(sent / options.seconds),
        frameP50Ms: Math.round(percentile(frames, 50) * 10) / 10, frameP99Ms: Math.round(percentile(frames, 99) * 10) / 10,
        longTasks: long.length, longestTaskMs: Math.round(Math.max(0, ...long)),
        cpuMsPerSec: perSec('ThreadTime'), scriptMsPerSec: perSec('ScriptDuration'), layoutMsPerSec: perSec('LayoutDuration'), styleMsPerSec: perSec('RecalcStyleDuration'),
      };
    };

    const runs: Array<{ baseline: PageRun; loaded: PageRun }> = [];
    for (const slowdown of options.cpuSlowdown > 1 ? [1, options.cpuSlowdown] : [1]) {
      runs.push({ baseline: await run(0, 0, slowdown), loaded: await run(options.devices, options.updatesPerSec, slowdown) });
    }
    await mqtt.endAsync();
    return { runs };
  } finally {
    await browser.close();
    await hub.cleanup();
  }
}
