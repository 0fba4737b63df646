import { execFile } from 'node:child_process';

/**
 * Runs `systemd-notify VAR=VALUE…` once, asynchronously, with a deadline. Node has no unix datagram
 * sockets, so the hub hands each notification to the tool systemd ships on every machine that has it.
 *
 * systemd-notify (systemd ≥ 246) sends the message from its own PID and then waits on a BARRIER=1 until
 * the service manager has processed it (sd_notify_barrier(3)), so it is still alive when systemd looks
 * up its cgroup to attribute the message to our unit; that is why the unit has NotifyAccess=all and why
 * `--no-block` (which skips the barrier and races that lookup) is never passed. The barrier gives up
 * after 5 s on its own; `timeoutMs` is the hard stop on top of that.
 */

export type NotifyCommandOutcome =
  | { ok: true }
  /** The command does not exist (ENOENT): it will not appear later, so the caller stops trying. */
  | { ok: false; reason: 'absent'; detail: string }
  /** It ran and failed (socket missing or refusing, barrier timed out…), or could not be spawned. */
  | { ok: false; reason: 'failed'; detail: string }
  /** It outlived `timeoutMs` and was killed. */
  | { ok: false; reason: 'timeout'; detail: string };

export interface NotifyCommandOptions {
  /** The program: `systemd-notify` (looked up on `path`) or an absolute path. */
  command: string;
  /** NOTIFY_SOCKET for the child: the only variable systemd-notify needs. */
  socket: string;
  /** PATH used to find `command`. */
  path: string | undefined;
  timeoutMs: number;
}

export interface RunningNotifyCommand {
  /** Settles once the child has exited or was killed; never rejects. */
  readonly done: Promise<NotifyCommandOutcome>;
  /** Kills the child now (on stop); `done` then settles as a timeout. */
  kill(): void;
}

/** The longest stderr kept for the log: systemd-notify prints one short line. */
const MAX_DETAIL = 300;

export function runNotifyCommand(assignments: readonly string[], options: NotifyCommandOptions): RunningNotifyCommand {
  const env: NodeJS.ProcessEnv = { NOTIFY_SOCKET: options.socket };
  if (options.path !== undefined) env.PATH = options.path;
  let kill = (): void => {};
  const done = new Promise<NotifyCommandOutcome>((resolve) => {
    try {
      const child = execFile(
        options.command,
        [...assignments],
        { env, timeout: options.timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024, windowsHide: true },
        (err, _stdout, stderr) => {
          if (!err) return resolve({ ok: true });
          resolve(describeFailure(err, String(stderr), options));
        },
      );
      kill = () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      };
    } catch (err) {
      // execFile throws synchronously only for arguments it cannot pass (a NUL byte); report, never throw.
      resolve({ ok: false, reason: 'failed', detail: err instanceof Error ? err.message : String(err) });
    }
  });
  return { done, kill: () => kill() };
}

type ExecError = Error & { code?: string | number | null; killed?: boolean; signal?: NodeJS.Signals | null };

function describeFailure(err: ExecError, stderr: string, options: NotifyCommandOptions): NotifyCommandOutcome {
  if (err.code === 'ENOENT') {
    return { ok: false, reason: 'absent', detail: `${options.command} not found${options.command.includes('/') ? '' : ` on PATH=${options.path ?? '(unset)'}`}` };
  }
  if (err.killed || err.signal) {
    return { ok: false, reason: 'timeout', detail: `${options.command} was killed (${err.signal ?? 'SIGKILL'}) after ${options.timeoutMs} ms or on stop` };
  }
  const line = stderr.trim().split('\n').filter(Boolean).join('; ').slice(0, MAX_DETAIL);
  const status = typeof err.code === 'number' ? `exited with ${err.code}` : `could not run (${err.code ?? err.message})`;
  return { ok: false, reason: 'failed', detail: line ? `${options.command} ${status}: ${line}` : `${options.command} ${status}` };
}
