import { backoffStep } from '../../core/backoff.js';

/**
 * How long an isolated plugin stays down after the hub stopped its process for a limit (CPU share, a synchronous
 * spin, memory), and at what priority it comes back (issue 18, plugins under fire). A crash restarts on the crash
 * back-off (1 s doubling to 1 min, reset after 30 s of running); a limit stop is the plugin's own doing and tends
 * to repeat at every start (a spin on every call), so its back-off grows eight-fold per offence in a row (1 s, 8 s,
 * 64 s, 512 s, then an hour) and is forgiven only after FORGIVEN_AFTER_MS of running without one: a plugin that
 * spins every time it starts ends up costing a second of CPU an hour. An offender also comes back at niceness
 * 19, below everything else on the machine, until it is forgiven. Pure: the caller passes the times.
 */
export const OFFENCE_BASE_MS = 1000;
export const OFFENCE_MAX_MS = 60 * 60_000;
/** Running this long after a restart without another limit stop clears the record. */
export const FORGIVEN_AFTER_MS = 10 * 60_000;
/** The niceness an offender's process runs at (the lowest priority there is). */
export const OFFENDER_NICE = 19;

export class Offences {
  private count = 0;

  /** Offences in a row (0: none, or forgiven). */
  get inRow(): number {
    return this.count;
  }

  /**
   * The process stopped after running `ranMs`: a limit stop (`limit`) or not. Answers the restart delay for a limit
   * stop (null for anything else: the caller uses the crash back-off).
   */
  stopped(ranMs: number, limit: boolean): number | null {
    if (ranMs >= FORGIVEN_AFTER_MS) this.count = 0;
    if (!limit) return null;
    // 8ⁿ: backoffStep doubles, so three steps per offence.
    const delay = backoffStep(this.count * 3, OFFENCE_BASE_MS, OFFENCE_MAX_MS);
    this.count++;
    return delay;
  }
}
