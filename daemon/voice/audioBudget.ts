/** One open audio stream as the budget sees it: what it holds, and how to take it back. */
export interface BudgetedStream {
  /** Bytes this stream holds now (kept by the budget). */
  bytes: number;
  /** When its last binary frame (or audio.start) arrived, in clock milliseconds. */
  lastActivity: number;
  /** Called once when the budget takes the stream's bytes back: it must drop its chunks and tell its client. */
  evict(reason: 'budget' | 'idle'): void;
}

/**
 * The one cap on audio held across every open stream of the voice server (`voice.maxBufferedAudioBytes`).
 * `voice.maxAudioBytes` bounds one stream, but a thousand streams that never end each held up to that
 * much: 369 of them took the hub past its heap. Here the total is bounded: when a chunk would take it over,
 * the streams idle the longest are refused first (their bytes freed) until the chunk fits, so a client
 * that keeps talking is served and the ones that went quiet pay. A stream with no chunk for
 * `voice.audioIdleMs` is ended by `sweep()` (the server calls it about once a second).
 *
 * A stream that ended stays counted (`keep`) until its utterance is answered (`free`): finished audio
 * waiting for a slow speech-to-text is memory too. It cannot be evicted (it is already queued), so new
 * chunks make room from the open streams only.
 *
 * The voice server also charges each connection's bytes that `ws` holds for a frame not yet complete (a
 * frame may be up to voice.maxAudioBytes, and 300 clients that each sent all but the last byte of one held
 * 375 MB): such a connection is closed when the budget needs its room or it stalls for `idleMs`.
 *
 * Streams are kept in a Map in order of their last activity (a touch moves a stream to the end), so the
 * stalest is always first: a touch, an eviction and a sweep step are O(1).
 */
export class AudioBudget {
  private readonly streams = new Map<BudgetedStream, true>();
  private total = 0;

  constructor(private readonly maxBytes: number, private readonly idleMs: number) {}

  /** Bytes held across all open streams now. */
  get bytes(): number {
    return this.total;
  }

  get openStreams(): number {
    return this.streams.size;
  }

  /** An audio.start: the stream is tracked (holding nothing yet). */
  open(stream: BudgetedStream, now: number): void {
    stream.lastActivity = now;
    this.streams.set(stream, true);
  }

  /**
   * A chunk of `n` bytes for `stream`: true when it may keep them (its `bytes` grows by n). Otherwise false,
   * and the stream has been evicted: either it alone is over the whole budget, or making room reached it.
   */
  take(stream: BudgetedStream, n: number, now: number): boolean {
    if (!this.streams.has(stream)) return false;
    // Most recent activity last: this stream is the last to be refused to make room for itself.
    this.streams.delete(stream);
    this.streams.set(stream, true);
    stream.lastActivity = now;
    while (this.total + n > this.maxBytes) {
      const stalest = this.streams.keys().next().value as BudgetedStream;
      this.evict(stalest, 'budget');
      if (stalest === stream) return false;
    }
    stream.bytes += n;
    this.total += n;
    return true;
  }

  /**
   * Like take(), opening the stream first if it is not tracked: for a connection's bytes received and not
   * yet parsed into a frame, which come and go with every frame.
   */
  charge(stream: BudgetedStream, n: number, now: number): boolean {
    if (!this.streams.has(stream)) {
      stream.bytes = 0;
      this.streams.set(stream, true);
    }
    return this.take(stream, n, now);
  }

  /** `n` of a charged stream's bytes were used up (parsed into a frame); at 0 or below it is released. */
  consume(stream: BudgetedStream, n: number): void {
    if (!this.streams.has(stream)) return;
    if (stream.bytes <= n) {
      this.release(stream);
      return;
    }
    stream.bytes -= n;
    this.total -= n;
  }

  /** The stream ended (audio.end, dropped over its own limit, connection gone): its bytes are free again. */
  release(stream: BudgetedStream): void {
    if (!this.streams.delete(stream)) return;
    this.total -= stream.bytes;
    stream.bytes = 0;
  }

  /** Bytes of an ended stream, handed to its utterance: counted until `free`, never evicted. */
  keep(n: number): void {
    this.total += n;
  }

  /** The utterance that held `n` kept bytes is answered (or dropped). */
  free(n: number): void {
    this.total = Math.max(0, this.total - n);
  }

  /** Ends every stream that has had no chunk for `idleMs`. */
  sweep(now: number): void {
    for (const stream of this.streams.keys()) {
      if (now - stream.lastActivity < this.idleMs) break; // in activity order: the rest are fresher
      this.evict(stream, 'idle');
    }
  }

  private evict(stream: BudgetedStream, reason: 'budget' | 'idle'): void {
    this.release(stream);
    stream.evict(reason);
  }
}
