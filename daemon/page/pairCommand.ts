import { loadConfig } from '../config/load.js';
import { ConfigError, isHubError } from '../core/errors.js';
import { createPairingCode } from './pairingCodes.js';

export interface PairOptions {
  configPath?: string;
  /** Space-separated scopes for the page's token; default "voice devices:read devices:control". */
  scope?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * `voicehub pair [--scope …]`: prints a 6-digit code (alone on stdout, for scripts) that the page exchanges
 * for a token within 5 minutes, once; what it is for goes to stderr. Works whether or not the hub runs.
 */
export async function runPair(options: PairOptions, io: { out(line: string): void; err(line: string): void }): Promise<number> {
  try {
    const { config } = await loadConfig({ configPath: options.configPath, env: options.env, cwd: options.cwd });
    const made = await createPairingCode(config.dataDir, { scope: options.scope });
    io.out(made.code);
    io.err(`enter this code on the hub's page within 5 minutes (once); it signs in with: ${made.scopes.join(' ')}`);
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const p of err.problems) io.err(`voicehub: config error: ${p}`);
      return 2;
    }
    io.err(`voicehub: ${isHubError(err) ? `${err.message} [${err.code}]` : (err as Error).message}`);
    return isHubError(err) && err.code === 'BAD_REQUEST' ? 2 : 1;
  }
}
