/**
 * Capped exponential backoff with jitter for reconnecting to an external broker. The n-th delay is drawn
 * from [d/2, d] with d = min(maxMs, initialMs · 2^n) ("equal jitter"): a fleet of hubs that lost the same
 * broker does not come back in lockstep, and no retry is ever immediate.
 */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 30_000 };

export class Backoff {
  private attempt = 0;

  constructor(private readonly policy: BackoffPolicy = DEFAULT_BACKOFF, private readonly random: () => number = Math.random) {}

  /** The delay before the next attempt; each call doubles the ceiling up to maxMs. */
  next(): number {
    const ceiling = Math.min(this.policy.maxMs, this.policy.initialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.round(ceiling / 2 + this.random() * (ceiling / 2));
  }

  /** After a successful connection: start again from initialMs. */
  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
