import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

/**
 * The largest data-dir document read. devices.json for 2,000 devices is about 2 MB; JSON.parse needs several
 * times a file's size in heap, and the unit caps the heap at 256 MB, so a bigger file is not the hub's.
 */
export const MAX_DATA_FILE_BYTES = 32 * 1024 * 1024;

/** A data-dir path that holds something the hub cannot take as a document; `why` says what it is. */
export class UnusableDataFile extends Error {
  readonly code = 'EUNUSABLE';
  constructor(readonly path: string, readonly why: string) {
    super(`${path} ${why}`);
  }
}

/**
 * Reads a data-dir file as text the way an attacker may have shaped it (issue 18, found by the red team):
 * `readFile` waited for ever on a FIFO (start-up never said `listening`), threw EISDIR on a directory and
 * ERR_FS_FILE_TOO_LARGE on a 2 GB sparse file (start-up stopped with a stack trace), and read /dev/zero until
 * the heap ran out. Here the file is opened without blocking, must be a regular file (checked on the open
 * handle: what is checked is what is read) of at most `maxBytes`, and is read only up to that; a UTF-8 byte
 * order mark (an editor on Windows) is dropped. ENOENT and other I/O errors are thrown as they come;
 * everything else is an UnusableDataFile, which readers treat like a damaged copy.
 */
export async function readDataFile(path: string, maxBytes: number = MAX_DATA_FILE_BYTES): Promise<string> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new UnusableDataFile(path, `is not a regular file (${kindOf(stats)})`);
    if (stats.size > maxBytes) throw new UnusableDataFile(path, `is ${stats.size} bytes, over the ${maxBytes} byte limit for a data file`);
    // One byte past the cap: a file that grows while read is cut off, not followed.
    const buffer = Buffer.alloc(stats.size + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > maxBytes) throw new UnusableDataFile(path, `grew past the ${maxBytes} byte limit for a data file while read`);
    const text = buffer.toString('utf8', 0, length);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } finally {
    await handle.close();
  }
}

function kindOf(stats: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a pipe';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a file';
}
