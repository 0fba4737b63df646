import { open, readFile, rename, unlink, mkdir } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import type { Adapter } from 'lowdb';

/** What a read found: the data, which copy it came from, and any bad copy that was moved aside. */
export interface RecoveryReport {
  source: 'main' | 'pending' | 'backup' | 'none';
  movedAside: string[];
}

/**
 * A lowdb adapter built for SD cards and power cuts.
 *
 * lowdb's own TextFile (steno) writes atomically (temp file + rename) but never fsyncs, so after a power
 * cut the rename can be on disk while the data is not: an empty or torn file. This adapter writes
 *   1. `<file>.tmp` and fsyncs it,
 *   2. renames the current `<file>` to `<file>.bak` (the previous good copy),
 *   3. renames `<file>.tmp` to `<file>`,
 *   4. fsyncs the directory so both renames are durable.
 * A crash between any two steps leaves at least one complete copy: reads try `<file>`, then `<file>.tmp`
 * (complete once step 1 finished), then `<file>.bak`. A copy that does not parse is moved aside to
 * `<file>.corrupt-<time>` (never deleted) and reported.
 */
export class DurableJsonAdapter<T> implements Adapter<T> {
  readonly file: string;
  lastRecovery: RecoveryReport = { source: 'none', movedAside: [] };
  private readonly onWrite: () => void;

  constructor(file: string, onWrite: () => void = () => {}) {
    this.file = file;
    this.onWrite = onWrite;
  }

  async read(): Promise<T | null> {
    const movedAside: string[] = [];
    const candidates: Array<[RecoveryReport['source'], string]> = [
      ['main', this.file], ['pending', `${this.file}.tmp`], ['backup', `${this.file}.bak`],
    ];
    for (const [source, path] of candidates) {
      const result = await readJson<T>(path);
      if (result.kind === 'ok') {
        this.lastRecovery = { source, movedAside };
        return result.value;
      }
      if (result.kind === 'corrupt') movedAside.push(await moveAside(path));
    }
    this.lastRecovery = { source: 'none', movedAside };
    return null;
  }

  async write(data: T): Promise<void> {
    const text = JSON.stringify(data);
    const tmp = `${this.file}.tmp`;
    await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
    const handle = await open(tmp, 'w', 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(this.file, `${this.file}.bak`).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    await rename(tmp, this.file);
    await syncDirectory(dirname(this.file));
    this.onWrite();
  }
}

type ReadResult<T> = { kind: 'ok'; value: T } | { kind: 'missing' } | { kind: 'corrupt' };

async function readJson<T>(path: string): Promise<ReadResult<T>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw err;
  }
  if (text.trim() === '') return { kind: 'corrupt' };
  try {
    return { kind: 'ok', value: JSON.parse(text) as T };
  } catch {
    return { kind: 'corrupt' };
  }
}

async function moveAside(path: string): Promise<string> {
  const target = join(dirname(path), `${basename(path)}.corrupt-${Date.now()}`);
  await rename(path, target);
  return target;
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (err) {
    // Some file systems (and Windows) refuse fsync on a directory; the renames are still atomic there.
    if ((err as NodeJS.ErrnoException).code !== 'EINVAL' && (err as NodeJS.ErrnoException).code !== 'EISDIR') throw err;
  } finally {
    await handle.close();
  }
}

/** Removes a stale `.tmp` left by a crash once the main copy has been read successfully. */
export async function removeStalePending(file: string): Promise<void> {
  await unlink(`${file}.tmp`).catch(() => {});
}
