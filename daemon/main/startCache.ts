import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { crc32 } from 'node:zlib';

/**
 * The start script's V8 code cache on disk (daemon/main/startScript.ts compiles with it): one file in
 * `<dataDir>/cache/`, named by the start script's content hash and by what else V8 ties its code to (Node
 * version, architecture, node flags, NODE_OPTIONS), so an upgrade or other flags look for another name.
 *
 * V8 checks a cache only against the source's length and its own version and flags, and deserialises a
 * flipped byte into wrong code ("f is not a function", tried on Node 20): so the file carries its own check.
 * Header (48 bytes): "VHSC", format 1, the script's SHA-256, the payload's length and CRC-32; anything that
 * does not match is treated as no cache (and replaced after the next warm-up), never as an error.
 */
const MAGIC = 0x43534856; // "VHSC" read little-endian
const FORMAT = 1;
const HEADER_BYTES = 48;
/** Far above a real cache (about 3 MB): a larger file is not read, whatever it is. */
export const MAX_CACHE_BYTES = 64 * 1024 * 1024;

export function cacheFileName(scriptHash: string, runtime: { version: string; arch: string; execArgv: readonly string[]; nodeOptions?: string }): string {
  const key = crc32([runtime.version, runtime.arch, ...runtime.execArgv, runtime.nodeOptions ?? ''].join('\0')) >>> 0;
  return `start-${scriptHash.slice(0, 16)}-${key.toString(16).padStart(8, '0')}.v8`;
}

export function encodeCache(payload: Buffer, scriptHash: string): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32LE(MAGIC, 0);
  header.writeUInt32LE(FORMAT, 4);
  header.write(scriptHash, 8, 32, 'hex');
  header.writeUInt32LE(payload.length, 40);
  header.writeUInt32LE(crc32(payload) >>> 0, 44);
  return Buffer.concat([header, payload]);
}

/** The V8 payload, or why the file is not one for this script. */
export function decodeCache(file: Buffer, scriptHash: string): { payload: Buffer } | { problem: string } {
  if (file.length < HEADER_BYTES || file.readUInt32LE(0) !== MAGIC || file.readUInt32LE(4) !== FORMAT) return { problem: 'not a start cache' };
  if (file.toString('hex', 8, 40) !== scriptHash) return { problem: 'made for another build' };
  const payload = file.subarray(HEADER_BYTES);
  if (file.readUInt32LE(40) !== payload.length) return { problem: 'truncated' };
  if ((crc32(payload) >>> 0) !== file.readUInt32LE(44)) return { problem: 'corrupt' };
  return { payload };
}

/**
 * Reads the cache file at start-up (synchronously: nothing else runs yet). Absent → null; a directory, a
 * huge file or an unreadable one → a problem, so the caller compiles without and replaces it later.
 */
export function readCacheFile(path: string): Buffer | null | { problem: string } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? null : { problem: `cannot open: ${code ?? String(err)}` };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { problem: 'not a file' };
    if (stat.size > MAX_CACHE_BYTES) return { problem: 'too large' };
    const buf = Buffer.allocUnsafe(stat.size);
    let at = 0;
    while (at < buf.length) {
      const n = readSync(fd, buf, at, buf.length - at, at);
      if (n === 0) break;
      at += n;
    }
    return buf.subarray(0, at);
  } catch (err) {
    return { problem: `cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes the cache once (after warm-up): a temp file renamed over the name, so a reader sees the old file or
 * the whole new one; a torn write after a power cut fails the CRC and is replaced. Other start caches in the
 * folder (an older build, other flags) are removed, so upgrades do not pile up files on the SD card; so is
 * whatever squats on the name (a directory). Throws the file system's error (read-only, full): the caller
 * logs it and the hub goes on without a cache.
 */
export async function writeCacheFile(dir: string, name: string, data: Buffer): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const entry of await readdir(dir)) {
    if (entry !== name && entry.startsWith('start-') && (entry.endsWith('.v8') || entry.includes('.v8.tmp-'))) {
      await rm(join(dir, entry), { recursive: true, force: true });
    }
  }
  const path = join(dir, name);
  const temp = `${path}.tmp-${process.pid}`;
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.writeFile(data);
  } catch (err) {
    await handle.close().catch(() => {});
    await rm(temp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await rm(path, { recursive: true, force: true });
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  return path;
}

/**
 * The data dir as loadConfig will resolve it, guessed before the config is loaded (the cache is compiled
 * in before the config code runs): VOICEHUB_DATA_DIR, else a top-level `dataDir:` line of the config file
 * (plain or quoted; the YAML parser is part of what the cache speeds up), else ./data. A wrong guess costs
 * only the cache: the hub compares it with the config's dataDir and writes nothing elsewhere.
 */
export function guessDataDir(configPath: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  const fromEnv = env.VOICEHUB_DATA_DIR;
  if (fromEnv) return resolve(cwd, fromEnv);
  const file = configPath ?? env.VOICEHUB_CONFIG ?? 'voicehub.yaml';
  try {
    const text = readHead(resolve(cwd, file), 256 * 1024);
    const line = /^"?dataDir"?[ \t]*:[ \t]*(.*)$/m.exec(text)?.[1];
    const value = line?.replace(/[ \t]+#.*$/, '').replace(/,$/, '').trim().replace(/^(["'])(.*)\1$/, '$2');
    if (value) return resolve(cwd, value);
  } catch {
    // no file, or unreadable: loadConfig will say so
  }
  return resolve(cwd, 'data');
}

/** The first `max` bytes of a file as text (a config file may be anything, of any size). */
function readHead(path: string, max: number): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(max);
    return buf.toString('utf8', 0, readSync(fd, buf, 0, max, 0));
  } finally {
    closeSync(fd);
  }
}
