import type { Subsystem } from './context.js';
import type { Logger } from './log.js';
import { withTimeout } from './timeout.js';

/**
 * Starts subsystems in the one fixed order and stops them in reverse (STYLE §1). If one fails to start,
 * the ones already started are stopped again before the error is passed on. A stop that fails or hangs
 * is logged and the others still stop.
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
    while (this.started.length > 0) {
      const subsystem = this.started.pop()!;
      try {
        await withTimeout(subsystem.stop(), this.stopTimeoutMs, () => new Error(`did not stop within ${this.stopTimeoutMs} ms`));
        this.log.debug({ subsystem: subsystem.name }, 'stopped');
      } catch (err) {
        this.log.error({ err, subsystem: subsystem.name }, 'subsystem failed to stop cleanly');
      }
    }
  }
}
