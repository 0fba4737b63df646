import type { Clock } from '../core/context.js';

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
 * What `run` gives back: the outcome to come, and whether this call started it. A fresh run carries its
 * entry, so `settle` keeps the outcome without looking the id up again.
 */
export interface IdempotentRun<T> {
  readonly result: Promise<T>;
  readonly fresh: boolean;
  /** @internal the cache's own entry of a fresh run (null when the cache is off or the run is a copy). */
  readonly entry: Entry<T> | null;
}

/**
 * "The same `id` sent again within 10 minutes returns the first reply again and runs nothing twice"
 * (PROTOCOL §3). The seed article only left a comment ("must be idempotent"); here it is a map from (scope, id) to
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
  // Two levels, scope (the token subject) then id: no key string is built and hashed per utterance, and the
  // subject's own string is the same object every time, its hash computed once.
  private current = new Map<string, Map<string, Entry<T>>>();
  private previous = new Map<string, Map<string, Entry<T>>>();
  private currentSize = 0;
  private previousSize = 0;
  private currentSince: number;
  private readonly generation: number;

  constructor(private readonly options: IdempotencyOptions, private readonly clock: Clock) {
    this.currentSince = clock.now();
    this.generation = Math.max(1, Math.floor(options.maxEntries / 2));
  }

  /** The first outcome for `id` in `scope`, running `work` only if the id is new (or expired). `fresh` says which. */
  run(scope: string, id: string, work: () => Promise<T>): IdempotentRun<T> {
    const ttl = this.options.ttlMs;
    if (ttl <= 0) return { result: work(), fresh: true, entry: null };
    const now = this.clock.now();
    this.age(now);
    const found = this.find(scope, id);
    if (found && found.expiresAt > now) return { result: found.pending ?? Promise.resolve(found.value as T), fresh: false, entry: null };
    if (this.currentSize >= this.generation) this.rotate(now);
    const result = work();
    let ids = this.current.get(scope);
    if (!ids) {
      ids = new Map();
      this.current.set(scope, ids);
    }
    const before = ids.size;
    const entry: Entry<T> = { expiresAt: now + ttl, pending: result, value: undefined };
    ids.set(id, entry);
    this.currentSize += ids.size - before;
    return { result, fresh: true, entry };
  }

  /**
   * A fresh run finished with `value`: keep that, not the promise, for the copies to come. The run's own
   * entry is written (no lookup); one already dropped (aged out, forgotten) is garbage and writing it is harmless.
   */
  settle(run: IdempotentRun<T>, value: T): void {
    const entry = run.entry;
    if (entry?.pending !== run.result) return;
    entry.pending = null;
    entry.value = value;
  }

  /**
   * Forgets `id` if it still maps to the run `result`: for outcomes that must not be replayed because
   * nothing ran (the work queue was full), so the client may send the same id again.
   */
  forget(scope: string, id: string, result: Promise<T>): void {
    const ids = this.current.get(scope);
    if (ids?.get(id)?.pending === result) {
      ids.delete(id);
      this.currentSize--;
      return;
    }
    const old = this.previous.get(scope);
    if (old?.get(id)?.pending === result) {
      old.delete(id);
      this.previousSize--;
    }
  }

  /** Ids held now, expired ones not yet dropped included (tests, metrics). */
  get size(): number {
    return this.currentSize + this.previousSize;
  }

  clear(): void {
    this.current = new Map();
    this.previous = new Map();
    this.currentSize = this.previousSize = 0;
  }

  private find(scope: string, id: string): Entry<T> | undefined {
    return this.current.get(scope)?.get(id) ?? this.previous.get(scope)?.get(id);
  }

  /** Time moves generations on too: a `current` a TTL old becomes `previous`; after two TTLs both go. */
  private age(now: number): void {
    const elapsed = now - this.currentSince;
    if (elapsed < this.options.ttlMs) return;
    this.rotate(now);
    if (elapsed >= 2 * this.options.ttlMs) {
      this.previous = new Map();
      this.previousSize = 0;
    }
  }

  private rotate(now: number): void {
    // With room for one id only, there is no previous generation to keep.
    if (this.options.maxEntries >= 2) {
      this.previous = this.current;
      this.previousSize = this.currentSize;
    } else {
      this.previous = new Map();
      this.previousSize = 0;
    }
    this.current = new Map();
    this.currentSize = 0;
    this.currentSince = now;
  }
}
