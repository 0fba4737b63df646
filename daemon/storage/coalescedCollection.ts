import { Low } from 'lowdb';
import type { Clock, Collection } from '../core/context.js';
import type { DurableJsonAdapter } from './durableJsonAdapter.js';

/**
 * One persisted document. Callers mutate `data` and call `markDirty()`; the document reaches disk at most
 * once per flush interval however many updates arrive (an SD card must not see a write per message).
 * A write in progress is never overlapped: updates during it schedule the next one.
 */
export class CoalescedCollection<T> implements Collection<T> {
  readonly name: string;
  private readonly db: Low<T>;
  private readonly clock: Clock;
  private readonly intervalMs: number;
  private readonly onError: (err: unknown) => void;
  private dirty = false;
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;
  private lastWriteAt = -Infinity;

  constructor(options: { name: string; adapter: DurableJsonAdapter<T>; defaults: T; clock: Clock; intervalMs: number; onError: (err: unknown) => void }) {
    this.name = options.name;
    this.db = new Low(options.adapter, options.defaults);
    this.clock = options.clock;
    this.intervalMs = options.intervalMs;
    this.onError = options.onError;
  }

  get data(): T {
    return this.db.data;
  }

  set data(value: T) {
    this.db.data = value;
  }

  /** Loads from disk (recovering as the adapter does); returns whether a stored copy was found. */
  async load(): Promise<boolean> {
    const stored = await this.db.adapter.read();
    if (stored === null) return false;
    this.db.data = stored;
    return true;
  }

  markDirty(): void {
    this.dirty = true;
    if (this.timer || this.writing) return;
    this.schedule();
  }

  async flush(): Promise<void> {
    if (this.timer) {
      this.clock.clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.writing) await this.writing;
    if (!this.dirty) return;
    this.dirty = false;
    this.lastWriteAt = this.clock.now();
    this.writing = this.db.write().finally(() => {
      this.writing = null;
    });
    try {
      await this.writing;
    } catch (err) {
      this.dirty = true; // keep the data for the next attempt rather than losing it
      throw err;
    }
  }

  /** Stops the timer; a pending update is written by the final flush, not dropped. */
  close(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    const wait = Math.max(0, this.lastWriteAt + this.intervalMs - this.clock.now());
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.flush()
        .catch(this.onError)
        .finally(() => {
          if (this.dirty && !this.timer) this.schedule();
        });
    }, wait);
    this.timer.unref?.();
  }
}
