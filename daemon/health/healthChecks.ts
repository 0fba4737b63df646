import type { HealthChecks, HealthResult } from '../core/context.js';

export type HealthStatus = 'ok' | 'degraded' | 'down' | 'starting';

interface Check { run: () => HealthResult; critical: boolean }

/**
 * The named checks behind GET /health. Each check answers from values its subsystem keeps up to date, so
 * the endpoint never waits on I/O. A failing critical check (db) means `down` and 503; any other failing
 * check means `degraded`, still 200, so a missing cloud link does not get a local-first hub restarted. A
 * critical check may say `degraded: true` for a failure the hub runs on through (a full or read-only disk:
 * a restart would not help, and the house is still served from memory).
 */
export class HealthRegistry implements HealthChecks {
  private readonly checks = new Map<string, Check>();
  /** False until every subsystem has started: HTTP listens early, and until then /health says `starting`. */
  private ready: boolean;

  /** `starting: true` (the hub): `starting` until markReady(); a registry on its own is ready at once. */
  constructor(options: { starting?: boolean } = {}) {
    this.ready = !options.starting;
  }

  /** The hub finished starting (plugins included): /health reports its checks from now on. */
  markReady(): void {
    this.ready = true;
  }

  register(name: string, run: () => HealthResult, options: { critical?: boolean } = {}): void {
    this.checks.set(name, { run, critical: options.critical ?? false });
  }

  unregister(name: string): void {
    this.checks.delete(name);
  }

  evaluate(): { status: HealthStatus; checks: Record<string, HealthResult> } {
    const checks: Record<string, HealthResult> = {};
    let status: HealthStatus = 'ok';
    for (const [name, check] of this.checks) {
      let result: HealthResult;
      try {
        result = check.run();
      } catch (err) {
        result = { ok: false, error: (err as Error).message };
      }
      checks[name] = result;
      if (!result.ok) status = check.critical && result.degraded !== true ? 'down' : status === 'ok' ? 'degraded' : status;
    }
    return { status: this.ready || status === 'down' ? status : 'starting', checks };
  }
}
