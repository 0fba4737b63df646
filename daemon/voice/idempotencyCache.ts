import type { Clock } from '../context.js';

export interface IdempotencyOptions {
  /** How long an id is remembered, from its first arrival; 0 turns the cache off. */
  ttlMs: number;
  /** Most ids remembered; the oldest are forgotten first. */
  maxEntries: number;
}

interface Entry<T> {
  key: string;
  expiresAt: number;
  result: Promise<T>;
}

/**
 * "The same `id` sent again within 10 minutes returns the first reply again and runs nothing twice"
 * (PROTOCOL §3). The seed article only left a comment ("must be idempotent"); here it is a map from key to
 * the first run's promise:
 *   - a copy that arrives while the first still runs gets the same promise (nothing runs twice, even under
 *     concurrency: the lookup and the insert happen in one synchronous step);
 *   - a copy that arrives later gets the settled promise, i.e. the first outcome.
 * `work` must not reject: the caller folds errors into its outcome value, so an error outcome is
 * remembered like a reply (the handler may already have switched a light before failing).
 *
 * Bounded: entries live `ttlMs`; beyond `maxEntries` the oldest goes even if it has not expired. Every entry
 * has the same lifetime, so a FIFO of entries in arrival order has the expired ones at its head, and both
 * expiry and eviction pop from there in O(1). (Walking a Map from its start instead gets slow: deleted
 * slots at its front are skipped on every walk until the table is rehashed.)
 */
export class IdempotencyCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private fifo: Array<Entry<T>> = [];
  private head = 0;

  constructor(private readonly options: IdempotencyOptions, private readonly clock: Clock) {}

  /** The first outcome for `key`, running `work` only if the key is new (or expired). `fresh` says which. */
  run(key: string, work: () => Promise<T>): { result: Promise<T>; fresh: boolean } {
    if (this.options.ttlMs <= 0) return { result: work(), fresh: true };
    const now = this.clock.now();
    this.dropExpired(now);
    const found = this.entries.get(key);
    if (found && found.expiresAt > now) return { result: found.result, fresh: false };
    while (this.entries.size >= this.options.maxEntries && this.head < this.fifo.length) this.popOldest();
    const result = work();
    const entry: Entry<T> = { key, expiresAt: now + this.options.ttlMs, result };
    this.entries.set(key, entry);
    this.fifo.push(entry);
    return { result, fresh: true };
  }

  /**
   * Forgets `key` if it still maps to `result`: for outcomes that must not be replayed because nothing ran
   * (the work queue was full), so the client may send the same id again.
   */
  forget(key: string, result: Promise<T>): void {
    if (this.entries.get(key)?.result === result) this.entries.delete(key);
  }

  /** Keys remembered now (tests, metrics). */
  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
    this.fifo = [];
    this.head = 0;
  }

  private dropExpired(now: number): void {
    while (this.head < this.fifo.length && this.fifo[this.head]!.expiresAt <= now) this.popOldest();
  }

  private popOldest(): void {
    const entry = this.fifo[this.head];
    if (!entry) return;
    this.fifo[this.head++] = undefined as unknown as Entry<T>;
    // The map may hold a newer entry for the same key (re-run after expiry): only drop it if it is this one.
    if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
    if (this.head > 1024 && this.head * 2 > this.fifo.length) {
      this.fifo = this.fifo.slice(this.head);
      this.head = 0;
    }
  }
}
