/**
 * An isolated plugin's CPU budget over a sliding window (issue 18, plugins under fire): fed the process's CPU
 * time every few hundred ms, it says when the share used over the last `windowMs` is above `percent` of one
 * core, or, before a whole window has passed, as soon as the CPU used already exceeds what the whole window
 * allows (a spinning process is stopped after `percent` of the window, not after all of it). Pure (no clock,
 * no /proc): the host samples and decides what to do.
 */
export interface CpuSample {
  /** When it was taken (ms, any monotonic origin). */
  at: number;
  /** The process's user + system CPU time so far (ms). */
  cpuMs: number;
}

export interface CpuOverrun {
  /** Share of one core used over `spanMs` (100 = a whole core). */
  percent: number;
  /** The span it was measured over: at least the window (more when a sample came late). */
  spanMs: number;
  cpuMs: number;
}

export class CpuWindow {
  /** Oldest first; the first is the newest sample at least `windowMs` old, once one is. */
  private samples: CpuSample[] = [];

  constructor(private readonly windowMs: number, private readonly percent: number) {}

  /** Adds a sample; answers the overrun when the last full window used more than the budget, else null. */
  add(sample: CpuSample): CpuOverrun | null {
    const last = this.samples[this.samples.length - 1];
    // A sample from before the last one (a clock step) or with less CPU (another process): start again.
    if (last && (sample.at < last.at || sample.cpuMs < last.cpuMs)) this.samples = [];
    this.samples.push(sample);
    while (this.samples.length > 1 && sample.at - this.samples[1]!.at >= this.windowMs) this.samples.shift();
    const oldest = this.samples[0]!;
    const spanMs = sample.at - oldest.at;
    if (this.percent <= 0 || spanMs <= 0) return null;
    const cpuMs = sample.cpuMs - oldest.cpuMs;
    if (spanMs < this.windowMs) {
      // Not a whole window yet, but already more CPU than the whole window allows: no later sample can bring the
      // window containing this span (the time before the first sample counted as idle) under the budget, so
      // say so now rather than let a spinning process burn a core for the rest of the window.
      const budgetMs = (this.percent / 100) * this.windowMs;
      return cpuMs > budgetMs ? { percent: (cpuMs / this.windowMs) * 100, spanMs: this.windowMs, cpuMs } : null;
    }
    const percent = (cpuMs / spanMs) * 100;
    return percent > this.percent ? { percent, spanMs, cpuMs } : null;
  }

  /** Forgets every sample (a new process). */
  reset(): void {
    this.samples = [];
  }
}

/**
 * The CPU time and niceness of a process from the text of /proc/<pid>/stat (proc(5)): ppid is field 4, utime
 * and stime fields 14 and 15 in clock ticks, cutime and cstime (its children that were waited for) 16 and 17,
 * nice field 19. The command name (field 2) may hold spaces and parentheses,
 * so the fields are counted from the last ')'. null for text that is not such a line.
 */
export function parseProcStat(text: string): { cpuMs: number; childrenCpuMs: number; nice: number; ppid: number } | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const fields = text.slice(close + 2).trim().split(' ');
  // fields[0] is field 3 (state): field n is fields[n - 3].
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const cutime = Number(fields[13]);
  const cstime = Number(fields[14]);
  const nice = Number(fields[16]);
  const ppid = Number(fields[1]);
  if (![utime, stime, cutime, cstime, nice, ppid].every(Number.isSafeInteger)) return null;
  return { cpuMs: ((utime + stime) * 1000) / CLOCK_TICKS_PER_S, childrenCpuMs: ((cutime + cstime) * 1000) / CLOCK_TICKS_PER_S, nice, ppid };
}

/** USER_HZ, the unit of /proc's CPU times: 100 on every Linux ABI Node runs on (x86, arm, arm64). */
export const CLOCK_TICKS_PER_S = 100;
