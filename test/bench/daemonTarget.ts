import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { AuthService } from '../../daemon/auth/authService.js';
import { buildConfig } from '../../daemon/config/load.js';
import { systemClock } from '../../daemon/core/context.js';
import { silentLogger } from '../../daemon/core/log.js';
import { SHIPPED_NODE_FLAGS, startDaemon, type DaemonProcess } from '../helpers/daemon.js';

/**
 * The hub as users run it, for the benches whose figure is about the process (latency from outside, RSS,
 * event-loop delay, file writes): the bundle in its own process with the systemd unit's node flags, on
 * port 0 with a temp data dir. Tokens are signed with the daemon's own key from its data dir, so hundreds
 * of clients do not need hundreds of CLI runs.
 */
export interface BenchDaemon {
  daemon: DaemonProcess;
  pid: number;
  dataDir: string;
  wsUrl: string;
  httpUrl: string;
  mqttUrl: string;
  tokens(count: number, prefix?: string): Promise<string[]>;
  rssMB(): Promise<number>;
  stop(): Promise<void>;
}

export async function startBenchDaemon(config: Record<string, unknown>, nodeArgs: readonly string[] = SHIPPED_NODE_FLAGS): Promise<BenchDaemon> {
  // YAML is a superset of JSON: the config is written as JSON.
  const daemon = await startDaemon({ config: JSON.stringify(config), nodeArgs: [...nodeArgs] });
  const dataDir = join(daemon.dir, 'data');
  const pid = daemon.child.pid!;
  return {
    daemon,
    pid,
    dataDir,
    wsUrl: `ws://127.0.0.1:${daemon.httpPort}/voice`,
    httpUrl: daemon.url,
    mqttUrl: `mqtt://127.0.0.1:${daemon.mqttPort}`,
    async tokens(count, prefix = 'bench') {
      const ctx = { config: buildConfig({ dataDir }), log: silentLogger(), clock: systemClock };
      const auth = new AuthService(ctx);
      await auth.start();
      try {
        return await Promise.all(Array.from({ length: count }, (_, i) => auth.create({ sub: `${prefix}-${i}`, scopes: ['voice'], ttl: '2h' })));
      } finally {
        await auth.stop();
      }
    },
    rssMB: () => rssOf(pid),
    async stop() {
      await daemon.stop();
      await daemon.cleanup();
    },
  };
}

export async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** A scrape of the hub's /metrics: the value of one sample line (first match), NaN when absent. */
export async function metricValue(httpUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : NaN;
}

/**
 * The anchor for the voice figures measured from outside: a bare `ws` server (parse, reply, nothing else)
 * in its own process with the same node flags as the hub (test/bench/bareVoiceServer.ts).
 */
export async function startBareVoiceProcess(nodeArgs: readonly string[] = SHIPPED_NODE_FLAGS): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  const script = fileURLToPath(new URL('./bareVoiceServer.js', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`bare voice server exited ${code}`)));
  });
  return {
    url: `ws://127.0.0.1:${port}/voice`,
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
