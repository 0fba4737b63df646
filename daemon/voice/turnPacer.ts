import { performance } from 'node:perf_hooks';

/**
 * Runs the voice core's utterance work in budgeted slices of the event loop's check phase, so a flood of
 * utterances never holds the loop: timers (heartbeats, the event-loop monitor, flushes), pings and other
 * clients' input get their turn between slices.
 *
 * A socket's input is only read and queued where it arrives (the poll phase: parse, admit, queue); the
 * work (intents, plugins, MQTT) runs here, oldest first, until `budgetMs` of one turn is spent; what is
 * left runs in the next turn (setImmediate), after that turn's timers and input. Backpressure stays where
 * it was: the work queue holds its slots while a job waits here, and the sessions' queues and the work
 * queue's own bound refuse past them (BUSY).
 *
 * Each turn is two immediates queued together: the work, then the end-of-turn callbacks (the front doors'
 * frame flush). Node runs the microtasks after each immediate, so the answers of the work (promise
 * continuations) are sent before the flush and go out in the same write as the frames queued earlier in the
 * turn (an utterance's `processing` state and its reply: one write, not two).
 */
export class TurnPacer {
  /** Tasks waiting, as pairs (function, argument): no closure per utterance. */
  private readonly fns: Array<(arg: never) => void> = [];
  private readonly args: unknown[] = [];
  private head = 0;
  private readonly ends: Array<() => void> = [];
  private scheduled = false;
  /** Slices run so far that stopped at the budget with work left (for tests and metrics). */
  yields = 0;

  constructor(
    private readonly budgetMs: number,
    private readonly onError: (err: unknown) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Tasks waiting for a slice. */
  get waiting(): number {
    return this.fns.length - this.head;
  }

  /** Runs `fn(arg)` in this turn's slice, or a later one's if this turn's budget is spent. */
  defer<T>(fn: (arg: T) => void, arg: T): void {
    this.fns.push(fn as (arg: never) => void);
    this.args.push(arg);
    this.schedule();
  }

  /** Runs `fn` once at the end of this turn (after its slice and that slice's promise continuations). */
  atTurnEnd(fn: () => void): void {
    if (!this.ends.includes(fn)) this.ends.push(fn);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.slice);
    setImmediate(this.end);
  }

  private readonly slice = (): void => {
    const deadline = this.now() + this.budgetMs;
    const { fns, args } = this;
    while (this.head < fns.length) {
      const i = this.head++;
      const fn = fns[i]!;
      const arg = args[i] as never;
      fns[i] = noop;
      args[i] = undefined;
      try {
        fn(arg);
      } catch (err) {
        this.onError(err);
      }
      if (this.head < fns.length && this.now() >= deadline) {
        this.yields++;
        break;
      }
    }
    // Drop what has run once it is most of the arrays (amortised O(1), no shift per task).
    if (this.head === fns.length) {
      fns.length = 0;
      args.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > fns.length) {
      fns.splice(0, this.head);
      args.splice(0, this.head);
      this.head = 0;
    }
  };

  private readonly end = (): void => {
    this.scheduled = false;
    const ends = this.ends.splice(0);
    for (const fn of ends) {
      try {
        fn();
      } catch (err) {
        this.onError(err);
      }
    }
    // Work left over (the budget ran out) or added by the end callbacks: the next turn.
    if (this.waiting > 0) this.schedule();
  };
}

function noop(): void {}
