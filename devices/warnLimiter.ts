import type { Clock } from '../daemon/core/context.js';
import type { Logger } from '../daemon/core/log.js';

/**
 * log.warn at most once per key (a topic) per interval, so a device flooding garbage cannot flood the log.
 * The map of keys is bounded: past `maxKeys` it starts over rather than growing with every topic ever seen.
 */
export class WarnLimiter {
  private readonly last = new Map<string, number>();

  constructor(
    private readonly log: Logger,
    private readonly clock: Clock,
    private readonly intervalMs = 60_000,
    private readonly maxKeys = 10_000,
  ) {}

  warn(key: string, fields: Record<string, unknown>, message: string): void {
    const now = this.clock.now();
    const last = this.last.get(key);
    if (last !== undefined && now - last < this.intervalMs) return;
    if (this.last.size >= this.maxKeys) this.last.clear();
    this.last.set(key, now);
    this.log.warn({ topic: key, ...fields }, message);
  }

  clear(): void {
    this.last.clear();
  }
}
