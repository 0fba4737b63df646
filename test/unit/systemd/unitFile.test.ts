import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { access, chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SHIPPED_NODE_ENV, SHIPPED_NODE_FLAGS } from '../../helpers/daemon.js';

/**
 * systemd/voicehub.service and systemd/install.sh: what the issue asks of them, checked statically, with
 * systemd-analyze and shellcheck where they are installed, and install.sh's refusals and dry run.
 */
const ROOT = resolve(fileURLToPath(import.meta.url), '../../../../..');
const UNIT = join(ROOT, 'systemd/voicehub.service');
const INSTALL = join(ROOT, 'systemd/install.sh');

interface Run { code: number; stdout: string; stderr: string }
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((done) => {
    execFile(cmd, args, { env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      done({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}
const has = async (cmd: string, args: string[]) => (await run(cmd, args)).code === 0;
const exists = (path: string) => access(path).then(() => true, () => false);

const [analyze, shellcheck, setpriv] = await Promise.all([
  has('systemd-analyze', ['--version']), has('shellcheck', ['--version']), has('setpriv', ['--version']),
]);
const root = userInfo().uid === 0;

/** The unit as section → key → values (a key may repeat, e.g. Environment=). */
async function parseUnit(path: string): Promise<Map<string, Map<string, string[]>>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of (await readFile(path, 'utf8')).split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = new Map();
      sections.set(header[1]!, current);
      continue;
    }
    const eq = line.indexOf('=');
    assert.ok(current && eq > 0, `a key=value line inside a section: ${line}`);
    const key = line.slice(0, eq);
    current.set(key, [...(current.get(key) ?? []), line.slice(eq + 1)]);
  }
  return sections;
}

/** A copy of the unit whose ExecStart runs the node running this test, so verify does not fail on a missing /usr/bin/node. */
async function unitCopy(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'voicehub-unit-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const text = await readFile(UNIT, 'utf8');
  assert.match(text, /^ExecStart=\/usr\/bin\/node /m);
  const copy = join(dir, 'voicehub.service');
  await writeFile(copy, text.replace(/^ExecStart=\/usr\/bin\/node /m, `ExecStart=${process.execPath} `));
  return copy;
}

test('the unit asks for what the hub needs: notify, watchdog, restarts, dirs, limits, no capabilities', async () => {
  const unit = await parseUnit(UNIT);
  const service = unit.get('Service')!;
  const one = (key: string) => {
    const values = service.get(key);
    assert.equal(values?.length, 1, `${key}= set once`);
    return values[0]!;
  };
  assert.equal(one('Type'), 'notify');
  assert.equal(one('NotifyAccess'), 'all', 'systemd-notify is a child of the main process');
  assert.equal(one('WatchdogSec'), '30');
  assert.equal(one('Restart'), 'on-failure');
  assert.ok(Number(one('RestartSec')) >= 1);
  assert.equal(one('RestartPreventExitStatus'), '2', 'a config error is not retried');
  assert.ok(Number(unit.get('Unit')!.get('StartLimitBurst')?.[0]) >= 1, 'a start limit in [Unit]');
  assert.ok(Number(unit.get('Unit')!.get('StartLimitIntervalSec')?.[0]) > 0);
  assert.ok(Number(one('TimeoutStopSec')) > 10, 'above the hub\'s own 10 s shutdown deadline');
  assert.equal(one('ExecStart'), '/usr/bin/node --max-old-space-size=256 --max-semi-space-size=8 --initial-old-space-size=64 /opt/voicehub/dist/bundle/cli.js start');
  // The tests and benches run the hub as the unit does: the same node flags and environment.
  assert.equal(one('ExecStart'), `/usr/bin/node ${SHIPPED_NODE_FLAGS.join(' ')} /opt/voicehub/dist/bundle/cli.js start`);
  assert.deepEqual(service.get('Environment')?.filter((e) => !e.startsWith('VOICEHUB_') && e !== 'NODE_ENV=production'),
    Object.entries(SHIPPED_NODE_ENV).map(([k, v]) => `${k}=${v}`));
  assert.equal(one('StateDirectory'), 'voicehub');
  assert.equal(one('ConfigurationDirectory'), 'voicehub');
  assert.equal(one('CacheDirectory'), 'voicehub', 'the start cache is code: out of the data dir');
  assert.equal(one('CacheDirectoryMode'), '0700');
  assert.deepEqual(service.get('Environment')?.filter((e) => e.startsWith('VOICEHUB_')),
    ['VOICEHUB_DATA_DIR=/var/lib/voicehub', 'VOICEHUB_CACHE_DIR=/var/cache/voicehub', 'VOICEHUB_CONFIG=/etc/voicehub/voicehub.yaml']);
  assert.equal(one('User'), 'voicehub');
  assert.equal(one('CapabilityBoundingSet'), '');
  assert.equal(one('AmbientCapabilities'), '');
  for (const key of ['NoNewPrivileges', 'ProtectHome', 'PrivateTmp', 'PrivateDevices', 'ProtectKernelTunables', 'ProtectKernelModules']) {
    assert.equal(one(key), 'yes', key);
  }
  assert.equal(one('ProtectSystem'), 'strict');
  assert.deepEqual(one('RestrictAddressFamilies').split(' ').sort(), ['AF_INET', 'AF_INET6', 'AF_NETLINK', 'AF_UNIX']);
  assert.ok(service.get('SystemCallFilter')?.includes('@system-service'));
  assert.equal(service.get('MemoryDenyWriteExecute'), undefined, 'V8\'s JIT needs W+X memory');
  // The heap cap must fit under the memory limit with room for code, buffers and sockets.
  const heapMb = Number(/--max-old-space-size=(\d+)/.exec(one('ExecStart'))![1]);
  const maxMb = Number(/^(\d+)M$/.exec(one('MemoryMax'))![1]);
  assert.ok(heapMb + 64 <= maxMb && maxMb <= 512, `heap ${heapMb} MB, MemoryMax ${maxMb} MB on a 1 GB board`);
  assert.ok(Number(one('LimitNOFILE')) > 1024, 'voice.maxClients defaults to 1000');
  assert.equal(one('OOMPolicy'), 'continue', 'an OOM kill of one isolated plugin process must not stop the whole unit');
});

test('systemd-analyze verify accepts the unit', { skip: analyze ? false : 'systemd-analyze is not installed (Debian package systemd)' }, async (t) => {
  // verify checks that ExecStart's program exists; /usr/bin/node may not on this machine, so a copy runs ours.
  const copy = await unitCopy(t);
  const result = await run('systemd-analyze', ['verify', '--man=no', copy]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr.trim(), '', 'no warnings');
});

test('systemd-analyze security rates the unit OK (exposure ≤ 2.0)', { skip: analyze ? false : 'systemd-analyze is not installed (Debian package systemd)' }, async (t) => {
  const copy = await unitCopy(t);
  const result = await run('systemd-analyze', ['security', '--no-pager', '--offline=true', copy]);
  if (result.code !== 0 && /offline/.test(result.stderr)) return t.skip('this systemd-analyze has no --offline (needs systemd ≥ 250)');
  const score = /Overall exposure level for \S+: (\d+\.\d+)/.exec(result.stdout);
  assert.ok(score, result.stdout.slice(-300) + result.stderr);
  assert.ok(Number(score[1]) <= 2.0, `exposure ${score[1]}`);
});

test('shellcheck finds nothing in install.sh', { skip: shellcheck ? false : 'shellcheck is not installed (apt-get install shellcheck)' }, async () => {
  const result = await run('shellcheck', [INSTALL]);
  assert.equal(result.code, 0, result.stdout);
});

/** A throwaway tree with just what install.sh reads, so nothing here can touch the real checkout. */
async function fakeTree(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'voicehub-install-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await chmod(dir, 0o755); // readable by the unprivileged user some tests run it as
  await mkdir(join(dir, 'systemd'));
  for (const name of ['install.sh', 'voicehub.service', 'voicehub.example.yaml']) await copyFile(join(ROOT, 'systemd', name), join(dir, 'systemd', name));
  await chmod(join(dir, 'systemd/install.sh'), 0o755);
  await writeFile(join(dir, 'package.json'), '{ "name": "voicehub", "version": "0.0.0" }\n');
  return join(dir, 'systemd/install.sh');
}

/** Runs install.sh as an unprivileged user: directly when we are one, through setpriv when root. */
function runUnprivileged(script: string, args: string[]): Promise<Run> | null {
  if (!root) return run(script, args);
  if (!setpriv) return null;
  return run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', script, ...args]);
}

const SYSTEM_PATHS = ['/opt/voicehub', '/etc/voicehub', '/var/lib/voicehub', '/usr/local/bin/voicehub', '/etc/systemd/system/voicehub.service'];
const snapshot = () => Promise.all(SYSTEM_PATHS.map(exists));

test('install.sh: --help documents the exit codes; bad options exit 2', async () => {
  const help = await run('bash', [INSTALL, '--help']);
  assert.equal(help.code, 0);
  for (const code of ['0', '1', '2', '3', '4', '5']) assert.match(help.stdout, new RegExp(`^ {2}${code} {2}`, 'm'), `exit code ${code} documented`);
  assert.equal((await run('bash', [INSTALL, '--bogus'])).code, 2);
  assert.equal((await run('bash', [INSTALL, '--purge'])).code, 2, '--purge without --uninstall');
});

test('install.sh: not root → refused with exit 3, install and uninstall alike', { skip: !root || setpriv ? false : 'running as root without setpriv to drop privileges' }, async (t) => {
  const script = await fakeTree(t);
  const before = await snapshot();
  for (const args of [[], ['--uninstall'], ['--uninstall', '--purge']]) {
    const result = (await runUnprivileged(script, args))!;
    assert.equal(result.code, 3, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, /run as root/);
  }
  assert.deepEqual(await snapshot(), before);
});

test('install.sh --dry-run (not root): lists every step, changes nothing, exits 0', { skip: !root || setpriv ? false : 'running as root without setpriv to drop privileges' }, async (t) => {
  const script = await fakeTree(t);
  const before = await snapshot();
  const result = (await runUnprivileged(script, ['--dry-run']))!;
  assert.equal(result.code, 0, result.stderr);
  const steps = result.stdout.split('\n').filter((l) => l.startsWith('==> ')).map((l) => l.split(' ').slice(1, 3).join(' '));
  assert.deepEqual(steps, ['build in', 'system user', 'app in', 'config in', 'CLI wrapper', 'unit /etc/systemd/system/voicehub.service', '(re)start voicehub.service']);
  assert.match(result.stdout, /note: a real run would stop here with exit 3/);
  for (const planned of ['npm ci', 'npm run build', 'useradd --system', 'npm prune --omit=dev', 'systemctl daemon-reload', 'systemctl enable voicehub.service', 'systemctl restart voicehub.service']) {
    assert.ok(result.stdout.includes(planned), `plans ${planned}`);
  }
  assert.match(result.stdout, /would write \/usr\/local\/bin\/voicehub/);
  assert.match(result.stdout, /Dry run done: nothing was changed/);
  assert.deepEqual(await snapshot(), before);

  const uninstall = (await runUnprivileged(script, ['--uninstall', '--purge', '--dry-run']))!;
  assert.equal(uninstall.code, 0, uninstall.stderr);
  assert.match(uninstall.stdout, /would run: rm -rf \/opt\/voicehub /);
  assert.match(uninstall.stdout, /would run: rm -rf \/etc\/voicehub \/var\/lib\/voicehub/);
  assert.deepEqual(await snapshot(), before);
});

test('install.sh as root where systemd is not running → refused with exit 4, nothing changed', {
  skip: root ? false : 'needs root to get past the root check',
}, async (t) => {
  if (await exists('/run/systemd/system')) return t.skip('systemd runs here: a real install is not something a test may do');
  const script = await fakeTree(t);
  const before = await snapshot();
  const result = await run(script, []);
  assert.equal(result.code, 4, result.stderr);
  assert.match(result.stderr, /systemd is not the running init system/);
  assert.deepEqual(await snapshot(), before);
});
