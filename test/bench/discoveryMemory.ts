import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { CLI, DaemonProcess, SHIPPED_NODE_ENV, SHIPPED_NODE_FLAGS, makeTempDir } from '../helpers/daemon.js';
import { discoveryConfig } from './discoveryConfig.js';

/**
 * Issue 11 "memory under hostile load": RSS of a real daemon (the unit's node flags) before and after N
 * distinct HA discovery configs, each with its own value template, as a flood of announcements would send.
 * `node dist/test/bench/discoveryMemory.js [N]`; BENCH_CLI=<path to cli.js> measures another build.
 */
const count = Number(process.argv[2] ?? 10_000);
const cli = process.env.BENCH_CLI ?? CLI;

async function rssMB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const dir = await makeTempDir('voicehub-discoveryflood-');
const child = spawn(process.execPath, [...SHIPPED_NODE_FLAGS, cli, 'start'], {
  cwd: dir,
  env: { ...SHIPPED_NODE_ENV, PATH: process.env.PATH ?? '', HOME: dir, VOICEHUB_DATA_DIR: join(dir, 'data'), VOICEHUB_HTTP_PORT: '0', VOICEHUB_HTTP_HOST: '127.0.0.1', VOICEHUB_MQTT_PORT: '0', VOICEHUB_LOG_LEVEL: 'info' },
  stdio: ['ignore', 'pipe', 'pipe'],
});
const daemon = new DaemonProcess(child, dir);
try {
  const listening = await daemon.waitForLine((l) => l.msg === 'listening');
  await sleep(2000);
  const before = await rssMB(child.pid!);
  const mqtt = await connectAsync(`mqtt://127.0.0.1:${listening.mqtt as number}`, { reconnectPeriod: 0 });
  let listed = 0;
  mqtt.on('message', (_t, payload) => { listed = (JSON.parse(payload.toString()) as unknown[]).length; });
  await mqtt.subscribeAsync('voicehub/bridge/devices');
  const started = Date.now();
  for (let i = 0; i < count; i++) {
    const { topic, payload } = discoveryConfig(i);
    await mqtt.publishAsync(topic, payload, { qos: 1 });
  }
  // The hub keeps at most MAX_DEVICES: wait until the list stops growing for 3 s (or holds all of them).
  for (let last = -1, still = 0; listed < count && still < 15 && Date.now() - started < 600_000; await sleep(200)) {
    still = listed === last ? still + 1 : 0;
    last = listed;
  }
  const seconds = (Date.now() - started) / 1000;
  await sleep(3000);
  const after = await rssMB(child.pid!);
  let peak = after;
  for (let i = 0; i < 5; i++) { await sleep(1000); peak = Math.max(peak, await rssMB(child.pid!)); }
  console.log(`${count} discovery configs (listed ${listed}) in ${seconds.toFixed(1)} s: RSS ${before.toFixed(1)} → ${after.toFixed(1)} MB (max over the next 5 s ${peak.toFixed(1)} MB)`);
  await mqtt.endAsync();
} finally {
  await daemon.cleanup();
  await rm(dir, { recursive: true, force: true });
}
