import { open, readFile, stat, type FileHandle } from 'node:fs/promises';
import { constants } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { userInfo } from 'node:os';
import type { Stats } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError } from '../core/errors.js';
import { clip } from './clip.js';
import { inspectYaml, MAX_YAML_DEPTH, type NumberSources, type YamlProblem } from './inspectYaml.js';

/**
 * The largest config file read. Parsing YAML costs the `yaml` package far more heap than the text: a
 * realistic 1 MiB config took 70 MB, a 512 KiB file of `[0,0,…]` up to 225 MB, and 4 MiB ran the hub out of
 * its 256 MB (the unit's --max-old-space-size). 256 KiB is thousands of devices, and its worst case
 * stays near 120 MB, once, before the hub starts.
 */
export const MAX_CONFIG_BYTES = 256 * 1024;
/**
 * How long a config that is a pipe (`--config /dev/stdin`, `<(…)`, a FIFO) may take to be written and closed.
 * Opening a FIFO blocks until someone opens it for writing, and reading it until they close it: a name of a
 * FIFO nobody writes held start-up (and `voicehub devices list`) for ever. `VOICEHUB_CONFIG_PIPE_WAIT_MS`
 * sets another bound (tests).
 */
export const CONFIG_PIPE_WAIT_MS = 10_000;
/** Alias expansions allowed while turning YAML into values: a "billion laughs" file stops here. */
export const MAX_YAML_ALIASES = 100;
/** A non-YAML file (a binary, a secret behind a symlink) yields an error per line: show only the first few. */
const MAX_SHOWN_YAML_ERRORS = 5;

/** What the YAML said beyond its values, for buildConfig's messages. */
export interface ConfigFileNotes {
  /** The source text of numbers whose YAML spelling is not how JS prints them (0x…, 0o…, huge integers). */
  numberSources: NumberSources;
  /** Numbers that lose digits, hex ids and keys, repeated keys: messages `<file>:<line>: <path>: <what to do>`. */
  problems: YamlProblem[];
}

export interface ConfigFile extends ConfigFileNotes {
  raw: unknown;
}

/**
 * Reads and parses a config file as an attacker might have shaped it: size-capped before parsing,
 * refused when others could have written it, aliases and nesting bounded, and no line of a file that
 * is not YAML ever echoed whole.
 */
export async function readConfigFile(file: string): Promise<ConfigFile> {
  const text = await readCapped(file);
  // uniqueKeys: false because its check is quadratic in a mapping's size (52k keys took 164 s);
  // inspectYaml finds duplicate keys in linear time instead.
  const lines = new LineCounter();
  // logLevel 'error': yaml would otherwise print its warnings (a collection used as a key…) to stderr as process
  // warnings, beside the hub's own one line per problem (found by the fault suite).
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false, lineCounter: lines, logLevel: 'error' });
  if (doc.errors.length > 0) {
    const shown = doc.errors.slice(0, MAX_SHOWN_YAML_ERRORS).map((e) => {
      const pos = e.linePos?.[0];
      return `${file}${pos ? `:${pos.line}:${pos.col}` : ''}: YAML ${clip(e.message.split('\n')[0]!, 80)}`;
    });
    if (doc.errors.length > MAX_SHOWN_YAML_ERRORS) shown.push(`${file}: and ${doc.errors.length - MAX_SHOWN_YAML_ERRORS} more YAML errors`);
    throw new ConfigError(shown, 'CONFIG_UNREADABLE');
  }
  const inspected = inspectYaml(doc, lines);
  if (inspected.tooDeep) throw new ConfigError([`${file}: nested deeper than ${MAX_YAML_DEPTH} levels`], 'CONFIG_UNREADABLE');
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    // yaml throws a ReferenceError ("Excessive alias count…") rather than reporting it with the parse errors;
    // a RangeError (call stack) is nesting the depth check could not see, through aliases.
    if (err instanceof ReferenceError) {
      throw new ConfigError([`${file}: YAML aliases expand too far (more than ${MAX_YAML_ALIASES} copies of an anchor); write the values out`], 'CONFIG_UNREADABLE');
    }
    if (err instanceof RangeError) throw new ConfigError([`${file}: nested too deeply to read`], 'CONFIG_UNREADABLE');
    throw err;
  }
  return { raw, numberSources: inspected.numberSources, problems: inspected.problems.map((p) => ({ path: p.path, message: `${file}${p.message}` })) };
}

