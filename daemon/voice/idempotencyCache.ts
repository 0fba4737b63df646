import type { Clock } from '../context.js';

export interface IdempotencyOptions {
  /** How long an id is remembered, from its first arrival; 0 turns the cache off. */
  ttlMs: number;
  /** Most ids remembered; at least the most recent half of them always are. */
  maxEntries: number;
}

interface Entry<T> {
  expiresAt: number;
  /** The first run, while it runs; null once `settle` has put its outcome in `value`. */
  pending: Promise<T> | null;
  value: T | undefined;
}

/**
 * "The same `id` sent again within 10 minutes returns the first reply again and runs nothing twice"
 * (PROTOCOL §3). The seed article only left a comment ("must be idempotent"); here it is a map from key to
 * the first run:
 *   - a copy that arrives while the first still runs gets the same promise (nothing runs twice, even under
 *     concurrency: the lookup and the insert happen in one synchronous step);
 *   - a copy that arrives later gets the first outcome, kept by `settle` (the promise is let go).
 * `work` must not reject: the caller folds errors into its outcome value, so an error outcome is
 * remembered like a reply (the handler may already have switched a light before failing).
 *
 * Bounded in count and time by two generations: new ids go into `current`; when it holds half of
 * `maxEntries`, or is a TTL old, it becomes `previous` and the old `previous` is dropped whole. So at most
 * `maxEntries` ids are held, the most recent half of them always, and an id is kept at least its TTL
 * unless that many newer ones came after it. Nothing is deleted one by one: under a flood of new ids
 * (every utterance has one) the cost is a lookup and an insert, and the garbage goes a generation at a
 * time. A hit is checked against its own expiry.
 */
export class IdempotencyCache<T> {
  private current = new Map<string, Entry<T>>();
  private previous = new Map<string, Entry<T>>();
  private currentSince: number;
  private readonly generation: number;

  constructor(private readonly options: IdempotencyOptions, private readonly clock: Clock) {
    this.currentSince = clock.now();
    this.generation = Math.max(1, Math.floor(options.maxEntries / 2));
  }

  /** The first outcome for `key`, running `work` only if the key is new (or expired). `fresh` says which. */
  run(key: string, work: () => Promise<T>): { result: Promise<T>; fresh: boolean } {
    const ttl = this.options.ttlMs;
    if (ttl <= 0) return { result: work(), fresh: true };
    const now = this.clock.now();
    this.age(now);
    const found = this.current.get(key) ?? this.previous.get(key);
    if (found && found.expiresAt > now) return { result: found.pending ?? Promise.resolve(found.value as T), fresh: false };
    if (this.current.size >= this.generation) this.rotate(now);
    const result = work();
    this.current.set(key, { expiresAt: now + ttl, pending: result, value: undefined });
    return { result, fresh: true };
  }

  /** The first run of `key` finished with `value`: keep that, not the promise, for the copies to come. */
  settle(key: string, result: Promise<T>, value: T): void {
    const entry = this.entryOf(key, result);
    if (!entry) return;
    entry.pending = null;
    entry.value = value;
  }

  /**
   * Forgets `key` if it still maps to the run `result`: for outcomes that must not be replayed because
   * nothing ran (the work queue was full), so the client may send the same id again.
   */
  forget(key: string, result: Promise<T>): void {
    if (this.current.get(key)?.pending === result) this.current.delete(key);
    else if (this.previous.get(key)?.pending === result) this.previous.delete(key);
  }

  /** Keys held now, expired ones not yet dropped included (tests, metrics). */
  get size(): number {
    return this.current.size + this.previous.size;
  }

  clear(): void {
    this.current = new Map();
    this.previous = new Map();
  }

  private entryOf(key: string, result: Promise<T>): Entry<T> | undefined {
    const entry = this.current.get(key) ?? this.previous.get(key);
    return entry?.pending === result ? entry : undefined;
  }

  /** Time moves generations on too: a `current` a TTL old becomes `previous`; after two TTLs both go. */
  private age(now: number): void {
    const elapsed = now - this.currentSince;
    if (elapsed < this.options.ttlMs) return;
    this.rotate(now);
    if (elapsed >= 2 * this.options.ttlMs) this.previous = new Map();
  }

  private rotate(now: number): void {
    // With room for one id only, there is no previous generation to keep.
    this.previous = this.options.maxEntries >= 2 ? this.current : new Map();
    this.current = new Map();
    this.currentSince = now;
  }
}
