import type { Clock } from './context.js';

/**
 * The hub's one timeout race: a promise against a timer that never outlives the race. For the many short
 * calls of the hot path (the work queue, the plugin guard) use Deadlines instead, which shares one timer per
 * timeout length; this is for the few long waits (loading, stopping, draining).
 */
type Timers = Pick<Clock, 'setTimeout' | 'clearTimeout'>;
const NODE_TIMERS: Timers = { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (handle) => clearTimeout(handle) };

/** `promise`, or the error `onTimeout` makes once `ms` pass first. */
export function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error, timers: Timers = NODE_TIMERS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = timers.setTimeout(() => reject(onTimeout()), ms); });
  return Promise.race([promise, timeout]).finally(() => timers.clearTimeout(timer!));
}

/** Waits for `promise`, but no longer than `ms`: after that it resolves anyway. A rejection still rejects. */
export function waitAtMost(promise: Promise<unknown>, ms: number, timers: Timers = NODE_TIMERS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<void>((resolve) => { timer = timers.setTimeout(resolve, ms); });
  return Promise.race([promise.then(() => {}), elapsed]).finally(() => timers.clearTimeout(timer!));
}
