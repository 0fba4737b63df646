import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../core/context.js';
import { isHubError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { LogRing } from '../core/logRing.js';
import { RateLimiter } from '../core/rateLimiter.js';
import { requireScope } from '../auth/httpGuard.js';
import type { TokenVerifier } from '../auth/tokens.js';
import { sendJson, type HttpServer } from '../http/httpServer.js';
import type { DeviceCommand } from '../../devices/model.js';
import { parseCommandBody } from '../devices/commandBody.js';
import { readJsonObject } from '../http/jsonBody.js';
import { consumePairingCode } from './pairingCodes.js';
import { findPageDir, listPageFiles, loadStaticFile, sendStatic, type StaticFile } from './staticFiles.js';

export interface PagePorts {
  dataDir: string;
  clock: Clock;
  log: Logger;
  /** Verifies bearer tokens and signs the page's token after pairing (the AuthService). */
  auth: TokenVerifier & { create(options: { sub: string; scopes: readonly string[]; ttl?: string }): Promise<string> };
  /** The one command path voice uses too (DeviceService.command: translate, validate, publish QoS 1). */
  devices: { command(id: string, command: DeviceCommand, options: { traceId?: string; source: string }): Promise<void> };
  /** The last log lines (admin only); none when the hub was built without one (tests, benchmarks). */
  logRing?: LogRing;
  /** The configured floors (`floors:`), for the edit form's floor picker. */
  floors?: Readonly<Record<string, { readonly aliases?: readonly string[]; readonly level?: number }>>;
}

/** One configured floor as `GET /api/floors` lists it. */
export interface FloorChoice { id: string; aliases: readonly string[]; level: number }

/** Pairing is brute-forceable in principle (10⁶ codes): few tries per address, and few for everyone together. */
const PAIR_PER_ADDRESS = { perSecond: 5 / 60, burst: 5, maxKeys: 1024 };
const PAIR_GLOBAL = { perSecond: 30 / 60, burst: 10, maxKeys: 1 };
const MAX_BODY_BYTES = 1024;

/** Status of each device-layer refusal, as the page shows it inline. */
const COMMAND_STATUS: Record<string, number> = {
  BAD_REQUEST: 400, DEVICE_NOT_FOUND: 404, DEVICE_UNSUPPORTED: 422, VALUE_OUT_OF_RANGE: 422, MQTT_UNAVAILABLE: 503,
};

/**
 * The page (PROTOCOL §2, §9): `GET /` and its assets, `POST /api/pair`, `POST /api/command`, `GET /api/logs`,
 * `GET /api/floors`.
 * Device state reaches the page over `/voice` (`?feed=devices`, daemon/voice/deviceFeed.ts).
 *
 * Renaming a device, its aliases and area goes through `PATCH /api/devices/:id` (daemon/http/apiRoutes.ts,
 * admin), the same overrides as `voicehub devices set`; the page's form is daemon/page/ui/deviceEdit.ts.
 */
export async function registerPageRoutes(http: HttpServer, ports: PagePorts): Promise<void> {
  const dir = await findPageDir();
  const files = dir ? await listPageFiles(dir) : new Map<string, string>();
  const loaded = new Map<string, Promise<StaticFile>>();
  if (!dir) ports.log.warn({ code: 'PAGE_NOT_BUILT' }, 'the page is not built (dist/page is missing): GET / answers 503; run `npm run build`');
  for (const [path, file] of files) {
    http.route('GET', path, async (req, res) => {
      let load = loaded.get(path);
      if (!load) {
        load = loadStaticFile(file);
        loaded.set(path, load);
        load.catch(() => loaded.delete(path)); // a read that failed is tried again by the next request
      }
      sendStatic(req, res, await load);
    });
  }
  if (!files.has('/')) {
    http.route('GET', '/', (_req, res) => sendJson(res, 503, { error: { code: 'PAGE_NOT_BUILT', message: 'the page is not built: run `npm run build`' } }));
  }

  const perAddress = new RateLimiter(PAIR_PER_ADDRESS, ports.clock);
  const everyone = new RateLimiter(PAIR_GLOBAL, ports.clock);
  http.route('POST', '/api/pair', async (req, res) => {
    // Both buckets are asked every time: a refused try still costs the address its token.
    const addressOk = perAddress.take(req.socket.remoteAddress ?? '?');
    if (!addressOk || !everyone.take('all')) {
      const wait = Math.max(1, Math.ceil(Math.max(perAddress.waitMs(req.socket.remoteAddress ?? '?'), everyone.waitMs('all')) / 1000));
      res.setHeader('retry-after', String(wait));
      sendJson(res, 429, { error: { code: 'RATE_LIMITED', message: `too many pairing attempts; try again in ${wait} s` } });
      return;
    }
    const body = await readBody(req, res);
    if (!body) return;
    const code = typeof body.code === 'string' ? body.code.trim() : '';
    const scopes = await consumePairingCode(ports.dataDir, code, ports.clock.now());
    if (!scopes) {
      ports.log.info({ code: 'PAIRING_CODE_INVALID', address: req.socket.remoteAddress }, 'pairing refused: wrong, expired or used code');
      sendJson(res, 401, { error: { code: 'UNAUTHORIZED', reason: 'PAIRING_CODE_INVALID', message: 'that code is wrong, expired or already used: run `voicehub pair` for a new one' } });
      return;
    }
    const sub = `page-${randomBytes(4).toString('hex')}`;
    const token = await ports.auth.create({ sub, scopes, ttl: '30d' });
    ports.log.info({ subject: sub, scopes }, 'a page signed in with a pairing code');
    sendJson(res, 200, { token, sub, scopes });
  });

  http.route('POST', '/api/command', async (req, res, rc) => {
    if (!(await requireScope(req, res, ports.auth, 'devices:control'))) return;
    const body = await readBody(req, res);
    if (!body) return;
    try {
      const { device, command } = parseCommandBody(body);
      await ports.devices.command(device, command, { traceId: rc.traceId, source: 'page' });
      sendJson(res, 200, { ok: true, device, command: command.command });
    } catch (err) {
      if (!isHubError(err) || !(err.code in COMMAND_STATUS)) throw err;
      sendJson(res, COMMAND_STATUS[err.code]!, { error: { code: err.code, message: err.message } });
    }
  });

  // The floors a device may be moved to (the edit form's picker), lowest first: config, read once.
  const floors: FloorChoice[] = Object.entries(ports.floors ?? {})
    .map(([id, f]) => ({ id, aliases: [...(f.aliases ?? [])], level: f.level ?? 0 }))
    .sort((a, b) => a.level - b.level || a.id.localeCompare(b.id));
  http.route('GET', '/api/floors', async (req, res) => {
    if (!(await requireScope(req, res, ports.auth, 'devices:read'))) return;
    sendJson(res, 200, { floors });
  });

  http.route('GET', '/api/logs', async (req, res) => {
    if (!(await requireScope(req, res, ports.auth, 'admin'))) return;
    sendJson(res, 200, { lines: ports.logRing?.snapshot() ?? [] });
  });
}

async function readBody(req: IncomingMessage, res: ServerResponse): Promise<Record<string, unknown> | null> {
  try {
    return await readJsonObject(req, MAX_BODY_BYTES);
  } catch (err) {
    if (!isHubError(err)) throw err;
    sendJson(res, 400, { error: { code: 'BAD_REQUEST', message: err.message } });
    return null;
  }
}
