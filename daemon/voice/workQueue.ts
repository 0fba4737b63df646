import type { Clock } from '../core/context.js';
import { HubError, isHubError } from '../core/errors.js';
import { LazySignal } from '../core/lazySignal.js';
import { isThenable } from '../core/thenable.js';
import { Deadlines } from '../core/deadlines.js';
import { jitteredBackoff } from '../core/backoff.js';

export interface WorkQueueOptions {
  /** Jobs running at once across all sessions (voice.concurrency). */
  concurrency: number;
  /** Jobs waiting for a slot; more are refused with BUSY. Sessions already bound this (one job each), this is the backstop. */
  maxWaiting: number;
  /** Per attempt (plugins.timeoutMs): past it the attempt's signal aborts and the job fails with TIMEOUT. */
  timeoutMs: number;
  /** Extra attempts for failures marked retryable (voice.retries, at most 3). */
  retries: number;
  /** First backoff step; doubles per retry up to backoffMaxMs, then jittered. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
}

/** What a job sees of its attempt. The AbortSignal is made only if the job asks for it (most never do). */
export class Attempt extends LazySignal {
  constructor(readonly number: number) {
    super();
  }
}

export interface RunHooks {
  /** A retryable failure: the next attempt (1-based) starts after `delayMs`. */
  onRetry?(nextAttempt: number, delayMs: number, err: unknown): void;
  /** A retry attempt is starting. */
  onAttempt?(attempt: number): void;
}

/**
 * The in-process work queue between voice sessions and the handler stage (the seed article used Redis and
 * Bull for this; a hub on one board needs neither). It bounds concurrency, times out each attempt, and
 * retries only failures marked retryable (HubError.retryable), with exponential backoff and jitter
 * ("equal jitter": half the step fixed, half random) so clients that failed together do not retry together.
 * A slot is released while a job sleeps between attempts. Timers go through the injected Clock; the
 * attempts' timeouts share one timer (Deadlines).
 */
export class WorkQueue {
  private active = 0;
  private readonly waiters: Array<() => void> = [];
  private stopping = false;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly deadlines: Deadlines;

  constructor(private readonly options: WorkQueueOptions, private readonly clock: Clock, private readonly random: () => number = Math.random) {
    this.deadlines = new Deadlines(clock);
    this.baseMs = options.backoffBaseMs ?? 50;
    this.maxMs = options.backoffMaxMs ?? 2000;
  }

  get running(): number {
    return this.active;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /** Stop retrying: failures from now on are final (in-flight attempts still finish). */
  beginStop(): void {
    this.stopping = true;
  }

  /**
   * Runs `job` in a slot, timed out, retried if its failure is retryable. One promise per run and plain
   * callbacks inside (no async function, no promise per attempt).
   */
  run<T>(job: (attempt: Attempt) => Promise<T> | T, hooks?: RunHooks): Promise<T> {
    return new Promise<T>((resolve, reject) => this.start(job, hooks, (ok, value) => (ok ? resolve(value as T) : reject(value))));
  }

  /**
   * `run` with no promise of its own: `settled` is called once, with true and the job's value or false and
   * the final error. The voice session runs every utterance through this and makes the one promise it needs
   * (the idempotency cache's) itself: a promise and its then() per utterance fewer than `run`.
   */
  start<T>(job: (attempt: Attempt) => Promise<T> | T, hooks: RunHooks | undefined, settled: (ok: boolean, value: unknown) => void): void {
    this.acquire({ job, hooks, settled }, 0);
  }

  /** Delay before retry n+1: min(max, base·2ⁿ), half of it fixed and half random. */
  backoff(n: number): number {
    return jitteredBackoff(n, this.baseMs, this.maxMs, this.random);
  }

  private acquire<T>(run: QueuedRun<T>, n: number): void {
    if (this.active < this.options.concurrency) {
      this.active++;
      this.attempt(run, n);
    } else if (this.waiters.length >= this.options.maxWaiting) {
      run.settled(false, new HubError('BUSY', 'the hub is handling as many utterances as it can; try again shortly'));
    } else {
      // release() hands its slot straight to the first waiter, so `active` stays counted.
      this.waiters.push(() => this.attempt(run, n));
    }
  }

  private release(): void {
    const next = this.waiters.shift();
    // Started after the job that finished has returned, never nested inside it.
    if (next) queueMicrotask(next);
    else this.active--;
  }

  private attempt<T>(run: QueuedRun<T>, n: number): void {
    const attempt = new Attempt(n);
    let settled = false;
    const done = (ok: boolean, value: unknown): void => {
      if (settled) return; // answered after its timeout: too late, dropped
      settled = true;
      deadline.cancel();
      this.release();
      if (ok) run.settled(true, value);
      else this.failed(run, n, value);
    };
    const deadline = this.deadlines.start(this.options.timeoutMs, () => {
      if (settled) return;
      const err = new HubError('TIMEOUT', `the handler did not answer within ${this.options.timeoutMs} ms`);
      attempt.abort(err);
      done(false, err);
    });
    let result: Promise<T> | T;
    try {
      result = run.job(attempt);
    } catch (err) {
      done(false, err);
      return;
    }
    if (isThenable(result)) result.then((v) => done(true, v), (e: unknown) => done(false, e));
    else done(true, result);
  }

  /** An attempt failed: retry it after a backoff if it may be retried, else the run fails with it. */
  private failed<T>(run: QueuedRun<T>, n: number, err: unknown): void {
    if (this.stopping || n >= this.options.retries || !isHubError(err) || !err.retryable) {
      run.settled(false, err);
      return;
    }
    const delay = this.backoff(n);
    run.hooks?.onRetry?.(n + 1, delay, err);
    this.clock.setTimeout(() => {
      run.hooks?.onAttempt?.(n + 1);
      this.acquire(run, n + 1);
    }, delay);
  }
}

interface QueuedRun<T> {
  job: (attempt: Attempt) => Promise<T> | T;
  hooks: RunHooks | undefined;
  settled(ok: boolean, value: unknown): void;
}
