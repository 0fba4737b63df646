import { open } from 'node:fs/promises';
import { HubError } from '../core/errors.js';

/**
 * Where a plugin's manifest is read from, as data, before any of its code may run (issue 11: a disabled or
 * ungranted plugin's top level ran on import and could patch the hub's built-in objects):
 * - a package (npm, or a folder with a package.json): the `"voicehub"` field of its package.json;
 * - a folder without package.json: `voicehub.json` in it;
 * - a single file `name.js` in `plugins.dir`: `name.voicehub.json` beside it.
 * Built-ins are the hub's own code and keep their manifest in the module (PluginCandidate.manifestFile unset).
 */
export const PACKAGE_FIELD = 'voicehub';
export const FOLDER_MANIFEST = 'voicehub.json';

/** A manifest file larger than this is refused unread (a package.json with a README inside is still far below). */
const MAX_MANIFEST_BYTES = 256 * 1024;

/** The manifest file beside a single-file plugin: `weather.js` → `weather.voicehub.json`. */
export function sidecarFor(entry: string): string {
  return entry.replace(/\.m?js$/, '.voicehub.json');
}

/**
 * Reads the raw manifest (still to be validated) from `file`, or from its `field` when given. Throws
 * PLUGIN_MANIFEST_INVALID saying where the manifest belongs when it is missing, too big or not JSON.
 */
export async function readStaticManifest(file: string, field?: string): Promise<unknown> {
  const where = field ? `the "${field}" field of ${file}` : file;
  const text = await readCapped(file).catch((err: NodeJS.ErrnoException) => {
    if (err instanceof HubError) throw err;
    throw invalid(`no manifest: ${where} cannot be read (${err.code ?? err.message}); a plugin's manifest is read from there before any of its code runs`);
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw invalid(`${file} is not JSON: ${(err as Error).message}`);
  }
  if (!field) return json;
  const value = json && typeof json === 'object' ? (json as Record<string, unknown>)[field] : undefined;
  if (value === undefined) throw invalid(`no manifest: ${file} has no "${field}" field (put the manifest { id, version, capabilities, requiredScopes } there)`);
  return value;
}

async function readCapped(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size > MAX_MANIFEST_BYTES) throw invalid(`${file} is ${size} bytes; a manifest file may have at most ${MAX_MANIFEST_BYTES}`);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

function invalid(reason: string): HubError {
  return new HubError('PLUGIN_MANIFEST_INVALID', reason);
}
