import { unwatchFile, watch, watchFile, type FSWatcher, type Stats } from 'node:fs';
import type { Clock, HubContext, Subsystem } from '../core/context.js';
import type { Logger } from '../core/log.js';
import { KEY_FILE, keyPath, loadOrCreateKey, logKeyRecovery, readKey, type SigningKey } from './keys.js';
import { signToken, verifyToken, type CreateTokenOptions, type TokenClaims, type TokenVerifier } from './tokens.js';

export interface AuthServiceOptions {
  /** How often the key file is checked for a rotation made by another process (`voicehub keys rotate`). */
  watchIntervalMs?: number;
}

/** An unknown `kid` re-reads the key file at most this often, so a flood of made-up kids cannot cause a flood of reads. */
const UNKNOWN_KID_RELOAD_MS = 1000;

/**
 * The hub's token authority: holds the signing key (made on first start), verifies client tokens, and
 * follows key rotation done by the CLI while the daemon runs. After `voicehub keys rotate`, the running
 * hub picks up the new key at once (fs.watch on the data dir sees the key file renamed into place), or
 * within `watchIntervalMs` where fs.watch reports nothing (some network and FUSE file systems: a cheap
 * stat poll backs it up), or when it sees a token carrying the new key's kid. From then on tokens signed
 * with the old key are refused, and `onKeyChange` listeners (the voice server) close the sessions that
 * were opened with them: withdrawn means withdrawn.
 */
export class AuthService implements Subsystem, TokenVerifier {
  readonly name = 'auth';
  private key: SigningKey | null = null;
  private reloading: Promise<void> | null = null;
  private lastUnknownKidReload = -Infinity;
  private watching = false;
  private dirWatcher: FSWatcher | null = null;
  private readonly keyChangeListeners = new Set<() => void>();
  private readonly dataDir: string;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly watchIntervalMs: number;

  constructor(ctx: Pick<HubContext, 'config' | 'log' | 'clock'>, options: AuthServiceOptions = {}) {
    this.dataDir = ctx.config.dataDir;
    this.log = ctx.log;
    this.clock = ctx.clock;
    this.watchIntervalMs = options.watchIntervalMs ?? 2000;
  }

  async start(): Promise<void> {
    this.key = await loadOrCreateKey(this.dataDir, (r) => logKeyRecovery(this.log, r));
    this.log.info({ kid: this.key.kid }, 'token signing key ready');
    watchFile(keyPath(this.dataDir), { interval: this.watchIntervalMs, persistent: false }, this.onKeyFileChange);
    this.watching = true;
    this.watchDirectory();
  }

  async stop(): Promise<void> {
    if (this.watching) unwatchFile(keyPath(this.dataDir), this.onKeyFileChange);
    this.watching = false;
    this.dirWatcher?.close();
    this.dirWatcher = null;
  }

  /** See TokenVerifier.onKeyChange. */
  onKeyChange(listener: () => void): () => void {
    this.keyChangeListeners.add(listener);
    return () => { this.keyChangeListeners.delete(listener); };
  }

  /** Claims of a valid token; throws HubError AUTH_INVALID or AUTH_EXPIRED. */
  verify(token: string): Promise<TokenClaims> {
    return verifyToken(token, this.lookup, this.clock.now());
  }

  /** A new token signed with the current key (what `voicehub token create` prints). */
  create(options: CreateTokenOptions): Promise<string> {
    return signToken(this.currentKey(), { now: this.clock.now(), ...options });
  }

  /** The kid of the key in use (never the secret): for logs and tests. */
  get kid(): string {
    return this.currentKey().kid;
  }

  /** Re-reads the key file now (what the file watcher does); resolves once the current key is the file's. */
  reload(): Promise<void> {
    this.reloading ??= readKey(this.dataDir, (r) => logKeyRecovery(this.log, r))
      .then((key) => {
        if (!key) {
          this.log.warn({ file: keyPath(this.dataDir) }, 'signing key file disappeared; keeping the key in memory');
        } else if (key.kid !== this.key?.kid) {
          this.key = key;
          this.log.info({ kid: key.kid }, 'token signing key changed on disk: tokens signed with the previous key are now refused');
          for (const listener of this.keyChangeListeners) {
            try {
              listener();
            } catch (err) {
              this.log.error({ err }, 'a signing-key change listener failed');
            }
          }
        }
      })
      .catch((err: unknown) => this.log.error({ err }, 'could not reload the signing key; keeping the key in memory'))
      .finally(() => { this.reloading = null; });
    return this.reloading;
  }

  private currentKey(): SigningKey {
    if (!this.key) throw new Error('auth service not started');
    return this.key;
  }

  private readonly lookup = async (kid: string | undefined): Promise<SigningKey | null> => {
    const key = this.currentKey();
    if (kid === key.kid) return key;
    // A kid we do not hold: maybe `keys rotate` + `token create` ran since our last look at the file.
    const now = this.clock.now();
    if (kid !== undefined && now - this.lastUnknownKidReload >= UNKNOWN_KID_RELOAD_MS) {
      this.lastUnknownKidReload = now;
      await this.reload();
      if (this.key?.kid === kid) return this.key;
    }
    return null;
  };

  /**
   * `keys rotate` renames a new file over the key: the directory, not the old file's inode, sees that.
   * Events for other files in the data dir (storage writes several a second at most) are ignored by name.
   */
  private watchDirectory(): void {
    try {
      const watcher = watch(this.dataDir, { persistent: false }, (_event, filename) => {
        if (filename === null || filename === KEY_FILE) void this.reload();
      });
      watcher.on('error', (err) => {
        this.log.debug({ err }, 'watching the data dir failed; the key file is still polled');
        watcher.close();
        if (this.dirWatcher === watcher) this.dirWatcher = null;
      });
      this.dirWatcher = watcher;
    } catch (err) {
      this.log.debug({ err }, 'cannot watch the data dir; the key file is still polled');
    }
  }

  private readonly onKeyFileChange = (current: Stats, previous: Stats): void => {
    if (current.mtimeMs === previous.mtimeMs && current.ino === previous.ino) return;
    void this.reload();
  };
}
