import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HubError } from '../../daemon/core/errors.js';
import { defaultBuiltinDir } from '../../daemon/plugins/discovery.js';
import { silentLogger } from '../../daemon/core/log.js';
import { IntentPipeline } from '../../daemon/pipeline/intentPipeline.js';
import { ShiftedClock, call, engineFor, hostFor, makeContext, request } from '../unit/plugins/harness.js';

const builtins = { builtinDir: defaultBuiltinDir() };

test('a timer survives a restart: a new host on the same data dir fires it and speaks to the session that set it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'voicehub-timers-'));
  // Cleanup runs last-made-first: the second host, its storage, then the directory.
  const cleanup: Array<() => Promise<void>> = [() => rm(dir, { recursive: true, force: true })];
  t.after(async () => { for (const step of cleanup.reverse()) await step(); });
  const clock = new ShiftedClock();

  // First life: set a 5-minute timer, then stop everything (storage flushes on stop).
  const first = await makeContext({}, { dir, clock });
  const host1 = hostFor(first, builtins);
  await host1.start();
  const set = await host1.handleIntent(request('HassStartTimer', { duration: 300 }, 'set a timer for 5 minutes'), call('trace-a', 'kitchen-session'));
  assert.equal(set.pluginId, 'voicehub.timers');
  assert.equal(set.reply.text, 'Timer set for 5 minutes.');
  await host1.stop();
  await first.close();
  assert.equal(first.spoken.length, 0);

  // Second life, six minutes later: the stored timer is overdue and fires at once.
  clock.offset += 6 * 60_000;
  const second = await makeContext({}, { dir, clock });
  const host2 = hostFor(second, builtins);
  cleanup.push(async () => { await host2.stop(); await second.close(); });
  const spoken = new Promise<void>((resolve) => second.ctx.bus.on('voice.speak', {}, () => resolve()));
  await host2.start();
  await spoken;
  assert.deepEqual(second.spoken, [{ sessionId: 'kitchen-session', clientId: 'client-1', text: 'Your timer for 5 minutes is done.', source: 'voicehub.timers' }]);
  const status = await host2.handleIntent(request('HassTimerStatus'), call());
  assert.equal(status.reply.text, 'There are no timers running.');
});

test('timers in Chinese: set, status and cancel answer in Chinese; a pending timer does not fire after cancel', async (t) => {
  const h = await makeContext({});
  const host = hostFor(h, builtins);
  t.after(async () => { await host.stop(); await h.close(); });
  await host.start();
  const zh = (intent: string, slots: Record<string, number | string> = {}) => host.handleIntent(request(intent, slots, '定时器', 'zh'), call());
  assert.equal((await zh('HassStartTimer', { duration: 300 })).reply.text, '已设置5分钟的定时器。');
  assert.match((await zh('HassTimerStatus')).reply.text, /^5分钟的定时器还剩(5分钟|4分钟\d+秒)。$/);
  assert.equal((await zh('HassCancelTimer')).reply.text, '已取消5分钟的定时器。');
  assert.equal((await zh('HassTimerStatus')).reply.text, '现在没有定时器。');
  assert.equal(host.list().find((p) => p.id === 'voicehub.timers')?.jobs, 0);
});

test('a timer fires and speaks in the language it was set in', async (t) => {
  const h = await makeContext({});
  const host = hostFor(h, builtins);
  t.after(async () => { await host.stop(); await h.close(); });
  await host.start();
  const spoken = new Promise<void>((resolve) => h.ctx.bus.on('voice.speak', {}, () => resolve()));
  await host.handleIntent(request('HassStartTimer', { duration: 1 }, '设置一个一秒的定时器', 'zh'), call('t', 'zh-session'));
  await spoken;
  assert.deepEqual(h.spoken, [{ sessionId: 'zh-session', clientId: 'client-1', text: '1秒的定时器时间到了。', source: 'voicehub.timers' }]);
});

