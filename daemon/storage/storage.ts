import { mkdir, access, constants, readFile, unlink } from 'node:fs/promises';
import { writeFresh } from './freshFile.js';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Collection, HubContext, Store, Subsystem } from '../core/context.js';
import { EnvironmentError } from '../core/errors.js';
import { CoalescedCollection } from './coalescedCollection.js';
import { FlushScheduler } from './flushScheduler.js';
import { storageMetrics } from './storageMetrics.js';
import { DurableJsonAdapter, removeStalePending, type WriteProblem } from './durableJsonAdapter.js';
import { DataDirLock } from './dataDirLock.js';
import { removeStaleTemps } from './staleTemps.js';
import { describeWriteError, isDiskFull } from './writeErrors.js';

export { describeWriteError };

/**
 * The probe writes a small file: on an SD card every write counts, so it runs every 5 minutes. A failed
 * write of any collection marks the check down at once, and the next good write probes again.
 */
/** Write failures of the disk itself, under which the hub runs on read-only rather than counting as down. */
const READ_ONLY_CAUSES = new Set(['ENOSPC', 'EDQUOT', 'EROFS']);
const PROBE_INTERVAL_MS = 5 * 60_000;
/** While writes fail (a full disk) the probe runs this often, so /health says so soon after space is freed. */
const FAILING_PROBE_INTERVAL_MS = 30_000;
const FAILURE_LOG_INTERVAL_MS = 60_000;
const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]*$/i;

/**
 * The data directory and every persisted collection in it. Collections are JSON files written through
 * DurableJsonAdapter, written at the ticks of one shared flush clock (FlushScheduler, at most one tick per
 * `storage.flushIntervalMs`), and flushed all at once on stop.
 * It also runs the `db` health probe: a real small write and read, timed, every 5 minutes and after a failed
 * write, answered from cache; a failed write of any collection marks it down at once.
 *
 * Start-up takes the data-dir lock (one hub per dir), removes temp files a crash left, and never refuses a
 * dir it can read: one it cannot write (full, read-only) is run read-only, with the cause logged and in /health.
 */
export class Storage implements Subsystem, Store {
  readonly name = 'storage';
  private readonly collections = new Map<string, Promise<CoalescedCollection<unknown>>>();
  private writeCount = 0;
  private probeTimer: NodeJS.Timeout | null = null;
  private lastProbe: { ok: boolean; ms: number; error?: string; code?: string } = { ok: false, ms: 0, error: 'not probed yet' };
  private lastProbeAt = 0;
  private lock: DataDirLock | null = null;
  private readonly reportedSkips = new Map<string, string>();
  private readonly loggedFailures = new Map<string, { cause: string; at: number }>();
  private readonly scheduler: FlushScheduler;

  constructor(private readonly ctx: HubContext) {
    const metrics = storageMetrics(ctx.metrics);
    this.scheduler = new FlushScheduler({
      clock: ctx.clock, intervalMs: ctx.config.storage.flushIntervalMs,
      onError: (name, err) => this.writeFailed(name, err),
      onTick: (tick) => metrics.tick(tick),
    });
  }

  get writes(): number {
    return this.writeCount;
  }

  get dataDir(): string {
    return this.ctx.config.dataDir;
  }

  async start(): Promise<void> {
    await ensureDataDir(this.dataDir);
    const acquired = await DataDirLock.acquire(this.dataDir).catch((err: NodeJS.ErrnoException) => {
      // A data dir where not even an empty file can be made cannot be damaged by a second hub either.
      if (err.code === 'EROFS' || isDiskFull(err)) return null;
      throw err;
    });
    if (!acquired) this.ctx.log.warn({ dataDir: this.dataDir }, 'the data dir cannot take a lock file; running read-only without it');
    const { lock, tookOverFrom, writeError } = acquired ?? { lock: null, tookOverFrom: null, writeError: null };
    this.lock = lock;
    try {
      if (tookOverFrom !== null && lock) this.ctx.log.warn({ pid: tookOverFrom, lock: lock.path }, `took over the data-dir lock left by pid ${tookOverFrom}, which is no longer running`);
      const cleaned = await removeStaleTemps(this.dataDir);
      if (cleaned.removed.length > 0) this.ctx.log.info({ removed: cleaned.removed, bytes: cleaned.bytes }, 'removed temp files left by an earlier run');
      if (writeError) await lock?.rewrite().catch(() => {});
      this.ctx.store = this;
      await this.probe();
      if (!this.lastProbe.ok) {
        // Reads still work and every change is kept in memory and retried: running read-only serves the
        // house, where refusing to start would leave it with nothing (and systemd restarting us in a loop).
        const code = this.lastProbe.code === 'ENOSPC' || this.lastProbe.code === 'EDQUOT' ? 'DISK_FULL' : 'DATA_DIR_UNWRITABLE';
        this.ctx.log.error({ code, dataDir: this.dataDir, cause: this.lastProbe.error },
          `data dir ${this.dataDir} cannot be written: ${this.lastProbe.error}; running read-only, changes are kept in memory until writes work again`);
      }
    } catch (err) {
      await lock?.release();
      throw err;
    }
    this.ctx.health.register('db', () => {
      const { ok, ms, error, code } = this.lastProbe;
      if (ok) return { ok, ms };
      // A full or read-only disk: the hub runs on read-only (degraded, 200); restarting it would not help.
      return READ_ONLY_CAUSES.has(code ?? '') ? { ok, ms, error, degraded: true, readOnly: true } : { ok, ms, error };
    }, { critical: true });
    this.probeTimer = setInterval(() => {
      if (!this.lastProbe.ok || Date.now() - this.lastProbeAt >= PROBE_INTERVAL_MS) void this.probe();
    }, FAILING_PROBE_INTERVAL_MS);
    this.probeTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.probeTimer = null;
    this.scheduler.stop();
    try {
      await this.flushAll();
    } finally {
      await this.lock?.release();
      this.lock = null;
    }
  }

