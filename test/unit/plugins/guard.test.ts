import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HubError } from '../../../daemon/core/errors.js';
import { PluginGuard } from '../../../daemon/plugins/guard.js';
import { ManualClock, flushMicrotasks as settle } from '../../helpers/manualClock.js';

function makeGuard(clock = new ManualClock(), overrides: Partial<{ failuresBeforePause: number; pauseMs: number; timeoutMs: number }> = {}) {
  const events: string[] = [];
  const guard = new PluginGuard({
    pluginId: 'com.test.p', timeoutMs: 100, failuresBeforePause: 3, pauseMs: 1000, clock, ...overrides,
    onFailure: (err) => events.push(`failure:${err.code}`),
    onPause: (ms) => events.push(`pause:${ms}`),
    onResume: () => events.push('resume'),
  });
  return { guard, clock, events };
}

const code = (c: string) => (err: unknown) => err instanceof HubError && err.code === c;

test('a value passes through and a sync throw or a rejection becomes PLUGIN_FAILED', async () => {
  const { guard, events } = makeGuard();
  assert.equal(await guard.call('ok', () => 42), 42);
  await assert.rejects(guard.call('throw', () => { throw new Error('boom'); }), code('PLUGIN_FAILED'));
  await assert.rejects(guard.call('reject', async () => { throw new Error('boom'); }), (err: unknown) => {
    assert.ok(err instanceof HubError);
    assert.equal(err.code, 'PLUGIN_FAILED');
    assert.equal(err.details?.plugin, 'com.test.p');
    return true;
  });
  assert.deepEqual(events, ['failure:PLUGIN_FAILED', 'failure:PLUGIN_FAILED']);
  assert.equal(guard.consecutiveFailures, 2);
});

test('a call that never settles answers TIMEOUT and its signal is aborted', async () => {
  const { guard, clock } = makeGuard();
  let signal: AbortSignal | null = null;
  const pending = guard.call('hang', (s) => { signal = s.signal; return new Promise(() => {}); });
  const outcome = assert.rejects(pending, code('TIMEOUT'));
  await clock.advance(100);
  await outcome;
  assert.equal(signal!.aborted, true);
  assert.equal(guard.totalFailures, 1);
});

test('a rejection after the timeout is swallowed, not counted twice', async () => {
  const { guard, clock } = makeGuard();
  let reject!: (err: Error) => void;
  const pending = guard.call('late', () => new Promise((_, r) => { reject = r; }));
  const outcome = assert.rejects(pending, code('TIMEOUT'));
  await clock.advance(100);
  await outcome;
  reject(new Error('too late'));
  await settle();
  assert.equal(guard.totalFailures, 1);
});

test('refusals pass through unchanged and reset the failure streak', async () => {
  const { guard } = makeGuard();
  await assert.rejects(guard.call('f', () => { throw new Error('x'); }));
  await assert.rejects(guard.call('r', () => { throw new HubError('VALUE_OUT_OF_RANGE', '250 %'); }), code('VALUE_OUT_OF_RANGE'));
  assert.equal(guard.consecutiveFailures, 0);
  assert.equal(guard.totalFailures, 1);
});

test('failures in a row pause the plugin; it resumes after the pause, and a new failure pauses it twice as long', async () => {
  const { guard, clock, events } = makeGuard();
  for (let i = 0; i < 3; i++) await assert.rejects(guard.call('f', () => { throw new Error('x'); }));
  assert.ok(guard.pausedUntil() !== null);
  let ran = false;
  await assert.rejects(guard.call('while paused', () => { ran = true; }), code('PLUGIN_PAUSED'));
  assert.equal(ran, false, 'a paused plugin is not called');
  await clock.advance(1000);
  assert.equal(guard.pausedUntil(), null);
  await assert.rejects(guard.call('half-open', () => { throw new Error('still broken'); }), code('PLUGIN_FAILED'));
  assert.deepEqual(events.filter((e) => e.startsWith('pause') || e === 'resume'), ['pause:1000', 'resume', 'pause:2000']);
  await clock.advance(2000);
  assert.equal(await guard.call('healed', () => 'ok'), 'ok');
  assert.equal(guard.consecutiveFailures, 0);
  for (let i = 0; i < 3; i++) await assert.rejects(guard.call('f', () => { throw new Error('x'); }));
  assert.equal(events.at(-1), 'pause:1000', 'a success resets the backoff');
});

test('uncounted calls (start/stop hooks) time out but neither pause nor wait for a pause', async () => {
  const { guard } = makeGuard(undefined, { failuresBeforePause: 1 });
  await assert.rejects(guard.call('onStart', () => { throw new Error('x'); }, { count: false }), code('PLUGIN_FAILED'));
  assert.equal(guard.pausedUntil(), null);
  await assert.rejects(guard.call('f', () => { throw new Error('x'); }));
  assert.ok(guard.pausedUntil() !== null);
  assert.equal(await guard.call('onStop', () => 'stopped', { count: false }), 'stopped');
});

test('abortAll answers every call in flight at once', async () => {
  const { guard } = makeGuard();
  const a = guard.call('a', () => new Promise(() => {}));
  const b = guard.call('b', () => new Promise(() => {}));
  assert.equal(guard.inflightCount, 2);
  guard.abortAll(new HubError('SHUTTING_DOWN', 'bye'));
  await assert.rejects(a, code('SHUTTING_DOWN'));
  await assert.rejects(b, code('SHUTTING_DOWN'));
  assert.equal(guard.inflightCount, 0);
  assert.equal(guard.totalFailures, 0);
});

test('calls that finish out of order leave the others in flight; abortAll answers exactly those', async () => {
  const { guard } = makeGuard();
  let finishB!: (v: string) => void;
  const a = guard.call('a', () => new Promise(() => {}));
  const b = guard.call('b', () => new Promise<string>((resolve) => { finishB = resolve; }));
  const c = guard.call('c', () => new Promise(() => {}));
  const d = guard.call('d', () => 'at once');
  assert.equal(guard.inflightCount, 3, 'a plain value answers the call before call() returns');
  finishB('b done'); // the middle of the list
  assert.equal(await b, 'b done');
  assert.equal(await d, 'at once');
  assert.equal(guard.inflightCount, 2);
  guard.abortAll(new HubError('SHUTTING_DOWN', 'bye'));
  await assert.rejects(a, code('SHUTTING_DOWN'));
  await assert.rejects(c, code('SHUTTING_DOWN'));
  assert.equal(guard.inflightCount, 0);
  assert.equal(await guard.call('e', () => 'after'), 'after', 'the guard takes calls again');
});

test('check vets a result: a reply it refuses is the plugin\'s failure, one it accepts comes back as it shaped it', async () => {
  const { guard, events } = makeGuard();
  const vet = (value: unknown) => {
    if (typeof value !== 'string') throw new Error('a reply must be text');
    return { text: value };
  };
  assert.deepEqual(await guard.call('good', async () => 'hi', { check: vet }), { text: 'hi' });
  await assert.rejects(guard.call('bad', async () => 42, { check: vet }), (err: unknown) =>
    err instanceof HubError && err.code === 'PLUGIN_FAILED' && /a reply must be text/.test(err.message));
  assert.equal(guard.consecutiveFailures, 1);
  assert.deepEqual(events, ['failure:PLUGIN_FAILED']);
});
