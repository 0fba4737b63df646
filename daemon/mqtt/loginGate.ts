import type { Clock } from '../core/context.js';
import { backoffStep } from '../core/backoff.js';

/**
 * What stands between a CONNECT with a password and the scrypt that checks it (~50-100 ms of a core on a
 * Pi). Two jobs:
 *
 * - Fair queuing. Only `concurrency` checks run at once; the others wait in one queue per remote address,
 *   served round-robin, so guessing from a few addresses takes a few turns in each round and never the
 *   whole queue: a correct login from another address waits for at most one turn per busy address, and
 *   none at all behind addresses that recently failed a login (those are served after clean ones). Each
 *   address may have `maxWaitingPerAddress` waiting, all addresses `maxWaiting`; beyond that the login is
 *   answered "busy" at once (CONNACK 3, "server unavailable": try again).
 * - Failed-login backoff. After `freeFailures` wrong passwords for one user name from one address, that
 *   pair must wait before its next check (doubling per failure up to `maxBackoffMs`); the same for the
 *   address as a whole after `freeFailuresPerAddress`. Attempts inside the wait are refused without
 *   running scrypt. Keyed by address (and user@address), never by user name alone, so nobody can lock a
 *   real user out by guessing their name from elsewhere. A success forgets the pair's failures.
 *
 * Memory is bounded: at most `maxTracked` failure records (the oldest forgotten first), and records older
 * than `forgetAfterMs` start clean.
 */
export interface LoginGateOptions {
  concurrency: number;
  maxWaiting: number;
  maxWaitingPerAddress: number;
  freeFailures: number;
  freeFailuresPerAddress: number;
  baseBackoffMs: number;
  maxBackoffMs: number;
  forgetAfterMs: number;
  maxTracked: number;
}

export const DEFAULT_LOGIN_GATE: LoginGateOptions = {
  concurrency: 2,
  maxWaiting: 64,
  maxWaitingPerAddress: 8,
  freeFailures: 3,
  freeFailuresPerAddress: 10,
  baseBackoffMs: 1000,
  maxBackoffMs: 60_000,
  forgetAfterMs: 15 * 60_000,
  maxTracked: 4096,
};

export type GateRefusal = { refused: 'busy' } | { refused: 'backoff'; retryInMs: number };

interface Failures { count: number; last: number; until: number }

export class LoginGate {
  private active = 0;
  private waitingCount = 0;
  /** Waiting logins per address; Map iteration order is the round-robin order. */
  private readonly queues = new Map<string, Array<() => void>>();
  private readonly failures = new Map<string, Failures>();

  constructor(private readonly clock: Clock, private readonly options: LoginGateOptions = DEFAULT_LOGIN_GATE) {}

  get waiting(): number {
    return this.waitingCount;
  }

  /** Null when the login may be checked now; else why not. Call before `run`. */
  refusal(user: string, address: string): GateRefusal | null {
    const now = this.clock.now();
    const until = Math.max(this.blockedUntil(pairKey(user, address), now), this.blockedUntil(addressKey(address), now));
    if (until > now) return { refused: 'backoff', retryInMs: until - now };
    if (this.active >= this.options.concurrency
      && (this.waitingCount >= this.options.maxWaiting || (this.queues.get(address)?.length ?? 0) >= this.options.maxWaitingPerAddress)) {
      return { refused: 'busy' };
    }
    return null;
  }

  /**
   * Runs `check` in a slot, after the logins of other addresses had their turns, and records its outcome:
   * 'ok' forgets the pair's failures, 'denied' counts one; anything else (the check could not run) neither.
   */
  async run<T extends string>(user: string, address: string, check: () => Promise<T>): Promise<T> {
    await this.acquire(address);
    let outcome: T;
    try {
      outcome = await check();
    } finally {
      this.release();
    }
    if (outcome === 'ok') {
      this.failures.delete(pairKey(user, address));
    } else if (outcome === 'denied') {
      this.fail(pairKey(user, address), this.options.freeFailures);
      this.fail(addressKey(address), this.options.freeFailuresPerAddress);
    }
    return outcome;
  }

  private blockedUntil(key: string, now: number): number {
    const record = this.failures.get(key);
    if (!record) return 0;
    if (now - record.last > this.options.forgetAfterMs) {
      this.failures.delete(key);
      return 0;
    }
    return record.until;
  }

  private fail(key: string, free: number): void {
    const now = this.clock.now();
    let record = this.failures.get(key);
    if (record && now - record.last > this.options.forgetAfterMs) record = undefined;
    if (!record) {
      if (this.failures.size >= this.options.maxTracked) this.failures.delete(this.failures.keys().next().value!);
      record = { count: 0, last: now, until: 0 };
    }
    this.failures.delete(key); // re-inserted last: the Map stays ordered oldest first for eviction
    record.count++;
    record.last = now;
    const over = record.count - free + 1; // the free-th failure already makes the next try wait
    record.until = over > 0 ? now + backoffStep(over - 1, this.options.baseBackoffMs, this.options.maxBackoffMs) : 0;
    this.failures.set(key, record);
  }

  private acquire(address: string): Promise<void> {
    if (this.active < this.options.concurrency && this.waitingCount === 0) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      let queue = this.queues.get(address);
      if (!queue) {
        queue = [];
        this.queues.set(address, queue);
      }
      queue.push(() => { this.active++; resolve(); });
      this.waitingCount++;
      this.dispatch();
    });
  }

  private release(): void {
    this.active--;
    this.dispatch();
  }

  /**
   * Fills free slots round-robin: the next address in line gives one login, then goes to the back. An
   * address with no recent failed login goes first: a guesser's queue never delays a clean one.
   */
  private dispatch(): void {
    while (this.active < this.options.concurrency && this.waitingCount > 0) {
      const [address, queue] = this.nextInLine();
      const next = queue.shift()!;
      this.queues.delete(address);
      if (queue.length > 0) this.queues.set(address, queue);
      this.waitingCount--;
      next();
    }
  }

  private nextInLine(): [string, Array<() => void>] {
    const now = this.clock.now();
    for (const entry of this.queues) {
      const failed = this.failures.get(addressKey(entry[0]));
      if (!failed || now - failed.last > this.options.forgetAfterMs) return entry;
    }
    return this.queues.entries().next().value!;
  }
}

function pairKey(user: string, address: string): string {
  return `u\u0000${user}\u0000${address}`;
}

function addressKey(address: string): string {
  return `a\u0000${address}`;
}
