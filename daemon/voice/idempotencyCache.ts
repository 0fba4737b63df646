import type { Clock } from '../core/context.js';

export interface IdempotencyOptions {
  /** How long an id is remembered, from its first arrival; 0 turns the cache off. */
  ttlMs: number;
  /** Most ids remembered; at least the most recent half of them always are. */
  maxEntries: number;
}

/**
 * How an outcome is kept once settled, and given back to a copy: the cache holds up to `maxEntries` of them for
 * the whole TTL, so they are worth keeping small (the voice core keeps the reply's encoded frame alone:
 * keptOutcome.ts). A kept value must not be a Promise (that is how a run still under way is told apart).
 */
export interface KeepAs<T, K> {
  keep(value: T): K;
  replay(kept: K): T;
  /**
   * A smaller form of a kept value, given its id and a table its pieces may be shared through (one per pass
   * of `compact`); undefined keeps it as it is. Run only when the hub is quiet, never per utterance.
   */
  compact?(kept: K, id: string, shared: Map<string, string>): K | undefined;
}

const AS_IS: KeepAs<unknown, unknown> = { keep: (value) => value, replay: (kept) => kept };

/**
 * One generation of ids: id → slot in one map, the slot's scope beside it; per slot the run (its promise while it
 * runs, then its kept outcome) and when the id first came, as ms after the generation began (a small integer: no
 * heap number per id; the old entry object, its expiry and its outcome object were some 200 bytes an id of the
 * 20,000).
 *
 * One map for every scope, not a map per scope: 500 clients sharing a 10,000-id generation made 500 small maps
 * grow and rehash each generation (some 400 bytes an utterance, all of it surviving young-generation
 * collections), and a lookup hashed twice. Ids are the clients' own and rarely shared between subjects; an id
 * another scope already holds in this generation goes to `others` (scope → id → slot), so a subject can never
 * reach another's run.
 */
class Generation<T, K> {
  readonly ids = new Map<string, number>();
  others: Map<string, Map<string, number>> | null = null;
  readonly slots: Array<Promise<T> | K | undefined> = [];
  readonly scopes: string[] = [];
  readonly ages: number[] = [];
  /** Ids held (a forgotten one leaves its slot empty, not counted). */
  size = 0;
  constructor(readonly since: number) {}

  slotOf(scope: string, id: string): number | undefined {
    const slot = this.ids.get(id);
    if (slot !== undefined && this.scopes[slot] === scope) return slot;
    return this.others === null ? undefined : this.others.get(scope)?.get(id);
  }

  add(scope: string, id: string, run: Promise<T>, now: number): number {
    const slot = this.slots.length;
    const held = this.ids.get(id);
    if (held === undefined || this.scopes[held] === scope) {
      if (held === undefined) this.size++;
      this.ids.set(id, slot);
    } else {
      this.others ??= new Map();
      let ids = this.others.get(scope);
      if (!ids) {
        ids = new Map();
        this.others.set(scope, ids);
      }
      const before = ids.size;
      ids.set(id, slot);
      this.size += ids.size - before;
    }
    this.slots.push(run);
    this.scopes.push(scope);
    this.ages.push(now - this.since);
    return slot;
  }

  /** Drops `id` if its slot still holds `run`; true if it did. */
  drop(scope: string, id: string, run: Promise<T>): boolean {
    const slot = this.slotOf(scope, id);
    if (slot === undefined || this.slots[slot] !== run) return false;
    if (this.ids.get(id) === slot) this.ids.delete(id);
    else {
      const ids = this.others!.get(scope)!;
      ids.delete(id);
      if (ids.size === 0) this.others!.delete(scope);
    }
    this.slots[slot] = undefined;
    this.size--;
    return true;
  }

  /** Every id held with its slot (compaction). */
  *entries(): IterableIterator<[string, number]> {
    yield* this.ids;
    if (this.others) for (const ids of this.others.values()) yield* ids;
  }
}

/**
 * What `run` gives back: the outcome to come, and whether this call started it. A fresh run carries its
 * generation and slot, so `settle` keeps the outcome without looking the id up again.
 */
export interface IdempotentRun<T> {
  readonly result: Promise<T>;
  readonly fresh: boolean;
  /** @internal where a fresh run's outcome goes (null when the cache is off or the run is a copy). */
  readonly generation: { readonly slots: unknown[] } | null;
  /** @internal */
  readonly slot: number;
}

