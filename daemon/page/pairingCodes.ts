import { createHash, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { mkdir, open, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { readDataFile } from '../storage/readDataFile.js';
import { parseScopes, type TokenScope } from '../auth/tokens.js';

/**
 * Pairing codes (`voicehub pair`, PROTOCOL §9): six digits, valid 5 minutes, good once, exchanged for a
 * token at `POST /api/pair`.
 *
 * Why files in the data dir and not a call to the running hub: the data dir (mode 0700) is already the
 * authority for `token create` and `keys rotate`. Whoever may write it may make tokens anyway, so the CLI
 * needs no credential of its own to talk to the hub, works while the hub is down (a code made just before a
 * start is good once the hub is up), and there is no port for another local user to ask for codes.
 * Each code is one file, `pairing/<uuid>.json`, holding a salted SHA-256 of the code (never the code), the
 * scopes and the expiry. Using a code is `unlink`: of two requests racing with the same code, exactly one
 * removes the file, so a code is good once even across processes.
 */
export const PAIRING_DIR = 'pairing';
export const PAIRING_TTL_MS = 5 * 60_000;
export const DEFAULT_PAIRING_SCOPES: readonly TokenScope[] = ['voice', 'devices:read', 'devices:control'];
/** At most this many codes wait at once; a new one past it removes the oldest. */
const MAX_PENDING = 16;
/** A file bigger than this is not one of ours: skipped and removed. */
const MAX_FILE_BYTES = 2048;

interface PairingFile {
  v: 1;
  salt: string;
  hash: string;
  scopes: string[];
  expiresAt: number;
}

export interface NewPairingCode {
  code: string;
  scopes: TokenScope[];
  expiresAt: number;
}

function hashCode(salt: string, code: string): Buffer {
  return createHash('sha256').update(salt).update(':').update(code).digest();
}

/** Makes a code with `scopes` (default voice devices:read devices:control) and writes it for the hub. */
export async function createPairingCode(dataDir: string, options: { scope?: string; now?: number } = {}): Promise<NewPairingCode> {
  const scopes = parseScopes(options.scope ?? DEFAULT_PAIRING_SCOPES);
  const now = options.now ?? Date.now();
  const dir = join(dataDir, PAIRING_DIR);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const pending = await readAll(dir, now);
  for (const old of pending.sort((a, b) => a.body.expiresAt - b.body.expiresAt).slice(0, Math.max(0, pending.length - MAX_PENDING + 1))) {
    await unlink(old.path).catch(() => {});
  }
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const salt = randomBytes(16).toString('base64url');
  const body: PairingFile = { v: 1, salt, hash: hashCode(salt, code).toString('hex'), scopes, expiresAt: now + PAIRING_TTL_MS };
  const name = `${randomUUID()}.json`;
  const tmp = join(dir, `.${name}.tmp`);
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(JSON.stringify(body));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, join(dir, name));
  return { code, scopes, expiresAt: body.expiresAt };
}

/**
 * Uses `code`: the scopes it was made with, or null when no pending code matches (wrong, expired, used).
 * Expired and malformed files met on the way are removed.
 */
export async function consumePairingCode(dataDir: string, code: string, now: number = Date.now()): Promise<TokenScope[] | null> {
  if (!/^\d{6}$/.test(code)) return null;
  const dir = join(dataDir, PAIRING_DIR);
  for (const entry of await readAll(dir, now)) {
    const expected = Buffer.from(entry.body.hash, 'hex');
    const given = hashCode(entry.body.salt, code);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) continue;
    try {
      await unlink(entry.path);
    } catch {
      return null; // another request used it first
    }
    try {
      return parseScopes(entry.body.scopes);
    } catch {
      return null;
    }
  }
  return null;
}

/** Every pending, unexpired code file; the expired and unreadable ones are removed. */
async function readAll(dir: string, now: number): Promise<Array<{ path: string; body: PairingFile }>> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const found: Array<{ path: string; body: PairingFile }> = [];
  for (const name of names.filter((n) => n.endsWith('.json')).slice(0, MAX_PENDING * 4)) {
    const path = join(dir, name);
    const body = await readOne(path);
    if (!body || body.expiresAt <= now) {
      await unlink(path).catch(() => {});
      continue;
    }
    found.push({ path, body });
  }
  return found;
}

async function readOne(path: string): Promise<PairingFile | null> {
  try {
    const text = await readDataFile(path, MAX_FILE_BYTES);
    const body = JSON.parse(text) as Partial<PairingFile>;
    if (body.v !== 1 || typeof body.salt !== 'string' || typeof body.hash !== 'string' || !/^[0-9a-f]{64}$/.test(body.hash)
      || !Array.isArray(body.scopes) || typeof body.expiresAt !== 'number') return null;
    return body as PairingFile;
  } catch {
    return null;
  }
}
