import type { TokenVerifier } from '../auth/tokens.js';
import { requireScope } from '../auth/httpGuard.js';
import { sendJson, type HttpServer } from './httpServer.js';

/** What the JSON API reads: the device layer (DeviceService) and the plugin host (PluginHost) fit. */
export interface ApiPorts {
  devices: { list(): readonly unknown[] };
  plugins: { listing(): readonly unknown[] };
}

/**
 * The JSON API (PROTOCOL §2). Each route needs a token with its scope, or `admin`:
 * GET /api/devices (devices:read), GET /api/plugins (admin).
 */
export function registerApiRoutes(http: HttpServer, ports: ApiPorts, auth: TokenVerifier): void {
  http.route('GET', '/api/devices', async (req, res) => {
    if (!(await requireScope(req, res, auth, 'devices:read'))) return;
    sendJson(res, 200, { devices: ports.devices.list() });
  });

  http.route('GET', '/api/plugins', async (req, res) => {
    if (!(await requireScope(req, res, auth, 'admin'))) return;
    sendJson(res, 200, { plugins: ports.plugins.listing() });
  });
}