  collection<T>(name: string, defaults: () => T, options: { atOnce?: boolean } = {}): Promise<Collection<T>> {
    if (!NAME_PATTERN.test(name)) throw new Error(`invalid collection name ${JSON.stringify(name)}`);
    let pending = this.collections.get(name);
    if (!pending) {
      pending = this.open(name, defaults as () => unknown, options.atOnce ?? true);
      this.collections.set(name, pending);
    }
    return pending as Promise<Collection<T>>;
  }

  async flushAll(): Promise<void> {
    const results = await Promise.allSettled([...this.collections.values()].map(async (c) => (await c).flush()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private async open(name: string, defaults: () => unknown, atOnce: boolean): Promise<CoalescedCollection<unknown>> {
    const file = join(this.dataDir, `${name}.json`);
    const adapter = new DurableJsonAdapter<unknown>(file, () => this.wrote(), (problem) => this.writeProblem(name, file, problem));
    const collection = new CoalescedCollection<unknown>({ name, adapter, defaults: defaults(), scheduler: this.scheduler, atOnce });
    const found = await collection.load();
    const { source, movedAside } = adapter.lastRecovery;
    if (found && source === 'pending' && movedAside.length === 0) {
      // No main copy and a whole temp copy: a write cut off between its fsync and its rename (a kill or power
      // cut during a collection's first write). Nothing was damaged and the newest data is here: no alarm.
      this.ctx.log.info({ collection: name, recoveredFrom: source }, `storage file ${file} was missing after an interrupted write; loaded its complete temp copy`);
      collection.markDirty();
    } else if (movedAside.length > 0 || (found && source !== 'main')) {
      this.ctx.log.warn({ code: 'STORAGE_CORRUPT', collection: name, recoveredFrom: source, movedAside },
        `storage file ${file} was damaged or incomplete; loaded the ${source === 'none' ? 'defaults' : `${source} copy`}`);
      if (found) collection.markDirty(); // rewrite a clean main copy soon
    } else if (found) {
      await removeStalePending(file);
    }
    this.scheduler.add(collection);
    return collection;
  }

  private wrote(): void {
    this.writeCount++;
    this.loggedFailures.clear();
    if (!this.lastProbe.ok) void this.probe(); // writes work again: let the check say so now
  }

  /** A real write failed: the data stays in memory for the next try, and /health says so at once. */
  private writeFailed(name: string, err: unknown): void {
    const cause = describeWriteError(err);
    const code = isDiskFull(err) ? 'DISK_FULL' : undefined;
    // Retried every flush interval: the same failure is logged once a minute, not at every try.
    const last = this.loggedFailures.get(name);
    const now = Date.now();
    if (!last || last.cause !== cause || now - last.at >= FAILURE_LOG_INTERVAL_MS) {
      this.loggedFailures.set(name, { cause, at: now });
      this.ctx.log.error({ err, collection: name, code }, `storage write of ${name} failed (${cause}); will retry`);
    }
    this.lastProbe = { ok: false, ms: 0, error: `writing ${name} failed: ${cause}`, code: (err as NodeJS.ErrnoException).code };
  }

  /** A write that succeeded but had to leave something out or keep a damaged file out of the backup. */
  private writeProblem(name: string, file: string, problem: WriteProblem): void {
    if (problem.kind === 'overwritten') {
      this.ctx.log.warn({ code: 'STORAGE_CORRUPT', collection: name, movedAside: problem.movedAside },
        `storage file ${file} was changed by something else and does not parse; moved aside, the last good backup is kept`);
      return;
    }
    // Logged when the set of left-out entries changes, not at every flush.
    const key = problem.skipped.join('\n');
    if (this.reportedSkips.get(name) === key) return;
    this.reportedSkips.set(name, key);
    this.ctx.log.error({ code: 'STORAGE_ENTRY_UNSERIALISABLE', collection: name, skipped: problem.skipped },
      `storage: ${problem.skipped.length} entr${problem.skipped.length === 1 ? 'y' : 'ies'} of ${name} cannot be serialised and ${problem.skipped.length === 1 ? 'was' : 'were'} left out; the rest is saved`);
  }

  private async probe(): Promise<void> {
    const file = join(this.dataDir, '.probe');
    const token = String(Date.now());
    const started = performance.now();
    this.lastProbeAt = Date.now();
    try {
      await writeFresh(file, token);
      const back = await readFile(file, 'utf8');
      if (back !== token) throw new Error('read back a different value');
      await unlink(file);
      this.lastProbe = { ok: true, ms: round(performance.now() - started) };
    } catch (err) {
      await unlink(file).catch(() => {});
      this.lastProbe = { ok: false, ms: round(performance.now() - started), error: describeWriteError(err), code: (err as NodeJS.ErrnoException).code };
    }
  }
}

async function ensureDataDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await access(dir, constants.W_OK | constants.R_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EROFS') return; // readable: the hub starts read-only and says why (see start)
    throw new EnvironmentError('DATA_DIR_UNWRITABLE',
      `data dir ${dir} cannot be used (${code ?? (err as Error).message}); create it writable for this user or set VOICEHUB_DATA_DIR`, { cause: err });
  }
}

const round = (ms: number) => Math.round(ms * 100) / 100;
