import { unwatchFile, watchFile, type Stats } from 'node:fs';
import type { Clock, HubContext, Subsystem } from '../context.js';
import type { Logger } from '../log.js';
import { keyPath, loadOrCreateKey, logKeyRecovery, readKey, type SigningKey } from './keys.js';
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
 * hub picks up the new key within `watchIntervalMs` (and at once when it sees a token carrying the new
 * key's kid); from then on tokens signed with the old key are refused.
 */
export class AuthService implements Subsystem, TokenVerifier {
  readonly name = 'auth';
  private key: SigningKey | null = null;
  private reloading: Promise<void> | null = null;
  private lastUnknownKidReload = -Infinity;
  private watching = false;
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
  }

  async stop(): Promise<void> {
    if (this.watching) unwatchFile(keyPath(this.dataDir), this.onKeyFileChange);
    this.watching = false;
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

  private readonly onKeyFileChange = (current: Stats, previous: Stats): void => {
    if (current.mtimeMs === previous.mtimeMs && current.ino === previous.ino) return;
    void this.reload();
  };
}
