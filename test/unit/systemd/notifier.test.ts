import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../../../daemon/core/log.js';
import type { Clock } from '../../../daemon/core/context.js';
import { createSystemdNotifier, NOTIFY_LOG_PROBLEMS } from '../../../daemon/systemd/notify.js';

const FIXTURES = resolve(fileURLToPath(import.meta.url), '../../../../../test/fixtures/systemd');

interface LogLine { level: string; msg: string; problem?: string; kind?: string; detail?: string }

function captureLog() {
  const lines: LogLine[] = [];
  const log = createLogger({ level: 'debug', destination: { write: (s: string) => void lines.push(JSON.parse(s)) } });
  const problems = () => lines.filter((l) => l.problem).map((l) => `${l.level}:${l.problem}`);
  return { log, lines, problems };
}

/** A clock whose timers fire only when the test says so. */
function manualClock() {
  const timers = new Map<number, { fn: () => void; ms: number; unref: boolean }>();
  let nextId = 1;
  const clock: Clock = {
    now: () => 0,
    setTimeout(fn, ms) {
      const id = nextId++;
      const entry = { fn, ms, unref: false };
      timers.set(id, entry);
      return { id, unref: () => { entry.unref = true; } } as unknown as NodeJS.Timeout;
    },
    clearTimeout(handle) {
      timers.delete((handle as unknown as { id: number }).id);
    },
  };
  const fire = () => {
    const [id, entry] = [...timers][0] ?? [];
    assert.ok(id !== undefined && entry, 'a timer is pending');
    timers.delete(id);
    entry.fn();
  };
  return { clock, timers, fire };
}

/** Copies a fixture script into the temp dir and makes it executable (git may not keep the mode bit). */
async function script(dir: string, name: string): Promise<string> {
  const target = join(dir, name);
  await copyFile(join(FIXTURES, name), target);
  await chmod(target, 0o755);
  return target;
}

