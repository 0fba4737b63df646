/**
 * The hub's one backoff formula: capped exponential steps, optionally with jitter. Used by the external
 * broker's reconnects (Backoff), the voice work queue's retries, a paused plugin's pause and an isolated
 * plugin's restarts, so they all grow the same way and a fix lands once.
 */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 30_000 };

/** The n-th step (n from 0): min(maxMs, initialMs · 2ⁿ). The exponent is capped so a huge n cannot overflow. */
export function backoffStep(n: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.min(n, 30));
}

/**
 * The n-th step drawn from [step/2, step] ("equal jitter"): callers that failed together (a fleet of hubs
 * that lost the same broker, clients whose utterances failed at once) do not retry in lockstep, and no
 * retry is ever immediate.
 */
export function jitteredBackoff(n: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const step = backoffStep(n, initialMs, maxMs);
  return Math.round(step / 2 + random() * (step / 2));
}

/** A counter over jitteredBackoff, for a loop that retries until it succeeds (reconnecting to a broker). */
export class Backoff {
  private attempt = 0;

  constructor(private readonly policy: BackoffPolicy = DEFAULT_BACKOFF, private readonly random: () => number = Math.random) {}

  /** The delay before the next attempt; each call doubles the ceiling up to maxMs. */
  next(): number {
    return jitteredBackoff(this.attempt++, this.policy.initialMs, this.policy.maxMs, this.random);
  }

  /** After a successful connection: start again from initialMs. */
  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
