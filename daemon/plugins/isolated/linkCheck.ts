import { lstat, opendir, readlink, realpath } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { HubError } from '../../core/errors.js';

/** Files and folders looked at before giving up (fail closed: a plugin too big to check is not started). */
const MAX_ENTRIES = 50_000;
const MAX_DEPTH = 32;

/**
 * Node's permission model follows symbolic links: `--allow-fs-read=<plugin>/*` lets the plugin read whatever a
 * link inside its folder points at, the hub's signing key included (the Node docs say so; issue 18 found it).
 * So before an isolated plugin's process starts, every link under the paths it may read must resolve inside
 * them; one that leads out (or dangles out) refuses the plugin with PLUGIN_UNSAFE_LINK. The plugin itself can
 * make no new link there: its process may write nothing.
 */
export async function assertNoLinksOut(root: string, isDir: boolean): Promise<void> {
  if (!isDir) {
    // A single file: it and the package.json Node reads beside it are what the plugin may read.
    const home = await realpath(dirname(root));
    for (const file of [root, join(dirname(root), 'package.json')]) await checkEntry(file, home);
    return;
  }
  const home = await realpath(root);
  let seen = 0;
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH) throw unsafe(root, `${dir} is nested deeper than ${MAX_DEPTH} levels`);
    for await (const entry of await opendir(dir)) {
      if (++seen > MAX_ENTRIES) throw unsafe(root, `it holds more than ${MAX_ENTRIES} files to check`);
      const path = join(dir, entry.name);
      if (entry.isSymbolicLink()) await checkEntry(path, home);
      else if (entry.isDirectory()) await walk(path, depth + 1);
    }
  };
  await walk(root, 0);
}

async function checkEntry(path: string, home: string): Promise<void> {
  const stat = await lstat(path).catch(() => null);
  if (!stat?.isSymbolicLink()) return;
  // A link that resolves is judged by where it ends; a dangling one by where it points (it may exist later).
  const target = await realpath(path).catch(async () => resolve(dirname(path), await readlink(path)));
  if (target !== home && !target.startsWith(home + sep)) throw unsafe(path, `it is a link to ${target}, outside the plugin's folder`);
}

function unsafe(where: string, why: string): HubError {
  return new HubError('PLUGIN_UNSAFE_LINK', `isolated plugin not started: ${where}: ${why} (an isolated plugin may read only its own files)`);
}
