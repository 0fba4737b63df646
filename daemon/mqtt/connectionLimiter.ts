/**
 * New-connection rate limit per remote address: a token bucket per address holding at most one second's
 * worth (`perSecond`) and refilled continuously. Per address rather than global so one misbehaving device
 * reconnecting in a loop cannot use up everyone's allowance. Idle buckets are dropped, so memory stays
 * bounded by `maxTracked` however many addresses knock.
 */
export class ConnectionLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number,
    private readonly maxTracked = 4096,
  ) {}

  /** Takes one token for the address; false when it has none left (the connection should be dropped). */
  tryAcquire(address: string): boolean {
    const now = this.now();
    let bucket = this.buckets.get(address);
    if (bucket) {
      bucket.tokens = Math.min(this.perSecond, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
      bucket.at = now;
    } else {
      if (this.buckets.size >= this.maxTracked) this.prune(now);
      bucket = { tokens: this.perSecond, at: now };
      this.buckets.set(address, bucket);
    }
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  get tracked(): number {
    return this.buckets.size;
  }

  /** Drops buckets that have refilled (they behave exactly like a fresh one); if none have, the oldest. */
  private prune(now: number): void {
    for (const [address, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond >= this.perSecond) this.buckets.delete(address);
    }
    if (this.buckets.size >= this.maxTracked) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
  }
}
