import { Worker } from 'node:worker_threads';
import { loadavg, uptime } from 'node:os';
import type { HubContext, Subsystem } from '../core/context.js';
import type { SystemStatus } from '../../plugins/sdk/api.js';

/** The sample plugins read through `api.system` (the SDK's SystemStatus), plus when it was taken. */
export interface SystemSample extends SystemStatus {
  sampledAt: number | null;
}

interface WorkerSample {
  cpuTempC: number | null;
  memFreeMB: number | null;
  diskFreeMB: number | null;
  sampledAt: number;
}

const SAMPLE_INTERVAL_MS = 60_000;
const FIRST_SAMPLE_MS = 5_000;

/**
 * Keeps the latest system sample (CPU temperature, memory, disk) for /health and the `system` plugin;
 * load and uptimes are read live. Every minute a worker thread takes one sample with systeminformation and
 * ends; reading the latest sample is free. A worker per sample rather than one that lives as long as the
 * hub: an idle worker isolate holds ~12 MB. A sample is not free either: about 50 ms of the hub's CPU for
 * the worker and some 17 short processes (`df`, `cat`, `sh`) that systeminformation runs, so it is taken
 * once a minute, not every 10 s (which was most of the idle hub's CPU); these figures change slowly.
 */
export class SystemSampler implements Subsystem {
  readonly name = 'systemSampler';
  private worker: Worker | null = null;
  private timer: NodeJS.Timeout | null = null;
  private first: NodeJS.Timeout | null = null;
  private last: WorkerSample | null = null;
  private failures = 0;

  constructor(private readonly ctx: HubContext) {}

  /**
   * The first sample is not taken here: a worker isolate and systeminformation's processes are some 100 ms
   * of CPU, which start-up would share. The hub asks for it right after `listening` (`sampleNow`), and a hub
   * that never does (one built in a test) gets it after FIRST_SAMPLE_MS.
   */
  async start(): Promise<void> {
    this.first = setTimeout(() => {
      if (!this.last) this.sample();
    }, FIRST_SAMPLE_MS);
    this.first.unref();
    this.timer = setInterval(() => this.sample(), SAMPLE_INTERVAL_MS);
    this.timer.unref();
  }

  /** Takes a sample now unless one is running (the hub's warm-up, right after `listening`). */
  sampleNow(): void {
    if (this.timer) this.sample();
  }

  async stop(): Promise<void> {
    if (this.first) clearTimeout(this.first);
    this.first = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.worker?.terminate();
    this.worker = null;
  }

  private sample(): void {
    if (this.worker) return; // the previous sample is still running: skip, never pile up
    const worker = new Worker(new URL('./samplerWorker.js', import.meta.url), {
      workerData: { dataDir: this.ctx.config.dataDir },
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 1, codeRangeSizeMb: 8 },
      stdout: false,
      stderr: false,
    });
    worker.unref();
    this.worker = worker;
    worker.on('message', (sample: WorkerSample) => {
      this.last = sample;
      this.failures = 0;
    });
    worker.on('error', (err) => {
      // Logged once per run of failures: a board without sensors must not fill the journal.
      if (this.failures++ === 0) this.ctx.log.warn({ err }, 'system sampler failed; /health reports no system figures');
    });
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = null;
    });
  }

  latest(): SystemSample {
    return {
      cpuTempC: this.last?.cpuTempC ?? null,
      load1: Math.round(loadavg()[0]! * 100) / 100,
      memFreeMB: this.last?.memFreeMB ?? null,
      diskFreeMB: this.last?.diskFreeMB ?? null,
      uptimeS: Math.round(uptime()),
      hubUptimeS: Math.round(process.uptime()),
      sampledAt: this.last?.sampledAt ?? null,
    };
  }
}
