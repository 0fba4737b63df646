import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/**
 * The unit's SystemCallFilter=, SystemCallErrorNumber= and RestrictAddressFamilies= emulated with seccomp
 * (test/fixtures/systemd/sandbox.py, Debian's python3-seccomp): Node.js, the notifier (systemd-notify as a
 * child), systeminformation, HTTP, workers, files and keys must all work inside them. systemd itself cannot
 * run a unit here, so this is the closest check that the hardening leaves the hub working.
 */
const ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');
const FIXTURES = join(ROOT, 'test/fixtures/systemd');
const UNIT = join(ROOT, 'systemd/voicehub.service');

const ok = (cmd: string, args: string[]) => new Promise<boolean>((done) => execFile(cmd, args, (err) => done(!err)));
const [seccomp, analyze, notify, python] = await Promise.all([
  ok('/usr/bin/python3', ['-c', 'import seccomp']), ok('systemd-analyze', ['--version']),
  ok('systemd-notify', ['--version']), ok('python3', ['--version']),
]);
const skip = !seccomp ? "Debian's python3-seccomp is not installed (apt-get install python3-seccomp)"
  : !analyze ? 'systemd-analyze is not installed' : !notify ? 'systemd-notify is not installed' : !python ? 'python3 is not installed' : false;

interface Check { check: string; ok: boolean; error?: string }

function probe(unit: string, mode: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; checks: Check[]; stderr: string }> {
  return new Promise((done) => {
    const child = spawn('/usr/bin/python3', [join(FIXTURES, 'sandbox.py'), unit, process.execPath, join(FIXTURES, 'sandboxProbe.mjs'), mode], {
      env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const checks: Check[] = [];
    let stderr = '';
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    createInterface({ input: child.stdout }).on('line', (line) => checks.push(JSON.parse(line) as Check));
    child.once('close', (code) => done({ code, checks, stderr }));
  });
}

test('inside the unit\'s system-call and socket filters the hub\'s run-time needs all work', { skip }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'voicehub-sandbox-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const socket = join(dir, 'notify.sock');
  const receiver = spawn('python3', [join(FIXTURES, 'notifyReceiver.py'), socket], { stdio: ['ignore', 'pipe', 'inherit'] });
  const received: string[] = [];
  const receiverExited = new Promise((done) => receiver.once('exit', done));
  t.after(async () => { receiver.kill(); await receiverExited; });
  await new Promise<void>((ready) => createInterface({ input: receiver.stdout }).on('line', (line) => {
    const parsed = JSON.parse(line) as { listening?: boolean; data?: string };
    if (parsed.listening) ready();
    else received.push(parsed.data!);
  }));

  const result = await probe(UNIT, 'all', { NOTIFY_SOCKET: socket });
  assert.deepEqual(result.checks.filter((c) => !c.ok), [], result.stderr);
  assert.deepEqual(result.checks.map((c) => c.check),
    ['interfaces', 'notify', 'systeminformation', 'http', 'worker', 'files', 'keys', 'dns', 'filterActive']);
  assert.equal(result.code, 0);
  assert.ok(received.includes('READY=1\nSTATUS=sandbox probe'), 'systemd-notify worked from inside the filter');
});

test('AF_NETLINK is in RestrictAddressFamilies because Node\'s interface listing fails without it', { skip }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'voicehub-sandbox-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const text = await readFile(UNIT, 'utf8');
  assert.match(text, /^RestrictAddressFamilies=.*\bAF_NETLINK\b/m);
  const without = join(dir, 'voicehub.service');
  await writeFile(without, text.replace(/^RestrictAddressFamilies=.*$/m, 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6'));
  const result = await probe(without, 'interfaces', {});
  assert.equal(result.checks[0]?.check, 'interfaces');
  assert.equal(result.checks[0]?.ok, false, 'os.networkInterfaces() fails without AF_NETLINK (so the probe is real)');
  const withNetlink = await probe(UNIT, 'interfaces', {});
  assert.equal(withNetlink.checks[0]?.ok, true);
});
