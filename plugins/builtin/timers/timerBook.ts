import type { Job, PluginApi, PluginCollection, SpeakTarget } from '../../sdk/index.js';
import { checkTimerDoc, type TimerDoc } from './storedTimers.js';

export interface StoredTimer {
  id: number;
  name?: string;
  /** The length it was set for, in seconds (how replies name it). */
  durationS: number;
  /** When it ends, on the hub clock (ms); meaningless while paused. */
  endsAt: number;
  /** Set while paused: what was left. */
  pausedLeftMs?: number;
  lang: 'en' | 'zh';
  target: SpeakTarget;
}


/**
 * The running timers: stored in the plugin's document (so they survive a restart) and armed on the hub's
 * scheduler (so the host cancels them when the plugin stops). Every change is written through markDirty.
 */
export class TimerBook {
  private doc: PluginCollection<TimerDoc> | null = null;
  private readonly jobs = new Map<number, Job>();

  constructor(private readonly api: PluginApi, private readonly onDone: (timer: StoredTimer) => void) {}

  async open(): Promise<void> {
    this.doc = await this.api.store.open<TimerDoc>(() => ({ nextId: 1, timers: [] }));
    // One bad stored timer costs that timer, never the plugin: the rest are armed as usual.
    const checked = checkTimerDoc(this.doc.data);
    if (checked.reshaped || checked.dropped.length > 0) {
      this.api.log.warn({ code: 'STORED_ENTRY_INVALID', dropped: checked.dropped, reshaped: checked.reshaped, kept: checked.doc.timers.length },
        checked.reshaped ? 'stored timers have the wrong shape; starting with none' : `skipped ${checked.dropped.length} stored timer(s) of the wrong shape`);
      this.doc.markDirty();
    }
    this.doc.data = checked.doc;
    for (const timer of this.doc.data.timers) if (timer.pausedLeftMs === undefined) this.arm(timer);
  }

  async close(): Promise<void> {
    this.jobs.clear();
    await this.doc?.flush();
  }

  list(): StoredTimer[] {
    return this.doc!.data.timers;
  }

  add(seconds: number, lang: 'en' | 'zh', target: SpeakTarget, name?: string): StoredTimer {
    const doc = this.doc!;
    const timer: StoredTimer = {
      id: doc.data.nextId++, durationS: seconds, endsAt: this.api.schedule.now() + seconds * 1000, lang, target, ...(name ? { name } : {}),
    };
    doc.data.timers.push(timer);
    doc.markDirty();
    this.arm(timer);
    return timer;
  }

  remove(id: number): StoredTimer | undefined {
    this.disarm(id);
    const timers = this.doc!.data.timers;
    const index = timers.findIndex((t) => t.id === id);
    if (index < 0) return undefined;
    const [timer] = timers.splice(index, 1);
    this.doc!.markDirty();
    return timer;
  }

  secondsLeft(timer: StoredTimer): number {
    const ms = timer.pausedLeftMs ?? timer.endsAt - this.api.schedule.now();
    return Math.max(0, Math.ceil(ms / 1000));
  }

  pause(id: number): void {
    const timer = this.find(id);
    this.disarm(id);
    timer.pausedLeftMs = Math.max(0, timer.endsAt - this.api.schedule.now());
    this.doc!.markDirty();
  }

  resume(id: number): void {
    const timer = this.find(id);
    timer.endsAt = this.api.schedule.now() + (timer.pausedLeftMs ?? 0);
    delete timer.pausedLeftMs;
    this.doc!.markDirty();
    this.arm(timer);
  }

  /** Sets what is left (adding or taking off time); a running timer is re-armed, one at 0 fires now. */
  setLeft(id: number, seconds: number): void {
    const timer = this.find(id);
    if (timer.pausedLeftMs !== undefined) timer.pausedLeftMs = seconds * 1000;
    else {
      timer.endsAt = this.api.schedule.now() + seconds * 1000;
      this.disarm(id);
      this.arm(timer);
    }
    this.doc!.markDirty();
  }

  private find(id: number): StoredTimer {
    return this.doc!.data.timers.find((t) => t.id === id)!;
  }

  private arm(timer: StoredTimer): void {
    const wait = Math.max(0, timer.endsAt - this.api.schedule.now());
    this.jobs.set(timer.id, this.api.schedule.after(wait, () => {
      const ended = this.remove(timer.id);
      if (ended) this.onDone(ended);
    }));
  }

  private disarm(id: number): void {
    this.jobs.get(id)?.cancel();
    this.jobs.delete(id);
  }
}
