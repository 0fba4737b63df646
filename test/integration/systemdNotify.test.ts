import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { notifySkipReason, startNotifyReceiver, type Datagram } from '../helpers/notifySocket.js';

/**
 * The notifier against a real unix datagram socket: a python3 helper (Node has none) plays systemd's
 * notify socket, and test/fixtures/systemd/notifyClient.mjs drives the compiled notifier in its own
 * process, through the real systemd-notify.
 */
const FIXTURES = resolve(fileURLToPath(import.meta.url), '../../../../test/fixtures/systemd');

const skip = await notifySkipReason();

interface ClientLine { marker?: string; level?: string; problem?: string; detail?: string; msg?: string; [key: string]: unknown }

const startReceiver = startNotifyReceiver;

/**
 * Runs the client scenario with exactly the systemd variables given; resolves with its exit code and lines.
 * `steps`: the "normal" and "block" scenarios wait on stdin; each condition is awaited (checked every 20 ms,
 * 15 s at most) before a line lets the client go on, so the test waits for events, not for fixed times.
 */
async function runClient(scenario: string, vars: Record<string, string>, steps: Array<(lines: ClientLine[]) => boolean> = []): Promise<{ code: number | null; lines: ClientLine[] }> {
  const child: ChildProcess = spawn(process.execPath, [join(FIXTURES, 'notifyClient.mjs'), scenario], {
    env: { PATH: process.env.PATH, ...vars },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: ClientLine[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk) => { stderr += chunk; });
  createInterface({ input: child.stdout! }).on('line', (line) => lines.push(JSON.parse(line) as ClientLine));
  const closed = new Promise<number | null>((done) => child.once('close', (c) => done(c)));
  for (const ready of steps) {
    for (let waited = 0; waited < 15_000 && !ready(lines) && child.exitCode === null; waited += 20) await sleep(20);
    child.stdin!.write('go\n');
  }
  child.stdin!.end();
  const code = await closed;
  assert.equal(stderr, '', 'the client wrote nothing to stderr (no crash, no unhandled rejection)');
  return { code, lines };
}

const marker = (lines: ClientLine[], name: string) => lines.find((l) => l.marker === name);
const messages = (datagrams: Datagram[]) => datagrams.map((d) => d.data).filter((d) => d !== 'BARRIER=1');

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'voicehub-sdn-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('READY, STATUS, a steady WATCHDOG and STOPPING arrive on the notify socket', { skip }, async (t) => {
  const socket = join(await tempDir(t), 'notify.sock');
  const receiver = await startReceiver(socket);
  t.after(() => receiver.stop());
  const pingCount = () => receiver.datagrams.filter((d) => d.data === 'WATCHDOG=1').length;
  const { code, lines } = await runClient('normal', { NOTIFY_SOCKET: socket, WATCHDOG_USEC: '200000' }, [() => pingCount() >= 5]);
  assert.equal(code, 0);
  assert.deepEqual(marker(lines, 'created'), { marker: 'created', enabled: true, watchdogIntervalMs: 100 });
  assert.deepEqual(marker(lines, 'done')?.results, [true, true, true]);
  const sent = messages(receiver.datagrams);
  assert.equal(sent[0], 'READY=1\nSTATUS=starting: 0 devices');
  const status = sent.indexOf('STATUS=12 devices, 2 voice clients');
  const stopping = sent.indexOf('STOPPING=1\nSTATUS=stopping');
  assert.ok(status > 0 && stopping > status, 'READY, then STATUS, then STOPPING (WATCHDOG=1 may come between)');
  assert.ok(pingCount() >= 5, 'the pings repeat');
  // Not faster than the 100 ms interval (at most one in flight, one per tick): generous bound, no speed claim.
  const window = marker(lines, 'window')!;
  const [from, to] = [BigInt(window.start as string), BigInt(window.end as string)];
  const pings = receiver.datagrams.filter((d) => d.data === 'WATCHDOG=1' && d.t >= from && d.t <= to).length;
  const ticks = Number((to - from) / 100_000_000n);
  assert.ok(pings <= ticks + 3, `${pings} WATCHDOG=1 in ${ticks} intervals`);
  assert.equal(lines.filter((l) => l.level === 'warn' || l.level === 'error').length, 0);
});

