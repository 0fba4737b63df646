import type { Clock } from './context.js';
import { RateLimiter } from './rateLimiter.js';

/**
 * For warnings that can come once per request: a plugin that fails every call, or is paused over its limits,
 * would otherwise have the hub write a log line for every utterance it refuses (1,837 lines in ten seconds in
 * the plugins-under-fire bench), which costs the hub — and the journal on the SD card — more than the refusals.
 * Per key (an error code), the first `burst` are logged, then `perSecond`; the next line logged for a key says
 * how many were left out since the last one. The counts in /metrics still see every one.
 */
export class WarnThrottle {
  private readonly limiter: RateLimiter;
  private readonly skipped = new Map<string, number>();

  constructor(clock: Clock, options: { perSecond: number; burst: number; maxKeys: number } = { perSecond: 1, burst: 10, maxKeys: 256 }) {
    this.limiter = new RateLimiter(options, clock);
  }

  /** Null: leave this one out (it is counted); otherwise how many of `key` were left out before this one. */
  admit(key: string): number | null {
    if (!this.limiter.take(key)) {
      this.skipped.set(key, (this.skipped.get(key) ?? 0) + 1);
      return null;
    }
    const skipped = this.skipped.get(key) ?? 0;
    if (skipped > 0) this.skipped.delete(key);
    return skipped;
  }
}
