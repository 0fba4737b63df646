import { loadOrCreateKey } from './auth/keys.js';
import { signToken } from './auth/tokens.js';
import { withConfig, processIo, type Io } from './cliCommands.js';

/**
 * `voicehub devices set ID [--name N] [--area A] [--floor F | --no-floor] [--alias X]… [--clear-alias] [--reset]`: asks the running
 * hub over its HTTP API (PATCH /api/devices/:id) with a short-lived admin token the CLI makes from the hub's
 * signing key in the data dir (whoever can read that key is the hub's admin already).
 *
 * Why through the running hub rather than writing the file for the hub to watch: the hub stays the only
 * writer of its data dir (no torn or lost writes between two processes), the change is checked by the same
 * code as the page's and applied at once, and a hub that is not running says so instead of a silent edit.
 */
export interface DevicesSetOptions {
  configPath?: string;
  id: string;
  name?: string;
  area?: string;
  /** A configured floor (key or alias); false (`--no-floor`) puts it back on its area's floor. */
  floor?: string | false;
  alias: string[];
  clearAlias?: boolean;
  reset?: boolean;
  /** The hub's base URL; default http://127.0.0.1:<http.port> (or http.host when it is a specific address). */
  url?: string;
}

/** Token lifetime: one request. */
const TOKEN_TTL = '2m';
const REQUEST_TIMEOUT_MS = 10_000;

export function patchBody(o: Pick<DevicesSetOptions, 'name' | 'area' | 'floor' | 'alias' | 'clearAlias' | 'reset'>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (o.reset) body.reset = true;
  if (o.name !== undefined) body.name = o.name;
  if (o.area !== undefined) body.area = o.area;
  if (o.floor !== undefined) body.floor = o.floor === false ? null : o.floor;
  if (o.clearAlias) body.aliases = o.alias;
  else if (o.alias.length > 0) body.addAliases = o.alias;
  return body;
}

function defaultUrl(host: string, port: number): string {
  const local = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
  return `http://${local.includes(':') ? `[${local}]` : local}:${port}`;
}

export async function devicesSet(options: DevicesSetOptions, io: Io = processIo): Promise<number> {
  return withConfig(options.configPath, io, async (config) => {
    const body = patchBody(options);
    if (Object.keys(body).length === 0) {
      io.err('voicehub: nothing to set: give --name, --area, --floor, --no-floor, --alias, --clear-alias or --reset');
      return 2;
    }
    const base = (options.url ?? defaultUrl(config.http.host, config.http.port)).replace(/\/+$/, '');
    const key = await loadOrCreateKey(config.dataDir);
    const token = await signToken(key, { sub: 'voicehub-cli', scopes: ['admin'], ttl: TOKEN_TTL });
    let res: Response;
    try {
      res = await fetch(`${base}/api/devices/${encodeURIComponent(options.id)}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      io.err(`voicehub: the hub is not answering at ${base} (${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}). `
        + 'Names are set on the running hub: start it (voicehub start), or pass --url if it listens elsewhere.');
      return 1;
    }
    const answer = await res.json().catch(() => null) as { device?: { id: string; name: string; area?: string; floor?: string; aliases: string[] }; error?: { code: string; reason?: string; message: string } } | null;
    if (!res.ok || !answer?.device) {
      const e = answer?.error;
      io.err(`voicehub: ${e ? `${e.message} [${e.reason ?? e.code}]` : `the hub answered ${res.status}`}`);
      return res.status === 400 ? 2 : 1;
    }
    const d = answer.device;
    io.out(`${d.id}: name "${d.name}", area ${d.area ? `"${d.area}"` : '-'}${d.floor ? `, floor "${d.floor}"` : ''}, aliases ${d.aliases.length > 0 ? d.aliases.map((a) => `"${a}"`).join(', ') : '-'}`);
    return 0;
  });
}
