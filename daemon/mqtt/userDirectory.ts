import { stat } from 'node:fs/promises';
import type { Clock } from '../core/context.js';
import type { Logger } from '../core/log.js';
import { decoyHash, verifyPassword } from './passwordHash.js';
import { readUsersFile, usersFilePath, usersFileStamp, type MqttUserRecord, type UsersReadReport } from './users.js';

export type AuthOutcome = 'ok' | 'denied' | 'busy';

export interface UserDirectoryOptions {
  /** How often (at most) a login checks whether the users file changed. */
  recheckMs?: number;
  /** scrypt runs at once; the rest wait, so a password-guessing flood cannot fill libuv's thread pool. */
  maxConcurrent?: number;
  /** Logins allowed to wait for a scrypt slot; beyond that they are answered "server unavailable". */
  maxWaiting?: number;
}

/**
 * The broker's in-memory view of the users file. Read once at start; on a login it re-reads the file
 * (asynchronously) when its mtime/size changed since the last look, at most once per `recheckMs`, so
 * `voicehub mqtt-user add` takes effect without a restart. A file that turns unreadable keeps the last good users.
 */
export class UserDirectory {
  private users: Record<string, MqttUserRecord> = Object.create(null);
  private stamp: string | null = null;
  private lastCheck = Number.NEGATIVE_INFINITY;
  private refreshing: Promise<void> | null = null;
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly decoy = decoyHash();
  private readonly recheckMs: number;
  private readonly maxConcurrent: number;
  private readonly maxWaiting: number;

  constructor(private readonly dataDir: string, private readonly log: Logger, private readonly clock: Clock, options: UserDirectoryOptions = {}) {
    this.recheckMs = options.recheckMs ?? 1000;
    this.maxConcurrent = options.maxConcurrent ?? 2;
    this.maxWaiting = options.maxWaiting ?? 32;
  }

  get count(): number {
    return Object.keys(this.users).length;
  }

  /**
   * Start-up read. A damaged file is restored from its backup copy; with no good copy the broker starts
   * with no users (every login refused, logged loudly) rather than stopping the hub, and a fixed file is
   * picked up at the next login without a restart.
   */
  async load(): Promise<void> {
    this.stamp = await usersFileStamp(this.dataDir);
    try {
      this.users = (await readUsersFile(this.dataDir, (r) => this.reportRead(r))).users;
    } catch (err) {
      this.log.error({ err, code: 'STORAGE_CORRUPT', file: usersFilePath(this.dataDir) },
        'mqtt users file has no good copy; starting with no MQTT users (every login is refused) until it is fixed or users are added again');
    }
    this.lastCheck = this.clock.now();
    await this.warnIfReadableByOthers();
  }

  private reportRead(r: UsersReadReport): void {
    if (r.restoredFromBackup) {
      this.log.warn({ code: 'STORAGE_CORRUPT', file: usersFilePath(this.dataDir), recoveredFrom: 'backup', movedAside: r.movedAside },
        'mqtt users file was damaged; restored it from its backup copy');
    }
    if (r.skipped.length > 0) {
      this.log.warn({ code: 'STORED_ENTRY_INVALID', file: usersFilePath(this.dataDir), skipped: r.skipped },
        `mqtt users file: ${r.skipped.length} malformed user record(s) skipped`);
    }
  }

  /** The allow patterns of a user as the file says now; undefined when the user no longer exists. */
  allowOf(name: string): readonly string[] | undefined {
    return this.users[name]?.allow;
  }

  /** Checks a user's password: 'busy' when too many logins are already waiting for scrypt. */
  async authenticate(name: string, password: Buffer): Promise<AuthOutcome> {
    await this.refreshIfChanged();
    if (this.active >= this.maxConcurrent && this.waiting.length >= this.maxWaiting) return 'busy';
    await this.acquire();
    try {
      const record = this.users[name];
      // Unknown names still pay for one scrypt, so timing does not reveal which names exist.
      const ok = await verifyPassword(password, record ?? this.decoy);
      return ok && record !== undefined ? 'ok' : 'denied';
    } finally {
      this.release();
    }
  }

  private async refreshIfChanged(): Promise<void> {
    if (this.refreshing) return this.refreshing;
    if (this.clock.now() - this.lastCheck < this.recheckMs) return;
    this.lastCheck = this.clock.now();
    this.refreshing = this.reload().finally(() => { this.refreshing = null; });
    return this.refreshing;
  }

  private async reload(): Promise<void> {
    try {
      const stamp = await usersFileStamp(this.dataDir);
      if (stamp === this.stamp) return;
      const doc = await readUsersFile(this.dataDir, (r) => this.reportRead(r));
      this.users = doc.users;
      this.stamp = stamp;
      this.log.info({ users: Object.keys(doc.users).length }, 'mqtt users file changed; reloaded');
    } catch (err) {
      this.log.error({ err }, 'mqtt users file could not be re-read; keeping the users loaded before');
    }
  }

  private acquire(): Promise<void> {
    if (this.active < this.maxConcurrent) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(() => { this.active++; resolve(); }));
  }

  private release(): void {
    this.active--;
    this.waiting.shift()?.();
  }

  private async warnIfReadableByOthers(): Promise<void> {
    if (this.stamp === null || process.platform === 'win32') return;
    try {
      const mode = (await stat(usersFilePath(this.dataDir))).mode & 0o777;
      if (mode & 0o077) this.log.warn({ file: usersFilePath(this.dataDir), mode: mode.toString(8) }, 'mqtt users file is readable by other users; chmod 600 it');
    } catch {
      // Gone between the two looks: nothing to warn about.
    }
  }
}
