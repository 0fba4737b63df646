import { readdirSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

/**
 * Completed file writes in a data dir, per file, counted from inotify as they land. A collection's write ends
 * by renaming its temp copy over `<name>.json`: exactly one 'rename' event on that name (its temp copy's and
 * backup's events, and the 'change' the backup's hard link makes on it, are steps of the same write). A file
 * written in place (the health probe, `speech/cmn.json`) counts once per burst of events (within 50 ms).
 * The dir and its subdirectories are watched one by one: Node 20's recursive watch on Linux both misses and
 * doubles events (5 writes showed as 1 rename and 7 changes), which is how the last report counted 3.6/s.
 */
export class WriteCounter {
  private readonly counts = new Map<string, number>();
  private readonly atomic = new Set<string>();
  private readonly last = new Map<string, number>();
  private readonly watchers: FSWatcher[] = [];
  constructor(dir: string) {
    this.watchDir(dir, '');
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) this.watchDir(join(dir, entry.name), `${entry.name}/`);
    }
  }

  private watchDir(dir: string, prefix: string): void {
    this.watchers.push(watch(dir, (event, raw) => {
      if (!raw) return;
      const name = prefix + raw.toString();
      if (/\.corrupt-|\.lock$/.test(name)) return;
      const step = /^(.*\.json)(\.bak)?(\.tmp)?$/.exec(name);
      if (step && (step[2] || step[3])) {
        this.atomic.add(step[1]!); // a step of an atomic write of that file
        return;
      }
      if (this.atomic.has(name) || name.endsWith('.json') && event === 'rename') {
        if (event === 'rename') this.add(name);
        return;
      }
      const now = performance.now();
      if (now - (this.last.get(name) ?? -Infinity) > 50) this.add(name);
      this.last.set(name, now);
    }));
  }

  private add(name: string): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }

  /** Writes since the last take: the total and per file. */
  take(): { total: number; byFile: Record<string, number> } {
    const byFile = Object.fromEntries([...this.counts].sort((a, b) => b[1] - a[1]));
    const total = [...this.counts.values()].reduce((a, b) => a + b, 0);
    this.counts.clear();
    return { total, byFile };
  }

  close(): void {
    for (const w of this.watchers) w.close();
  }
}

