import type { HubContext } from '../context.js';
import type { TokenVerifier } from '../auth/tokens.js';
import { requireScope } from '../auth/httpGuard.js';
import { sendJson, type HttpServer } from './httpServer.js';

interface Listable { list(): readonly unknown[] }
interface PluginListing { listing(): unknown[] }

/**
 * The JSON API (PROTOCOL §2). Each route needs a token with its scope, or `admin`:
 * GET /api/devices (devices:read), GET /api/plugins (admin).
 */
export function registerApiRoutes(http: HttpServer, ctx: HubContext, auth: TokenVerifier): void {
  http.route('GET', '/api/devices', async (req, res) => {
    if (!(await requireScope(req, res, auth, 'devices:read'))) return;
    const devices = (ctx.services.devices as Listable | undefined)?.list() ?? [];
    sendJson(res, 200, { devices });
  });

  http.route('GET', '/api/plugins', async (req, res) => {
    if (!(await requireScope(req, res, auth, 'admin'))) return;
    const plugins = (ctx.services.plugins as PluginListing | undefined)?.listing() ?? [];
    sendJson(res, 200, { plugins });
  });
}
