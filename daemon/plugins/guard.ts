import type { Clock } from '../core/context.js';
import { HubError, isHubError, type ErrorCode } from '../core/errors.js';
import { LazySignal } from '../core/lazySignal.js';
import { isThenable } from '../core/thenable.js';
import { Deadlines, type Deadline } from '../core/deadlines.js';
import { backoffStep } from '../core/backoff.js';

/**
 * Errors that answer the user rather than report a broken plugin ("250 percent", "no such device", "no
 * internet"): they pass through unchanged and count as a success of the plugin.
 */
const REFUSALS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'VALUE_OUT_OF_RANGE', 'DEVICE_NOT_FOUND', 'DEVICE_AMBIGUOUS', 'DEVICE_UNSUPPORTED', 'CLOUD_UNAVAILABLE',
  'MQTT_UNAVAILABLE', 'BAD_REQUEST', 'NO_MATCH', 'SHUTTING_DOWN',
]);

/** How many times the pause doubles at most (pauseMs × 2^6 = 64 × pauseMs). */
const MAX_BACKOFF_LEVEL = 6;

export function isRefusal(err: unknown): err is HubError {
  return isHubError(err) && REFUSALS.has(err.code);
}

export interface GuardOptions {
  pluginId: string;
  timeoutMs: number;
  failuresBeforePause: number;
  pauseMs: number;
  clock: Clock;
  /** Called for every counted failure (metric, log). */
  onFailure(err: HubError, what: string): void;
  /** Called when the plugin is paused; `ms` is this pause's length. */
  onPause(ms: number, until: number): void;
  /** Called at the first call after a pause ended. */
  onResume(): void;
}

/**
 * Containment of one plugin (PROTOCOL §5): every call into it is raced against `timeoutMs`, a throw or
 * rejection becomes PLUGIN_FAILED, a hang becomes TIMEOUT, and `failuresBeforePause` failures in a row pause
 * it for `pauseMs`, doubling with each pause that is not followed by a success (circuit breaker with
 * exponential backoff). After a pause the next call is let through; if it fails too the plugin is paused
 * again at once. Calls into one plugin never wait for another plugin's calls.
 *
 * What this cannot do in-process: a handler stuck in a synchronous loop holds the event loop, so neither
 * its timeout nor anything else runs until it yields (Node cannot pre-empt JavaScript). A loop that awaits
 * (yields) is timed out as usual; the `signal` passed to the call is aborted at that moment so it can stop.
 */
export class PluginGuard {
  private consecutive = 0;
  private level = 0;
  private until = 0;
  private pausedAnnounced = false;
  private failures = 0;
  private last: string | null = null;
  /** Calls in flight, newest first, for abortAll: a list threaded through the calls (no set to grow and shrink per call). */
  private inflight: GuardedCall | null = null;
  private inflightSize = 0;

  /** The calls' timeouts, on one timer per length. */
  private readonly deadlines: Deadlines;

  constructor(private readonly options: GuardOptions) {
    this.deadlines = new Deadlines(options.clock);
  }

  get consecutiveFailures(): number {
    return this.consecutive;
  }

  get totalFailures(): number {
    return this.failures;
  }

  get lastError(): string | null {
    return this.last;
  }

  /** The time the current pause ends, or null when the plugin is not paused. */
  pausedUntil(): number | null {
    return this.options.clock.now() < this.until ? this.until : null;
  }

  /**
   * Runs `fn` contained. `count: false` (start/stop hooks) still times out and wraps errors but does not move
   * the pause counter, and runs even while paused. `fn` gets the call's abort signal, made if it reads it.
   * `check` vets what `fn` returned: a throw there is the plugin's failure, like a throw in `fn`.
   */
  call<T, R = T>(what: string, fn: (abort: LazySignal) => T | Promise<T>, options: { count?: boolean; timeoutMs?: number; check?: (value: T) => R } = {}): Promise<R> {
    const count = options.count ?? true;
    const { pluginId } = this.options;
    if (count) {
      const pausedUntil = this.pausedUntil();
      if (pausedUntil !== null) {
        return Promise.reject(new HubError('PLUGIN_PAUSED', `plugin ${pluginId} is paused after ${this.consecutive} failures in a row; it resumes at ${new Date(pausedUntil).toISOString()}`,
          { details: { plugin: pluginId, pausedUntil } }));
      }
      if (this.pausedAnnounced) {
        this.pausedAnnounced = false;
        this.options.onResume();
      }
    }
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
    return new Promise<R>((resolve, reject) => {
      const call = new GuardedCall(what, count, options.check as ((value: unknown) => unknown) | undefined, resolve as (value: unknown) => void, reject);
      // A timeout is a failure like any other (settleError counts it, or reports it for hooks).
      call.deadline = this.deadlines.start(timeoutMs, () => this.settleError(call,
        new HubError('TIMEOUT', `plugin ${pluginId} did not finish ${what} within ${timeoutMs} ms`, { details: { plugin: pluginId, what } })));
      this.link(call);
      let result: T | Promise<T>;
      try {
        result = fn(call.abort);
      } catch (err) {
        this.settleError(call, err);
        return;
      }
      // A late answer or rejection (after a timeout or abortAll) is dropped: the call was already answered.
      if (isThenable(result)) result.then((value) => this.settleValue(call, value), (err: unknown) => this.settleError(call, err));
      else this.settleValue(call, result);
    });
  }

