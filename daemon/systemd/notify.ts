import type { Logger } from '../core/log.js';
import { systemClock, type Clock } from '../core/context.js';
import { parseSystemdEnv } from './notifyEnv.js';
import { runNotifyCommand, type NotifyCommandOutcome, type RunningNotifyCommand } from './notifyCommand.js';

/**
 * Tells systemd how the hub is doing (sd_notify(3)): READY=1 once every listener is up, STATUS= lines,
 * WATCHDOG=1 from a timer on the event loop at half of WATCHDOG_USEC (so a blocked loop stops the pings
 * and systemd restarts the hub), STOPPING=1 on shutdown. Without NOTIFY_SOCKET nothing is sent.
 *
 * Every send goes through systemd-notify (see notifyCommand.ts for why), at most one child per kind at a
 * time: a hung send is killed after `sendTimeoutMs`; a watchdog tick that finds the last one still running
 * is skipped, and STATUS texts sent meanwhile collapse into the latest. Nothing here throws or rejects:
 * every failure is one log line and the hub carries on.
 *
 * Wiring: `const sd = createSystemdNotifier({ log })`; once listening, `void sd.ready('…')` then
 * `sd.startWatchdog()`; `void sd.status('12 devices, 2 voice clients')` when the counts change; first thing
 * on shutdown `void sd.stopping()` and `await sd.stop()` last. Each send spawns its child synchronously, so
 * a `process.exit()` right after a call does not lose the message.
 */

export interface SystemdNotifierOptions {
  log: Logger;
  /** Where NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID and PATH are read; process.env when not given. */
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  /** This process's id, compared with WATCHDOG_PID; process.pid when not given. */
  pid?: number;
  /** The sending program; `systemd-notify` on PATH when not given (tests point it elsewhere). */
  command?: string;
  /** A send still running after this is killed. Default 6000: systemd-notify's own barrier waits 5 s. */
  sendTimeoutMs?: number;
}

export interface SystemdNotifier {
  /** True while a usable NOTIFY_SOCKET is set and systemd-notify has not been found missing. */
  readonly enabled: boolean;
  /** Half of WATCHDOG_USEC in ms, or null when systemd asked for no watchdog. */
  readonly watchdogIntervalMs: number | null;
  /** READY=1 (with STATUS= when given). Resolves true once systemd has it, false when not sent. */
  ready(status?: string): Promise<boolean>;
  /** STATUS=text, one line (newlines become spaces); texts sent while one is in flight collapse into the latest. */
  status(text: string): Promise<boolean>;
  /** STOPPING=1 (with STATUS= when given); the watchdog keeps running until stop(). */
  stopping(status?: string): Promise<boolean>;
  /** Sends WATCHDOG=1 now and every watchdogIntervalMs from an unref'd timer; no-op without a watchdog. */
  startWatchdog(): void;
  /** Stops the watchdog, kills watchdog/status sends in flight, waits for READY/STOPPING ones; idempotent. */
  stop(): Promise<void>;
}

/** Stable `problem` values on this module's log lines, beside the env ones from notifyEnv.ts. */
export const NOTIFY_LOG_PROBLEMS = {
  absent: 'NOTIFY_COMMAND_ABSENT',
  failed: 'NOTIFY_SEND_FAILED',
  timeout: 'NOTIFY_SEND_TIMEOUT',
} as const;

type Kind = 'ready' | 'status' | 'watchdog' | 'stopping';

interface Lane {
  running: RunningNotifyCommand | null;
  /** The send waiting for the running one; a newer call replaces its assignments and joins its waiters. */
  pending: { assignments: string[]; waiters: Array<(ok: boolean) => void> } | null;
  /** Set after a failure was logged, so a failing watchdog logs once per streak, not every tick. */
  failing: boolean;
}

const MAX_STATUS_CHARS = 256;
const DEFAULT_SEND_TIMEOUT_MS = 6000;

