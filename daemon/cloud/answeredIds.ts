import type { Clock, Collection } from '../core/context.js';

/** A result frame remembered for an id the cloud sent (command or utterance). */
export type ResultFrame = Record<string, unknown>;

export interface AnsweredDocument {
  version: 1;
  /** key (`command:<id>` / `utterance:<id>`) → when it was answered and the answer. */
  entries: Array<{ key: string; at: number; result: ResultFrame }>;
}

export const emptyAnswered = (): AnsweredDocument => ({ version: 1, entries: [] });

/**
 * What the cloud link has answered, by id, persisted (`cloud-answered.json`): a command or utterance the cloud
 * sends again — after a lost result, a reconnect or a hub restart — gets the first answer again and never
 * runs twice. One that is still running is joined, not started again. Kept for `ttlMs` and at most
 * `maxEntries`, oldest first out. Written through storage's coalesced collection, so an answer given less
 * than one flush interval before a power cut may be forgotten (the README says so).
 */
export class AnsweredIds {
  private readonly byKey = new Map<string, { at: number; result: ResultFrame }>();
  private readonly running = new Map<string, Promise<ResultFrame>>();

  constructor(private readonly collection: Collection<AnsweredDocument>, private readonly options: { ttlMs: number; maxEntries: number; clock: Clock }) {
    const doc = collection.data;
    const entries = doc && doc.version === 1 && Array.isArray(doc.entries) ? doc.entries : [];
    const oldest = options.clock.now() - options.ttlMs;
    for (const e of entries) {
      if (e && typeof e.key === 'string' && typeof e.at === 'number' && e.at >= oldest && e.result && typeof e.result === 'object') {
        this.byKey.set(e.key, { at: e.at, result: e.result });
      }
    }
    this.save(false);
  }

  get size(): number {
    return this.byKey.size;
  }

  /**
   * The answer for `key`: remembered, joined while running, or made by `run` — whose result is remembered
   * unless `remember` says no (refusals where nothing ran may be sent again).
   */
  answer(key: string, run: () => Promise<ResultFrame>, remember: (result: ResultFrame) => boolean): Promise<ResultFrame> {
    const known = this.byKey.get(key);
    if (known && known.at >= this.options.clock.now() - this.options.ttlMs) return Promise.resolve(known.result);
    const pending = this.running.get(key);
    if (pending) return pending;
    const result = run().then((frame) => {
      if (remember(frame)) {
        this.byKey.delete(key);
        this.byKey.set(key, { at: this.options.clock.now(), result: frame });
        this.save(true);
      }
      return frame;
    }).finally(() => this.running.delete(key));
    this.running.set(key, result);
    return result;
  }

  private save(dirty: boolean): void {
    const oldest = this.options.clock.now() - this.options.ttlMs;
    for (const [key, entry] of this.byKey) {
      if (entry.at >= oldest && this.byKey.size <= this.options.maxEntries) break;
      this.byKey.delete(key);
    }
    this.collection.data = { version: 1, entries: [...this.byKey].map(([key, e]) => ({ key, at: e.at, result: e.result })) };
    if (dirty) this.collection.markDirty();
  }
}
