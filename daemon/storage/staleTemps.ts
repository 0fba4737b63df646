import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { readDataFile } from './readDataFile.js';

/** Temp files that carry their writer's pid: the signing key's and the MQTT users file's, and a lock being taken over. */
const PID_TEMP = /^(?:\.signing-key\.json|mqtt-users\.json)\.(\d+)\.[0-9a-f-]+\.tmp$|^voicehub\.lock\.stale-(\d+)$/;

/**
 * Removes what a crash left behind in the data dir, before anything is written: on a full disk these may be
 * the very bytes the hub needs (a half-written `devices.json.tmp` the size of the file). Called with the
 * data-dir lock held, so no other hub is mid-write. Kept: a collection's `.tmp` whose main copy is missing
 * or does not parse, since it may then be the newest complete copy (see DurableJsonAdapter), and any temp
 * file of a process still alive (a CLI command running beside the hub).
 */
export async function removeStaleTemps(dataDir: string): Promise<{ removed: string[]; bytes: number }> {
  const removed: string[] = [];
  let bytes = 0;
  for (const name of await readdir(dataDir).catch(() => [] as string[])) {
    if (!(await isStale(dataDir, name))) continue;
    const path = join(dataDir, name);
    const size = await stat(path).then((s) => s.size, () => 0);
    try {
      await unlink(path);
      removed.push(name);
      bytes += size;
    } catch {
      // Gone already, or not ours to remove: nothing to free.
    }
  }
  return { removed, bytes };
}

async function isStale(dataDir: string, name: string): Promise<boolean> {
  if (name === '.probe') return true;
  const pidMatch = PID_TEMP.exec(name);
  if (pidMatch) return !pidAlive(Number(pidMatch[1] ?? pidMatch[2]));
  if (name.endsWith('.json.tmp')) return parses(join(dataDir, name.slice(0, -'.tmp'.length)));
  return false;
}

async function parses(path: string): Promise<boolean> {
  try {
    JSON.parse(await readDataFile(path));
    return true;
  } catch {
    return false;
  }
}

function pidAlive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