export function createSystemdNotifier(options: SystemdNotifierOptions): SystemdNotifier {
  const log = options.log.child({ component: 'systemd' });
  const env = options.env ?? process.env;
  const clock = options.clock ?? systemClock;
  const command = options.command ?? 'systemd-notify';
  const timeoutMs = options.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
  const parsed = parseSystemdEnv(env, options.pid ?? process.pid);
  const socket = parsed.notifySocket;
  const lanes: Record<Kind, Lane> = {
    ready: newLane(), status: newLane(), watchdog: newLane(), stopping: newLane(),
  };
  let absent = false;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;

  for (const problem of parsed.problems) {
    const level = problem.code === 'WATCHDOG_PID_OTHER' ? 'info' : 'warn';
    log[level]({ problem: problem.code, value: problem.value }, problem.message);
  }
  if (socket === null && parsed.problems.length === 0) log.debug('no NOTIFY_SOCKET (not started by systemd): notifications off');

  function send(kind: Kind, assignments: string[]): Promise<boolean> {
    if (socket === null || absent || stopped) return Promise.resolve(false);
    const lane = lanes[kind];
    if (lane.running === null) return launch(kind, lane, assignments);
    if (kind === 'watchdog') {
      log.debug('the previous WATCHDOG=1 is still being sent; this tick is skipped');
      return Promise.resolve(false);
    }
    return new Promise((resolve) => {
      lane.pending = { assignments, waiters: [...(lane.pending?.waiters ?? []), resolve] };
    });
  }

  async function launch(kind: Kind, lane: Lane, assignments: string[]): Promise<boolean> {
    const running = runNotifyCommand(assignments, { command, socket: socket!, path: env.PATH, timeoutMs });
    lane.running = running;
    const outcome = await running.done;
    lane.running = null;
    const ok = report(kind, lane, assignments, outcome);
    const next = lane.pending;
    lane.pending = null;
    if (next) {
      const sent = absent || stopped ? Promise.resolve(false) : launch(kind, lane, next.assignments);
      void sent.then((nextOk) => { for (const waiter of next.waiters) waiter(nextOk); });
    }
    return ok;
  }

  function report(kind: Kind, lane: Lane, assignments: string[], outcome: NotifyCommandOutcome): boolean {
    const what = assignments.join(' ');
    if (outcome.ok) {
      if (lane.failing) log.info({ kind }, `systemd notifications (${kind}) work again`);
      lane.failing = false;
      return true;
    }
    if (outcome.reason === 'absent') {
      if (!absent) {
        absent = true;
        stopTimer();
        log.error({ problem: NOTIFY_LOG_PROBLEMS.absent, socket },
          `${outcome.detail}: cannot send ${what} to systemd; notifications off (under Type=notify systemd will time the start out: install systemd's systemd-notify)`);
      }
      return false;
    }
    if (stopped && outcome.reason === 'timeout') return false; // killed by stop(): expected, not worth a warning
    if (lane.failing) {
      log.debug({ kind, detail: outcome.detail }, `systemd notification ${what} failed again`);
    } else {
      lane.failing = true;
      const retry = kind === 'watchdog' ? '; retried every tick, further failures at debug level' : '';
      log.warn({ problem: NOTIFY_LOG_PROBLEMS[outcome.reason], kind, socket, detail: outcome.detail },
        `could not send ${what} to systemd: ${outcome.detail}${retry}`);
    }
    return false;
  }

  function tick(): void {
    timer = null;
    if (stopped || absent) return;
    timer = clock.setTimeout(tick, parsed.watchdogIntervalMs!);
    // The pings only prove the loop runs; they must not keep an otherwise finished hub alive.
    timer.unref?.();
    void send('watchdog', ['WATCHDOG=1']);
  }

  function stopTimer(): void {
    if (timer !== null) clock.clearTimeout(timer);
    timer = null;
  }

  return {
    get enabled() {
      return socket !== null && !absent;
    },
    watchdogIntervalMs: parsed.watchdogIntervalMs,
    ready: (status) => send('ready', ['READY=1', ...statusAssignment(status)]),
    status: (text) => send('status', [statusAssignment(text)[0] ?? 'STATUS=']),
    stopping: (status) => send('stopping', ['STOPPING=1', ...statusAssignment(status)]),
    startWatchdog() {
      if (socket === null || parsed.watchdogIntervalMs === null) {
        log.debug('systemd asked for no watchdog (WATCHDOG_USEC unset or unusable)');
        return;
      }
      if (timer !== null || stopped || absent) return;
      log.info({ intervalMs: parsed.watchdogIntervalMs }, `systemd watchdog on: WATCHDOG=1 every ${parsed.watchdogIntervalMs} ms`);
      tick();
    },
    async stop() {
      stopped = true;
      stopTimer();
      lanes.watchdog.running?.kill();
      lanes.status.running?.kill();
      await Promise.all(Object.values(lanes).map((lane) => lane.running?.done));
    },
  };
}

function newLane(): Lane {
  return { running: null, pending: null, failing: false };
}

/** STATUS= is one assignment of a newline-separated datagram: the text must be one line. */
function statusAssignment(text: string | undefined): string[] {
  if (text === undefined) return [];
  const line = text.replace(/[\r\n\0]+/g, ' ').trim().slice(0, MAX_STATUS_CHARS);
  return line ? [`STATUS=${line}`] : [];
}