async function readCapped(file: string): Promise<string> {
  let handle: FileHandle;
  // A pipe is opened without blocking (no writer yet is not a wait in the thread pool) and read against a deadline.
  const pipe = (await stat(file).catch(() => null))?.isFIFO() ?? false;
  try {
    handle = await open(file, pipe ? constants.O_RDONLY | constants.O_NONBLOCK : 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable (check its permissions)' : code ?? 'cannot be opened';
    throw new ConfigError([`${file}: ${why}`], 'CONFIG_UNREADABLE');
  }
  try {
    // fstat on the open file, not stat on the path: what is checked is what is read, even if the path is swapped.
    const stats = await handle.stat();
    if (stats.isDirectory()) throw new ConfigError([`${file}: is a directory, not a file`], 'CONFIG_UNREADABLE');
    await checkOwnership(file, stats);
    if (stats.size > MAX_CONFIG_BYTES) throw tooLarge(file, stats.size);
    // Read one byte past the cap: a pipe or device reports no size, and /dev/zero never ends.
    const buffer = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let length = 0;
    if (pipe) {
      length = await readPipe(file, handle, buffer);
    } else {
      while (length < buffer.length) {
        const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
        if (bytesRead === 0) break;
        length += bytesRead;
      }
    }
    if (length > MAX_CONFIG_BYTES) throw tooLarge(file, null);
    return decodeText(file, buffer.subarray(0, length));
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError([`${file}: cannot be read (${code ?? 'read failed'})`], 'CONFIG_UNREADABLE');
  } finally {
    await handle.close();
  }
}

/**
 * Reads a pipe opened O_NONBLOCK until its writer closes it, the buffer is full, or the deadline. Without a
 * writer a read says 0 bytes, the same as a writer that has closed: so 0 ends the text only once something
 * came; until then (and on EAGAIN, a writer with nothing written yet) it looks again every 20 ms.
 */
async function readPipe(file: string, handle: FileHandle, buffer: Buffer): Promise<number> {
  const waitMs = Number(process.env.VOICEHUB_CONFIG_PIPE_WAIT_MS) || CONFIG_PIPE_WAIT_MS;
  const until = Date.now() + waitMs;
  let length = 0;
  while (length < buffer.length) {
    let bytesRead = -1;
    try {
      ({ bytesRead } = await handle.read(buffer, length, buffer.length - length, null));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
    }
    if (bytesRead > 0) {
      length += bytesRead;
      continue;
    }
    if (bytesRead === 0 && length > 0) break;
    if (Date.now() >= until) {
      throw new ConfigError([`${file}: is a pipe ${length === 0 ? 'nobody wrote to' : 'whose writer did not close it'} within ${waitMs} ms (write the config into it and close it, or name a file)`], 'CONFIG_UNREADABLE');
    }
    await sleep(20);
  }
  return length;
}

const tooLarge = (file: string, size: number | null) => new ConfigError([
  `${file}: is ${size === null ? 'larger than' : `${size} bytes, over`} the ${MAX_CONFIG_BYTES / 1024} KiB limit for a config file (is it the right file?)`,
], 'CONFIG_TOO_LARGE');

/**
 * Whoever can write the config decides what the hub runs (plugin grants, broker users, the cloud it
 * trusts), so like sshd with authorized_keys the hub reads only a config that its own user or root owns
 * and that no other user may write.
 */
async function checkOwnership(file: string, stats: Stats): Promise<void> {
  if (stats.isFIFO() || stats.isSocket()) return; // a pipe (`--config /dev/stdin`, `<(…)`) is handed over by the caller
  const uid = process.getuid?.();
  if (uid === undefined) return; // Windows: no POSIX owner or mode bits
  if (stats.uid !== uid && stats.uid !== 0) {
    throw new ConfigError([
      `${file}: is owned by uid ${stats.uid}, not by the hub's user (uid ${uid}) or root; refusing it (fix: sudo chown root ${file})`,
    ], 'CONFIG_INSECURE');
  }
  const mode = (stats.mode & 0o777).toString(8).padStart(4, '0');
  if ((stats.mode & 0o002) !== 0) {
    throw new ConfigError([`${file}: can be written by any user (mode ${mode}); refusing it (fix: chmod go-w ${file})`], 'CONFIG_INSECURE');
  }
  if ((stats.mode & 0o020) !== 0 && !(await isOwnPrivateGroup(stats.gid))) {
    throw new ConfigError([`${file}: can be written by its group (gid ${stats.gid}, mode ${mode}); refusing it (fix: chmod g-w ${file})`], 'CONFIG_INSECURE');
  }
}

/**
 * Debian and Ubuntu give each user a group of their own and a umask of 002, so files a user makes are
 * group-writable by that user alone: as Debian's sshd does, that group write is allowed.
 */
async function isOwnPrivateGroup(gid: number): Promise<boolean> {
  if (process.getgid?.() !== gid) return false;
  try {
    return isUserPrivateGroup(await readFile('/etc/group', 'utf8'), gid, userInfo().username);
  } catch {
    return false;
  }
}

/** True when /etc/group names `gid` after `user` and lists no other member. */
export function isUserPrivateGroup(groupFile: string, gid: number, user: string): boolean {
  const entry = groupFile.split('\n').map((line) => line.split(':')).find((fields) => fields.length >= 3 && Number(fields[2]) === gid);
  if (!entry || entry[0] !== user) return false;
  return (entry[3] ?? '').split(',').map((m) => m.trim()).filter(Boolean).every((member) => member === user);
}

/** A config is UTF-8 text; a binary file is refused before the YAML parser can echo bits of it. */
function decodeText(file: string, bytes: Buffer): string {
  const notText = new ConfigError([`${file}: is not a text file, so not a voicehub config`], 'CONFIG_UNREADABLE');
  if (bytes.includes(0)) throw notText;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw notText;
  }
}
