import { open, rename, rm, mkdir, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { HubError } from '../core/errors.js';
import { moveAsideIfThere } from '../storage/durableJsonAdapter.js';
import { readDataFile, UnusableDataFile } from '../storage/readDataFile.js';
import { hashPassword, type PasswordHash } from './passwordHash.js';
import { isValidTopicFilter } from './topicFilter.js';

/**
 * The embedded broker's users: `<dataDir>/mqtt-users.json`, mode 0600, written atomically (temp file,
 * fsync, rename, fsync of the directory) so a power cut leaves the old file or the new one, never half.
 * `voicehub mqtt-user add|remove|list` call the functions here; the running broker re-reads the file when
 * its mtime changes (see userDirectory.ts), so no restart is needed.
 *
 * Two CLI invocations at the same instant may lose one of the two changes (last rename wins); the file is
 * edited by hand-run commands, so this is not guarded further.
 */
export const USERS_FILE = 'mqtt-users.json';

export interface MqttUserRecord extends PasswordHash {
  /** MQTT topic filters this user may publish and subscribe under. */
  allow: string[];
  created: string;
}

export interface UsersDocument {
  version: 1;
  users: Record<string, MqttUserRecord>;
}

export interface MqttUserInfo {
  name: string;
  allow: string[];
  created: string;
}

const NAME_PATTERN = /^[A-Za-z0-9_.@-]{1,64}$/;
const MAX_PASSWORD_BYTES = 1024;

export function usersFilePath(dataDir: string): string {
  return join(dataDir, USERS_FILE);
}

/**
 * Adds a user, or replaces the password and allow list of an existing one. Returns whether it was new.
 * A user without allow patterns can connect but may neither publish nor subscribe (deny by default).
 */
export async function addMqttUser(dataDir: string, name: string, password: string, allow: readonly string[]): Promise<{ created: boolean }> {
  if (!NAME_PATTERN.test(name)) {
    throw invalid(`user name ${JSON.stringify(name)} is not allowed; use 1-64 letters, digits, '_', '.', '@' or '-'`, 'name');
  }
  if (password.length === 0) throw invalid('the password is empty', 'password');
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) throw invalid(`the password is longer than ${MAX_PASSWORD_BYTES} bytes`, 'password');
  const bad = allow.filter((p) => !isValidTopicFilter(p));
  if (bad.length > 0) {
    throw invalid(`--allow ${bad.map((p) => JSON.stringify(p)).join(', ')} is not a valid MQTT topic filter ('+' and '#' must fill a whole level, '#' only last)`, 'allow');
  }
  const doc = await readUsersFile(dataDir);
  const created = !Object.hasOwn(doc.users, name);
  const hash = await hashPassword(password);
  doc.users[name] = { ...hash, allow: [...new Set(allow)], created: created ? new Date().toISOString() : doc.users[name].created };
  await writeUsersFile(dataDir, doc);
  return { created };
}

/** Removes a user; false when there was none by that name. */
export async function removeMqttUser(dataDir: string, name: string): Promise<boolean> {
  const doc = await readUsersFile(dataDir);
  if (!Object.hasOwn(doc.users, name)) return false;
  delete doc.users[name];
  await writeUsersFile(dataDir, doc);
  return true;
}