test('a timer duration out of range is refused clearly and nothing is scheduled', async (t) => {
  const h = await makeContext({});
  const host = hostFor(h, builtins);
  t.after(async () => { await host.stop(); await h.close(); });
  await host.start();
  await assert.rejects(host.handleIntent(request('HassStartTimer', { duration: 3 * 86400 }), call()),
    (err: unknown) => err instanceof HubError && err.code === 'VALUE_OUT_OF_RANGE' && err.message === 'A timer can run from 1 second to 24 hours.');
  await assert.rejects(host.handleIntent(request('HassStartTimer', { duration: 0 }), call()), (err: unknown) => err instanceof HubError && err.code === 'VALUE_OUT_OF_RANGE');
  assert.equal(host.list().find((p) => p.id === 'voicehub.timers')?.jobs, 0);
  assert.equal((await host.handleIntent(request('HassStartTimer', {}), call())).reply.text, 'For how long should the timer run?');
});

test('timers can be paused, resumed, lengthened, named and cancelled all at once', async (t) => {
  const h = await makeContext({});
  const host = hostFor(h, builtins);
  t.after(async () => { await host.stop(); await h.close(); });
  await host.start();
  const say = async (intent: string, slots: Record<string, number | string> = {}) => (await host.handleIntent(request(intent, slots), call())).reply.text;
  assert.equal(await say('HassStartTimer', { duration: 600, timer_name: 'pasta' }), 'Pasta timer set for 10 minutes.');
  assert.equal(await say('HassStartTimer', { duration: 90 }), 'Timer set for 1 minute 30 seconds.');
  assert.match(await say('HassPauseTimer', { timer_name: 'pasta' }), /^Paused the timer; (10 minutes|9 minutes 59 seconds) left\.$/);
  assert.equal(await say('HassPauseTimer', { timer_name: 'pasta' }), 'That timer is already paused.');
  assert.match(await say('HassTimerStatus'), /^The pasta timer is paused with (10 minutes|9 minutes 59 seconds) left; /);
  assert.match(await say('HassIncreaseTimer', { timer_name: 'pasta', duration: 300 }), /^The timer now has (15 minutes|14 minutes 59 seconds) left\.$/);
  assert.match(await say('HassUnpauseTimer', { timer_name: 'pasta' }), /^Resumed the timer; /);
  assert.equal(await say('HassCancelTimer', { timer_name: 'soup' }), 'There is no such timer.');
  assert.equal(await say('HassStartTimer', { duration: 60 }), 'Timer set for 1 minute.');
  assert.equal(await say('HassCancelTimer', { duration: 90 }), 'Cancelled the timer for 1 minute 30 seconds.');
  assert.equal(await say('HassCancelAllTimers'), 'Cancelled 2 timers.');
  assert.equal(await say('HassCancelAllTimers'), 'There are no timers running.');
  assert.equal(host.list().find((p) => p.id === 'voicehub.timers')?.jobs, 0);
});

test('through the real intent engine: "set a timer for 5 minutes" and "设置一个五分钟的定时器"', async (t) => {
  const h = await makeContext({});
  const { adapter } = engineFor();
  const host = hostFor(h, builtins, { intents: adapter });
  t.after(async () => { await host.stop(); await h.close(); });
  await host.start();
  const pipeline = new IntentPipeline(adapter, host);
  const ctx = { traceId: 's/u', sessionId: 's', subject: 'c', scopes: ['voice'], attempt: 0, signal: new AbortController().signal, log: silentLogger() };
  assert.deepEqual(await pipeline.handle({ id: 'u1', text: 'set a timer for 5 minutes' }, ctx), { text: 'Timer set for 5 minutes.', intent: 'HassStartTimer', handledBy: 'voicehub.timers' });
  assert.deepEqual(await pipeline.handle({ id: 'u2', text: '设置一个五分钟的定时器' }, ctx), { text: '已设置5分钟的定时器。', intent: 'HassStartTimer', handledBy: 'voicehub.timers' });
  assert.equal((await pipeline.handle({ id: 'u3', text: 'cancel all timers' }, ctx)).text, 'Cancelled 2 timers.');
});
