import { readFile } from 'node:fs/promises';
import { ConfigError } from '../core/errors.js';

/** What the external transport needs from its config besides the URL: TLS material and a safe URL to log. */
export interface TlsPaths {
  ca?: string | null;
  cert?: string | null;
  key?: string | null;
}

/** Reads `mqtt.ca` / `mqtt.cert` / `mqtt.key` (PEM file paths) once at start; a missing file is a config error naming the key. */
export async function readTlsFiles(options: TlsPaths): Promise<{ ca?: Buffer; cert?: Buffer; key?: Buffer }> {
  const read = async (key: 'ca' | 'cert' | 'key'): Promise<Buffer | undefined> => {
    const path = options[key];
    if (!path) return undefined;
    try {
      return await readFile(path);
    } catch (err) {
      throw new ConfigError([`mqtt.${key}: cannot read ${JSON.stringify(path)} (${(err as NodeJS.ErrnoException).code ?? String(err)})`], 'CONFIG_UNREADABLE');
    }
  };
  const [ca, cert, key] = await Promise.all([read('ca'), read('cert'), read('key')]);
  return { ...(ca && { ca }), ...(cert && { cert }), ...(key && { key }) };
}

/** The broker URL without any user:password it may carry, for logs and /health. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = '';
      u.password = '';
    }
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//');
  }
}