  /** Counts a failure that happened outside a call (an unhandled rejection traced to this plugin). */
  recordFailure(err: unknown, what: string): void {
    this.fail(wrap(err, this.options.pluginId, what), what);
  }

  /** Settles every call still running with `err` (the host is stopping): callers get an answer now. */
  abortAll(err: HubError): void {
    // The calls in flight now: an abort listener that calls into the plugin again starts a call this leaves be.
    const calls: GuardedCall[] = [];
    for (let call = this.inflight; call; call = call.next) calls.push(call);
    for (const call of calls) this.finish(call, err);
  }

  get inflightCount(): number {
    return this.inflightSize;
  }

  private settleValue(call: GuardedCall, value: unknown): void {
    if (call.settled) return;
    let checked: unknown;
    try {
      checked = call.check ? call.check(value) : value;
    } catch (err) {
      this.settleError(call, err);
      return;
    }
    if (call.count) this.succeed();
    this.finish(call, null, checked);
  }

  private settleError(call: GuardedCall, err: unknown): void {
    if (call.settled) return;
    if (isRefusal(err)) {
      if (call.count) this.succeed();
      this.finish(call, err);
      return;
    }
    const wrapped = wrap(err, this.options.pluginId, call.what);
    if (call.count) this.fail(wrapped, call.what);
    else this.options.onFailure(wrapped, call.what);
    this.finish(call, wrapped);
  }

  /** Answers a call once: with `err`, or with `value`. */
  private finish(call: GuardedCall, err: HubError | null, value?: unknown): void {
    if (call.settled) return;
    call.settled = true;
    call.deadline.cancel();
    this.unlink(call);
    if (err) {
      call.abort.abort(err);
      call.reject(err);
    } else call.resolve(value);
  }

  private link(call: GuardedCall): void {
    call.next = this.inflight;
    if (this.inflight) this.inflight.prev = call;
    this.inflight = call;
    this.inflightSize++;
  }

  private unlink(call: GuardedCall): void {
    if (call.prev) call.prev.next = call.next;
    else this.inflight = call.next;
    if (call.next) call.next.prev = call.prev;
    call.prev = call.next = null;
    this.inflightSize--;
  }

  private succeed(): void {
    this.consecutive = 0;
    this.level = 0;
  }

  private fail(err: HubError, what: string): void {
    this.failures++;
    this.consecutive++;
    this.last = err.message;
    this.options.onFailure(err, what);
    if (this.consecutive >= this.options.failuresBeforePause && this.pausedUntil() === null) {
      const ms = backoffStep(this.level, this.options.pauseMs, this.options.pauseMs * 2 ** MAX_BACKOFF_LEVEL);
      this.level++;
      this.until = this.options.clock.now() + ms;
      this.pausedAnnounced = true;
      this.options.onPause(ms, this.until);
    }
  }
}

function wrap(err: unknown, pluginId: string, what: string): HubError {
  if (isHubError(err) && (err.code === 'PLUGIN_FAILED' || err.code === 'TIMEOUT')) return err;
  const message = err instanceof Error ? err.message : String(err);
  const reason = isHubError(err) ? err.code : undefined;
  return new HubError('PLUGIN_FAILED', `plugin ${pluginId} failed in ${what}: ${message}`, { cause: err, details: { plugin: pluginId, what, reason } });
}

/** One call into the plugin, until it is answered: by its result, its timeout, or abortAll. */
class GuardedCall {
  settled = false;
  /** Set right after construction, before anything can settle the call. */
  deadline!: Deadline;
  readonly abort = new LazySignal();
  prev: GuardedCall | null = null;
  next: GuardedCall | null = null;

  constructor(
    readonly what: string,
    /** Whether the call moves the pause counter (start/stop hooks do not). */
    readonly count: boolean,
    /** Vets what the plugin returned: a throw is the plugin's failure. */
    readonly check: ((value: unknown) => unknown) | undefined,
    readonly resolve: (value: unknown) => void,
    readonly reject: (err: HubError) => void,
  ) {}
}
