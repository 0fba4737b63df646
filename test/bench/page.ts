import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { launchChromium, chromiumMissing } from '../helpers/browser.js';
import { runCli, startDaemon } from '../helpers/daemon.js';
import { benchBridgeDevices, benchTopic } from './mqtt.js';

/**
 * The page with many devices, in Debian's Chromium against the daemon bundle: how long until every device
 * card is in the page, and how smooth the page stays while every device reports state (frame gaps from
 * requestAnimationFrame, and long tasks over 50 ms, as a user would feel jank). Baseline, same run: the same
 * page with no devices and no updates.
 */
export interface PageRun {
  devices: number;
  renderMs: number;
  updatesPerSec: number;
  frameP50Ms: number;
  frameP99Ms: number;
  longTasks: number;
  longestTaskMs: number;
  /** Main-thread time per second of updates, from the DevTools protocol's Performance.getMetrics. */
  scriptMsPerSec: number;
  layoutMsPerSec: number;
  styleMsPerSec: number;
}

const PERF_PROBE = `
  window.__frames = []; window.__long = [];
  (function loop(last) { requestAnimationFrame((now) => { if (last) window.__frames.push(now - last); loop(now); }); })(0);
  try { new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push(e.duration); }).observe({ type: 'longtask', buffered: true }); } catch {}
`;

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function benchPage(options: { devices: number; seconds: number; updatesPerSec: number }): Promise<{ baseline: PageRun; loaded: PageRun } | string> {
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

    const run = async (devices: number, updatesPerSec: number): Promise<PageRun> => {
      if (devices > 0) {
        await mqtt.publishAsync('zigbee2mqtt/bridge/devices', benchBridgeDevices(devices), { retain: true, qos: 1 });
        for (;;) {
          const res = await fetch(`${hub.url}/api/devices`, { headers: { authorization: `Bearer ${token}` } });
          if (((await res.json()) as { devices: unknown[] }).devices.length >= devices) break;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      await page.goto(hub.url);
      await page.waitForFunction(`document.querySelector('[data-status="live"]') && document.querySelectorAll('article.device').length >= ${devices}`, null, { timeout: 60_000 });
      const renderMs = await page.evaluate('performance.now()') as number;
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
        devices, renderMs: Math.round(renderMs), updatesPerSec: Math.round(sent / options.seconds),
        frameP50Ms: Math.round(percentile(frames, 50) * 10) / 10, frameP99Ms: Math.round(percentile(frames, 99) * 10) / 10,
        longTasks: long.length, longestTaskMs: Math.round(Math.max(0, ...long)),
        scriptMsPerSec: perSec('ScriptDuration'), layoutMsPerSec: perSec('LayoutDuration'), styleMsPerSec: perSec('RecalcStyleDuration'),
      };
    };

    const baseline = await run(0, 0);
    const loaded = await run(options.devices, options.updatesPerSec);
    await mqtt.endAsync();
    return { baseline, loaded };
  } finally {
    await browser.close();
    await hub.cleanup();
  }
}
