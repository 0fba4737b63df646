import type { Clock } from './context.js';

/** A pending timeout from `Deadlines.start`: cancel it when the work finished in time. */
export interface Deadline {
  cancel(): void;
}

/**
 * Timeouts for many short calls at once: every utterance starts two (the work queue's and the plugin
 * guard's) and cancels both a few milliseconds later. A Node timer per call costs a Timeout object, its
 * closure and a timer-list insert and removal each time. Here the calls with one timeout length share a
 * lane: a list in start order (equal lengths expire in that order) with one timer, armed for the oldest
 * entry; when it fires early because older entries were cancelled, it is armed again for the one now
 * oldest. Each start is one small object; each cancel an unlink.
 *
 * Due times are taken from `clock.monotonic` where the clock has one (the system clock: performance.now),
 * so a wall-clock step (NTP at boot on a board without a real-time clock) fires nothing early or late.
 * Like Node's timers, a lane with entries keeps the process alive; an empty one does not.
 */
export class Deadlines {
  private readonly lanes = new Map<number, Lane>();

  constructor(private readonly clock: Clock) {}

  /** Runs `onTimeout` in `ms` milliseconds, unless the returned deadline is cancelled before. */
  start(ms: number, onTimeout: () => void): Deadline {
    let lane = this.lanes.get(ms);
    if (!lane) {
      lane = new Lane(ms, this.clock);
      this.lanes.set(ms, lane);
    }
    return lane.add(onTimeout);
  }

  /** Deadlines not yet fired or cancelled (tests). */
  get pending(): number {
    let n = 0;
    for (const lane of this.lanes.values()) n += lane.size;
    return n;
  }
}

class Entry implements Deadline {
  prev: Entry | null = null;
  next: Entry | null = null;

  constructor(private readonly lane: Lane, readonly due: number, public onTimeout: (() => void) | null) {}

  cancel(): void {
    if (this.onTimeout === null) return;
    this.onTimeout = null;
    this.lane.remove(this);
  }
}

class Lane {
  private head: Entry | null = null;
  private tail: Entry | null = null;
  private timer: NodeJS.Timeout | null = null;
  size = 0;

  constructor(private readonly ms: number, private readonly clock: Clock) {}

  add(onTimeout: () => void): Entry {
    const entry = new Entry(this, this.now() + this.ms, onTimeout);
    entry.prev = this.tail;
    if (this.tail) this.tail.next = entry;
    else this.head = entry;
    this.tail = entry;
    this.size++;
    // An armed timer is due no later than this entry (it was armed for an older one, or for one that has
    // gone since): keep it, and let it hold the process again.
    if (!this.timer) this.timer = this.clock.setTimeout(this.fire, this.ms);
    else if (this.size === 1) this.timer.ref?.();
    return entry;
  }

  remove(entry: Entry): void {
    if (entry.prev) entry.prev.next = entry.next;
    else this.head = entry.next;
    if (entry.next) entry.next.prev = entry.prev;
    else this.tail = entry.prev;
    entry.prev = entry.next = null;
    this.size--;
    if (this.size === 0) this.timer?.unref?.();
  }

  private readonly fire = (): void => {
    this.timer = null; // it has fired: a new one is made below or by the next start
    const now = this.now();
    for (let entry = this.head; entry && entry.due <= now; entry = this.head) {
      const onTimeout = entry.onTimeout!;
      entry.onTimeout = null;
      this.remove(entry);
      onTimeout(); // may start new deadlines on this lane: they go to the tail, due later
    }
    if (this.head && !this.timer) this.timer = this.clock.setTimeout(this.fire, Math.max(1, Math.ceil(this.head.due - now)));
  };

  private now(): number {
    return this.clock.monotonic ? this.clock.monotonic() : this.clock.now();
  }
}
