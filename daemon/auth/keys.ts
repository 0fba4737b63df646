import { randomBytes, randomUUID } from 'node:crypto';
import { chmod, link, mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvironmentError, HubError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { moveAsideIfThere } from '../storage/durableJsonAdapter.js';
import { readDataFile, UnusableDataFile } from '../storage/readDataFile.js';

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

/** What loading had to do besides reading: recover from the backup copy, or replace a key that had no good copy. */
export type KeyRecovery =
  | { kind: 'restored-from-backup'; file: string; movedAside: string | null }
  | { kind: 'replaced'; file: string; movedAside: string[] };

/**
 * Reads the key; null when there is none yet. The key is kept twice, `signing-key.json` and
 * `signing-key.json.bak` (same content): a main copy that is truncated, empty or not a key is moved aside
 * to `.corrupt-<time>` and the backup is put back in its place. With no good copy at all this throws
 * AUTH_INVALID (a running hub keeps its key in memory; loadOrCreateKey makes a new one).
 */
export async function readKey(dataDir: string, onRecovery: (r: KeyRecovery) => void = () => {}): Promise<SigningKey | null> {
  const file = keyPath(dataDir);
  const main = await readKeyCopy(file);
  if (main.kind === 'ok') {
    await tightenMode(file);
    if (!(await exists(backupPath(dataDir)))) await writeBackup(dataDir, main.key).catch(() => {}); // keys made before backups existed
    return main.key;
  }
  const backup = await readKeyCopy(backupPath(dataDir));
  if (backup.kind === 'ok') {
    const movedAside = main.kind === 'bad' ? await moveAsideIfThere(file) : null;
    // On a disk that cannot be written now the key still serves from memory; the next start tries again.
    await replaceMain(dataDir, backup.key).catch(() => {});
    onRecovery({ kind: 'restored-from-backup', file, movedAside });
    return backup.key;
  }
  if (main.kind === 'missing' && backup.kind === 'missing') return null;
  throw main.kind === 'bad' ? main.error : (backup as { error: HubError }).error;
}

/**
 * The key in the data dir, made (atomically, mode 0600) if there is none. Two processes racing here end up
 * with the same key. A key with no good copy left (main and backup both damaged) is replaced by a new one,
 * reported through onRecovery: every token made before is withdrawn, which is the safe way to fail.
 */
export async function loadOrCreateKey(dataDir: string, onRecovery: (r: KeyRecovery) => void = () => {}): Promise<SigningKey> {
  let existing: SigningKey | null;
  try {
    existing = await readKey(dataDir, onRecovery);
  } catch (err) {
    if (!(err instanceof HubError) || err.code !== 'AUTH_INVALID') throw err;
    const movedAside = [await moveAsideIfThere(keyPath(dataDir)), await moveAsideIfThere(backupPath(dataDir))].filter((p): p is string => p !== null);
    const key = await createKey(dataDir);
    onRecovery({ kind: 'replaced', file: keyPath(dataDir), movedAside });
    return key;
  }
  return existing ?? createKey(dataDir);
}

async function createKey(dataDir: string): Promise<SigningKey> {
  const tmp = await writeTemp(dataDir, newKey());
  try {
    // link() fails with EEXIST when another process made the file first: then theirs wins and we read it.
    await link(tmp, keyPath(dataDir));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw unwritable(dataDir, err);
  } finally {
    await unlink(tmp).catch(() => {});
  }
  const key = await readKey(dataDir); // also writes the backup copy of whichever key won
  if (!key) throw new EnvironmentError('DATA_DIR_UNWRITABLE', `the signing key ${keyPath(dataDir)} vanished while being created`);
  return key;
}

/**
 * Replaces the key with a new one (atomic rename): every token signed with the old key stops verifying.
 * The backup is written first, so a crash in between leaves a backup newer than the main copy: recovering
 * from it can only withdraw tokens, never bring back ones a rotation withdrew.
 */
export async function rotateKey(dataDir: string): Promise<SigningKey> {
  const key = newKey();
  await writeBackup(dataDir, key);
  await replaceMain(dataDir, key);
  return key;
}

/** One log line per recovery: what was found, what was done, and what it means for tokens. */
export function logKeyRecovery(log: Logger, r: KeyRecovery): void {
  if (r.kind === 'restored-from-backup') {
    log.warn({ code: 'STORAGE_CORRUPT', file: r.file, movedAside: r.movedAside, recoveredFrom: 'backup' },
      `the signing key ${r.file} was damaged; restored it from its backup copy (tokens stay valid)`);
  } else {
    log.error({ code: 'SIGNING_KEY_REPLACED', file: r.file, movedAside: r.movedAside },
      `the signing key ${r.file} had no good copy; made a new one: every token was withdrawn, make new ones with \`voicehub token create\``);
  }
}

const backupPath = (dataDir: string): string => `${keyPath(dataDir)}.bak`;

const replaceMain = (dataDir: string, key: SigningKey): Promise<void> => writeCopy(dataDir, key, keyPath(dataDir));
const writeBackup = (dataDir: string, key: SigningKey): Promise<void> => writeCopy(dataDir, key, backupPath(dataDir));

/** Writes the key to a temp file and renames it into place at `path` (the main copy or the backup). */
async function writeCopy(dataDir: string, key: SigningKey, path: string): Promise<void> {
  const tmp = await writeTemp(dataDir, key);
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw unwritable(dataDir, err);
  }
}

type KeyCopy = { kind: 'ok'; key: SigningKey } | { kind: 'missing' } | { kind: 'bad'; error: HubError };

async function readKeyCopy(file: string): Promise<KeyCopy> {
  let text: string;
  try {
    text = await readDataFile(file, 64 * 1024);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    if (err instanceof UnusableDataFile) return { kind: 'bad', error: new HubError('AUTH_INVALID', `the signing key ${err.message}; run \`voicehub keys rotate\` to make a new one`) };
    throw new EnvironmentError('DATA_DIR_UNWRITABLE', `cannot read the signing key ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return { kind: 'ok', key: parseKeyFile(text, file) };
  } catch (err) {
    return { kind: 'bad', error: err as HubError };
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(() => true, () => false);
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
  // JSON that is not an object (`null`, a number, a list) is as damaged as a truncated file.
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new HubError('AUTH_INVALID', `the signing key ${file} is not a key; run \`voicehub keys rotate\` to make a new one`);
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
