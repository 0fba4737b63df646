import type { Clock } from '../../daemon/core/context.js';

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
  cleared: boolean;
}

/** A Clock whose time moves only when a test says so (`advance`): backoff, timeouts and pauses without sleeping. */
export class ManualClock implements Clock {
  constructor(private time = 1_700_000_000_000) {}

  private seq = 0;
  private timers: Timer[] = [];

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): NodeJS.Timeout {
    const timer: Timer = { at: this.time + Math.max(0, ms), seq: this.seq++, fn, cleared: false };
    this.timers.push(timer);
    return timer as unknown as NodeJS.Timeout;
  }

  clearTimeout(handle: NodeJS.Timeout): void {
    (handle as unknown as Timer).cleared = true;
  }

  /** Timers not yet fired or cleared. */
  get pending(): number {
    return this.timers.filter((t) => !t.cleared).length;
  }

  /** Moves time forward by `ms`, firing due timers in order and letting promise callbacks run in between. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await flushMicrotasks();
      const due = this.timers.filter((t) => !t.cleared && t.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.time = Math.max(this.time, due.at);
      due.cleared = true;
      due.fn();
    }
    this.time = end;
    this.timers = this.timers.filter((t) => !t.cleared);
    await flushMicrotasks();
  }
}

/** Lets every queued promise callback run (a few macrotask turns, enough for chained awaits). */
export async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