/** The users and their allow patterns (never the hashes), sorted by name. */
export async function listMqttUsers(dataDir: string): Promise<MqttUserInfo[]> {
  const doc = await readUsersFile(dataDir);
  return Object.entries(doc.users)
    .map(([name, u]) => ({ name, allow: [...u.allow], created: u.created }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** What reading the users file had to do: restore it from its backup, or skip malformed users. */
export interface UsersReadReport {
  restoredFromBackup: boolean;
  movedAside: string | null;
  /** Names of users left out because their record is malformed. */
  skipped: string[];
}

/**
 * Reads and checks the users file; a missing file is an empty one. Every write keeps a second copy,
 * `mqtt-users.json.bak`: a main copy that is truncated, empty or of the wrong shape is moved aside and the
 * backup put back (a main copy that is missing too: delete both files to start over). A malformed user is skipped (and reported), the others kept. With no good copy at all
 * this throws CONFIG_UNREADABLE naming the file.
 */
export async function readUsersFile(dataDir: string, report: (r: UsersReadReport) => void = () => {}): Promise<UsersDocument> {
  const path = usersFilePath(dataDir);
  const main = await readUsersCopy(path);
  if (main.kind === 'ok') {
    if (main.skipped.length > 0) report({ restoredFromBackup: false, movedAside: null, skipped: main.skipped });
    if (!(await exists(backupPath(path)))) await writeCopy(backupPath(path), main.text).catch(() => {}); // files made before backups existed
    return main.doc;
  }
  const backup = await readUsersCopy(backupPath(path));
  if (backup.kind === 'ok') {
    const movedAside = main.kind === 'bad' ? await moveAsideIfThere(path) : null;
    await writeCopy(path, backup.text).catch(() => {}); // a disk that cannot be written now: serve from the backup, retry next start
    report({ restoredFromBackup: true, movedAside, skipped: backup.skipped });
    return backup.doc;
  }
  if (main.kind === 'missing') {
    if (backup.kind === 'missing') return { version: 1, users: Object.create(null) as Record<string, MqttUserRecord> };
    throw backup.error;
  }
  throw main.error;
}

type UsersCopy = { kind: 'ok'; doc: UsersDocument; text: string; skipped: string[] } | { kind: 'missing' } | { kind: 'bad'; error: HubError };

async function readUsersCopy(path: string): Promise<UsersCopy> {
  let text: string;
  try {
    text = await readDataFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    if (err instanceof UnusableDataFile) return { kind: 'bad', error: new HubError('CONFIG_UNREADABLE', `${err.message}; fix or remove it`) };
    throw new HubError('CONFIG_UNREADABLE', `${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
  }
  try {
    const skipped: string[] = [];
    return { kind: 'ok', doc: parseUsersDocument(text, path, skipped), text, skipped };
  } catch (err) {
    return { kind: 'bad', error: err as HubError };
  }
}

export function parseUsersDocument(text: string, path: string, skipped: string[] = []): UsersDocument {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new HubError('CONFIG_UNREADABLE', `${path}: not valid JSON (${(err as Error).message}); fix or remove it`, { cause: err });
  }
  const users: Record<string, MqttUserRecord> = Object.create(null);
  const doc = raw as Partial<UsersDocument> | null;
  if (!doc || typeof doc !== 'object' || doc.version !== 1 || !doc.users || typeof doc.users !== 'object' || Array.isArray(doc.users)) {
    throw new HubError('CONFIG_UNREADABLE', `${path}: expected {"version":1,"users":{…}}`);
  }
  for (const [name, record] of Object.entries(doc.users)) {
    const r = record as Partial<MqttUserRecord> | null;
    if (!NAME_PATTERN.test(name) || !r || typeof r !== 'object' || typeof r.salt !== 'string' || typeof r.hash !== 'string'
      || !Array.isArray(r.allow) || !r.allow.every((a) => typeof a === 'string')) {
      skipped.push(name.slice(0, 64));
      continue;
    }
    users[name] = {
      salt: r.salt, hash: r.hash, N: Number(r.N), r: Number(r.r), p: Number(r.p),
      allow: r.allow.filter(isValidTopicFilter), created: typeof r.created === 'string' ? r.created : '',
    };
  }
  return { version: 1, users };
}

const backupPath = (path: string): string => `${path}.bak`;

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/** mtime and size of the users file, or null when it does not exist. */
export async function usersFileStamp(dataDir: string): Promise<string | null> {
  try {
    const s = await stat(usersFilePath(dataDir));
    return `${s.mtimeMs}:${s.size}:${s.ino}`;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** The backup first, then the main copy: either way a crash leaves one whole copy of the newest users. */
async function writeUsersFile(dataDir: string, doc: UsersDocument): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const path = usersFilePath(dataDir);
  const text = `${JSON.stringify(doc, null, 2)}\n`;
  await writeCopy(backupPath(path), text);
  await writeCopy(path, text);
}

/** Writes one copy atomically: temp file (mode 0600), fsync, rename, fsync of the directory. */
async function writeCopy(path: string, text: string): Promise<void> {
  const tmp = `${usersFilePath(dirname(path))}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const file = await open(tmp, 'wx', 0o600);
    try {
      await file.writeFile(text);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await syncDirectory(dirname(path));
}

/** Makes the rename itself durable (POSIX: the directory entry lives in the directory). */
async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic there.
  } finally {
    await handle?.close();
  }
}

function invalid(message: string, field: string): HubError {
  return new HubError('CONFIG_INVALID', message, { details: { field } });
}
