import { mkdir, access, constants, writeFile, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Collection, HubContext, Store, Subsystem } from '../context.js';
import { EnvironmentError } from '../errors.js';
import { CoalescedCollection } from './coalescedCollection.js';
import { DurableJsonAdapter, removeStalePending } from './durableJsonAdapter.js';

/**
 * The probe writes a small file: on an SD card every write counts, so it runs every 5 minutes. A failed
 * write of any collection marks the check down at once, and the next good write probes again.
 */
const PROBE_INTERVAL_MS = 5 * 60_000;
const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]*$/i;

/**
 * The data directory and every persisted collection in it. Collections are JSON files written through
 * DurableJsonAdapter and coalesced by CoalescedCollection; this subsystem flushes them all on stop.
 * It also runs the `db` health probe: a real small write and read, timed, every 5 minutes and after a failed
 * write, answered from cache; a failed write of any collection marks it down at once.
 */
export class Storage implements Subsystem, Store {
  readonly name = 'storage';
  private readonly collections = new Map<string, Promise<CoalescedCollection<unknown>>>();
  private writeCount = 0;
  private probeTimer: NodeJS.Timeout | null = null;
  private lastProbe: { ok: boolean; ms: number; error?: string } = { ok: false, ms: 0, error: 'not probed yet' };

  constructor(private readonly ctx: HubContext) {}

  get writes(): number {
    return this.writeCount;
  }

  get dataDir(): string {
    return this.ctx.config.dataDir;
  }

  async start(): Promise<void> {
    await ensureDataDir(this.dataDir);
    this.ctx.store = this;
    await this.probe();
    if (!this.lastProbe.ok) {
      throw new EnvironmentError('DATA_DIR_UNWRITABLE', `data dir ${this.dataDir} is not writable (${this.lastProbe.error}); fix its permissions or set VOICEHUB_DATA_DIR`);
    }
    this.ctx.health.register('db', () => ({ ...this.lastProbe }), { critical: true });
    this.probeTimer = setInterval(() => void this.probe(), PROBE_INTERVAL_MS);
    this.probeTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.probeTimer = null;
    await this.flushAll();
    for (const pending of this.collections.values()) (await pending).close();
  }

  collection<T>(name: string, defaults: () => T): Promise<Collection<T>> {
    if (!NAME_PATTERN.test(name)) throw new Error(`invalid collection name ${JSON.stringify(name)}`);
    let pending = this.collections.get(name);
    if (!pending) {
      pending = this.open(name, defaults as () => unknown);
      this.collections.set(name, pending);
    }
    return pending as Promise<Collection<T>>;
  }

  async flushAll(): Promise<void> {
    const results = await Promise.allSettled([...this.collections.values()].map(async (c) => (await c).flush()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private async open(name: string, defaults: () => unknown): Promise<CoalescedCollection<unknown>> {
    const file = join(this.dataDir, `${name}.json`);
    const adapter = new DurableJsonAdapter<unknown>(file, () => this.wrote());
    const collection = new CoalescedCollection<unknown>({
      name, adapter, defaults: defaults(), clock: this.ctx.clock, intervalMs: this.ctx.config.storage.flushIntervalMs,
      onError: (err) => this.writeFailed(name, err),
    });
    const found = await collection.load();
    const { source, movedAside } = adapter.lastRecovery;
    if (movedAside.length > 0 || (found && source !== 'main')) {
      this.ctx.log.warn({ code: 'STORAGE_CORRUPT', collection: name, recoveredFrom: source, movedAside },
        `storage file ${file} was damaged or incomplete; loaded the ${source === 'none' ? 'defaults' : `${source} copy`}`);
      if (found) collection.markDirty(); // rewrite a clean main copy soon
    } else if (found) {
      await removeStalePending(file);
    }
    return collection;
  }

  private wrote(): void {
    this.writeCount++;
    if (!this.lastProbe.ok) void this.probe(); // writes work again: let the check say so now
  }

  /** A real write failed: the data stays in memory for the next try, and /health says so at once. */
  private writeFailed(name: string, err: unknown): void {
    this.ctx.log.error({ err, collection: name }, 'storage write failed; will retry');
    this.lastProbe = { ok: false, ms: 0, error: `writing ${name} failed: ${(err as Error).message}` };
  }

  private async probe(): Promise<void> {
    const file = join(this.dataDir, '.probe');
    const token = String(Date.now());
    const started = performance.now();
    try {
      await writeFile(file, token, { mode: 0o600 });
      const back = await readFile(file, 'utf8');
      if (back !== token) throw new Error('read back a different value');
      await unlink(file);
      this.lastProbe = { ok: true, ms: round(performance.now() - started) };
    } catch (err) {
      this.lastProbe = { ok: false, ms: round(performance.now() - started), error: (err as Error).message };
    }
  }
}

async function ensureDataDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await access(dir, constants.W_OK | constants.R_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new EnvironmentError('DATA_DIR_UNWRITABLE',
      `data dir ${dir} cannot be used (${code ?? (err as Error).message}); create it writable for this user or set VOICEHUB_DATA_DIR`, { cause: err });
  }
}

const round = (ms: number) => Math.round(ms * 100) / 100;
