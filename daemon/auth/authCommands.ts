import { loadConfig } from '../config/load.js';
import { ConfigError, isHubError } from '../core/errors.js';
import { loadOrCreateKey, rotateKey } from './keys.js';
import { signToken } from './tokens.js';

/**
 * The CLI's `token create` and `keys rotate` (PROTOCOL §1), as plain functions returning an exit code so the
 * CLI wires each with one line and tests call them without a child process.
 *
 * `token create` prints the JWT and nothing else on stdout; problems go to stderr. It uses the same key file
 * as the daemon (creating it if the daemon never ran), so it works whether or not the hub is running.
 */
export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
}

const processIo: CommandIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

export interface TokenCreateOptions {
  configPath?: string;
  sub: string;
  /** Space- or comma-separated, e.g. "voice devices:read"; default "voice". */
  scope?: string;
  /** e.g. 30d, 12h, 15m; default 30d. */
  ttl?: string;
  /** The client's room, so "in here" means that room. */
  area?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export async function runTokenCreate(options: TokenCreateOptions, io: CommandIo = processIo): Promise<number> {
  try {
    const { config } = await loadConfig({ configPath: options.configPath, env: options.env, cwd: options.cwd });
    const key = await loadOrCreateKey(config.dataDir, (r) => io.err(r.kind === 'replaced'
      ? `warning: the signing key had no good copy; made a new one, so every earlier token was withdrawn`
      : `warning: the signing key was damaged; restored it from ${r.file}.bak`));
    io.out(await signToken(key, { sub: options.sub, scopes: options.scope?.split(/[\s,]+/), ttl: options.ttl, area: options.area }));
    return 0;
  } catch (err) {
    return report(err, io);
  }
}

export interface KeysRotateOptions {
  configPath?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Makes a new signing key; every token made before is refused from now on (a running hub follows within seconds). */
export async function runKeysRotate(options: KeysRotateOptions = {}, io: CommandIo = processIo): Promise<number> {
  try {
    const { config } = await loadConfig({ configPath: options.configPath, env: options.env, cwd: options.cwd });
    const key = await rotateKey(config.dataDir);
    io.out(`new signing key ${key.kid}: tokens made before now are refused; make new ones with \`voicehub token create\``);
    return 0;
  } catch (err) {
    return report(err, io);
  }
}

function report(err: unknown, io: CommandIo): number {
  if (err instanceof ConfigError) {
    for (const problem of err.problems) io.err(problem);
    return 2;
  }
  io.err(isHubError(err) ? `${err.code}: ${err.message}` : String((err as Error)?.message ?? err));
  return isHubError(err) && err.code === 'BAD_REQUEST' ? 2 : 1;
}
