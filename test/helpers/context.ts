import { Registry } from 'prom-client';
import { buildConfig } from '../../daemon/config/load.js';
import { EventBus } from '../../daemon/core/bus.js';
import { silentLogger, type Logger } from '../../daemon/core/log.js';
import { HealthRegistry } from '../../daemon/health/healthChecks.js';
import { systemClock, type HubContext } from '../../daemon/core/context.js';

/** A real HubContext for in-process tests: validated config with defaults, real bus, metrics and health. */
export function testContext(raw: Record<string, unknown> = {}, log: Logger = silentLogger()): HubContext & { health: HealthRegistry } {
  const config = buildConfig(raw);
  const health = new HealthRegistry();
  return {
    config,
    log,
    bus: new EventBus(log),
    metrics: new Registry(),
    health,
    clock: systemClock,
    store: undefined as never,
    mqtt: undefined as never,
  };
}

/** A logger that keeps every line as an object, for asserting on what was logged. */
export async function capturingLogger(): Promise<{ log: Logger; lines: Array<Record<string, unknown>> }> {
  const { pino } = await import('pino');
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => { lines.push(JSON.parse(s) as Record<string, unknown>); } });
  return { log, lines };
}
