import type { HubContext } from '../core/context.js';
import type { HealthRegistry } from '../health/healthChecks.js';
import type { SystemSampler } from '../health/systemSampler.js';
import { sendJson, type HttpServer } from './httpServer.js';

/**
 * GET /health and GET /metrics (PROTOCOL §2). /health reads only cached values (check results kept by
 * their subsystems, the last system sample), so it answers in well under 5 ms and never waits on I/O.
 */
export function registerOpsRoutes(http: HttpServer, ctx: HubContext, health: HealthRegistry, sampler: SystemSampler): void {
  http.route('GET', '/health', (_req, res) => {
    const { status, checks } = health.evaluate();
    const s = sampler.latest();
    // `starting` is 503 too: not ready to serve yet (a plugin may still be loading), nothing to restart for.
    sendJson(res, status === 'down' || status === 'starting' ? 503 : 200, {
      status,
      checks,
      system: { cpuTempC: s.cpuTempC, load1: s.load1, memFreeMB: s.memFreeMB, diskFreeMB: s.diskFreeMB, uptimeS: s.uptimeS, hubUptimeS: s.hubUptimeS },
    });
  });

  // Scrapes that arrive while one is being collected share its text: a scrape storm costs one collection
  // (every collect hook, the whole exposition string) at a time, not one per request held in memory at once.
  let collecting: Promise<string> | null = null;
  http.route('GET', '/metrics', async (_req, res) => {
    collecting ??= ctx.metrics.metrics().finally(() => { collecting = null; });
    const text = await collecting;
    res.writeHead(200, { 'content-type': ctx.metrics.contentType, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
}
