/**
 * Reads what systemd hands a `Type=notify` service in its environment (sd_notify(3), sd_watchdog_enabled(3)):
 * NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID. Pure: no I/O, so every bad value can be unit-tested.
 */

import type { SystemdEnvProblemCode } from '../core/errors.js';

/** Stable names for what was wrong with the environment (in the one error table); tests and log readers match on these. */
export type { SystemdEnvProblemCode };

export interface SystemdEnvProblem {
  code: SystemdEnvProblemCode;
  /** The variable as it was set. */
  value: string;
  /** One line for the log: what was wrong and what the hub does instead. */
  message: string;
}

export interface SystemdEnv {
  /** NOTIFY_SOCKET as systemd-notify will be given it, or null when notifications are off. */
  notifySocket: string | null;
  /** WATCHDOG_USEC converted to milliseconds, or null when the watchdog is off. */
  watchdogTimeoutMs: number | null;
  /** Half the watchdog timeout (what sd_watchdog_enabled(3) recommends), or null when off. */
  watchdogIntervalMs: number | null;
  /** Why a variable that was set is ignored; empty when all is well or nothing is set. */
  problems: SystemdEnvProblem[];
}

/** sizeof(sockaddr_un.sun_path) on Linux, less the terminating NUL: a longer path cannot be connected to. */
const MAX_SOCKET_PATH_BYTES = 107;
/** The longest delay setTimeout accepts; a larger watchdog interval is clamped to it. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const DECIMAL = /^[0-9]+$/;

/**
 * Parses the systemd variables. `pid` is this process's id: systemd sets WATCHDOG_PID to the main PID so a
 * child that inherits the environment knows the watchdog is not its own (sd_watchdog_enabled(3)).
 */
export function parseSystemdEnv(env: NodeJS.ProcessEnv, pid: number): SystemdEnv {
  const problems: SystemdEnvProblem[] = [];
  const notifySocket = parseNotifySocket(env.NOTIFY_SOCKET, problems);
  const watchdogTimeoutMs = parseWatchdog(env.WATCHDOG_USEC, env.WATCHDOG_PID, pid, problems);
  if (watchdogTimeoutMs !== null && notifySocket === null) {
    problems.push({
      code: 'WATCHDOG_WITHOUT_SOCKET',
      value: env.WATCHDOG_USEC ?? '',
      message: 'WATCHDOG_USEC is set but there is no usable NOTIFY_SOCKET to send WATCHDOG=1 to; watchdog off',
    });
    return { notifySocket, watchdogTimeoutMs: null, watchdogIntervalMs: null, problems };
  }
  const watchdogIntervalMs = watchdogTimeoutMs === null ? null : Math.min(MAX_TIMER_MS, Math.max(1, Math.floor(watchdogTimeoutMs / 2)));
  return { notifySocket, watchdogTimeoutMs, watchdogIntervalMs, problems };
}

/**
 * sd_notify(3): an absolute path names a file-system socket, a leading `@` one in the abstract namespace;
 * systemd 253+ also passes `vsock:CID:PORT` to VMs, which systemd-notify handles itself.
 */
export function parseNotifySocket(value: string | undefined, problems: SystemdEnvProblem[] = []): string | null {
  if (value === undefined || value === '') return null;
  const invalid = (why: string): null => {
    problems.push({ code: 'NOTIFY_SOCKET_INVALID', value, message: `NOTIFY_SOCKET ${JSON.stringify(value)} ${why}; systemd notifications off` });
    return null;
  };
  if (value.startsWith('vsock:')) return value;
  if (!value.startsWith('/') && !value.startsWith('@')) return invalid('is neither an absolute path nor an abstract socket name (@…)');
  if (value.length < 2) return invalid('names no socket');
  if (value.includes('\0')) return invalid('contains a NUL byte');
  if (Buffer.byteLength(value) > MAX_SOCKET_PATH_BYTES) return invalid(`is longer than the ${MAX_SOCKET_PATH_BYTES} bytes a unix socket address holds`);
  return value;
}

/** Returns the watchdog timeout in ms, or null when it is off or not meant for this process. */
function parseWatchdog(usecText: string | undefined, pidText: string | undefined, pid: number, problems: SystemdEnvProblem[]): number | null {
  if (usecText === undefined || usecText === '') return null;
  const usec = parseDecimal(usecText);
  if (usec === null || usec === 0) {
    problems.push({
      code: 'WATCHDOG_USEC_INVALID',
      value: usecText,
      message: `WATCHDOG_USEC ${JSON.stringify(usecText)} is not a positive whole number of microseconds; watchdog off`,
    });
    return null;
  }
  if (pidText !== undefined && pidText !== '') {
    const watchdogPid = parseDecimal(pidText);
    if (watchdogPid === null || watchdogPid === 0) {
      problems.push({ code: 'WATCHDOG_PID_INVALID', value: pidText, message: `WATCHDOG_PID ${JSON.stringify(pidText)} is not a process id; watchdog off` });
      return null;
    }
    if (watchdogPid !== pid) {
      problems.push({
        code: 'WATCHDOG_PID_OTHER',
        value: pidText,
        message: `WATCHDOG_PID ${watchdogPid} is not this process (${pid}): the watchdog belongs to another process; watchdog off`,
      });
      return null;
    }
  }
  return usec / 1000;
}

/** A plain decimal within the safe integer range (surrounding blanks allowed), else null. */
function parseDecimal(text: string): number | null {
  const trimmed = text.trim();
  if (!DECIMAL.test(trimmed)) return null;
  const value = Number(trimmed);
  return Number.isSafeInteger(value) ? value : null;
}
