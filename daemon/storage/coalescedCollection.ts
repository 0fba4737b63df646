import { Low, type Adapter } from 'lowdb';
import type { Collection } from '../core/context.js';
import type { Flushable, FlushScheduler } from './flushScheduler.js';

/**
 * One persisted document. Callers mutate `data` and call `markDirty()`; the document reaches disk at the next
 * tick of storage's shared flush clock (FlushScheduler), so at most once per flush interval however many
 * updates arrive (an SD card must not see a write per message). A write in progress is never overlapped:
 * updates during it go with the next one.
 */
export class CoalescedCollection<T> implements Collection<T>, Flushable {
  readonly name: string;
  readonly atOnce: boolean;
  private readonly db: Low<T>;
  private readonly scheduler: FlushScheduler;
  private isDirty = false;
  private writing: Promise<void> | null = null;
  private readonly writeListeners: Array<() => (() => void) | void> = [];

  constructor(options: { name: string; adapter: Adapter<T>; defaults: T; scheduler: FlushScheduler; atOnce?: boolean }) {
    this.name = options.name;
    this.atOnce = options.atOnce ?? true;
    this.db = new Low(options.adapter, options.defaults);
    this.scheduler = options.scheduler;
  }

  get data(): T {
    return this.db.data;
  }

  set data(value: T) {
    this.db.data = value;
  }

  get dirty(): boolean {
    return this.isDirty;
  }

  /** Loads from disk (recovering as the adapter does); returns whether a stored copy was found. */
  async load(): Promise<boolean> {
    const stored = await this.db.adapter.read();
    if (stored === null) return false;
    this.db.data = stored;
    return true;
  }

  markDirty(): void {
    if (this.isDirty) return;
    this.isDirty = true;
    this.scheduler.wake(this);
  }

  onWrite(listener: () => (() => void) | void): void {
    this.writeListeners.push(listener);
  }

  async flush(): Promise<void> {
    while (this.writing) await this.writing.catch(() => {});
    if (!this.isDirty) return;
    this.isDirty = false;
    // The listeners see the document as this write takes it: the adapter fixes the entries it writes before its first await.
    const landed = this.writeListeners.map((listener) => listener());
    this.writing = this.db.write().finally(() => {
      this.writing = null;
    });
    try {
      await this.writing;
    } catch (err) {
      this.isDirty = true; // keep the data for the next attempt rather than losing it
      this.scheduler.wake(this);
      throw err;
    }
    for (const done of landed) done?.();
  }
}
