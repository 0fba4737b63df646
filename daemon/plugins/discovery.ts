import { readFileSync } from 'node:fs';
import { readdir, readFile, access } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PluginSource } from './grants.js';
import { FOLDER_MANIFEST, PACKAGE_FIELD, sidecarFor } from './staticManifest.js';

/** A module that may be a plugin, found on disk but not imported yet. */
export interface PluginCandidate {
  source: PluginSource;
  /** Absolute path of the module to import. */
  entry: string;
  /** The directory holding the plugin's files: errors whose stack points inside it are the plugin's. */
  root: string;
  /** The npm package name, for npm and package-style dir plugins. */
  packageName?: string;
  /** The file holding the manifest as data (staticManifest.ts); unset for built-ins, whose module holds it. */
  manifestFile?: string;
  /** The field of `manifestFile` holding it (`voicehub` in a package.json). */
  manifestField?: string;
}

/** Something found that looked like a plugin but cannot be loaded (no entry, unreadable package.json). */
export interface DiscoveryProblem {
  source: PluginSource;
  location: string;
  reason: string;
}

export interface DiscoveryOptions {
  /** The compiled built-ins (`dist/plugins/builtin`); null to load none. */
  builtinDir: string | null;
  /** node_modules directories searched for `voicehub-plugin-*` packages. */
  nodeModulesDirs: readonly string[];
  /** `plugins.dir`, resolved; null when unset. */
  pluginsDir: string | null;
}

/**
 * The hub's own folder: the nearest one above this module whose package.json is voicehub's. Found by
 * walking up (once, at start-up) because this code runs both from dist/daemon/plugins and bundled into
 * dist/bundle.
 */
const HUB_ROOT = findHubRoot(dirname(fileURLToPath(import.meta.url)));

function findHubRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    try {
      if ((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name === 'voicehub') return dir;
    } catch {
      // no package.json here, or not one we can read: keep walking up
    }
    if (dirname(dir) === dir) return resolve(from, '../../..');
  }
}
const NPM_NAME = /^(@[a-z0-9][\w.-]*\/)?voicehub-plugin-[\w.-]+$/i;
const KEYWORD = 'voicehub-plugin';

/** The built-ins next to this file once compiled: dist/plugins/builtin. */
export function defaultBuiltinDir(): string {
  return join(HUB_ROOT, 'dist', 'plugins', 'builtin');
}

/** The child entry of an isolated plugin, and the package.json Node reads to know it is an ES module. */
export function isolationFiles(): { runner: string; hubPackageJson: string } {
  return { runner: join(HUB_ROOT, 'dist', 'daemon', 'plugins', 'isolated', 'runner.js'), hubPackageJson: join(HUB_ROOT, 'package.json') };
}

/**
 * The hub's own node_modules and, when the hub itself sits in a node_modules directory (installed with
 * `npm i -g` or as a dependency), that one too: plugins installed next to the hub live there.
 */
export function defaultNodeModulesDirs(root = HUB_ROOT): string[] {
  const dirs = [join(root, 'node_modules')];
  const parent = dirname(resolve(root));
  if (basename(parent) === 'node_modules') dirs.push(parent);
  else if (basename(dirname(parent)) === 'node_modules' && basename(parent).startsWith('@')) dirs.push(dirname(parent));
  return dirs;
}

