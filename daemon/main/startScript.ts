import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import type { LoadOptions } from '../config/load.js';
import { cacheFileName, decodeCache, encodeCache, guessDataDir, readCacheFile, writeCacheFile } from './startCache.js';

/**
 * `voicehub start` through the start script (dist/bundle/start.vm.js, see daemon/build/bundle.ts) and a V8
 * code cache: compiling the start path's 2.3 MB of JavaScript was most of the CPU time to `listening`.
 * With the cache V8 deserialises the bytecode of every function the last start ran up to and through
 * warm-up, instead of parsing and compiling them again.
 *
 * `status` says what this start had, for the `listening` log line: `used` (the cache was accepted),
 * `none` (no file yet: the first start, or after an upgrade), `rejected` (a file that was not a valid cache
 * for this build — corrupt, truncated, another build's, a directory — or that V8 refused), `off` (no
 * start script: an unbundled run). After warm-up `save` writes the cache unless it was used, so a file is
 * written once per build, Node version and flags — on a Pi, an SD card — and a bad one is replaced.
 */
export interface StartCache {
  status: 'used' | 'none' | 'rejected' | 'off';
  /** Why a file was not used (rejected only). */
  problem?: string;
  /** Writes the cache when this start did not use one; never throws (a read-only or full disk: no cache). */
  save(dataDir: string): Promise<{ written: true; file: string; bytes: number } | { written: false; reason: string }>;
}

type StartEntry = (require: NodeJS.Require, module: { exports: Record<string, unknown> }, exports: Record<string, unknown>, filename: string, dirname: string, importHook: (href: string) => Promise<unknown>) => void;
type RunDaemon = (options: LoadOptions, cache: StartCache) => Promise<void>;

/** Runs the daemon from the start script; null when there is none beside this file (tsc's output, tests). */
export function runStartScript(options: LoadOptions): Promise<void> | null {
  const filename = fileURLToPath(new URL('./start.vm.js', import.meta.url));
  let source: string;
  try {
    // The bundle is pure ASCII (bundle.ts checks): latin1 decodes it fastest and V8 keeps it one byte a character.
    source = readFileSync(filename, 'latin1');
  } catch {
    return null;
  }
  const scriptHash = /^\/\/voicehub-start ([0-9a-f]{64})\n/.exec(source)?.[1];
  if (scriptHash === undefined) return null;

  // VOICEHUB_CACHE_DIR (the systemd unit's CacheDirectory): the cache is code, kept apart from the data dir that
  // backups copy and restores bring back from elsewhere. Without it, <dataDir>/cache.
  const ownDir = process.env.VOICEHUB_CACHE_DIR ? resolve(process.cwd(), process.env.VOICEHUB_CACHE_DIR) : null;
  // Guessed only without one (it reads the head of the config file).
  const guessedDir = ownDir ? null : guessDataDir(options.configPath, process.env, process.cwd());
  const cacheDir = ownDir ?? join(guessedDir!, 'cache');
  const name = cacheFileName(scriptHash, { version: process.version, arch: process.arch, execArgv: process.execArgv, nodeOptions: process.env.NODE_OPTIONS });
  let status: StartCache['status'] = 'none';
  let problem: string | undefined;
  let cachedData: Buffer | undefined;
  const file = readCacheFile(join(cacheDir, name));
  if (Buffer.isBuffer(file)) {
    const decoded = decodeCache(file, scriptHash);
    if ('payload' in decoded) cachedData = decoded.payload;
    else ({ status, problem } = { status: 'rejected', problem: decoded.problem });
  } else if (file !== null) {
    ({ status, problem } = { status: 'rejected', problem: file.problem });
  }

  const script = new Script(source, { filename, cachedData });
  if (cachedData) {
    if (script.cachedDataRejected) ({ status, problem } = { status: 'rejected', problem: 'refused by V8' });
    else status = 'used';
  }
  source = ''; // V8 holds the script's source; this reference need not outlive the compile
  cachedData = undefined;

  let saved = false;
  const cache: StartCache = {
    status,
    problem,
    async save(dataDir) {
      if (status === 'used') return { written: false, reason: 'the cache was used' };
      if (saved) return { written: false, reason: 'already written' };
      if (guessedDir !== null && dataDir !== guessedDir) return { written: false, reason: `the data dir was not known before the config was read (looked in ${guessedDir})` };
      saved = true;
      try {
        const data = encodeCache(script.createCachedData(), scriptHash);
        return { written: true, file: await writeCacheFile(cacheDir, name, data), bytes: data.length };
      } catch (err) {
        return { written: false, reason: (err as NodeJS.ErrnoException).code ?? (err as Error).message };
      }
    },
  };

  const entry = script.runInThisContext() as StartEntry;
  const module = { exports: {} as Record<string, unknown> };
  entry(createRequire(filename), module, module.exports, filename, dirname(filename), (href) => import(href));
  return (module.exports.runDaemon as RunDaemon)(options, cache);
}