/**
 * "The same `id` sent again within 10 minutes returns the first reply again and runs nothing twice"
 * (PROTOCOL §3). The seed article only left a comment ("must be idempotent"); here it is a map from (scope, id) to
 * the first run:
 *   - a copy that arrives while the first still runs gets the same promise (nothing runs twice, even under
 *     concurrency: the lookup and the insert happen in one synchronous step);
 *   - a copy that arrives later gets the first outcome, kept by `settle` in its kept form (`KeepAs`; the
 *     promise is let go).
 * `work` must not reject: the caller folds errors into its outcome value, so an error outcome is
 * remembered like a reply (the handler may already have switched a light before failing).
 *
 * Bounded in count and time by two generations: new ids go into `current`; when it holds half of
 * `maxEntries`, or is a TTL old, it becomes `previous` and the old `previous` is dropped whole. So at most
 * `maxEntries` ids are held, the most recent half of them always, and an id is kept at least its TTL
 * unless that many newer ones came after it. Nothing is deleted one by one: under a flood of new ids
 * (every utterance has one) the cost is a lookup and an insert, and the garbage goes a generation at a
 * time. A hit is checked against its own expiry.
 *
 * Keyed by id, the scope (the token subject) checked beside it: no key string is built and hashed per
 * utterance, and the subject's own string is the same object every time, so the check is a pointer compare.
 */
export class IdempotencyCache<T, K = T> {
  private current: Generation<T, K>;
  private previous: Generation<T, K>;
  private readonly generationSize: number;
  private readonly as: KeepAs<T, K>;

  constructor(private readonly options: IdempotencyOptions, private readonly clock: Clock, keepAs?: KeepAs<T, K>) {
    const now = clock.now();
    this.current = new Generation(now);
    this.previous = new Generation(now);
    this.generationSize = Math.max(1, Math.floor(options.maxEntries / 2));
    this.as = keepAs ?? (AS_IS as KeepAs<T, K>);
  }

  /** The first outcome for `id` in `scope`, running `work` only if the id is new (or expired). `fresh` says which. */
  run(scope: string, id: string, work: () => Promise<T>): IdempotentRun<T> {
    const ttl = this.options.ttlMs;
    if (ttl <= 0) return { result: work(), fresh: true, generation: null, slot: -1 };
    const now = this.clock.now();
    this.age(now);
    const copy = this.lookup(scope, id, now);
    if (copy) return { result: copy, fresh: false, generation: null, slot: -1 };
    if (this.current.size >= this.generationSize) this.rotate(now);
    const result = work();
    const slot = this.current.add(scope, id, result, now);
    return { result, fresh: true, generation: this.current, slot };
  }

  /**
   * A fresh run finished with `value`: keep that (in its kept form), not the promise, for the copies to come.
   * The run's own slot is written (no lookup); one already dropped (aged out, forgotten) is garbage and
   * writing it is harmless.
   */
  settle(run: IdempotentRun<T>, value: T): void {
    const slots = run.generation?.slots;
    if (slots?.[run.slot] !== run.result) return;
    slots[run.slot] = this.as.keep(value);
  }

  /**
   * Forgets `id` if it still maps to the run `result`: for outcomes that must not be replayed because
   * nothing ran (the work queue was full), so the client may send the same id again.
   */
  forget(scope: string, id: string, result: Promise<T>): void {
    if (!this.current.drop(scope, id, result)) this.previous.drop(scope, id, result);
  }

  /**
   * Puts every settled outcome held into its compact form (`KeepAs.compact`), pieces shared across ids: for a
   * quiet hub (the memory settle calls it before it collects), as it walks every id held. Returns how many
   * it changed.
   */
  compact(): number {
    const compact = this.as.compact;
    if (!compact) return 0;
    const shared = new Map<string, string>();
    let changed = 0;
    for (const gen of [this.previous, this.current]) {
      for (const [id, slot] of gen.entries()) {
        const held = gen.slots[slot];
        if (held === undefined || held instanceof Promise) continue;
        const small = compact(held as K, id, shared);
        if (small === undefined) continue;
        gen.slots[slot] = small;
        changed++;
      }
    }
    return changed;
  }

  /** Ids held now, expired ones not yet dropped included (tests, metrics). */
  get size(): number {
    return this.current.size + this.previous.size;
  }

  clear(): void {
    const now = this.clock.now();
    this.current = new Generation(now);
    this.previous = new Generation(now);
  }

  /** An earlier run of `id` still within its TTL: its promise, or its kept outcome given back. */
  private lookup(scope: string, id: string, now: number): Promise<T> | null {
    let gen = this.current;
    let slot = gen.slotOf(scope, id);
    if (slot === undefined) {
      gen = this.previous;
      slot = gen.slotOf(scope, id);
      if (slot === undefined) return null;
    }
    if (gen.since + gen.ages[slot]! + this.options.ttlMs <= now) return null;
    const held = gen.slots[slot];
    return held instanceof Promise ? held : Promise.resolve(this.as.replay(held as K));
  }

  /** Time moves generations on too: a `current` a TTL old becomes `previous`; after two TTLs both go. */
  private age(now: number): void {
    const elapsed = now - this.current.since;
    if (elapsed < this.options.ttlMs) return;
    this.rotate(now);
    if (elapsed >= 2 * this.options.ttlMs) this.previous = new Generation(now);
  }

  private rotate(now: number): void {
    // With room for one id only, there is no previous generation to keep.
    this.previous = this.options.maxEntries >= 2 ? this.current : new Generation(now);
    this.current = new Generation(now);
  }
}
