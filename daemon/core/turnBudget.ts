import { performance } from 'node:perf_hooks';

/**
 * A budget of work per event-loop phase, shared by every socket that feeds the hub (MQTT device clients,
 * `/voice` clients), so that no phase runs long enough to hold the hub's timers (the delay monitor,
 * keep-alives, flush ticks) and no busy crowd of sockets starves another one.
 *
 * Why: libuv hands the hub every ready socket in one poll phase (and polls again while 1,024 are ready), so
 * 1,500 busy sockets made one phase of 175–320 ms of CPU (issue 18's loop probe). Here each socket's input is
 * handled at once while the phase is within its budget and nothing is waiting; past the budget (or behind
 * others already waiting) the input is held, its socket paused (socket.pause(): what is not read stays in the
 * kernel, the backpressure a chatty client should feel), and the socket joins one FIFO line. The line is
 * worked off in the check phase (setImmediate) of the same turn with a fresh budget, and what is left waits
 * for the next turn, after the timers. Nothing is refused or dropped: a held input is always handled, in
 * arrival order per socket, and each socket holds at most what it had read when it was paused.
 *
 * An earlier try sliced only the utterance work and starved voice behind the devices' unbounded input; here
 * both kinds wait in the same line, so they share each phase by arrival.
 */
export interface TurnBudgetOptions {
  /** Work per phase before input is held (ms). */
  budgetMs?: number;
  /**
   * Most held inputs worked off in one check phase, whatever the clock says: what a held input starts
   * asynchronously (an utterance's pipeline, aedes' parse on the next tick) runs after the phase's loop and
   * is not on its clock, so the count bounds it. 32 against 256: the loop probe's longest CPU stretch
   * 54 against 90-215 ms under the edge bench on the shared machine.
   */
  maxPerPhase?: number;
  /** Clock in ms (tests inject one). */
  now?: () => number;
  /** How the next check phase is reached (tests inject one). */
  defer?: (fn: () => void) => void;
}

/** A socket's held input: `run` handles all of it and resumes the socket. */
export type HeldWork = () => void;

const DEFAULT_BUDGET_MS = 8;
const DEFAULT_MAX_PER_PHASE = 32;

export class TurnBudget {
  private readonly budgetMs: number;
  private readonly maxPerPhase: number;
  private readonly now: () => number;
  private readonly defer: (fn: () => void) => void;
  private readonly line: HeldWork[] = [];
  /** Index of the first entry of `line` not run yet (shifting a long array each time costs more). */
  private head = 0;
  private phaseStart = 0;
  private armed = false;
  /** Inputs held since start, and the longest line seen: for metrics and the bench. */
  held = 0;
  maxLine = 0;

  constructor(options: TurnBudgetOptions = {}) {
    this.budgetMs = options.budgetMs ?? DEFAULT_BUDGET_MS;
    this.maxPerPhase = options.maxPerPhase ?? DEFAULT_MAX_PER_PHASE;
    this.now = options.now ?? (() => performance.now());
    this.defer = options.defer ?? ((fn) => { setImmediate(fn); });
  }

  /** Inputs waiting now. */
  get waiting(): number {
    return this.line.length - this.head;
  }

  /**
   * May a socket's input be handled now? True while this phase is within its budget and nobody waits.
   * When false, the caller holds its input, pauses its socket and calls `hold`.
   */
  admit(): boolean {
    const now = this.now();
    // The first input since the last check phase opens a new phase and books the check phase after it.
    if (!this.armed) this.arm(now);
    return this.waiting === 0 && now - this.phaseStart <= this.budgetMs;
  }

  /** Queues a socket's held input; `run` is called exactly once, in a later phase, in arrival order. */
  hold(run: HeldWork): void {
    this.line.push(run);
    this.held++;
    if (this.waiting > this.maxLine) this.maxLine = this.waiting;
    if (!this.armed) this.arm(this.now());
  }

  /** A new phase starts at `now`, and the check phase that works off the line is booked after it. */
  private arm(now: number): void {
    this.armed = true;
    this.phaseStart = now;
    this.defer(this.drain);
  }

  private readonly drain = (): void => {
    this.armed = false;
    const start = this.now();
    let ran = 0;
    while (this.head < this.line.length) {
      if (ran > 0 && (ran >= this.maxPerPhase || this.now() - start > this.budgetMs)) break;
      const run = this.line[this.head];
      this.line[this.head++] = noop;
      ran++;
      try {
        run();
      } catch {
        // A socket's handler reports its own failures; one must never stop the line.
      }
    }
    if (this.head === this.line.length) {
      this.line.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.line.length) {
      this.line.splice(0, this.head);
      this.head = 0;
    }
    // The rest waits for the next turn's check phase: timers and the next poll come first.
    if (this.waiting > 0) this.arm(this.now());
  };
}

function noop(): void {}

/** The process's one budget: the event loop it guards is the process's too. */
export const turnBudget = new TurnBudget();
