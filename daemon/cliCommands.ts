import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from './config/load.js';
import { ConfigError, isHubError } from './core/errors.js';
import { textTable } from './core/textTable.js';
import type { DevicesDocument } from '../devices/registryStore.js';

/**
 * The CLI's read-and-print commands, each a function returning an exit code. They read the data dir the
 * hub persists to, so they work whether or not the hub runs (a running hub's last flush is at most
 * `storage.flushIntervalMs` old).
 */
export interface Io { out(text: string): void; err(text: string): void }

export const processIo: Io = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** Runs a command body, turning config and hub errors into the CLI's exit codes (2 config, 1 other). */
export async function withConfig(configPath: string | undefined, io: Io, body: (config: Awaited<ReturnType<typeof loadConfig>>['config']) => Promise<number>): Promise<number> {
  try {
    const { config } = await loadConfig({ configPath });
    return await body(config);
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const p of err.problems) io.err(`voicehub: config error: ${p}`);
      return 2;
    }
    io.err(`voicehub: ${isHubError(err) ? `${err.message} [${err.code}]` : (err as Error).message}`);
    return 1;
  }
}

export async function devicesList(options: { configPath?: string; json?: boolean }, io: Io = processIo): Promise<number> {
  return withConfig(options.configPath, io, async (config) => {
    const doc = await readDevices(join(config.dataDir, 'devices.json'));
    const devices = Object.values(doc?.devices ?? {}).map((s) => s.device).sort((a, b) => a.id.localeCompare(b.id));
    if (options.json) {
      io.out(JSON.stringify(devices, null, 2));
      return 0;
    }
    if (devices.length === 0) {
      io.out('no devices yet (they appear when they announce themselves over MQTT, or under devices: in voicehub.yaml)');
      return 0;
    }
    const rows = devices.map((d) => [d.id, d.name, d.area ?? '-', d.type, d.available === null ? '?' : d.available ? 'online' : 'offline', summarise(d.state)]);
    io.out(textTable([['ID', 'NAME', 'AREA', 'TYPE', 'AVAILABLE', 'STATE'], ...rows]));
    return 0;
  });
}

/** The persisted registry, falling back to the pending and backup copies exactly as the hub would. */
async function readDevices(file: string): Promise<DevicesDocument | null> {
  for (const path of [file, `${file}.tmp`, `${file}.bak`]) {
    try {
      return JSON.parse(await readFile(path, 'utf8')) as DevicesDocument;
    } catch {
      // missing or torn: try the next copy
    }
  }
  return null;
}

function summarise(state: Record<string, unknown>): string {
  return Object.entries(state).filter(([k]) => k !== 'attributes').map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(' ').slice(0, 60);
}

export async function pluginsList(options: { configPath?: string; json?: boolean }, io: Io = processIo): Promise<number> {
  return withConfig(options.configPath, io, async (config) => {
    const { listPlugins, pluginsBody, formatPluginTable } = await import('./plugins/listPlugins.js');
    const plugins = await listPlugins(config);
    io.out(options.json ? JSON.stringify(pluginsBody(plugins), null, 2) : formatPluginTable(plugins).trimEnd());
    return 0;
  });
}
