import { closeSync, fstatSync, fsync, linkSync, mkdirSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { promisify } from 'node:util';
import { dirname, basename, join } from 'node:path';
import type { Adapter } from 'lowdb';
import { serialiseInSlices } from './isolatingSerialiser.js';
import { readDataFile, UnusableDataFile } from './readDataFile.js';
import { openFreshSync } from './freshFile.js';

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
 *   2. makes the current `<file>` the `<file>.bak` (the previous good copy) by a hard link, so that `<file>`
 *      never goes missing for a reader (a `rename` here left a moment with no main copy at all),
 *   3. renames `<file>.tmp` over `<file>`,
 *   4. fsyncs the directory so both renames are durable.
 * A crash between any two steps leaves at least one complete copy: reads try `<file>`, then `<file>.tmp`
 * (complete once step 1 finished), then `<file>.bak`. A copy that does not parse is moved aside to
 * `<file>.corrupt-<time>` (never deleted) and reported. Step 2 rotates only a copy that parses (see
 * rotateMainToBackup), and one entry that cannot be serialised is left out rather than failing the write.
 */
export class DurableJsonAdapter<T> implements Adapter<T> {
  readonly file: string;
  lastRecovery: RecoveryReport = { source: 'none', movedAside: [] };
  private readonly onWrite: () => void;
  private readonly onProblem: (problem: WriteProblem) => void;
  /** stat of the main copy as our last write left it: a file that still matches needs no re-read before it becomes the backup. */
  private lastWritten: string | null = null;

  constructor(file: string, onWrite: () => void = () => {}, onProblem: (problem: WriteProblem) => void = () => {}) {
    this.file = file;
    this.onWrite = onWrite;
    this.onProblem = onProblem;
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
        if (source === 'main') { try { this.lastWritten = statStamp(path); } catch { this.lastWritten = null; } }
        return result.value;
      }
      if (result.kind === 'corrupt') movedAside.push(await moveAside(path));
    }
    this.lastRecovery = { source: 'none', movedAside };
    return null;
  }

  async write(data: T): Promise<void> {
    const skipped: string[] = [];
    const tmp = `${this.file}.tmp`;
    // Only the two fsyncs, which wait for the device, go to the thread pool. The other steps touch only the
    // page cache and directory entries and are done synchronously: each awaited fs call waits for a whole turn
    // of the event loop, and under load fifteen of them made one write take 0.8 s (issue 18's crash window).
    // The text is serialised and written in slices (a large document gives the loop turns in between); which
    // entries it holds is fixed before the first await, as the collection's write listeners expect.
    let written: string;
    try {
      const fd = openFresh(tmp);
      try {
        await serialiseInSlices(data, skipped, (text) => writeAll(fd, Buffer.from(text, 'utf8')));
        await fsyncAsync(fd);
        written = stampOf(fstatSync(fd));
      } finally {
        closeSync(fd);
      }
    } catch (err) {
      // A half-written copy (disk full) would only hold space the next try needs.
      try { unlinkSync(tmp); } catch { /* not there */ }
      throw err;
    }
    if (skipped.length > 0) this.onProblem({ kind: 'skipped', skipped });
    await this.rotateMainToBackup();
    renameSync(tmp, this.file);
    // The stamp of what we wrote, taken from our own handle (a rename keeps inode, size and mtime): a stat of
    // the path after the rename could see a file written over ours meanwhile, and take it for ours.
    this.lastWritten = written;
    await syncDirectory(dirname(this.file));
    this.onWrite();
  }

  /**
   * Step 2: the current main copy becomes the backup, but only if it is a good copy. Something written over
   * the file while we run (an editor, a stray `>`) must not replace the last good backup: it is moved aside.
   */
  private async rotateMainToBackup(): Promise<void> {
    const stamp = statStamp(this.file);
    if (stamp === null) return;
    if (stamp !== this.lastWritten && (await readJson<T>(this.file)).kind !== 'ok') {
      const movedTo = await moveAside(this.file);
      this.onProblem({ kind: 'overwritten', movedAside: movedTo });
      return;
    }
    const bak = `${this.file}.bak`;
    const linkTmp = `${bak}.tmp`;
    try { unlinkSync(linkTmp); } catch { /* not there */ }
    try {
      linkSync(this.file, linkTmp);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (!NO_HARD_LINKS.has(code ?? '')) throw err;
      // A file system without hard links (FAT): the main copy goes missing between the two renames.
      try { renameSync(this.file, bak); } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; }
      return;
    }
    renameSync(linkTmp, bak);
  }
}

const fsyncAsync = promisify(fsync);

/**
 * Opens `<file>.tmp` for a fresh copy, never through a link planted at that name (freshFile.ts); the data dir
 * is made again if something removed it.
 */
function openFresh(path: string): number {
  try {
    return openFreshSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    return openFreshSync(path);
  }
}

function writeAll(fd: number, bytes: Buffer): void {
  for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
}

/** link() errors of file systems that have no hard links. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/** Something a write met and got past: entries left out, or a damaged main copy kept out of the backup. */
export type WriteProblem = { kind: 'skipped'; skipped: string[] } | { kind: 'overwritten'; movedAside: string };

function stampOf(s: { ino: number; size: number; mtimeMs: number }): string {
  return `${s.ino}:${s.size}:${s.mtimeMs}`;
}

function statStamp(path: string): string | null {
  try {
    return stampOf(statSync(path));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

type ReadResult<T> = { kind: 'ok'; value: T } | { kind: 'missing' } | { kind: 'corrupt' };

async function readJson<T>(path: string): Promise<ReadResult<T>> {
  let text: string;
  try {
    text = await readDataFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    if (err instanceof UnusableDataFile) return { kind: 'corrupt' };
    throw err;
  }
  if (text.trim() === '') return { kind: 'corrupt' };
  try {
    return { kind: 'ok', value: JSON.parse(text) as T };
  } catch {
    return { kind: 'corrupt' };
  }
}

/** Keeps a damaged copy for a look later, as `<file>.corrupt-<time>` (the rename keeps its mode); its new path. */
export async function moveAside(path: string): Promise<string> {
  const target = join(dirname(path), `${basename(path)}.corrupt-${Date.now()}`);
  await rename(path, target);
  return target;
}

/** moveAside, or null when the copy was already gone (or cannot be moved): for recovery that goes on regardless. */
export function moveAsideIfThere(path: string): Promise<string | null> {
  return moveAside(path).catch(() => null);
}

async function syncDirectory(dir: string): Promise<void> {
  const fd = openSync(dir, 'r');
  try {
    await fsyncAsync(fd);
  } catch (err) {
    // Some file systems (and Windows) refuse fsync on a directory; the renames are still atomic there.
    if ((err as NodeJS.ErrnoException).code !== 'EINVAL' && (err as NodeJS.ErrnoException).code !== 'EISDIR') throw err;
  } finally {
    closeSync(fd);
  }
}

/** Removes a stale `.tmp` left by a crash once the main copy has been read successfully. */
export async function removeStalePending(file: string): Promise<void> {
  try { unlinkSync(`${file}.tmp`); } catch { /* not there */ }
}
