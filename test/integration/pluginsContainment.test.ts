import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../daemon/core/log.js';
import { HubError } from '../../daemon/core/errors.js';
import type { HealthRegistry } from '../../daemon/health/healthChecks.js';
import type { PluginHost } from '../../daemon/plugins/pluginHost.js';
import { FIXTURES, ShiftedClock, call, hostFor, makeContext, request, type Harness } from '../unit/plugins/harness.js';

const isCode = (code: string) => (err: unknown) => err instanceof HubError && err.code === code;

async function start(t: { after(fn: () => Promise<void>): void }, plugins: Record<string, unknown> = {}, log?: ReturnType<typeof createLogger>): Promise<{ h: Harness; host: PluginHost }> {
  const h = await makeContext({ plugins: { dir: join(FIXTURES, 'containment'), timeoutMs: 300, failuresBeforePause: 5, pauseMs: 60_000, ...plugins } }, { log, clock: new ShiftedClock() });
  const host = hostFor(h, {});
  t.after(async () => { await host.stop(); await h.close(); });
  await host.start();
  return { h, host };
}

const chaos = (host: PluginHost, mode: string) => host.handleIntent(request('ChaosAct', { mode }), call());
const steady = (host: PluginHost, text = 'ping') => host.handleIntent(request('SteadyAct', {}, text), call());

test('a handler that throws or rejects answers PLUGIN_FAILED and the hub goes on', async (t) => {
  const { h, host } = await start(t);
  await assert.rejects(chaos(host, 'throw'), isCode('PLUGIN_FAILED'));
  await assert.rejects(chaos(host, 'reject'), isCode('PLUGIN_FAILED'));
  await assert.rejects(chaos(host, 'bad-reply'), isCode('PLUGIN_FAILED'));
  assert.equal((await chaos(host, 'calm')).reply.text, 'chaos is calm');
  const metrics = await h.ctx.metrics.getSingleMetricAsString('voicehub_plugin_failures_total');
  assert.match(metrics, /voicehub_plugin_failures_total\{plugin="com.fixture.chaos"\} 3/);
});

test('using an ungranted power inside a handler is PLUGIN_SCOPE_DENIED, answered as PLUGIN_FAILED', async (t) => {
  const { host } = await start(t);
  await assert.rejects(chaos(host, 'devices'), (err: unknown) =>
    err instanceof HubError && err.code === 'PLUGIN_FAILED' && err.details?.reason === 'PLUGIN_SCOPE_DENIED');
});

test('a refusal reaches the caller with its own code and is not a failure', async (t) => {
  const { host } = await start(t);
  await assert.rejects(chaos(host, 'refuse'), isCode('VALUE_OUT_OF_RANGE'));
  assert.equal(host.list().find((p) => p.id === 'com.fixture.chaos')?.failures, 0);
});

test('a handler that never answers gets TIMEOUT, while another plugin keeps answering', async (t) => {
  const { host } = await start(t);
  let hungSettled = false;
  const hung = chaos(host, 'hang').finally(() => { hungSettled = true; });
  const outcome = assert.rejects(hung, isCode('TIMEOUT'));
  // While the bad one hangs, the other plugin answers, several times over.
  for (let i = 0; i < 3; i++) assert.equal((await steady(host, `n${i}`)).reply.text, `steady: n${i}`);
  assert.equal(hungSettled, false, 'the steady plugin answered while the hung call was still pending');
  await outcome;
});

test('an endless loop that yields is timed out and told to stop through its signal', async (t) => {
  const { host } = await start(t);
  const looping = chaos(host, 'yield-loop');
  assert.equal((await steady(host)).reply.text, 'steady: ping');
  await assert.rejects(looping, isCode('TIMEOUT'));
  assert.equal(host.list().find((p) => p.id === 'com.fixture.chaos')?.failures, 1);
});

test('five failures in a row pause the plugin, others unaffected; it resumes after pauseMs', async (t) => {
  const { h, host } = await start(t);
  for (let i = 0; i < 5; i++) await assert.rejects(chaos(host, 'throw'), isCode('PLUGIN_FAILED'));
  const info = host.list().find((p) => p.id === 'com.fixture.chaos')!;
  assert.equal(info.state, 'paused');
  assert.equal(info.errorCode, 'PLUGIN_PAUSED');
  assert.ok(info.pausedUntil);
  await assert.rejects(chaos(host, 'calm'), isCode('PLUGIN_PAUSED'));
  assert.equal((await steady(host)).reply.text, 'steady: ping');
  const health = (h.ctx.health as HealthRegistry).evaluate();
  assert.equal(health.checks.plugins?.ok, false);
  assert.equal((health.checks.plugins?.plugins as Record<string, { state: string }>)['com.fixture.chaos']?.state, 'paused');
  h.clock.offset += 60_000; // the pause is over
  assert.equal((await chaos(host, 'calm')).reply.text, 'chaos is calm');
  assert.equal(host.list().find((p) => p.id === 'com.fixture.chaos')?.state, 'running');
});

test('stopping the host answers calls still in flight instead of leaving them hanging', async (t) => {
  const { host } = await start(t, { timeoutMs: 600_000 });
  const hung = assert.rejects(chaos(host, 'hang'), isCode('SHUTTING_DOWN')); // handled now: stop() awaits the plugin's process
  await host.stop();
  await hung;
});

test('a floating rejection made inside a plugin is claimed for that plugin and counted', async (t) => {
  // The subject is the hub process's own unhandledRejection handler, which sees only in-process plugins'
  // rejections; an isolated plugin's are counted by its host (pluginsIsolation.test.ts).
  const { host } = await start(t, { 'com.fixture.chaos': { isolation: 'none' } });
  // Stand in for the daemon's process-level handler, which asks the host before treating it as a crash.
  const previous = process.listeners('unhandledRejection');
  process.removeAllListeners('unhandledRejection');
  const claimed: Array<string | null> = [];
  const seen = new Promise<void>((resolve) => {
    process.on('unhandledRejection', (reason) => { claimed.push(host.claim(reason)); resolve(); });
  });
  try {
    assert.equal((await chaos(host, 'floating')).reply.text, 'left a rejection behind');
    await seen;
  } finally {
    process.removeAllListeners('unhandledRejection');
    for (const l of previous) process.on('unhandledRejection', l);
  }
  assert.deepEqual(claimed, ['com.fixture.chaos']);
  assert.equal(host.list().find((p) => p.id === 'com.fixture.chaos')?.failures, 1);
  assert.equal(host.claim(new Error('not from a plugin')), null);
});

test('the trace id reaches the plugin and its log lines', async (t) => {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({ write(chunk, _enc, done) { for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l)); done(); } });
  const { host } = await start(t, {}, createLogger({ level: 'info', destination: sink }));
  const { reply } = await host.handleIntent(request('ChaosAct', { mode: 'trace' }), call('trace-42'));
  assert.equal(reply.text, 'trace-42');
  const line = lines.find((l) => l.msg === 'handling with a trace id');
  assert.equal(line?.traceId, 'trace-42');
  assert.equal(line?.plugin, 'com.fixture.chaos');
});
