import { readFileSync } from 'node:fs';
import { link, open, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvironmentError } from '../core/errors.js';
import { moveAsideIfThere } from './durableJsonAdapter.js';
import { readDataFile, UnusableDataFile } from './readDataFile.js';

/** In the data dir; it holds the owner's pid and that process's start time (so a reused pid is not mistaken for it). */
export const LOCK_FILE = 'voicehub.lock';
/** A lock holds one line of JSON; a pipe, a directory or a huge file there is not read (readDataFile). */
const LOCK_MAX_BYTES = 4096;

/** An empty lock is one being written this instant (or by a hub whose disk was full); younger than this it is respected. */
const EMPTY_LOCK_GRACE_MS = 60_000;

interface LockHolder { pid: number; startTime: string | null }

/**
 * The data dir belongs to one running hub: two would overwrite each other's files. `voicehub start` takes
 * this lock before touching anything; CLI commands (`token create`, `mqtt-user add`, `doctor`…) do not, as
 * they are meant to run beside the hub. A lock whose pid is gone, or is now another process, is stale and
 * taken over (a crash or a power cut leaves one behind). Released on a clean stop.
 */
export class DataDirLock {
  private constructor(readonly path: string, private readonly content: string) {}

  static async acquire(dataDir: string): Promise<{ lock: DataDirLock; tookOverFrom: number | null; writeError: NodeJS.ErrnoException | null }> {
    const path = join(dataDir, LOCK_FILE);
    const content = `${JSON.stringify({ pid: process.pid, startTime: processStartTime(process.pid), since: new Date().toISOString() })}\n`;
    let tookOverFrom: number | null = null;
    for (let attempt = 0; attempt < 5; attempt++) {
      let handle;
      try {
        handle = await open(path, 'wx', 0o644);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const text = await readDataFile(path, LOCK_MAX_BYTES).catch(async (e: unknown) => {
          // A pipe, a directory or a huge file where the lock belongs holds no pid: moved aside, it stops nobody.
          if (e instanceof UnusableDataFile) await moveAsideIfThere(path);
          return null;
        });
        if (text === null) continue; // released between our two looks (or moved aside): try again
        const holder = parseHolder(text);
        if (await isLive(holder, path)) {
          throw new EnvironmentError('DATA_DIR_LOCKED',
            `data dir ${dataDir} is in use by another voicehub (pid ${holder?.pid ?? 'unknown'}); stop it first, or give this one its own VOICEHUB_DATA_DIR`,
            { details: { pid: holder?.pid ?? null, lock: path } });
        }
        if (await takeOver(path, text)) tookOverFrom = holder?.pid ?? null;
        continue;
      }
      // The file exists and is ours from here on, even if writing its content fails (a full disk):
      // an empty lock is still respected for a while, and the caller may write it again once space is freed.
      let writeError: NodeJS.ErrnoException | null = null;
      try {
        await handle.writeFile(content, 'utf8');
      } catch (err) {
        writeError = err as NodeJS.ErrnoException;
      } finally {
        await handle.close();
      }
      return { lock: new DataDirLock(path, content), tookOverFrom, writeError };
    }
    throw new EnvironmentError('DATA_DIR_LOCKED', `data dir ${dataDir}: could not take the lock ${path} (it keeps changing hands)`);
  }

  /** Writes the pid again (after a full disk refused the first write). */
  async rewrite(): Promise<void> {
    const handle = await open(this.path, 'r+');
    try {
      await handle.truncate(0);
      await handle.write(this.content, 0, 'utf8');
    } finally {
      await handle.close();
    }
  }

  /** Removes the lock if it is still ours. */
  async release(): Promise<void> {
    const text = await readDataFile(this.path, LOCK_MAX_BYTES).catch(() => null);
    if (text !== null && text !== '' && text !== this.content) return;
    await unlink(this.path).catch(() => {});
  }
}

/** The pid of the live voicehub holding this data dir's lock, or null (no lock, or a stale one). */
export async function liveLockHolder(dataDir: string): Promise<number | null> {
  const path = join(dataDir, LOCK_FILE);
  const text = await readDataFile(path, LOCK_MAX_BYTES).catch(() => null);
  if (text === null) return null;
  const holder = parseHolder(text); // at most LOCK_MAX_BYTES: readDataFile refuses a longer one
  return holder !== null && (await isLive(holder, path)) ? holder.pid : null;
}

function parseHolder(text: string): LockHolder | null {
  try {
    const body = JSON.parse(text) as Partial<LockHolder>;
    if (typeof body.pid !== 'number' || !Number.isInteger(body.pid) || body.pid <= 0) return null;
    return { pid: body.pid, startTime: typeof body.startTime === 'string' ? body.startTime : null };
  } catch {
    return null;
  }
}

async function isLive(holder: LockHolder | null, path: string): Promise<boolean> {
  if (!holder) {
    const age = await stat(path).then((s) => Date.now() - s.mtimeMs, () => Infinity);
    return age < EMPTY_LOCK_GRACE_MS;
  }
  // Our own pid in the file is a previous life of this pid (a container's pid 1 after a restart).
  if (holder.pid === process.pid || !pidAlive(holder.pid)) return false;
  if (holder.startTime === null) return true; // written where there is no procfs: nothing more to tell by
  const now = processStartTime(holder.pid);
  // Unseen in a procfs we can read (systemd's ProtectProc=invisible hides other users' processes): the pid
  // was reused by someone else's process, not a hub of ours.
  if (now === null) return processStartTime(process.pid) === null;
  return now === holder.startTime;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, just not ours to signal
  }
}

/** Field 22 of /proc/<pid>/stat (clock ticks since boot); null where there is no procfs. */
function processStartTime(pid: number): string | null {
  let text: string;
  try {
    // A sync read of a tiny virtual file, only while taking the lock at start-up: procfs answers from memory.
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count from after the last ')'.
  return text.slice(text.lastIndexOf(')') + 2).split(' ')[19] ?? null;
}

/**
 * Moves a stale lock out of the way. Two hubs may find the same stale lock at once: each renames it to a
 * private name and checks it moved the stale file it read; one that moved a fresh lock instead puts it back.
 */
async function takeOver(path: string, staleText: string): Promise<boolean> {
  const aside = `${path}.stale-${process.pid}`;
  try {
    await rename(path, aside);
  } catch {
    return false; // someone else moved it first
  }
  const moved = await readDataFile(aside, LOCK_MAX_BYTES).catch(() => null);
  if (moved !== staleText) await link(aside, path).catch(() => {});
  await unlink(aside).catch(() => {});
  return moved === staleText;
}
