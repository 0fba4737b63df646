import type { Clock, Collection } from '../core/context.js';

/** Event kinds of PROTOCOL §6 (plugin failures are `plugin.failure`). */
export type CloudEventKind = 'device.state' | 'device.availability' | 'voice.interaction' | 'hub.health' | 'plugin.failure';

export interface CloudEvent {
  seq: number;
  ts: number;
  kind: CloudEventKind;
  [field: string]: unknown;
}

/** What the outbox keeps on disk (`cloud-outbox.json` in the data dir). */
export interface OutboxDocument {
  version: 1;
  /** The seq the next event gets: never reused, so the cloud can tell a resend (same seq) from a new event. */
  nextSeq: number;
  /** Everything up to here the cloud has acknowledged. */
  lastAckedSeq: number;
  events: CloudEvent[];
  /**
   * True while a hub runs on this outbox, false once it stopped cleanly. A copy that still says true at start is
   * from a hub that died (SIGKILL, power cut) and may have written a device's state to `devices.json` but not
   * the event for it here: the two files are written apart. Absent in copies from older versions.
   */
  running?: boolean;
}

export const emptyOutbox = (): OutboxDocument => ({ version: 1, nextSeq: 1, lastAckedSeq: 0, events: [] });

export interface OutboxOptions {
  max: number;
  /** The clock of each event's `ts`. */
  clock: Clock;
  /** Events dropped because the outbox was full (oldest first), and folded state events. */
  onDropped(count: number): void;
  onFolded(count: number): void;
  /** Called when new events reached disk and may be sent. */
  onPersisted(): void;
}

/**
 * The persisted outbox of the sync link. Each event gets a monotonic `seq` and counts as recorded once a write
 * of the outbox that holds it has finished: only then is it offered for sending, so a seq the cloud has seen is
 * never given to another event after a crash. Writes are storage's: the outbox only marks its collection dirty,
 * and it is written at the next tick of storage's shared flush clock, at most once per `storage.flushIntervalMs`
 * however many events arrive (an SD card must not see a write per event); a write that fails is retried at the
 * next tick by storage, the events staying in memory and unoffered until one succeeds.
 *
 * Bounded by `cloud.outboxMax`: at the cap, state events of one device fold to the latest (the older ones are
 * removed; their seqs become gaps); if that frees too little, the oldest events are dropped.
 */
export class Outbox {
  private persisted: number;
  /** No fold pass before this many more records (a pass that freed little is not repeated at every event). */
  private foldBackoff = 0;
  /** The stored copy was left by a hub that did not stop cleanly (see OutboxDocument.running). */
  readonly resumedAfterCrash: boolean;

  constructor(private readonly collection: Collection<OutboxDocument>, private readonly options: OutboxOptions) {
    const doc = collection.data;
    // A damaged or foreign document is replaced rather than trusted field by field.
    if (!doc || doc.version !== 1 || !Array.isArray(doc.events) || !Number.isSafeInteger(doc.nextSeq) || !Number.isSafeInteger(doc.lastAckedSeq)) {
      collection.data = emptyOutbox();
    } else {
      doc.events = doc.events.filter((e) => e && Number.isSafeInteger(e.seq) && e.seq > doc.lastAckedSeq && e.seq < doc.nextSeq);
    }
    this.persisted = this.doc.nextSeq - 1;
    this.resumedAfterCrash = this.doc.running === true;
    // Each write takes the document as it is: the events up to the last seq then are on disk once it lands.
    collection.onWrite?.(() => {
      const upTo = this.doc.nextSeq - 1;
      return () => this.landed(upTo);
    });
  }

  /** Says on disk that a hub runs on this outbox (written with the next coalesced write, or at once when idle). */
  markRunning(): void {
    this.doc.running = true;
    this.collection.markDirty();
  }

  private get doc(): OutboxDocument {
    return this.collection.data;
  }

  get size(): number {
    return this.doc.events.length;
  }

  get lastAckedSeq(): number {
    return this.doc.lastAckedSeq;
  }

  /** The highest seq on disk: events up to it may be sent. */
  get persistedSeq(): number {
    return this.persisted;
  }

