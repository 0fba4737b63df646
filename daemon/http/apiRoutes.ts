import type { TokenVerifier } from '../auth/tokens.js';
import { requireScope } from '../auth/httpGuard.js';
import { isHubError } from '../core/errors.js';
import { sendJson, type HttpServer } from './httpServer.js';
import { readJsonBody } from './jsonBody.js';

/** What the JSON API reads: the device layer (DeviceService) and the plugin host (PluginHost) fit. */
export interface ApiPorts {
  devices: { list(): readonly unknown[]; setOverride?(id: string, body: unknown): unknown };
  plugins: { listing(): readonly unknown[] };
}

/**
 * The JSON API (PROTOCOL §2). Each route needs a token with its scope, or `admin`:
 * GET /api/devices (devices:read), GET /api/plugins (admin), PATCH /api/devices/:id (admin).
 *
 * Renaming needs `admin`, not `devices:control`: a name decides which device every client's "unlock the
 * front door" reaches, so a satellite allowed to switch lights must not be able to move that name to the lock.
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

  const setOverride = ports.devices.setOverride?.bind(ports.devices);
  if (setOverride) {
    // `{"name": "Kettle", "area": "Kitchen", "aliases": ["tea"], "addAliases": [...], "reset": true}`; null gives a
    // field back to what the device announced. Answers the device as it now is.
    http.route('PATCH', '/api/devices/*', async (req, res, { url }) => {
      if (!(await requireScope(req, res, auth, 'admin'))) return;
      let id: string;
      try {
        id = decodeURIComponent(url.pathname.slice('/api/devices/'.length));
      } catch {
        sendJson(res, 400, { error: { code: 'BAD_REQUEST', message: 'the device id is not valid percent-encoding' } });
        return;
      }
      try {
        const body = await readJsonBody(req);
        sendJson(res, 200, { device: setOverride(id, body) });
      } catch (err) {
        if (!isHubError(err)) throw err;
        if (err.code === 'DEVICE_NOT_FOUND') sendJson(res, 404, { error: { code: 'NOT_FOUND', reason: err.code, message: err.message } });
        else if (err.code === 'DEVICE_OVERRIDE_INVALID' || err.code === 'BAD_REQUEST') {
          sendJson(res, 400, { error: { code: 'BAD_REQUEST', ...(err.code !== 'BAD_REQUEST' ? { reason: err.code } : {}), message: err.message } });
        } else throw err;
      }
    });
  }
}
