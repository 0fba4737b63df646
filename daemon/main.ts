import { readFileSync } from 'node:fs';
import { ConfigError, EnvironmentError, isHubError } from './core/errors.js';
import { loadConfig, type LoadOptions } from './config/load.js';
import { createLogger, flushLog, type Logger } from './core/log.js';
import { Hub } from './hub.js';
import { LogRing } from './core/logRing.js';
import { createSystemdNotifier } from './systemd/notify.js';
import type { StartCache } from './main/startScript.js';

/** tsc's unbundled output (and tests that import runDaemon) start without the start script and its cache. */
const NO_START_SCRIPT: StartCache = { status: 'off', save: async () => ({ written: false, reason: 'no start script (not the bundle)' }) };

/** The hub's own shutdown deadline (PROTOCOL §1: exit within 10 s); systemd's TimeoutStopSec sits above it. */
const SHUTDOWN_DEADLINE_MS = 9_000;

/** How often the one-line STATUS= for `systemctl status` is refreshed (sent only when it changed). */
const STATUS_INTERVAL_MS = 15_000;

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_CONFIG = 2;

/**
 * Runs the daemon until SIGTERM/SIGINT: load config (exit 2 when wrong), start the hub (exit 1 when the
 * machine refuses: port in use, data dir unusable or held by another hub), log `listening` with the real ports, and on a signal
 * stop taking work, finish or hand back in-flight work, flush storage and exit 0. A second signal or the
 * deadline forces the exit.
 */
export async function runDaemon(options: LoadOptions = {}, startCache: StartCache = NO_START_SCRIPT): Promise<void> {
  let config;
  try {
    ({ config } = await loadConfig(options));
  } catch (err) {
    exitWithError(err);
  }
  const logRing = new LogRing();
  const log = createLogger({ level: config.log.level, ring: logRing });
  const hub = new Hub({ config, log, logRing, version: hubVersion() });
  installCrashHandlers(log, hub);
  const systemd = createSystemdNotifier({ log: log.child({ subsystem: 'systemd' }) });
  // Signal handlers go in before start-up, so a SIGTERM that arrives while the hub starts still gets an
  // orderly stop (after start finishes) rather than the default kill.
  let stopping = false;
  let started: Promise<unknown> = Promise.resolve();
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      flushLog(log);
      process.exit(EXIT_FAILURE);
    }
    stopping = true;
    log.info({ signal }, 'stopping');
    void systemd.stopping();
    setTimeout(() => {
      log.error({ deadlineMs: SHUTDOWN_DEADLINE_MS }, 'shutdown deadline passed: exiting now');
      flushLog(log);
      process.exit(EXIT_FAILURE);
    }, SHUTDOWN_DEADLINE_MS).unref();
    started.catch(() => {}).then(() => hub.stop()).then(
      () => {
        log.info('stopped');
        flushLog(log);
        process.exit(EXIT_OK);
      },
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        flushLog(log);
        process.exit(EXIT_FAILURE);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);

  try {
    started = hub.start();
    await started;
  } catch (err) {
    log.fatal({ err, code: isHubError(err) ? err.code : undefined }, `start-up failed: ${(err as Error).message}`);
    flushLog(log);
    exitWithError(err);
  }
  if (stopping) return;
  const ports = hub.ports();
  log.info({ http: ports.http, mqtt: ports.mqtt, pid: process.pid, startCache: startCache.status, startCacheProblem: startCache.problem }, 'listening');
  // The code cache is made after warm-up: it then holds what the next start runs (daemon/main/startScript.ts).
  void hub.warmUp().then(() => startCache.save(config.dataDir)).then((saved) => {
    if (saved.written) log.info({ file: saved.file, bytes: saved.bytes }, 'start cache written');
    else if (startCache.status !== 'used') log.info({ reason: saved.reason }, 'start cache not written');
  });
  void systemd.ready(hub.statusLine());
  systemd.startWatchdog();
  let lastStatus = '';
  setInterval(() => {
    const status = hub.statusLine();
    if (status !== lastStatus) void systemd.status(status);
    lastStatus = status;
  }, STATUS_INTERVAL_MS).unref();
}

/**
 * An uncaught error leaves the hub in an unknown state: log it and exit non-zero so systemd restarts it.
 * The one exception: a promise a plugin left floating that rejects is that plugin's failure, counted
 * against it by the plugin host, and the hub goes on serving everyone else.
 */
function installCrashHandlers(log: Logger, hub: Hub): void {
  const crash = (err: unknown, kind: string) => {
    log.fatal({ err, kind }, 'uncaught error: exiting so the service manager restarts the hub');
    flushLog(log);
    process.exit(EXIT_FAILURE);
  };
  process.on('uncaughtException', (err) => crash(err, 'uncaughtException'));
  process.on('unhandledRejection', (err) => {
    if (hub.claimRejection(err) === null) crash(err, 'unhandledRejection');
  });
}

/** Prints one line per problem on stderr and exits: 2 for configuration, 1 for anything else. */
export function exitWithError(err: unknown): never {
  if (err instanceof ConfigError) {
    for (const problem of err.problems) process.stderr.write(`voicehub: config error: ${problem}\n`);
    process.exit(EXIT_CONFIG);
  }
  if (err instanceof EnvironmentError || isHubError(err)) {
    process.stderr.write(`voicehub: ${err.message} [${err.code}]\n`);
    process.exit(EXIT_FAILURE);
  }
  process.stderr.write(`voicehub: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(EXIT_FAILURE);
}

/** package.json's version (main.js sits two folders below the package root, bundled or not), for the cloud's `hello`. */
function hubVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}