async function recorded(file: string): Promise<string[]> {
  try {
    return (await readFile(file, 'utf8')).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, limitMs = 5000): Promise<T> {
  for (let waited = 0; waited < limitMs; waited += 10) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(10);
  }
  throw new Error(`gave up waiting for ${what}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const systemdNotifyPresent = await new Promise<boolean>((done) => execFile('systemd-notify', ['--version'], (err) => done(!err)));

test('without NOTIFY_SOCKET nothing is sent and nothing is logged above debug', async () => {
  const { log, lines } = captureLog();
  const sd = createSystemdNotifier({ log, env: { PATH: process.env.PATH }, command: '/nonexistent/systemd-notify' });
  assert.equal(sd.enabled, false);
  assert.equal(sd.watchdogIntervalMs, null);
  assert.deepEqual(await Promise.all([sd.ready('x'), sd.status('y'), sd.stopping()]), [false, false, false]);
  sd.startWatchdog();
  await sd.stop();
  // Had a send been tried, the missing command would have logged an error.
  assert.deepEqual(lines.filter((l) => l.level !== 'debug'), []);
});

test('READY, STATUS and STOPPING reach the command as one-line assignments', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'voicehub-sd-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const record = join(dir, 'record');
  const { log, problems } = captureLog();
  const sd = createSystemdNotifier({ log, env: { NOTIFY_SOCKET: record, PATH: process.env.PATH }, command: await script(dir, 'recordNotify.sh') });
  assert.equal(sd.enabled, true);
  assert.equal(await sd.ready('starting\nup'), true);
  assert.equal(await sd.status('12 devices, 2 voice clients'), true);
  assert.equal(await sd.status(''), true);
  assert.equal(await sd.stopping(), true);
  await sd.stop();
  assert.equal(await sd.status('after stop'), false, 'nothing is sent after stop()');
  assert.deepEqual(await recorded(record), ['READY=1 STATUS=starting up', 'STATUS=12 devices, 2 voice clients', 'STATUS=', 'STOPPING=1']);
  assert.deepEqual(problems(), []);
});

test('the watchdog sends at once, then every WATCHDOG_USEC/2 from an unref\'d timer, until stop()', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'voicehub-sd-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const record = join(dir, 'record');
  const { clock, timers, fire } = manualClock();
  const { log } = captureLog();
  const sd = createSystemdNotifier({
    log, clock, env: { NOTIFY_SOCKET: record, WATCHDOG_USEC: '30000000', PATH: process.env.PATH }, command: await script(dir, 'recordNotify.sh'),
  });
  assert.equal(sd.watchdogIntervalMs, 15000);
  sd.startWatchdog();
  sd.startWatchdog(); // a second call must not start a second timer
  assert.deepEqual([...timers.values()].map((e) => [e.ms, e.unref]), [[15000, true]]);
  await waitFor('the first WATCHDOG=1', async () => ((await recorded(record)).length === 1 ? true : undefined));
  for (let n = 2; n <= 3; n++) {
    // Fire until the nth arrives: a tick that comes while the last child is still being reaped is skipped
    // (one in flight), so this can never send more than n.
    await waitFor(`WATCHDOG=1 number ${n}`, async () => {
      if ((await recorded(record)).length === n) return true;
      fire();
      return undefined;
    });
  }
  await sd.stop();
  assert.equal(timers.size, 0, 'stop() cleared the timer');
  assert.deepEqual(await recorded(record), ['WATCHDOG=1', 'WATCHDOG=1', 'WATCHDOG=1']);
});

test('garbage WATCHDOG_USEC: a warning naming it, no watchdog, READY still sent', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'voicehub-sd-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const record = join(dir, 'record');
  const { clock, timers } = manualClock();
  const { log, problems, lines } = captureLog();
  const sd = createSystemdNotifier({ log, clock, env: { NOTIFY_SOCKET: record, WATCHDOG_USEC: 'soon', PATH: process.env.PATH }, command: await script(dir, 'recordNotify.sh') });
  assert.deepEqual(problems(), ['warn:WATCHDOG_USEC_INVALID']);
  assert.match(lines[0]!.msg, /WATCHDOG_USEC "soon"/);
  sd.startWatchdog();
  assert.equal(timers.size, 0);
  assert.equal(await sd.ready(), true);
  await sd.stop();
  assert.deepEqual(await recorded(record), ['READY=1']);
});

test('WATCHDOG_PID of another process: the watchdog is left alone', async () => {
  const { clock, timers } = manualClock();
  const { log, problems } = captureLog();
  const sd = createSystemdNotifier({ log, clock, pid: 100, env: { NOTIFY_SOCKET: '/run/x', WATCHDOG_USEC: '1000000', WATCHDOG_PID: '99' } });
  assert.equal(sd.watchdogIntervalMs, null);
  sd.startWatchdog();
  assert.equal(timers.size, 0);
  assert.deepEqual(problems(), ['info:WATCHDOG_PID_OTHER']);
  await sd.stop();
});

test('systemd-notify absent: one error line, notifications off, every call resolves false', async () => {
  const { clock, timers } = manualClock();
  const { log, problems } = captureLog();
  const sd = createSystemdNotifier({ log, clock, env: { NOTIFY_SOCKET: '/run/x', WATCHDOG_USEC: '1000000', PATH: '/nonexistent' } });
  assert.equal(await sd.ready('up'), false);
  assert.equal(sd.enabled, false);
  sd.startWatchdog();
  assert.equal(timers.size, 0, 'no watchdog without a way to send it');
  assert.deepEqual(await Promise.all([sd.status('a'), sd.stopping()]), [false, false]);
  await sd.stop();
  assert.deepEqual(problems(), [`error:${NOTIFY_LOG_PROBLEMS.absent}`]);
});

test('a hung sender: one child per kind, later STATUS texts collapse into the latest, each killed at the deadline', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'voicehub-sd-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const record = join(dir, 'pids');
  const { clock, fire } = manualClock();
  const { log, problems, lines } = captureLog();
  const sd = createSystemdNotifier({
    log, clock, sendTimeoutMs: 1500,
    env: { NOTIFY_SOCKET: record, WATCHDOG_USEC: '1000000', PATH: process.env.PATH }, command: await script(dir, 'hangingNotify.sh'),
  });
  sd.startWatchdog();
  const [watchdogPid] = await waitFor('the watchdog child', async () => {
    const lines = await recorded(record);
    return lines.length === 1 ? lines : undefined;
  });
  for (let i = 0; i < 5; i++) fire(); // each tick finds the first WATCHDOG=1 still running
  const statuses = await Promise.all([sd.status('a'), sd.status('b'), sd.status('c')]);
  assert.deepEqual(statuses, [false, false, false], 'killed sends report false, never throw');
  await sd.stop();
  const calls = await recorded(record);
  assert.deepEqual(calls.map((l) => l.split(' ').slice(1).join(' ')), ['WATCHDOG=1', 'STATUS=a', 'STATUS=c']);
  for (const line of calls) assert.equal(alive(Number(line.split(' ')[0])), false, `child ${line} was killed`);
  assert.ok(watchdogPid);
  // Both the watchdog child and the first status child outlived their deadline: one warning per kind,
  // and the second status timeout of the same streak stays at debug level.
  assert.deepEqual(problems(), [`warn:${NOTIFY_LOG_PROBLEMS.timeout}`, `warn:${NOTIFY_LOG_PROBLEMS.timeout}`]);
  assert.deepEqual(lines.filter((l) => l.problem).map((l) => l.kind).sort(), ['status', 'watchdog']);
});

test('stop() kills a hung watchdog send at once, without a warning', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'voicehub-sd-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const record = join(dir, 'pids');
  const { clock } = manualClock();
  const { log, problems } = captureLog();
  const sd = createSystemdNotifier({
    log, clock, sendTimeoutMs: 60_000,
    env: { NOTIFY_SOCKET: record, WATCHDOG_USEC: '1000000', PATH: process.env.PATH }, command: await script(dir, 'hangingNotify.sh'),
  });
  sd.startWatchdog();
  const [line] = await waitFor('the watchdog child', async () => {
    const lines = await recorded(record);
    return lines.length === 1 ? lines : undefined;
  });
  await sd.stop(); // would take a minute if it waited for the child instead of killing it
  assert.equal(alive(Number(line!.split(' ')[0])), false);
  assert.deepEqual(problems(), []);
});

test('a notify socket that does not exist: a warning per kind, once per streak, and the hub carries on', { skip: systemdNotifyPresent ? false : 'systemd-notify is not installed' }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'voicehub-sd-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { clock, fire } = manualClock();
  const { log, problems, lines } = captureLog();
  const sd = createSystemdNotifier({ log, clock, env: { NOTIFY_SOCKET: join(dir, 'missing.sock'), WATCHDOG_USEC: '1000000', PATH: process.env.PATH } });
  assert.equal(await sd.ready('up'), false);
  const failure = lines.find((l) => l.problem === NOTIFY_LOG_PROBLEMS.failed);
  assert.match(failure?.detail ?? '', /No such file or directory/);
  sd.startWatchdog();
  for (let i = 0; i < 3; i++) {
    await sleep(30);
    fire();
  }
  await sleep(100);
  assert.equal(sd.enabled, true, 'a socket may come back (daemon-reexec): keep trying');
  await sd.stop();
  assert.deepEqual(problems(), [`warn:${NOTIFY_LOG_PROBLEMS.failed}`, `warn:${NOTIFY_LOG_PROBLEMS.failed}`]);
  assert.deepEqual(lines.filter((l) => l.problem).map((l) => l.kind), ['ready', 'watchdog']);
});
