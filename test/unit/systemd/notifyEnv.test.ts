import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNotifySocket, parseSystemdEnv } from '../../../daemon/systemd/notifyEnv.js';

const PID = 4242;
const codes = (env: NodeJS.ProcessEnv) => parseSystemdEnv(env, PID).problems.map((p) => p.code);

test('nothing set: notifications and watchdog off, no problem reported', () => {
  assert.deepEqual(parseSystemdEnv({}, PID), { notifySocket: null, watchdogTimeoutMs: null, watchdogIntervalMs: null, problems: [] });
  assert.deepEqual(parseSystemdEnv({ NOTIFY_SOCKET: '', WATCHDOG_USEC: '' }, PID).problems, []);
});

test('NOTIFY_SOCKET: absolute paths, abstract names and vsock pass; anything else is refused with a reason', () => {
  assert.equal(parseNotifySocket('/run/systemd/notify'), '/run/systemd/notify');
  assert.equal(parseNotifySocket('@/org/freedesktop/systemd1/notify/123'), '@/org/freedesktop/systemd1/notify/123');
  assert.equal(parseNotifySocket('vsock:2:1234'), 'vsock:2:1234');
  for (const bad of ['relative/notify', '@', '/', `/${'x'.repeat(120)}`, 'notify']) {
    const problems: Parameters<typeof parseNotifySocket>[1] = [];
    assert.equal(parseNotifySocket(bad, problems), null, bad);
    assert.equal(problems[0]?.code, 'NOTIFY_SOCKET_INVALID', bad);
    assert.equal(problems[0]?.value, bad);
  }
});

test('WATCHDOG_USEC: the interval is half the timeout, in ms', () => {
  const env = parseSystemdEnv({ NOTIFY_SOCKET: '/run/n', WATCHDOG_USEC: '30000000' }, PID);
  assert.equal(env.watchdogTimeoutMs, 30000);
  assert.equal(env.watchdogIntervalMs, 15000);
  assert.equal(parseSystemdEnv({ NOTIFY_SOCKET: '/run/n', WATCHDOG_USEC: '200000' }, PID).watchdogIntervalMs, 100);
  assert.equal(parseSystemdEnv({ NOTIFY_SOCKET: '/run/n', WATCHDOG_USEC: ' 2000000\n' }, PID).watchdogIntervalMs, 1000);
});

test('WATCHDOG_USEC: extremes are clamped to what a timer can do', () => {
  assert.equal(parseSystemdEnv({ NOTIFY_SOCKET: '/run/n', WATCHDOG_USEC: '1' }, PID).watchdogIntervalMs, 1);
  assert.equal(parseSystemdEnv({ NOTIFY_SOCKET: '/run/n', WATCHDOG_USEC: '1000000000000000' }, PID).watchdogIntervalMs, 2 ** 31 - 1);
});

test('WATCHDOG_USEC garbage: watchdog off, one WATCHDOG_USEC_INVALID problem naming the value', () => {
  for (const bad of ['abc', '-5', '1.5', '0', '1e6', '30s', '99999999999999999999']) {
    const env = parseSystemdEnv({ NOTIFY_SOCKET: '/run/n', WATCHDOG_USEC: bad }, PID);
    assert.equal(env.watchdogIntervalMs, null, bad);
    assert.equal(env.notifySocket, '/run/n', 'notifications stay on');
    assert.deepEqual(env.problems.map((p) => [p.code, p.value]), [['WATCHDOG_USEC_INVALID', bad]]);
  }
});

test('WATCHDOG_PID: ours keeps the watchdog, another pid or garbage turns it off', () => {
  const base = { NOTIFY_SOCKET: '/run/n', WATCHDOG_USEC: '1000000' };
  assert.equal(parseSystemdEnv({ ...base, WATCHDOG_PID: String(PID) }, PID).watchdogIntervalMs, 500);
  const other = parseSystemdEnv({ ...base, WATCHDOG_PID: '1' }, PID);
  assert.equal(other.watchdogIntervalMs, null);
  assert.deepEqual(other.problems.map((p) => p.code), ['WATCHDOG_PID_OTHER']);
  assert.deepEqual(codes({ ...base, WATCHDOG_PID: 'self' }), ['WATCHDOG_PID_INVALID']);
  assert.deepEqual(codes({ ...base, WATCHDOG_PID: '0' }), ['WATCHDOG_PID_INVALID']);
});

test('a watchdog without a usable socket is off, and says so', () => {
  const env = parseSystemdEnv({ WATCHDOG_USEC: '1000000' }, PID);
  assert.equal(env.watchdogIntervalMs, null);
  assert.deepEqual(env.problems.map((p) => p.code), ['WATCHDOG_WITHOUT_SOCKET']);
  assert.deepEqual(codes({ NOTIFY_SOCKET: 'nope', WATCHDOG_USEC: '1000000' }), ['NOTIFY_SOCKET_INVALID', 'WATCHDOG_WITHOUT_SOCKET']);
});