/** The hub's version from its package.json, for `engines.voicehub`. */
export async function hubVersion(root = HUB_ROOT): Promise<string> {
  try {
    return (JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/**
 * Finds plugin modules in the three places PROTOCOL §5 names, in precedence order: built-ins first (a
 * third-party plugin cannot take a built-in's id), then `plugins.dir`, then npm packages.
 */
export async function discoverPlugins(options: DiscoveryOptions): Promise<{ candidates: PluginCandidate[]; problems: DiscoveryProblem[] }> {
  const candidates: PluginCandidate[] = [];
  const problems: DiscoveryProblem[] = [];
  if (options.builtinDir) {
    for (const name of await subdirs(options.builtinDir)) {
      const root = join(options.builtinDir, name);
      const entry = await firstExisting(root, ['index.js', 'index.mjs']);
      if (entry) candidates.push({ source: 'builtin', entry, root });
    }
  }
  if (options.pluginsDir) await scanPluginsDir(options.pluginsDir, candidates, problems);
  for (const dir of options.nodeModulesDirs) await scanNodeModules(dir, candidates, problems);
  return { candidates, problems };
}

async function scanPluginsDir(dir: string, candidates: PluginCandidate[], problems: DiscoveryProblem[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    problems.push({ source: 'dir', location: dir, reason: `plugins.dir cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
    return;
  }
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith('.')) continue;
    const path = join(dir, e.name);
    if (e.isFile() && /\.m?js$/.test(e.name)) {
      candidates.push({ source: 'dir', entry: path, root: path, manifestFile: sidecarFor(path) });
    } else if (e.isDirectory()) {
      const pkg = await readPackage(path);
      if (pkg.ok) {
        const entry = packageEntry(path, pkg.json);
        if (entry) candidates.push({ source: 'dir', entry, root: path, packageName: pkg.json.name, manifestFile: join(path, 'package.json'), manifestField: PACKAGE_FIELD });
        else problems.push({ source: 'dir', location: path, reason: 'package.json names no entry inside the package (exports/main)' });
        continue;
      }
      const entry = await firstExisting(path, ['index.js', 'index.mjs']);
      if (entry) candidates.push({ source: 'dir', entry, root: path, manifestFile: join(path, FOLDER_MANIFEST) });
      else problems.push({ source: 'dir', location: path, reason: 'no package.json and no index.js' });
    }
  }
}

async function scanNodeModules(dir: string, candidates: PluginCandidate[], problems: DiscoveryProblem[]): Promise<void> {
  const names: string[] = [];
  for (const name of await subdirs(dir)) {
    if (name.startsWith('@')) {
      for (const inner of await subdirs(join(dir, name))) names.push(`${name}/${inner}`);
    } else names.push(name);
  }
  for (const name of names.filter((n) => NPM_NAME.test(n)).sort()) {
    const root = join(dir, ...name.split('/'));
    const pkg = await readPackage(root);
    if (!pkg.ok) {
      problems.push({ source: 'npm', location: root, reason: pkg.reason });
      continue;
    }
    // The keyword is what makes a package a plugin; a name alone could be a coincidence.
    if (!Array.isArray(pkg.json.keywords) || !pkg.json.keywords.includes(KEYWORD)) continue;
    const entry = packageEntry(root, pkg.json);
    if (entry) candidates.push({ source: 'npm', entry, root, packageName: name, manifestFile: join(root, 'package.json'), manifestField: PACKAGE_FIELD });
    else problems.push({ source: 'npm', location: root, reason: 'package.json names no entry inside the package (exports/main)' });
  }
}

interface PackageJson { name?: string; main?: unknown; exports?: unknown; keywords?: unknown }

async function readPackage(dir: string): Promise<{ ok: true; json: PackageJson } | { ok: false; reason: string }> {
  let text: string;
  try {
    text = await readFile(join(dir, 'package.json'), 'utf8');
  } catch (err) {
    return { ok: false, reason: `no readable package.json (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  try {
    const json = JSON.parse(text) as unknown;
    if (!json || typeof json !== 'object') return { ok: false, reason: 'package.json is not an object' };
    return { ok: true, json: json as PackageJson };
  } catch (err) {
    return { ok: false, reason: `package.json is not JSON: ${(err as Error).message}` };
  }
}

/**
 * The module `import(pkg)` would load: the `"."` export under the `import`/`node`/`default` condition, else
 * `main`, else index.js (Node's package entry rules, reduced to what a plugin package uses). The path must
 * stay inside the package.
 */
export function packageEntry(dir: string, pkg: PackageJson): string | null {
  const pick = (target: unknown): string | null => {
    if (typeof target === 'string') return target;
    if (Array.isArray(target)) {
      for (const t of target) {
        const found = pick(t);
        if (found) return found;
      }
      return null;
    }
    if (target && typeof target === 'object') {
      const map = target as Record<string, unknown>;
      if ('.' in map) return pick(map['.']);
      for (const condition of ['import', 'node', 'default']) if (condition in map) return pick(map[condition]);
    }
    return null;
  };
  const relative = pick(pkg.exports) ?? (typeof pkg.main === 'string' ? pkg.main : 'index.js');
  const entry = resolve(dir, relative);
  return entry.startsWith(resolve(dir) + sep) ? entry : null;
}

async function subdirs(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => (e.isDirectory() || e.isSymbolicLink()) && !e.name.startsWith('.')).map((e) => e.name).sort();
  } catch {
    return [];
  }
}

async function firstExisting(dir: string, names: string[]): Promise<string | null> {
  for (const name of names) {
    try {
      await access(join(dir, name));
      return join(dir, name);
    } catch {
      // try the next name
    }
  }
  return null;
}