  get lastSeq(): number {
    return this.doc.nextSeq - 1;
  }

  /** The events not yet acknowledged, oldest first (read-only: for the recorder's resync after a crash). */
  get pending(): readonly CloudEvent[] {
    return this.doc.events;
  }

  /** Oldest event not yet acknowledged (its wall-clock ts), or null. */
  get oldestTs(): number | null {
    return this.doc.events[0]?.ts ?? null;
  }

  /** Records an event; `body` becomes the event (the recorder makes a fresh object for each, so no copy). */
  record(kind: CloudEventKind, body: Record<string, unknown>): number {
    const doc = this.doc;
    if (doc.events.length >= this.options.max) this.makeRoom();
    const seq = doc.nextSeq++;
    const event = body as CloudEvent;
    event.seq = seq;
    event.ts = this.options.clock.now();
    event.kind = kind;
    doc.events.push(event);
    this.collection.markDirty();
    return seq;
  }

  /**
   * Up to `maxEvents` recorded events after `afterSeq`, within `maxBytes` of JSON (at least one event), each
   * as its JSON text. Only persisted events are offered.
   */
  batch(afterSeq: number, maxEvents: number, maxBytes: number): { lastSeq: number; texts: string[] } | null {
    const events = this.doc.events;
    let i = firstAfter(events, afterSeq);
    const texts: string[] = [];
    let bytes = 0;
    let lastSeq = afterSeq;
    for (; i < events.length && texts.length < maxEvents; i++) {
      const event = events[i]!;
      if (event.seq > this.persisted) break;
      const text = JSON.stringify(event);
      if (texts.length > 0 && bytes + text.length > maxBytes) break;
      texts.push(text);
      bytes += text.length + 1;
      lastSeq = event.seq;
    }
    return texts.length === 0 ? null : { lastSeq, texts };
  }

  /** The cloud has every event up to `seq`: they leave the outbox (on disk at the next coalesced write). */
  ack(seq: number): void {
    const doc = this.doc;
    if (seq <= doc.lastAckedSeq) return;
    doc.lastAckedSeq = seq;
    const keep = firstAfter(doc.events, seq);
    if (keep > 0) doc.events.splice(0, keep);
    this.collection.markDirty();
  }

  /** Writes what is pending now (on stop; storage's own final flush would write it too). */
  async flush(): Promise<void> {
    const upTo = this.doc.nextSeq - 1;
    this.collection.markDirty();
    await this.collection.flush();
    // A collection that cannot say what each write held (a test's): what was recorded before this flush is.
    if (!this.collection.onWrite) this.landed(upTo);
  }

  /** The final flush (this one's or storage's) records the clean stop. */
  stop(): void {
    this.doc.running = false;
    this.collection.markDirty();
  }

  private landed(upTo: number): void {
    if (upTo <= this.persisted) return;
    this.persisted = upTo;
    this.options.onPersisted();
  }

  /** At the cap: fold state events of one device to the latest, else drop the oldest. */
  private makeRoom(): void {
    const events = this.doc.events;
    const max = this.options.max;
    if (this.foldBackoff <= 0) {
      const before = events.length;
      const latest = new Set<string>();
      const kept: CloudEvent[] = [];
      for (let i = events.length - 1; i >= 0; i--) {
        const e = events[i]!;
        if (e.kind === 'device.state' && typeof e.device === 'string') {
          if (latest.has(e.device)) continue;
          latest.add(e.device);
        }
        kept.push(e);
      }
      kept.reverse();
      this.doc.events = kept;
      const folded = before - kept.length;
      if (folded > 0) this.options.onFolded(folded);
      // Freed less than a tenth: fold again only after another tenth has come, drop the oldest till then.
      if (folded < max / 10) this.foldBackoff = Math.ceil(max / 10);
    } else {
      this.foldBackoff--;
    }
    const over = this.doc.events.length - max + 1;
    if (over > 0) {
      this.doc.events.splice(0, over);
      this.options.onDropped(over);
    }
  }
}

/** Index of the first event with seq > `seq` (events are in seq order). */
function firstAfter(events: readonly CloudEvent[], seq: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid]!.seq <= seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
