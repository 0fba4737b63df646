import type { Clock } from './context.js';

export interface RateLimitOptions {
  /** Tokens added per second. */
  perSecond: number;
  /** Bucket size: how many may come at once after a quiet spell. */
  burst: number;
  /** Most keys remembered; beyond it, full buckets are forgotten first, then the oldest. */
  maxKeys: number;
}

interface Bucket {
  tokens: number;
  /** Clock time of the last refill, ms. */
  at: number;
}

/**
 * Token buckets keyed by client: voice utterances per token subject (`voice.rateLimit`), new MQTT
 * connections per remote address (`mqtt.connectionsPerSecond`, a second's worth of burst), and HTTP requests
 * and WebSocket upgrades per remote address (`http.rateLimit`). Refill is computed lazily on each take, so there are no
 * timers and an idle key costs one small object. Memory is bounded by `maxKeys`: a forgotten key simply
 * starts again with a full bucket, which is what it would have had after a quiet spell anyway.
 *
 * Keys that went quiet are forgotten too, not only at `maxKeys`: a take at least one refill time (an empty
 * bucket's time to fill) after the last sweep drops every bucket that has refilled, so the memory a spray of
 * addresses or ids took comes back at the next request after it (issue 18: they stayed until maxKeys). No
 * timer: nothing runs while nobody asks, and the sweep's cost, one pass over the keys, comes at most once
 * per refill time.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  /** An empty bucket's time to fill, ms: a bucket untouched that long is full, the same as none. */
  private readonly refillMs: number;
  /** Clock time from which the next take sweeps. */
  private nextSweep: number;

  constructor(private readonly options: RateLimitOptions, private readonly clock: Clock) {
    this.perMs = options.perSecond / 1000;
    this.refillMs = options.burst / this.perMs;
    this.nextSweep = clock.now() + this.refillMs;
  }

  /** Takes one token for `key`; false when the bucket is empty (the caller answers RATE_LIMITED). */
  take(key: string): boolean {
    const now = this.clock.now();
    if (now >= this.nextSweep) {
      this.nextSweep = now + this.refillMs;
      if (this.buckets.size > 1) this.dropRefilled(now);
    }
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.options.maxKeys) this.evict(now);
      bucket = { tokens: this.options.burst, at: now };
      this.buckets.set(key, bucket);
    } else if (now > bucket.at) {
      bucket.tokens = Math.min(this.options.burst, bucket.tokens + (now - bucket.at) * this.perMs);
      bucket.at = now;
    }
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Milliseconds until `key` has a token again (0 when it has one now). Takes nothing. */
  waitMs(key: string): number {
    const bucket = this.buckets.get(key);
    if (!bucket) return 0;
    const tokens = bucket.tokens + Math.max(0, this.clock.now() - bucket.at) * this.perMs;
    return tokens >= 1 ? 0 : Math.ceil((1 - tokens) / this.perMs);
  }

  /** Keys currently remembered (tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  /** Drops every bucket that has refilled (it is the same as no bucket); if none has, drops the oldest. */
  private evict(now: number): void {
    this.dropRefilled(now);
    if (this.buckets.size >= this.options.maxKeys) {
      const oldest = this.buckets.keys().next();
      if (!oldest.done) this.buckets.delete(oldest.value);
    }
  }

  private dropRefilled(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) * this.perMs >= this.options.burst) this.buckets.delete(key);
    }
  }
}
