import { createServer, connect } from 'node:net';
import { mkdir, access, constants, statfs, writeFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { get } from 'node:http';
import { loadConfig, type LoadOptions } from './config/load.js';
import { ConfigError } from './core/errors.js';
import type { HubConfig } from './config/schema.js';
import { describeWriteError, isDiskProblem } from './storage/writeErrors.js';
import { liveLockHolder } from './storage/dataDirLock.js';

interface Finding { ok: boolean; what: string; detail: string; fix?: string }

const MIN_NODE_MAJOR = 20;
const MIN_FREE_MB = 50;

/**
 * `voicehub doctor`: checks what stops a hub from running and prints one line per check, with the fix
 * for each problem. Exit code 1 when anything failed.
 */
export async function runDoctor(options: LoadOptions = {}, out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  const findings: Finding[] = [checkNode()];
  let config: HubConfig | null = null;
  try {
    const loaded = await loadConfig(options);
    config = loaded.config;
    findings.push({ ok: true, what: 'config', detail: loaded.file ? `${loaded.file} is valid` : 'no config file; embedded defaults' });
  } catch (err) {
    const problems = err instanceof ConfigError ? err.problems : [(err as Error).message];
    // Only a wrong key or value is fixed by editing keys; a refused file (too large, writable by others,
    // not a config) and a problem that names its own fix (chmod, quoting) need no such advice.
    const editKeys = err instanceof ConfigError && err.code === 'CONFIG_INVALID';
    for (const p of problems) findings.push({ ok: false, what: 'config', detail: p, fix: editKeys && !/\bfix: |quote it/.test(p) ? 'correct the key in voicehub.yaml (see voicehub.schema.json)' : undefined });
  }
  if (config) {
    findings.push(await checkDataDir(config.dataDir));
    // Asked once, lazily: only a port found in use needs to know whether the hub itself holds it.
    let hub: Promise<RunningHub | null> | undefined;
    const runningHub = () => (hub ??= findRunningHub(config!));
    findings.push(await checkPort('http', config.http.host, config.http.port, 'http.port / VOICEHUB_HTTP_PORT', runningHub));
    if (config.mqtt.url) findings.push(await checkReachable('mqtt broker', config.mqtt.url, 1883));
    else findings.push(await checkPort('mqtt', config.mqtt.host, config.mqtt.port, 'mqtt.port / VOICEHUB_MQTT_PORT', runningHub));
    if (config.cloud.url) findings.push(await checkReachable('cloud', config.cloud.url, 443));
  }
  findings.push(checkClock());
  const unit = await checkSystemdUnit();
  if (unit) findings.push(unit);

  for (const f of findings) out(`${f.ok ? 'ok  ' : 'FAIL'} ${f.what}: ${f.detail}${f.ok || !f.fix ? '' : ` (fix: ${f.fix})`}`);
  return findings.every((f) => f.ok) ? 0 : 1;
}

function checkNode(): Finding {
  const major = Number(process.versions.node.split('.')[0]);
  return major >= MIN_NODE_MAJOR
    ? { ok: true, what: 'node', detail: `v${process.versions.node}` }
    : { ok: false, what: 'node', detail: `v${process.versions.node} is older than ${MIN_NODE_MAJOR}`, fix: `install Node.js ${MIN_NODE_MAJOR} or newer` };
}

async function checkDataDir(dir: string): Promise<Finding> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await access(dir, constants.W_OK);
    const probe = join(dir, '.doctor');
    await writeFile(probe, 'ok');
    await unlink(probe);
    const fs = await statfs(dir);
    const freeMB = Math.round((fs.bavail * fs.bsize) / 1048576);
    if (freeMB < MIN_FREE_MB) return { ok: false, what: 'data dir', detail: `${dir} has only ${freeMB} MB free`, fix: 'free space on that file system' };
    return { ok: true, what: 'data dir', detail: `${dir} is writable, ${freeMB} MB free` };
  } catch (err) {
    return { ok: false, what: 'data dir', detail: `${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, fix: isDiskProblem(err) ? describeWriteError(err) : 'make it writable for this user or set VOICEHUB_DATA_DIR' };
  }
}

async function checkPort(what: string, host: string, port: number, key: string, runningHub: () => Promise<RunningHub | null>): Promise<Finding> {
  if (port === 0) return { ok: true, what: `${what} port`, detail: '0 (a free port is picked at start)' };
  const free = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
    const server = createServer();
    server.once('error', (err) => resolve(err));
    server.listen(port, host, () => server.close(() => resolve(null)));
  });
  if (!free) return { ok: true, what: `${what} port`, detail: `${port} is free` };
  // A port held by the hub this config describes is the normal state of a running hub, not a problem:
  // `voicehub doctor && systemctl restart voicehub` must work while it runs.
  const hub = free.code === 'EADDRINUSE' ? await runningHub() : null;
  if (hub) return { ok: true, what: `${what} port`, detail: `${port} is held by a running voicehub (${hub.how})` };
  return { ok: false, what: `${what} port`, detail: `${port} on ${host}: ${free.code}`, fix: `stop what holds it or set ${key}` };
}

interface RunningHub { how: string }

/**
 * Is a voicehub running with this config? Yes when its /health answers on the configured HTTP port, or
 * when the data dir's lock (storage/dataDirLock.ts) names a live voicehub process.
 */
async function findRunningHub(config: HubConfig): Promise<RunningHub | null> {
  if (config.http.port !== 0 && (await answersHealth(config.http.host, config.http.port))) return { how: `its /health answers on ${config.http.port}` };
  const pid = await liveLockHolder(config.dataDir);
  return pid === null ? null : { how: `pid ${pid}, from the data dir's lock file` };
}

/** A voicehub answers GET /health with `{"status":…,"checks":{…}}`. */
function answersHealth(host: string, port: number): Promise<boolean> {
  const address = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  // node:http rather than fetch: fetch's timeout timer does not keep the process alive, so a peer that
  // never answers would end the CLI with an unsettled promise instead of a verdict.
  return new Promise((resolve) => {
    const req = get({ host: address, port, path: '/health', timeout: 3000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { if (body.length < 65536) body += chunk; });
      res.on('end', () => {
        try {
          const parsed = JSON.parse(body) as unknown;
          resolve(typeof parsed === 'object' && parsed !== null && 'checks' in parsed && 'status' in parsed);
        } catch {
          resolve(false);
        }
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

async function checkReachable(what: string, url: string, defaultPort: number): Promise<Finding> {
  const parsed = new URL(url);
  const port = Number(parsed.port) || ({ 'mqtts:': 8883, 'wss:': 443, 'https:': 443, 'ws:': 80, 'http:': 80 } as Record<string, number>)[parsed.protocol] || defaultPort;
  const error = await new Promise<string | null>((resolve) => {
    const socket = connect({ host: parsed.hostname, port, timeout: 3000 });
    socket.once('connect', () => { socket.destroy(); resolve(null); });
    socket.once('timeout', () => { socket.destroy(); resolve('timed out'); });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
  return error
    ? { ok: false, what, detail: `${parsed.hostname}:${port} is not reachable (${error})`, fix: `check the network and the ${what} address` }
    : { ok: true, what, detail: `${parsed.hostname}:${port} is reachable` };
}

function checkClock(): Finding {
  const year = new Date().getUTCFullYear();
  // A Pi without an RTC boots in 1970 until NTP answers; tokens and TLS fail until then.
  return year >= 2024
    ? { ok: true, what: 'clock', detail: new Date().toISOString() }
    : { ok: false, what: 'clock', detail: `the clock says ${year}`, fix: 'enable time sync (timedatectl set-ntp true)' };
}

async function checkSystemdUnit(): Promise<Finding | null> {
  const state = await new Promise<string | null>((resolve) => {
    execFile('systemctl', ['is-active', 'voicehub'], { timeout: 3000 }, (err, stdout) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') resolve(null);
      else resolve(stdout.trim() || 'unknown');
    });
  });
  if (state === null) return null;
  if (state === 'active') return { ok: true, what: 'systemd unit', detail: 'voicehub.service is active' };
  // Not installed as a service is a fine way to run the hub (a developer's machine); only report it.
  return { ok: true, what: 'systemd unit', detail: `voicehub.service is ${state} (install with systemd/install.sh)` };
}
