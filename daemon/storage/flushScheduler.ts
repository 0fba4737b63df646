import type { Clock } from '../core/context.js';

/** What the scheduler writes: a document that knows whether it changed since its last write. */
export interface Flushable {
  readonly name: string;
  readonly dirty: boolean;
  /**
   * Whether its first change after a quiet spell is written at once (the default: a timer set in a quiet house)
   * or one interval later, like every change after it (device state: it comes in bursts and devices report it
   * again, so its first write may wait, and under steady ingest its writes are one per interval from the start).
   */
  readonly atOnce?: boolean;
  /** Writes the document now (a collection never runs two writes of its file at once). */
  flush(): Promise<void>;
}

/** What one tick did, for metrics: when it was due, when it started, and when its last write was on disk. */
export interface TickReport {
  dueAt: number;
  startedAt: number;
  endedAt: number;
  written: string[];
  failed: string[];
}

/**
 * One flush clock for every collection in the data dir. A collection that changes is written at the next
 * tick, not on a timer of its own: however many collections and updates there are, ticks come at most once
 * per interval, so device state that changes a thousand times a second costs one write per interval.
 *
 * Ticks run only while something is dirty: an idle hub writes nothing and holds no timer. The first change
 * after a quiet spell (no tick for a whole interval) is written at once, so a single change (a timer set, an
 * outbox event waiting to be sent) is on disk in the time of one write; a burst waits for the next tick. A
 * member that is not `atOnce` waits one interval from its first change instead. Ticks are never closer than
 * the interval, even when a timer fires a little early (libuv's clock is the loop's, in whole milliseconds).
 * A tick writes all its dirty collections side by side (their fsyncs overlap instead of queueing); a change
 * that arrives during a tick goes with the next one, one interval after this one started. A write that
 * fails leaves its collection dirty: it is tried again at the next tick.
 */
export class FlushScheduler {
  private readonly members = new Set<Flushable>();
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;
  private lastTickAt = -Infinity;
  private dueAt = 0;
  private stopped = false;

  constructor(private readonly options: {
    clock: Clock;
    intervalMs: number;
    onError: (name: string, err: unknown) => void;
    onTick?: (report: TickReport) => void;
  }) {}

  add(member: Flushable): void {
    this.members.add(member);
    if (member.dirty) this.wake(member);
  }

  /** A member changed: make sure a tick is coming in time for it. Cheap enough to call on every update. */
  wake(member: Flushable): void {
    if (this.ticking || this.stopped) return;
    // Either is at least one interval after the last tick started: ticks never come closer than that.
    const due = member.atOnce === false ? this.now() + this.options.intervalMs : this.earliestTick();
    if (this.timer) {
      if (due >= this.dueAt) return;
      this.options.clock.clearTimeout(this.timer);
    }
    this.schedule(due);
  }

  /** No more ticks (the final flush on stop is the owner's). */
  stop(): void {
    this.stopped = true;
    if (this.timer) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private now(): number {
    const { clock } = this.options;
    return clock.monotonic?.() ?? clock.now();
  }

  /** The earliest a tick may come: now, or one interval after the last one started. */
  private earliestTick(): number {
    return Math.max(this.now(), this.lastTickAt + this.options.intervalMs);
  }

  private schedule(dueAt: number): void {
    this.dueAt = dueAt;
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = null;
      // Early by a fraction of a millisecond (the loop's clock is older than this call): wait out the rest.
      if (this.now() < this.dueAt) this.schedule(this.dueAt);
      else void this.tick();
    }, Math.max(0, dueAt - this.now()));
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    this.ticking = true;
    const startedAt = this.now();
    this.lastTickAt = startedAt;
    const due = [...this.members].filter((m) => m.dirty);
    const failed: string[] = [];
    await Promise.all(due.map((m) => m.flush().catch((err: unknown) => {
      failed.push(m.name);
      this.options.onError(m.name, err);
    })));
    this.ticking = false;
    this.options.onTick?.({ dueAt: this.dueAt, startedAt, endedAt: this.now(), written: due.map((m) => m.name).filter((n) => !failed.includes(n)), failed });
    if (!this.stopped && !this.timer && [...this.members].some((m) => m.dirty)) this.schedule(this.earliestTick());
  }
}
