import type { ProviderHealth } from '../provider.js';
import { describeWyoming, type WyomingTarget } from './wyomingStt.js';

/**
 * Whether a Wyoming service answers, for `/health` (which answers from cached results and never waits on
 * I/O): a `describe` → `info` round trip every `intervalMs` (more often while it fails, so a service that
 * comes back is seen soon), the last result kept. The probe is one short connection; a peer that answers
 * garbage or nothing within `timeoutMs` is unreachable.
 */
export class WyomingReachability {
  private result: ProviderHealth;
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    private readonly target: WyomingTarget,
    private readonly options: { intervalMs: number; failingIntervalMs: number; timeoutMs: number },
  ) {
    this.result = { ok: false, detail: `not checked yet: ${this.address}` };
  }

  get address(): string {
    return `tcp://${this.target.host}:${this.target.port}`;
  }

  start(): void {
    this.running = true;
    void this.probe();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  check(): ProviderHealth {
    return this.result;
  }

  /** One probe now (and the next one scheduled); resolves with its result. */
  async probe(): Promise<ProviderHealth> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    try {
      const info = await describeWyoming(this.target, this.options.timeoutMs);
      this.result = { ok: true, detail: `${this.address} answered (${Object.keys(info.data).filter((k) => k !== 'version').join(', ') || 'info'})` };
    } catch (err) {
      this.result = { ok: false, detail: `${this.address} unreachable: ${(err as Error).message}` };
    }
    if (this.running) {
      this.timer = setTimeout(() => void this.probe(), this.result.ok ? this.options.intervalMs : this.options.failingIntervalMs);
      this.timer.unref();
    }
    return this.result;
  }
}
