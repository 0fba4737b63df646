/**
 * Visits every entry of a live collection once per `intervalMs`, a slice of them at a time: one timer ticking
 * every `intervalMs / slices`, each tick visiting about `1 / slices` of the entries, from where the last tick
 * stopped. A heartbeat that pinged every voice client in one tick made one turn of a write per client and, a
 * moment later, of a pong read per client: with 100 clients a few milliseconds every 30 s that the
 * utterances arriving then waited out (1,000 clients, the default cap, ten times that); sliced, each tick
 * does a tenth.
 *
 * A cycle starts every `slices` ticks, so an entry is visited once per interval whatever the count (one
 * entry is not visited every tick). The collection's own iterator is used: a Map's or a Set's sees the
 * entries added during a cycle (after the cursor) and skips those removed. What a cycle has not reached by
 * its last tick (entries added during it) waits for the next one.
 */
export interface SpreadSweepOptions<T> {
  intervalMs: number;
  /** Ticks per interval; default 10. */
  slices?: number;
  /** The entries, read afresh at the start of each cycle. */
  entries: () => Iterable<T>;
  /** How many there are now (to size a cycle's slices). */
  count: () => number;
  visit: (entry: T) => void;
  /** Tests inject these. */
  setInterval?: (fn: () => void, ms: number) => { unref?(): unknown };
  clearInterval?: (handle: unknown) => void;
}

const DEFAULT_SLICES = 10;

export class SpreadSweep<T> {
  private timer: { unref?(): unknown } | null = null;
  private cursor: Iterator<T> | null = null;
  private tick = 0;
  private perTick = 0;
  private readonly slices: number;

  constructor(private readonly options: SpreadSweepOptions<T>) {
    this.slices = Math.max(1, Math.min(options.slices ?? DEFAULT_SLICES, options.intervalMs));
  }

  start(): void {
    if (this.timer) return;
    const every = this.options.intervalMs / this.slices;
    this.timer = (this.options.setInterval ?? setInterval)(this.step, every);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) (this.options.clearInterval ?? ((h) => clearInterval(h as NodeJS.Timeout)))(this.timer);
    this.timer = null;
    this.cursor = null;
    this.tick = 0;
  }

  /** One tick: the next slice of the current cycle (a new cycle every `slices` ticks). */
  readonly step = (): void => {
    if (this.tick === 0) {
      this.cursor = this.options.entries()[Symbol.iterator]();
      this.perTick = Math.ceil(this.options.count() / this.slices);
    }
    this.tick = (this.tick + 1) % this.slices;
    const cursor = this.cursor;
    if (!cursor) return;
    for (let n = 0; n < this.perTick; n++) {
      const next = cursor.next();
      if (next.done) {
        this.cursor = null;
        return;
      }
      this.options.visit(next.value);
    }
    // The cycle's last tick: what it did not reach (added during it) waits for the next cycle.
    if (this.tick === 0) this.cursor = null;
  };
}