test('a blocked event loop stops the WATCHDOG pings until it runs again', { skip }, async (t) => {
  const socket = join(await tempDir(t), 'notify.sock');
  const receiver = await startReceiver(socket);
  t.after(() => receiver.stop());
  const pingTimes = () => receiver.datagrams.filter((d) => d.data === 'WATCHDOG=1').map((d) => d.t);
  const blockEnd = (lines: ClientLine[]) => {
    const block = marker(lines, 'block');
    return block ? BigInt(block.end as string) : null;
  };
  const { code, lines } = await runClient('block', { NOTIFY_SOCKET: socket, WATCHDOG_USEC: '200000' }, [
    () => pingTimes().length >= 3,
    (seen) => { const end = blockEnd(seen); return end !== null && pingTimes().filter((t) => t > end).length >= 3; },
  ]);
  assert.equal(code, 0);
  // The client's hrtime and python's monotonic_ns read the same CLOCK_MONOTONIC.
  const block = marker(lines, 'block')!;
  const [start, end] = [BigInt(block.start as string), BigInt(block.end as string)];
  const pings = pingTimes();
  const grace = 600_000_000n; // a ping spawned just before the block may still be on its way
  assert.deepEqual(pings.filter((t) => t > start + grace && t < end), [], 'no WATCHDOG=1 while the loop was blocked');
  assert.ok(pings.filter((t) => t < start).length >= 3, 'pings before the block');
  assert.ok(pings.filter((t) => t > end).length >= 3, 'pings again after the block');
});

test('an abstract-namespace NOTIFY_SOCKET works; without WATCHDOG_USEC no WATCHDOG is sent', { skip }, async (t) => {
  const socket = `@voicehub-test-${randomBytes(6).toString('hex')}`;
  const receiver = await startReceiver(socket);
  t.after(() => receiver.stop());
  const { code, lines } = await runClient('quick', { NOTIFY_SOCKET: socket });
  assert.equal(code, 0);
  assert.deepEqual(marker(lines, 'created'), { marker: 'created', enabled: true, watchdogIntervalMs: null });
  assert.deepEqual(messages(receiver.datagrams), ['READY=1\nSTATUS=starting: 0 devices', 'STATUS=12 devices, 2 voice clients', 'STOPPING=1\nSTATUS=stopping']);
});

test('STOPPING=1 fired just before process.exit() still arrives', { skip }, async (t) => {
  const socket = join(await tempDir(t), 'notify.sock');
  const receiver = await startReceiver(socket);
  t.after(() => receiver.stop());
  const { code, lines } = await runClient('exit', { NOTIFY_SOCKET: socket, WATCHDOG_USEC: '200000' });
  assert.equal(code, 0);
  assert.ok(marker(lines, 'exit'));
  // The systemd-notify child outlives the hub; wait for its message rather than for a fixed time.
  for (let waited = 0; waited < 5000 && !messages(receiver.datagrams).includes('STOPPING=1\nSTATUS=exiting'); waited += 20) await sleep(20);
  assert.ok(messages(receiver.datagrams).includes('STOPPING=1\nSTATUS=exiting'));
});

test('garbage WATCHDOG_USEC: a clear warning, no watchdog, READY still sent', { skip }, async (t) => {
  const socket = join(await tempDir(t), 'notify.sock');
  const receiver = await startReceiver(socket);
  t.after(() => receiver.stop());
  const { code, lines } = await runClient('quick', { NOTIFY_SOCKET: socket, WATCHDOG_USEC: 'thirty seconds' });
  assert.equal(code, 0);
  const warning = lines.find((l) => l.problem === 'WATCHDOG_USEC_INVALID');
  assert.equal(warning?.level, 'warn');
  assert.match(warning?.msg ?? '', /"thirty seconds"/);
  const sent = messages(receiver.datagrams);
  assert.equal(sent[0], 'READY=1\nSTATUS=starting: 0 devices');
  assert.equal(sent.filter((d) => d.includes('WATCHDOG')).length, 0);
});

test('a notify socket that does not exist, or refuses: warnings, no crash, exit 0', { skip }, async (t) => {
  const dir = await tempDir(t);
  const missing = await runClient('quick', { NOTIFY_SOCKET: join(dir, 'missing.sock'), WATCHDOG_USEC: '200000' });
  assert.equal(missing.code, 0);
  assert.deepEqual(marker(missing.lines, 'done')?.results, [false, false, false]);
  const failures = missing.lines.filter((l) => l.problem === 'NOTIFY_SEND_FAILED');
  assert.ok(failures.length >= 1 && failures.every((l) => l.level === 'warn'));
  assert.match(failures[0]!.detail ?? '', /No such file or directory/);

  // A socket file nobody listens on any more (left by a receiver that exited): connection refused.
  const stale = join(dir, 'stale.sock');
  const receiver = await startReceiver(stale);
  await receiver.stop();
  const refused = await runClient('quick', { NOTIFY_SOCKET: stale });
  assert.equal(refused.code, 0);
  assert.deepEqual(marker(refused.lines, 'done')?.results, [false, false, false]);
  assert.match(refused.lines.find((l) => l.problem === 'NOTIFY_SEND_FAILED')?.detail ?? '', /Connection refused/);
});

test('no NOTIFY_SOCKET: nothing is sent, nothing logged above debug', async () => {
  const { code, lines } = await runClient('quick', {});
  assert.equal(code, 0);
  assert.deepEqual(marker(lines, 'created'), { marker: 'created', enabled: false, watchdogIntervalMs: null });
  assert.deepEqual(marker(lines, 'done')?.results, [false, false, false]);
  assert.equal(lines.filter((l) => l.level && l.level !== 'debug').length, 0);
});
