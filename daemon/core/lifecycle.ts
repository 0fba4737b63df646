import type { Subsystem } from './context.js';
import type { Logger } from './log.js';
import { withTimeout } from './timeout.js';

/**
 * Starts subsystems in the one fixed order and stops them in reverse (STYLE §1). Stopping has two phases:
 * first every started subsystem with a `drain` (the front doors) stops taking work and lets what is in flight
 * finish, while everything behind it still runs; then each stops, last started first. If one fails to
 * start, the ones already started are stopped again before the error is passed on. A drain or stop that
 * fails or hangs is logged and the others still go on.
 */
export class Lifecycle {
  private readonly started: Subsystem[] = [];
  private readonly abort = new AbortController();

  constructor(private readonly subsystems: readonly Subsystem[], private readonly log: Logger, private readonly stopTimeoutMs = 4000) {}

  async start(): Promise<void> {
    for (const subsystem of this.subsystems) {
      if (this.abort.signal.aborted) break;
      try {
        await subsystem.start(this.abort.signal);
        this.started.push(subsystem);
        this.log.debug({ subsystem: subsystem.name }, 'started');
      } catch (err) {
        this.log.debug({ subsystem: subsystem.name }, 'failed to start; stopping the others');
        await this.stop();
        throw err;
      }
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    // Drain phase: front doors side by side, so the deadline is one drain, not their sum.
    await Promise.all([...this.started].reverse().filter((s) => s.drain).map((s) => this.bounded(s, 'drain', () => s.drain!())));
    while (this.started.length > 0) {
      const subsystem = this.started.pop()!;
      await this.bounded(subsystem, 'stop', () => subsystem.stop());
    }
  }

  /** Runs one phase of one subsystem, at most stopTimeoutMs; a failure is logged, never thrown. */
  private async bounded(subsystem: Subsystem, phase: 'drain' | 'stop', run: () => Promise<void>): Promise<void> {
    try {
      await withTimeout(run(), this.stopTimeoutMs, () => new Error(`did not ${phase} within ${this.stopTimeoutMs} ms`));
      this.log.debug({ subsystem: subsystem.name }, phase === 'stop' ? 'stopped' : 'drained');
    } catch (err) {
      this.log.error({ err, subsystem: subsystem.name }, phase === 'stop' ? 'subsystem failed to stop cleanly' : 'subsystem failed to drain cleanly');
    }
  }
}
