import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashing for broker users: scrypt (RFC 7914) with a per-user random salt, computed on libuv's
 * thread pool (never scryptSync once the hub runs), compared in constant time.
 */
export interface PasswordHash {
  /** base64 */
  salt: string;
  /** base64 */
  hash: string;
  /** scrypt cost parameters, kept with the hash so they can be raised later without breaking old users. */
  N: number;
  r: number;
  p: number;
}

/** RFC 7914 §2 leaves the cost to the deployment; N=2^14, r=8 (16 MiB, ~50-100 ms on a Pi 4) is node's default. */
const DEFAULT_COST = { N: 16384, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
/** A hand-edited users file must not make one login cost minutes or gigabytes. */
const MAX_N = 1 << 20;
const MAX_R = 32;
const MAX_P = 16;

function scryptAsync(password: string | Buffer, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

function options(cost: { N: number; r: number; p: number }): ScryptOptions {
  // maxmem must exceed 128 * N * r (RFC 7914 §6's scratch space) or node refuses.
  return { N: cost.N, r: cost.r, p: cost.p, maxmem: 128 * cost.N * cost.r + 1024 * 1024 };
}

export async function hashPassword(password: string): Promise<PasswordHash> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scryptAsync(password, salt, KEY_BYTES, options(DEFAULT_COST));
  return { salt: salt.toString('base64'), hash: key.toString('base64'), ...DEFAULT_COST };
}

/** True when the password matches. Malformed or absurd records verify as false, never throw. */
export async function verifyPassword(password: string | Buffer, record: PasswordHash): Promise<boolean> {
  if (!plausible(record)) return false;
  const expected = Buffer.from(record.hash, 'base64');
  if (expected.length < 16) return false;
  let actual: Buffer;
  try {
    actual = await scryptAsync(password, Buffer.from(record.salt, 'base64'), expected.length, options(record));
  } catch {
    return false;
  }
  return timingSafeEqual(actual, expected);
}

/**
 * A record no password matches, for unknown user names: checking it costs the same scrypt as a real user,
 * so response time does not tell which names exist.
 */
export function decoyHash(): PasswordHash {
  return { salt: randomBytes(SALT_BYTES).toString('base64'), hash: randomBytes(KEY_BYTES).toString('base64'), ...DEFAULT_COST };
}

function plausible(record: PasswordHash): boolean {
  const { N, r, p } = record;
  return typeof record.salt === 'string' && typeof record.hash === 'string'
    && Number.isInteger(N) && N > 1 && N <= MAX_N && (N & (N - 1)) === 0
    && Number.isInteger(r) && r >= 1 && r <= MAX_R
    && Number.isInteger(p) && p >= 1 && p <= MAX_P;
}
