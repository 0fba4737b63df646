import type { Counter } from 'prom-client';
import type { HubContext } from '../core/context.js';
import { PluginGuard } from './guard.js';
import type { PluginRecord } from './pluginRecord.js';
import { JobSet } from './scheduler.js';

/**
 * Gives a plugin its guard (timeouts, failure counting, pausing; see guard.ts) and its job set, whose timers
 * and cron jobs run through that guard. Every counted failure goes to `voicehub_plugin_failures_total` and
 * the plugin's log; a pause and its end are logged too.
 */
export function contain(record: PluginRecord, ctx: HubContext, failures: Counter<'plugin'> | null): PluginGuard {
  const id = record.manifest!.id;
  const plugins = ctx.config.plugins;
  const guard: PluginGuard = new PluginGuard({
    pluginId: id,
    timeoutMs: plugins.timeoutMs,
    failuresBeforePause: plugins.failuresBeforePause,
    pauseMs: plugins.pauseMs,
    clock: ctx.clock,
    onFailure: (err, what) => {
      failures?.inc({ plugin: id });
      // For the cloud's outbox (and anything else listening): which plugin, which call, which code; no message.
      ctx.bus.emit('plugin.failure', { plugin: id, code: err.code, what, ts: ctx.clock.now() });
      record.log.error({ err, code: err.code, what }, `plugin call failed: ${err.message}`);
    },
    onPause: (ms, until) => record.log.warn({ pauseMs: ms, until: new Date(until).toISOString() },
      `plugin paused for ${ms} ms after ${guard.consecutiveFailures} failures in a row`),
    onResume: () => record.log.info('plugin pause is over; calls are let through again'),
  });
  record.guard = guard;
  record.jobs = new JobSet({
    clock: ctx.clock, log: record.log, timezone: ctx.config.location.timezone,
    run: (what, fn) => void guard.call(what, () => fn()).catch(() => undefined),
  });
  return guard;
}
