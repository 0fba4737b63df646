import { readFile, access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError } from '../errors.js';
import { deepFreeze } from '../deepFreeze.js';
import type { HubConfig } from './schema.js';
import { validateConfig as validate } from '../validation/compiled.js';
import { formatSchemaErrors } from './formatErrors.js';

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
  const raw = file ? await readYaml(file, Boolean(explicit)) : {};
  return { config: buildConfig(raw, env, cwd, file ?? undefined), file };
}

/** The pure half of loadConfig: overrides, validation, defaults, freezing. */
export function buildConfig(raw: unknown, env: NodeJS.ProcessEnv = {}, cwd = process.cwd(), file?: string): HubConfig {
  const where = file ?? 'config';
  if (raw === null || raw === undefined) raw = {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError([`${where}: the top level must be a mapping of keys, not ${Array.isArray(raw) ? 'a list' : JSON.stringify(raw)}`]);
  }
  const data = structuredClone(raw) as Record<string, unknown>;
  const sources = new Map<string, string>();
  for (const [name, path] of ENV_OVERRIDES) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    setPath(data, path, /^-?\d+(\.\d+)?$/.test(value) && !path.endsWith('url') && !path.endsWith('token') ? Number(value) : value);
    sources.set(path, name);
  }
  if (!validate(data)) {
    throw new ConfigError(formatSchemaErrors(validate.errors ?? [], data, (p) => sources.get(p)));
  }
  const config = data as unknown as HubConfig & { dataDir: string };
  (config as { dataDir: string }).dataDir = resolve(cwd, config.dataDir);
  return deepFreeze(config);
}

async function existingFile(path: string): Promise<string | null> {
  try {
    await access(path);
    return path;
  } catch {
    return null;
  }
}

async function readYaml(file: string, explicit: boolean): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable (check its permissions)' : String(err);
    throw new ConfigError([`${file}: ${why}${explicit ? '' : ''}`], 'CONFIG_UNREADABLE');
  }
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => {
      const pos = e.linePos?.[0];
      return `${file}${pos ? `:${pos.line}:${pos.col}` : ''}: YAML ${e.message.split('\n')[0]}`;
    }), 'CONFIG_UNREADABLE');
  }
  return doc.toJS();
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
