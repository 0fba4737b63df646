import { Worker } from 'node:worker_threads';
import { loadavg, uptime } from 'node:os';
import type { HubContext, Subsystem } from '../context.js';

export interface SystemSample {
  cpuTempC: number | null;
  load1: number;
  memFreeMB: number | null;
  diskFreeMB: number | null;
  uptimeS: number;
  hubUptimeS: number;
  sampledAt: number | null;
}

interface WorkerSample {
  cpuTempC: number | null;
  memFreeMB: number | null;
  diskFreeMB: number | null;
  sampledAt: number;
}

const SAMPLE_INTERVAL_MS = 10_000;

/**
 * Keeps the latest system sample (CPU temperature, load, memory, disk) for /health and the `system`
 * plugin. The systeminformation calls run in a worker thread every 10 s; reading a sample is free.
 */
export class SystemSampler implements Subsystem {
  readonly name = 'systemSampler';
  private worker: Worker | null = null;
  private last: WorkerSample | null = null;

  constructor(private readonly ctx: HubContext) {}

  async start(): Promise<void> {
    this.ctx.services.system = this;
    const worker = new Worker(new URL('./samplerWorker.js', import.meta.url), {
      workerData: { intervalMs: SAMPLE_INTERVAL_MS, dataDir: this.ctx.config.dataDir },
      resourceLimits: { maxOldGenerationSizeMb: 24, maxYoungGenerationSizeMb: 4 },
      stdout: false,
      stderr: false,
    });
    worker.on('message', (sample: WorkerSample) => { this.last = sample; });
    worker.on('error', (err) => this.ctx.log.warn({ err }, 'system sampler failed; /health reports no system figures'));
    worker.unref();
    this.worker = worker;
  }

  async stop(): Promise<void> {
    await this.worker?.terminate();
    this.worker = null;
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
