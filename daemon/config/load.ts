import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError } from '../core/errors.js';
import { deepFreeze } from '../core/deepFreeze.js';
import type { ErrorObject } from 'ajv';
import type { HubConfig } from './schema.js';
import { validateConfig as validate } from '../validation/compiled.js';
import { formatSchemaErrors, closest, errorPath } from './formatErrors.js';
import type { ConfigFileNotes } from './readConfigFile.js';
import { clip } from './clip.js';

/** Environment variables that override a config key (PROTOCOL §1). Numbers are converted when they look like one. */
const ENV_OVERRIDES: ReadonlyArray<[env: string, path: string]> = [
  ['VOICEHUB_DATA_DIR', 'dataDir'],
  ['VOICEHUB_HTTP_PORT', 'http.port'],
  ['VOICEHUB_HTTP_HOST', 'http.host'],
  ['VOICEHUB_MQTT_PORT', 'mqtt.port'],
  ['VOICEHUB_MQTT_URL', 'mqtt.url'],
  ['VOICEHUB_LOG_LEVEL', 'log.level'],
  ['VOICEHUB_CLOUD_URL', 'cloud.url'],
  ['VOICEHUB_CLOUD_TOKEN', 'cloud.token'],
  ['VOICEHUB_ASSISTANT_API_KEY', 'assistant.apiKey'],
];

export interface LoadOptions {
  /** `--config FILE`; wins over VOICEHUB_CONFIG and ./voicehub.yaml. */
  configPath?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface LoadedConfig {
  config: HubConfig;
  /** The file read, or null when the hub runs on defaults alone. */
  file: string | null;
}


/** Reads, overrides, validates (every error at once), fills defaults and freezes the config. */
export async function loadConfig(options: LoadOptions = {}): Promise<LoadedConfig> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const explicit = options.configPath ?? env.VOICEHUB_CONFIG;
  const file = explicit ? resolve(cwd, explicit) : await existingFile(resolve(cwd, 'voicehub.yaml'));
  // The YAML reader (the `yaml` package, 164 KB) is loaded only when there is a file to read: a hub run
  // from the environment alone, or with defaults, starts without it.
  const read = file ? await (await import('./readConfigFile.js')).readConfigFile(file) : { raw: {}, numberSources: new Map(), problems: [] };
  return { config: buildConfig(read.raw, env, cwd, file ?? undefined, read), file };
}

/** The pure half of loadConfig: overrides, validation, defaults, freezing. */
export function buildConfig(raw: unknown, env: NodeJS.ProcessEnv = {}, cwd = process.cwd(), file?: string, notes: ConfigFileNotes = { numberSources: new Map(), problems: [] }): HubConfig {
  const where = file ?? 'config';
  if (raw === null || raw === undefined) raw = {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    // Never the value itself: a --config pointed at a key file or a one-line secret parses as a string.
    throw new ConfigError([`${where}: the top level must be a mapping of keys (like "http:"), not ${Array.isArray(raw) ? 'a list' : `a ${typeof raw}`}`]);
  }
  const data = structuredClone(raw) as Record<string, unknown>;
  const sources = new Map<string, string>();
  for (const [name, path] of ENV_OVERRIDES) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    setPath(data, path, /^-?\d+(\.\d+)?$/.test(value) && !path.endsWith('url') && !path.endsWith('token') && !path.endsWith('apiKey') ? Number(value) : value);
    sources.set(path, name);
  }
  const valid = validate(data);
  if (!valid || notes.problems.length > 0) {
    const errors = valid ? [] : validate.errors ?? [];
    refuseIfNotAConfig(Object.keys(raw as object), errors, where);
    // A path the YAML check already explained (an unquoted hex id) needs no second line from the schema.
    const explained = new Set(notes.problems.map((p) => p.path));
    const rest = errors.filter((e) => !explained.has(errorPath(e)));
    throw new ConfigError(capped([...notes.problems.map((p) => p.message), ...formatSchemaErrors(rest, data, (p) => sources.get(p), notes.numberSources)]));
  }
  const config = data as unknown as HubConfig & { dataDir: string };
  (config as { dataDir: string }).dataDir = resolve(cwd, config.dataDir);
  return deepFreeze(config);
}

/** Every problem at once, but not 10,000 lines of them: a file that wrong needs its first screenful fixed. */
const MAX_PROBLEMS = 50;
function capped(problems: string[]): string[] {
  return problems.length <= MAX_PROBLEMS ? problems : [...problems.slice(0, MAX_PROBLEMS), `… and ${problems.length - MAX_PROBLEMS} more problems`];
}

async function existingFile(path: string): Promise<string | null> {
  try {
    await access(path);
    return path;
  } catch {
    return null;
  }
}

/**
 * A file none of whose top-level keys is a voicehub key (or a near typo of one, like `htpp`) is not a
 * config that went wrong but some other file (`--config` or a symlink pointed at a secret): say so
 * without naming its keys, which would print its lines. Only the near typos are named, with the fix.
 */
function refuseIfNotAConfig(keys: string[], errors: ErrorObject[], where: string): void {
  const unknownTop = errors.filter((e) => e.keyword === 'additionalProperties' && e.instancePath === '');
  const unknown = new Set(unknownTop.map((e) => String(e.params.additionalProperty)));
  if (keys.length === 0 || !keys.every((k) => unknown.has(k))) return;
  const allowed = Object.keys((unknownTop[0]!.parentSchema?.properties as object | undefined) ?? {}).filter((k) => k !== '$schema');
  const guesses = keys.map((k) => ({ key: k, guess: k.length <= 20 ? closest(k, allowed) : undefined }));
  if (guesses.every((g) => g.guess)) return; // all typos: the usual "unknown key (did you mean …)" lines say more
  throw new ConfigError([
    `${where}: does not look like a voicehub config: none of its ${keys.length} top-level key(s) is one of ${allowed.join(', ')} (its content is not shown)`,
    ...guesses.flatMap((g) => (g.guess ? [`${clip(g.key)}: unknown key (did you mean "${g.guess}"?)`] : [])),
  ], 'CONFIG_UNRECOGNISED');
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur = target;
  for (const key of keys.slice(0, -1)) {
    const next = cur[key];
    if (next === null || typeof next !== 'object') cur[key] = {};
    cur = cur[key] as Record<string, unknown>;
  }
  cur[keys.at(-1)!] = value;
}
