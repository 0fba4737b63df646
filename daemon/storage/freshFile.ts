import { closeSync, openSync, unlinkSync, writeFileSync } from 'node:fs';
import { unlink, writeFile } from 'node:fs/promises';

/**
 * Creates a file the hub writes whole under a name it chose (a `.tmp` copy, a probe, a grammar file), never
 * writing through what someone planted at that name: O_CREAT|O_EXCL (`wx`) does not follow a symbolic link
 * (nor reuse a hard link to a file elsewhere), it fails with EEXIST instead. Whatever is in the way (a link,
 * a stale copy from a crash) is then removed (unlink removes the link, never its target) and the name
 * created afresh. The common case, nothing there, is one open as before. A directory in the way stays an
 * error (unlink refuses it).
 */
export function openFreshSync(path: string, mode = 0o600): number {
  try {
    return openSync(path, 'wx', mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    unlinkSync(path);
    return openSync(path, 'wx', mode);
  }
}

/** openFreshSync, then `data` written and the file closed. */
export function writeFreshSync(path: string, data: string | Uint8Array, mode = 0o600): void {
  const fd = openFreshSync(path, mode);
  try {
    writeFileSync(fd, data);
  } finally {
    closeSync(fd);
  }
}

/** As writeFreshSync, asynchronously. */
export async function writeFresh(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  try {
    await writeFile(path, data, { flag: 'wx', mode });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    await unlink(path);
    await writeFile(path, data, { flag: 'wx', mode });
  }
}
