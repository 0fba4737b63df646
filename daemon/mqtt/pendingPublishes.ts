/** Settles one hub publish: no error once aedes has handed it out, else why it was not. */
export type Settler<E> = (err?: E) => void;

/** The smallest ring kept; it doubles as publishes wait at once, and never shrinks. */
const MIN_CAPACITY = 64;

/**
 * The hub's publishes the embedded broker has not handed out yet, oldest first, each found by its broker
 * counter. Counters only grow in the order the hub publishes, so the entries sit in a ring in counter order: the
 * one aedes hands out is almost always the oldest (checked first), else it is found by binary search; a settled
 * entry in the middle stays as a hole until the entries before it have gone.
 *
 * A map keyed by counter did the same, but one entry set and deleted per publish (a device command per
 * utterance) made it reallocate its table every few publishes; the ring allocates only when it grows.
 *
 * `maxSpan` bounds the ring: when the oldest entry still waiting is `maxSpan` publishes behind the newest (holes
 * included), it is handed to `onOverflow` and dropped. So at most `maxSpan` publishes wait at once, and one
 * that aedes holds while that many later ones were made is given up, whether or not those were handed out.
 */
export class PendingPublishes<E> {
  private counters: number[] = new Array<number>(MIN_CAPACITY).fill(0);
  private settlers: Array<Settler<E> | null> = new Array<Settler<E> | null>(MIN_CAPACITY).fill(null);
  private mask = MIN_CAPACITY - 1;
  /** Logical positions: the oldest entry (settled entries before it are gone) and one past the newest. */
  private head = 0;
  private tail = 0;
  private live = 0;

  constructor(private readonly maxSpan: number, private readonly onOverflow: (counter: number, settle: Settler<E>) => void) {}

  /** Publishes still waiting. */
  get size(): number {
    return this.live;
  }

  /** A new publish; its counter is higher than every one added before. */
  add(counter: number, settle: Settler<E>): void {
    while (this.tail - this.head >= this.maxSpan && this.live > 0) this.overflow();
    if (this.tail - this.head > this.mask) this.grow();
    const at = this.tail & this.mask;
    this.counters[at] = counter;
    this.settlers[at] = settle;
    this.tail++;
    this.live++;
  }

  /** Removes and returns the settler of `counter`; undefined when it is not waiting (settled, or not the hub's). */
  take(counter: number): Settler<E> | undefined {
    if (this.live === 0) return undefined;
    const i = this.counters[this.head & this.mask] === counter ? this.head : this.find(counter);
    if (i < 0) return undefined;
    const at = i & this.mask;
    const settle = this.settlers[at];
    if (!settle) return undefined;
    this.settlers[at] = null;
    this.live--;
    this.trim();
    return settle;
  }

  /** The oldest waiting publish's counter, if any. */
  oldest(): number | undefined {
    return this.live === 0 ? undefined : this.counters[this.head & this.mask];
  }

  /** Every waiting counter, oldest first. */
  waiting(): number[] {
    const out: number[] = [];
    for (let i = this.head; i < this.tail; i++) if (this.settlers[i & this.mask]) out.push(this.counters[i & this.mask]!);
    return out;
  }

  private overflow(): void {
    const at = this.head & this.mask;
    const counter = this.counters[at]!;
    const settle = this.settlers[at]!;
    this.settlers[at] = null;
    this.live--;
    this.trim();
    this.onOverflow(counter, settle);
  }

  /** Drops the settled entries at the head, so the head is always a waiting one (or the ring is empty). */
  private trim(): void {
    while (this.head < this.tail && this.settlers[this.head & this.mask] === null) this.head++;
    if (this.head === this.tail) this.head = this.tail = 0;
  }

  /** Binary search of [head, tail) by counter (they grow with the position); -1 when absent. */
  private find(counter: number): number {
    let lo = this.head;
    let hi = this.tail - 1;
    while (lo <= hi) {
      const mid = Math.floor((lo + hi) / 2); // positions may pass 2^31 on a hub that is never idle: no int32 arithmetic
      const c = this.counters[mid & this.mask]!;
      if (c === counter) return mid;
      if (c < counter) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  private grow(): void {
    const size = this.mask + 1;
    const counters = new Array<number>(size * 2).fill(0);
    const settlers = new Array<Settler<E> | null>(size * 2).fill(null);
    for (let i = this.head; i < this.tail; i++) {
      counters[i - this.head] = this.counters[i & this.mask]!;
      settlers[i - this.head] = this.settlers[i & this.mask]!;
    }
    this.tail -= this.head;
    this.head = 0;
    this.counters = counters;
    this.settlers = settlers;
    this.mask = size * 2 - 1;
  }
}
