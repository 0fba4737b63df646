import type { Clock } from '../../../daemon/context.js';

interface Timer { at: number; fn: () => void; cleared: boolean }

/** A clock that moves only when the test calls `advance`: timeouts and pauses without waiting. */
export class ManualClock implements Clock {
  private time = 1_700_000_000_000;
  private timers: Timer[] = [];

  now(): number { return this.time; }

  setTimeout(fn: () => void, ms: number): NodeJS.Timeout {
    const timer: Timer = { at: this.time + Math.max(0, ms), fn, cleared: false };
    this.timers.push(timer);
    return timer as unknown as NodeJS.Timeout;
  }

  clearTimeout(handle: NodeJS.Timeout): void {
    (handle as unknown as Timer).cleared = true;
  }

  get pending(): number {
    return this.timers.filter((t) => !t.cleared).length;
  }

  /** Moves time forward, firing due timers in order, letting promise callbacks run after each. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await settle();
      const due = this.timers.filter((t) => !t.cleared && t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.time = Math.max(this.time, due.at);
      due.cleared = true;
      due.fn();
    }
    this.time = end;
    this.timers = this.timers.filter((t) => !t.cleared);
    await settle();
  }
}

export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
