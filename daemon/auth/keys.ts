import { randomBytes, randomUUID } from 'node:crypto';
import { chmod, link, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvironmentError, HubError } from '../errors.js';

/**
 * The hub's token signing key: one HMAC secret in `<dataDir>/signing-key.json`, mode 0600, made on first
 * use (first start or first `token create`, whichever comes first) and replaced by `keys rotate`.
 *
 * HS256 needs at least 256 bits of key (RFC 7518 §3.2); we use 32 random bytes. The `kid` goes into every
 * token's header, so a hub that sees a token made with a key it does not hold knows to re-read the file
 * (a `token create` run after `keys rotate` while the daemon keeps running).
 *
 * The secret never leaves this module's callers as text, and nothing here logs it.
 */
export const KEY_FILE = 'signing-key.json';
const KEY_BYTES = 32;

export interface SigningKey {
  readonly kid: string;
  readonly secret: Uint8Array;
  readonly createdAt: string;
}

interface KeyFile {
  v: 1;
  alg: 'HS256';
  kid: string;
  k: string;
  createdAt: string;
}

export function keyPath(dataDir: string): string {
  return join(dataDir, KEY_FILE);
}

/** Reads the key file; null when there is none yet. A file that does not parse is an error, never replaced silently. */
export async function readKey(dataDir: string): Promise<SigningKey | null> {
  const file = keyPath(dataDir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new EnvironmentError('DATA_DIR_UNWRITABLE', `cannot read the signing key ${file}: ${(err as Error).message}`, { cause: err });
  }
  await tightenMode(file);
  return parseKeyFile(text, file);
}

/** The key in the data dir, made (atomically, mode 0600) if there is none. Two processes racing here end up with the same key. */
export async function loadOrCreateKey(dataDir: string): Promise<SigningKey> {
  const existing = await readKey(dataDir);
  if (existing) return existing;
  const tmp = await writeTemp(dataDir, newKey());
  try {
    // link() fails with EEXIST when another process made the file first: then theirs wins and we read it.
    await link(tmp, keyPath(dataDir));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw unwritable(dataDir, err);
  } finally {
    await unlink(tmp).catch(() => {});
  }
  const key = await readKey(dataDir);
  if (!key) throw new EnvironmentError('DATA_DIR_UNWRITABLE', `the signing key ${keyPath(dataDir)} vanished while being created`);
  return key;
}

/** Replaces the key with a new one (atomic rename): every token signed with the old key stops verifying. */
export async function rotateKey(dataDir: string): Promise<SigningKey> {
  const key = newKey();
  const tmp = await writeTemp(dataDir, key);
  try {
    await rename(tmp, keyPath(dataDir));
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw unwritable(dataDir, err);
  }
  return key;
}

function newKey(): SigningKey {
  return { kid: randomUUID(), secret: randomBytes(KEY_BYTES), createdAt: new Date().toISOString() };
}

/** Writes the key to a fresh temp file in the data dir, created with mode 0600 and fsynced before it is linked or renamed into place. */
async function writeTemp(dataDir: string, key: SigningKey): Promise<string> {
  const body: KeyFile = { v: 1, alg: 'HS256', kid: key.kid, k: Buffer.from(key.secret).toString('base64url'), createdAt: key.createdAt };
  const tmp = join(dataDir, `.${KEY_FILE}.${process.pid}.${randomUUID()}.tmp`);
  try {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(body)}\n`, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw unwritable(dataDir, err);
  }
  return tmp;
}

function parseKeyFile(text: string, file: string): SigningKey {
  let body: Partial<KeyFile>;
  try {
    body = JSON.parse(text) as Partial<KeyFile>;
  } catch {
    throw new HubError('AUTH_INVALID', `the signing key ${file} is not valid JSON; run \`voicehub keys rotate\` to make a new one`);
  }
  const secret = typeof body.k === 'string' ? Buffer.from(body.k, 'base64url') : Buffer.alloc(0);
  if (body.alg !== 'HS256' || typeof body.kid !== 'string' || body.kid.length === 0 || secret.length < KEY_BYTES) {
    throw new HubError('AUTH_INVALID', `the signing key ${file} is incomplete; run \`voicehub keys rotate\` to make a new one`);
  }
  return { kid: body.kid, secret: new Uint8Array(secret), createdAt: String(body.createdAt ?? '') };
}

/** A key file someone copied in with looser permissions is put back to 0600: only the hub's user may read it. */
async function tightenMode(file: string): Promise<void> {
  try {
    const { mode } = await stat(file);
    if ((mode & 0o077) !== 0) await chmod(file, 0o600);
  } catch {
    // Not ours to fix (another owner, read-only medium): verification still works.
  }
}

function unwritable(dataDir: string, err: unknown): EnvironmentError {
  return new EnvironmentError('DATA_DIR_UNWRITABLE', `cannot write the signing key into ${dataDir}: ${(err as Error).message}`, { cause: err });
}
