import { createRequire } from 'node:module';
import type { ScheduledTask } from 'node-cron';

/** node-cron is loaded at the first cron job (none of the built-ins has one), not at start-up. */
let cronModule: typeof import('node-cron').default | null = null;
function cron(): typeof import('node-cron').default {
  cronModule ??= createRequire(import.meta.url)('node-cron') as typeof import('node-cron').default;
  return cronModule;
}
import type { Clock } from '../core/context.js';
import { HubError } from '../core/errors.js';
import { RateLimiter } from '../core/rateLimiter.js';
import type { Logger } from '../core/log.js';
import { MIN_EVERY_MS, type Job } from '../../plugins/sdk/api.js';

/**
 * A plugin's budget of `after` timers shorter than MIN_EVERY_MS: this many a second, after a burst of
 * SHORT_TIMER_BURST. `every` is held to one run a second per job; a chain of `after(0)` (each run arming the
 * next) was not held at all, a tight timer loop of about a thousand runs a second on the hub's thread. A
 * debounce or a step-by-step fade arms a few dozen a second; past the budget `after` throws
 * SCHEDULE_TIMER_BUDGET (the chain ends, the plugin's guard logs it) until the budget refills.
 */
export const SHORT_TIMERS_PER_SECOND = 100;
export const SHORT_TIMER_BURST = 200;

/** setTimeout's own limit (2^31−1 ms, ~24.8 days): longer delays are waited in steps, not fired at once. */
const MAX_TIMEOUT_MS = 2_147_483_647;

export interface JobSetOptions {
  clock: Clock;
  log: Logger;
  /** Default cron timezone (`location.timezone`), or null for the machine's. */
  timezone: string | null;
  /** Runs a job body contained (the plugin's guard); never throws. */
  run(what: string, fn: () => void | Promise<void>): void;
}

/**
 * The timers and cron jobs of one plugin; `clear()` cancels every one of them when the plugin stops.
 * They hold the event loop open like any timer (a user's timer must fire); the host clears them on stop.
 * This is the only module that uses node-cron (STYLE: one adapter per library). Only functions are
 * scheduled: node-cron would run a string as a script in a forked process.
 */
export class JobSet {
  private readonly live = new Set<() => void>();
  /** Made at the first short timer: most plugins never arm one. */
  private shortTimers: RateLimiter | null = null;

  constructor(private readonly options: JobSetOptions) {}

  get size(): number {
    return this.live.size;
  }

  after(ms: number, fn: () => void | Promise<void>): Job {
    checkFn(fn);
    const delay = checkMs(ms, 0);
    if (delay < MIN_EVERY_MS) {
      this.shortTimers ??= new RateLimiter({ perSecond: SHORT_TIMERS_PER_SECOND, burst: SHORT_TIMER_BURST, maxKeys: 1 }, this.options.clock);
      if (!this.shortTimers.take('')) {
        throw new HubError('SCHEDULE_TIMER_BUDGET', `api.schedule.after: more than ${SHORT_TIMERS_PER_SECOND} timers under ${MIN_EVERY_MS} ms a second (after a burst of ${SHORT_TIMER_BURST}); react to an event instead of polling`);
      }
    }
    const cancelTimer = this.arm(delay, () => {
      this.live.delete(cancel);
      this.options.run('timer', fn);
    });
    const cancel = () => {
      cancelTimer();
      this.live.delete(cancel);
    };
    this.live.add(cancel);
    return { cancel };
  }

  every(ms: number, fn: () => void | Promise<void>): Job {
    checkFn(fn);
    const period = checkMs(ms, 0);
    if (period < MIN_EVERY_MS) throw new HubError('SCHEDULE_TOO_FREQUENT', `api.schedule.every takes a period of at least ${MIN_EVERY_MS} ms, got ${period}`);
    let cancelTimer = () => {};
    const tick = () => {
      cancelTimer = this.arm(period, () => {
        tick(); // next one first: a failing run does not end the series
        this.options.run('interval', fn);
      });
    };
    const cancel = () => {
      cancelTimer();
      this.live.delete(cancel);
    };
    this.live.add(cancel);
    tick();
    return { cancel };
  }

  cron(expression: string, fn: () => void | Promise<void>, options: { timezone?: string } = {}): Job {
    checkFn(fn);
    if (typeof expression !== 'string' || !cron().validate(expression)) {
      throw new HubError('BAD_REQUEST', `invalid cron expression ${JSON.stringify(expression)}`);
    }
    const timezone = options.timezone ?? this.options.timezone ?? undefined;
    const log = this.options.log;
    let task: ScheduledTask;
    try {
      task = cron().schedule(expression, () => this.options.run(`cron ${expression}`, fn), {
        timezone, noOverlap: true,
        logger: {
          info: (m) => log.debug({ cron: expression }, m),
          warn: (m) => log.warn({ cron: expression }, m),
          error: (m, err) => log.error({ cron: expression, err }, String(m)),
          debug: (m) => log.debug({ cron: expression }, String(m)),
        },
      });
    } catch (err) {
      throw new HubError('BAD_REQUEST', `cannot schedule ${JSON.stringify(expression)}: ${(err as Error).message}`, { cause: err });
    }
    const cancel = () => {
      this.live.delete(cancel);
      void Promise.resolve(task.destroy()).catch((err: unknown) => log.warn({ err }, 'cron job did not stop cleanly'));
    };
    this.live.add(cancel);
    return { cancel };
  }

  clear(): void {
    for (const cancel of [...this.live]) cancel();
  }

  /** One timeout on the clock, re-armed in steps for delays past setTimeout's limit; returns its cancel. */
  private arm(delay: number, fire: () => void): () => void {
    const { clock } = this.options;
    const due = clock.now() + delay;
    let handle: NodeJS.Timeout;
    const set = (wait: number) => {
      handle = clock.setTimeout(() => {
        const left = due - clock.now();
        if (left > 0) set(Math.min(left, MAX_TIMEOUT_MS));
        else fire();
      }, wait);
    };
    set(Math.min(delay, MAX_TIMEOUT_MS));
    return () => clock.clearTimeout(handle);
  }
}

function checkFn(fn: unknown): void {
  if (typeof fn !== 'function') throw new HubError('BAD_REQUEST', 'a scheduled job must be a function');
}

function checkMs(ms: unknown, min: number): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < min) {
    throw new HubError('BAD_REQUEST', `a delay must be a finite number of milliseconds ≥ ${min}, got ${String(ms)}`);
  }
  return ms;
}
