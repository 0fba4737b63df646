import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { appendFile, link, lstat, mkdir, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { makeTempDir, runCli, SHIPPED_NODE_FLAGS, startDaemon, type DaemonProcess } from '../helpers/daemon.js';

/**
 * Issue 11, storage area: each finding reproduced against the real daemon (the built bundle, port 0, a temp
 * data dir), real MQTT clients and real files.
 */

const cleanups: Array<() => Promise<void>> = [];
after(async () => { for (const c of cleanups.reverse()) await c().catch(() => {}); });

const FAST = 'storage:\n  flushIntervalMs: 50\n';
const exec = promisify(execFile);

async function daemon(options: Parameters<typeof startDaemon>[0] = {}): Promise<DaemonProcess> {
  const d = await startDaemon(options);
  cleanups.push(() => d.cleanup());
  return d;
}

async function mqttClient(d: DaemonProcess, auth: { username?: string; password?: string } = {}): Promise<MqttClient> {
  const c = await connectAsync(`mqtt://127.0.0.1:${d.mqttPort}`, { reconnectPeriod: 0, ...auth });
  cleanups.push(() => c.endAsync());
  return c;
}

function cliEnv(dir: string): { cwd: string; env: Record<string, string> } {
  return { cwd: dir, env: { VOICEHUB_DATA_DIR: join(dir, 'data'), HOME: dir } };
}

async function token(dir: string, scope: string): Promise<string> {
  const r = await runCli(['token', 'create', '--sub', 'attack', '--scope', scope], cliEnv(dir));
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

async function eventually<T>(probe: () => Promise<T | undefined>, what: string, tries = 500): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 40));
  }
  throw new Error(`timed out waiting for ${what}`);
}

interface ApiDevice { id: string; state: Record<string, unknown> }
async function apiDevices(d: DaemonProcess, bearer: string): Promise<{ status: number; devices: ApiDevice[] }> {
  const res = await fetch(`${d.url}/api/devices`, { headers: { authorization: `Bearer ${bearer}` } });
  const body = res.status === 200 ? ((await res.json()) as { devices: ApiDevice[] }).devices : [];
  return { status: res.status, devices: body };
}

async function health(d: DaemonProcess): Promise<{ status: number; body: { status: string; checks: Record<string, { ok: boolean; error?: string }> } }> {
  const res = await fetch(`${d.url}/health`);
  return { status: res.status, body: (await res.json()) as { status: string; checks: Record<string, { ok: boolean; error?: string }> } };
}

const PLUG = {
  name: 'Plug', unique_id: 'plug_1', command_topic: 'plug/set', state_topic: 'plug/state', json_attributes_topic: 'plug/attrs',
};

async function announcePlug(mqtt: MqttClient): Promise<void> {
  await mqtt.publishAsync('homeassistant/switch/plug/config', JSON.stringify(PLUG), { retain: true, qos: 1 });
}

async function plugState(d: DaemonProcess, bearer: string, state: string): Promise<ApiDevice> {
  return eventually(async () => {
    const { devices } = await apiDevices(d, bearer);
    const plug = devices.find((x) => x.id === 'plug_1');
    return plug?.state.state === state ? plug : undefined;
  }, `the plug to be ${state}`);
}

async function storedPlug(dir: string): Promise<Record<string, unknown> | undefined> {
  const doc = JSON.parse(await readFile(join(dir, 'data', 'devices.json'), 'utf8')) as { devices: Record<string, { device: { state: Record<string, unknown> } }> };
  return doc.devices.plug_1?.device.state;
}

test('finding 7: 12 KB of nested JSON on a json_attributes_topic is refused; a later OFF is persisted and /health stays 200', { timeout: 120_000 }, async () => {
  const dir = await makeTempDir();
  const bearer = await token(dir, 'devices:read');
  const d = await daemon({ dir, config: FAST, nodeArgs: SHIPPED_NODE_FLAGS });
  const mqtt = await mqttClient(d);
  await announcePlug(mqtt);
  await mqtt.publishAsync('plug/state', 'ON', { qos: 1 });
  await plugState(d, bearer, 'on');

  // 6,000 nested arrays: JSON.parse takes it, JSON.stringify overflows the stack on it.
  const nested = `{"a":${'['.repeat(6000)}${']'.repeat(6000)}}`;
  assert.ok(nested.length >= 12_000);
  await mqtt.publishAsync('plug/attrs', nested, { qos: 1 });
  await mqtt.publishAsync('plug/attrs', JSON.stringify({ battery: 87, linkquality: 120 }), { qos: 1 });
  await mqtt.publishAsync('plug/state', 'OFF', { qos: 1 });
  const off = await plugState(d, bearer, 'off');
  assert.deepEqual(off.state.attributes, { battery: 87, linkquality: 120 }, 'the sane attributes were taken, the nested ones not');
  assert.ok(d.lines.some((l) => l.code === 'VALUE_INVALID' && /nested deeper/.test(String(l.msg))), 'the refusal is logged with its code');

  const h = await health(d);
  assert.equal(h.status, 200, JSON.stringify(h.body));
  assert.equal(h.body.checks.db?.ok, true);
  await eventually(async () => ((await storedPlug(dir))?.state === 'off' ? true : undefined), 'the OFF to reach devices.json');
  assert.ok(!d.lines.some((l) => /storage write .* failed/.test(String(l.msg))), 'no write ever failed');
  assert.equal((await d.stop()).code, 0);
  assert.equal((await storedPlug(dir))?.state, 'off');
});

/** Mounts a small tmpfs on <dir>/data; null (with the reason) where mounting is not allowed. */
async function smallDisk(dir: string, size: string): Promise<string | null> {
  if (process.platform !== 'linux') return 'not Linux';
  await mkdir(join(dir, 'data'), { recursive: true });
  try {
    await exec('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', join(dir, 'data')]);
  } catch (err) {
    return `cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): ${(err as Error).message.split('\n')[0]}`;
  }
  cleanups.push(async () => {
    await exec('umount', ['-l', join(dir, 'data')]).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  });
  return null;
}

/** Appends to a file until the file system says ENOSPC. */
async function fillUp(path: string): Promise<void> {
  const chunk = Buffer.alloc(16 * 1024, 0x78);
  for (;;) {
    try {
      await appendFile(path, chunk);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOSPC') return;
      throw err;
    }
  }
}

test('finding 11: a full disk held by our own leftover devices.json.tmp: start removes it and runs healthy', { timeout: 120_000 }, async (t) => {
  const dir = await makeTempDir();
  const skip = await smallDisk(dir, '1m');
  if (skip) return t.skip(skip);
  const bearer = await token(dir, 'devices:read');
  await writeFile(join(dir, 'data', 'devices.json'), JSON.stringify({ version: 1, devices: {} }));
  await fillUp(join(dir, 'data', 'devices.json.tmp'));
  const d = await startDaemon({ dir, config: FAST }); // not daemon(): its cleanup would remove the mount point
  cleanups.push(async () => { await d.stop(); });
  const removed = await d.waitForLine((l) => l.msg === 'removed temp files left by an earlier run');
  assert.ok((removed.removed as string[]).includes('devices.json.tmp'));
  assert.ok((removed.bytes as number) > 500_000, `freed ${String(removed.bytes)} bytes`);
  const h = await health(d);
  assert.equal(h.status, 200, JSON.stringify(h.body));
  assert.equal((await apiDevices(d, bearer)).status, 200);
  assert.equal((await d.stop()).code, 0);
});

test('finding 11: a disk full of something else: the hub starts read-only, says "disk full", keeps changes and writes them once space is freed', { timeout: 120_000 }, async (t) => {
  const dir = await makeTempDir();
  const skip = await smallDisk(dir, '1m');
  if (skip) return t.skip(skip);
  const bearer = await token(dir, 'devices:read');
  await fillUp(join(dir, 'data', 'someone-elses.bin'));
  const d = await startDaemon({ dir, config: FAST });
  cleanups.push(async () => { await d.stop(); });
  const full = await d.waitForLine((l) => l.code === 'DISK_FULL');
  assert.match(String(full.msg), /disk full/);
  assert.doesNotMatch(String(full.msg), /permission/);
  const h = await health(d);
  assert.equal(h.body.checks.db?.ok, false);
  assert.match(String(h.body.checks.db?.error), /disk full/);
  assert.equal(h.status, 200, 'a full disk is degraded, not down: a restart would not help');
  assert.equal(h.body.status, 'degraded');
  assert.equal((await apiDevices(d, bearer)).status, 200, 'the hub serves from memory');

  const mqtt = await mqttClient(d);
  await announcePlug(mqtt);
  await mqtt.publishAsync('plug/state', 'ON', { qos: 1 });
  await plugState(d, bearer, 'on');
  await rm(join(dir, 'data', 'someone-elses.bin'));
  await eventually(async () => ((await storedPlug(dir))?.state === 'on' ? true : undefined), 'the change kept in memory to be written');
  await eventually(async () => ((await health(d)).status === 200 ? true : undefined), '/health to be 200 again');
  assert.equal((await d.stop()).code, 0);
});

test('finding 11: a data dir on a read-only file system: the hub starts read-only and names the real cause', { timeout: 120_000 }, async (t) => {
  const dir = await makeTempDir();
  const skip = await smallDisk(dir, '1m');
  if (skip) return t.skip(skip);
  const bearer = await token(dir, 'devices:read');
  await exec('mount', ['-o', 'remount,ro', join(dir, 'data')]);
  const d = await startDaemon({ dir, config: FAST });
  cleanups.push(async () => { await d.stop(); });
  const line = await d.waitForLine((l) => l.code === 'DATA_DIR_UNWRITABLE');
  assert.match(String(line.msg), /read-only file system/);
  assert.doesNotMatch(String(line.msg), /permission/);
  const h = await health(d);
  assert.match(String(h.body.checks.db?.error), /EROFS/);
  assert.equal(h.status, 200);
  assert.equal(h.body.status, 'degraded');
  assert.equal((await apiDevices(d, bearer)).status, 200, 'tokens verify and the hub serves');
  assert.equal((await d.stop()).code, 0);
});

test('finding 12: a truncated signing-key.json is restored from its .bak: tokens made before stay valid', { timeout: 60_000 }, async () => {
  const dir = await makeTempDir();
  const bearer = await token(dir, 'devices:read');
  const keyFile = join(dir, 'data', 'signing-key.json');
  const whole = await readFile(keyFile, 'utf8');
  await writeFile(keyFile, whole.slice(0, 20));
  const d = await daemon({ dir });
  const line = await d.waitForLine((l) => l.code === 'STORAGE_CORRUPT' && l.file === keyFile);
  assert.equal(line.recoveredFrom, 'backup');
  assert.equal((await apiDevices(d, bearer)).status, 200, 'the old token still verifies');
  assert.equal(await readFile(keyFile, 'utf8'), whole, 'the main copy is whole again');
});

test('finding 12: an empty signing-key.json with no good copy: a new key, every token withdrawn, and the hub runs', { timeout: 60_000 }, async () => {
  const dir = await makeTempDir();
  const bearer = await token(dir, 'devices:read');
  await writeFile(join(dir, 'data', 'signing-key.json'), '');
  await rm(join(dir, 'data', 'signing-key.json.bak'));
  const d = await daemon({ dir });
  const line = await d.waitForLine((l) => l.code === 'SIGNING_KEY_REPLACED');
  assert.match(String(line.msg), /every token was withdrawn/);
  assert.equal((await apiDevices(d, bearer)).status, 401, 'a token of the lost key is refused');
  assert.equal((await apiDevices(d, await token(dir, 'devices:read'))).status, 200, 'new tokens work');
});

test('finding 12: a truncated mqtt-users.json is restored from its .bak: the broker still knows its users', { timeout: 60_000 }, async () => {
  const dir = await makeTempDir();
  const added = await runCli(['mqtt-user', 'add', 'sensor1', '--password-stdin', '--allow', 'sensors/#'], { ...cliEnv(dir), input: 'pw-of-sensor1\n' });
  assert.equal(added.code, 0, added.stderr);
  const usersFile = join(dir, 'data', 'mqtt-users.json');
  const whole = await readFile(usersFile, 'utf8');
  await writeFile(usersFile, whole.slice(0, whole.length / 2));
  const d = await daemon({ dir });
  const line = await d.waitForLine((l) => l.code === 'STORAGE_CORRUPT' && l.file === usersFile);
  assert.equal(line.recoveredFrom, 'backup');
  const ok = await mqttClient(d, { username: 'sensor1', password: 'pw-of-sensor1' });
  assert.equal(ok.connected, true);
  await assert.rejects(connectAsync(`mqtt://127.0.0.1:${d.mqttPort}`, { reconnectPeriod: 0, username: 'sensor1', password: 'wrong' }));
});

test('finding 12: an empty mqtt-users.json with no good copy does not stop start-up', { timeout: 60_000 }, async () => {
  const dir = await makeTempDir();
  await mkdir(join(dir, 'data'), { recursive: true });
  await writeFile(join(dir, 'data', 'mqtt-users.json'), '');
  const d = await daemon({ dir });
  const line = await d.waitForLine((l) => l.code === 'STORAGE_CORRUPT' && /no good copy/.test(String(l.msg)));
  assert.equal(line.level, 'error');
  assert.equal((await health(d)).status, 200);
});

test('finding 13: garbage written over devices.json while running never becomes the .bak', { timeout: 60_000 }, async () => {
  const dir = await makeTempDir();
  const bearer = await token(dir, 'devices:read');
  const d = await daemon({ dir, config: FAST });
  const mqtt = await mqttClient(d);
  await announcePlug(mqtt);
  await mqtt.publishAsync('plug/state', 'ON', { qos: 1 });
  await plugState(d, bearer, 'on');
  const data = join(dir, 'data');
  await eventually(async () => ((await storedPlug(dir))?.state === 'on' ? true : undefined), 'ON on disk');
  await mqtt.publishAsync('plug/attrs', JSON.stringify({ battery: 50 }), { qos: 1 });
  await eventually(async () => ((await storedPlug(dir))?.attributes ? true : undefined), 'a second write, so a backup exists');
  const goodBak = await readFile(join(data, 'devices.json.bak'), 'utf8');
  const garbage = 'this is not JSON \u0000\u0001 at all';
  await writeFile(join(data, 'devices.json'), garbage);
  await mqtt.publishAsync('plug/state', 'OFF', { qos: 1 });
  await plugState(d, bearer, 'off');
  await eventually(async () => ((await storedPlug(dir))?.state === 'off' ? true : undefined), 'OFF on disk');
  const bak = await readFile(join(data, 'devices.json.bak'), 'utf8');
  assert.equal(bak, goodBak, 'the backup is still the last good copy');
  const aside = (await readdir(data)).filter((f) => f.startsWith('devices.json.corrupt-'));
  assert.equal(aside.length, 1);
  assert.equal(await readFile(join(data, aside[0]!), 'utf8'), garbage, 'the garbage is kept aside, not lost');
  assert.ok(d.lines.some((l) => l.code === 'STORAGE_CORRUPT'));
});

test('finding 14: a timers file of the right JSON but the wrong shape: good timers kept and armed, bad ones reported, plugin runs', { timeout: 60_000 }, async () => {
  const dir = await makeTempDir();
  const admin = await token(dir, 'admin');
  const later = Date.now() + 3_600_000;
  const timer = (id: number) => ({ id, durationS: 3600, endsAt: later, lang: 'en', target: { sessionId: 's1', clientId: 'c1' } });
  await writeFile(join(dir, 'data', 'plugin-voicehub.timers.json'), JSON.stringify({
    nextId: 9, timers: [timer(1), { id: 2, durationS: 'ten minutes' }, 'junk', null, timer(3), { ...timer(4), lang: 42 }],
  }));
  const d = await daemon({ dir, config: FAST });
  const line = await d.waitForLine((l) => l.code === 'STORED_ENTRY_INVALID');
  assert.equal((line.dropped as string[]).length, 4);
  const res = await fetch(`${d.url}/api/plugins`, { headers: { authorization: `Bearer ${admin}` } });
  assert.equal(res.status, 200);
  const timers = ((await res.json()) as { plugins: Array<{ id: string; state: string; jobs?: number }> }).plugins.find((p) => p.id === 'voicehub.timers');
  assert.equal(timers?.state, 'running');
  assert.equal(timers?.jobs, 2, 'the two good timers are armed');
  const stored = await eventually(async () => {
    const doc = JSON.parse(await readFile(join(dir, 'data', 'plugin-voicehub.timers.json'), 'utf8')) as { timers: Array<{ id: number }> };
    return doc.timers.length === 2 ? doc : undefined;
  }, 'the cleaned document to be written');
  assert.deepEqual(stored.timers.map((x) => x.id), [1, 3]);
});

test('finding 20: a second start on the same data dir exits 1 with a clear message; the first keeps running; CLI commands still work', { timeout: 60_000 }, async () => {
  const first = await daemon({ config: FAST });
  const second = await startDaemon({ dir: first.dir, noWait: true });
  const { code } = await second.exited();
  assert.equal(code, 1);
  assert.match(second.stderr, new RegExp(`in use by another voicehub \\(pid ${first.child.pid}\\).*\\[DATA_DIR_LOCKED\\]`));
  assert.equal((await health(first)).status, 200, 'the first hub is untouched');
  assert.equal(JSON.parse(await readFile(join(first.dir, 'data', 'voicehub.lock'), 'utf8')).pid, first.child.pid, 'its lock is untouched');
  const bearer = await token(first.dir, 'devices:read');
  assert.equal((await apiDevices(first, bearer)).status, 200, '`token create` ran beside the hub');
  const listed = await runCli(['plugins', 'list'], cliEnv(first.dir));
  assert.equal(listed.code, 0, listed.stderr);
  assert.equal((await first.stop()).code, 0);
  await assert.rejects(stat(join(first.dir, 'data', 'voicehub.lock')), { code: 'ENOENT' }, 'released on a clean stop');
});

test('finding 20: a stale lock (its pid is gone) is taken over', { timeout: 60_000 }, async () => {
  const dir = await makeTempDir();
  await mkdir(join(dir, 'data'), { recursive: true });
  const gone = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => gone.once('exit', resolve));
  await writeFile(join(dir, 'data', 'voicehub.lock'), JSON.stringify({ pid: gone.pid, startTime: '1', since: new Date().toISOString() }));
  const d = await daemon({ dir });
  await d.waitForLine((l) => l.pid === gone.pid && /took over the data-dir lock/.test(String(l.msg)));
  assert.equal(JSON.parse(await readFile(join(dir, 'data', 'voicehub.lock'), 'utf8')).pid, d.child.pid);
});

test('issue 18 red team: data-dir files that are pipes, directories, /dev/zero, a 2 GB sparse file or start with a BOM: the hub starts, moves them aside as damaged, keeps a BOM\'d key', { timeout: 120_000 }, async () => {
  // Before: a FIFO as devices.json kept start-up waiting for ever, a directory or a 2 GB file stopped it with
  // a stack trace, /dev/zero ran the heap out, and a byte order mark made a good signing key "damaged".
  const dir = await makeTempDir();
  const data = join(dir, 'data');
  const bearer = await token(dir, 'admin');
  const keyFile = join(data, 'signing-key.json');
  await writeFile(keyFile, `\ufeff${await readFile(keyFile, 'utf8')}`);
  await mkdir(join(data, 'pairing'), { recursive: true });
  const fifo = (name: string) => exec('mkfifo', [join(data, name)]);
  await fifo('devices.json');
  await fifo('plugin-voicehub.lists.json');
  await fifo('mqtt-users.json');
  await fifo('pairing/00000000-0000-4000-8000-000000000000.json');
  await fifo('voicehub.lock');
  await mkdir(join(data, 'devices.json.bak'));
  await mkdir(join(data, 'speech-cmn.json'));
  await exec('ln', ['-s', '/dev/zero', join(data, 'deviceOverrides.json')]);
  await writeFile(join(data, 'plugin-voicehub.timers.json'), '');
  await exec('truncate', ['-s', '2G', join(data, 'plugin-voicehub.timers.json')]);
  const d = await daemon({ dir, nodeArgs: SHIPPED_NODE_FLAGS, config: FAST });
  assert.equal((await health(d)).status, 200);
  assert.equal((await apiDevices(d, bearer)).status, 200, 'the key behind a byte order mark was read, so a token made before still works');
  const movedAside = d.lines.filter((l) => l.code === 'STORAGE_CORRUPT' && l.collection !== undefined).map((l) => String(l.collection)).sort();
  assert.deepEqual(movedAside, ['deviceOverrides', 'devices', 'plugin-voicehub.lists', 'plugin-voicehub.timers'], JSON.stringify(movedAside));
  assert.ok(d.lines.some((l) => l.code === 'STORAGE_CORRUPT' && /mqtt-users\.json is not a regular file \(a pipe\)/.test(JSON.stringify(l))), 'the users file is named with what it is');
  assert.ok(!d.lines.some((l) => l.code === 'SIGNING_KEY_REPLACED'), 'the key was kept');
  assert.equal(d.stderr, '');
  // And it writes again where the pipes were.
  const c = await mqttClient(d);
  await c.publishAsync('homeassistant/switch/fifo_lamp/config', JSON.stringify({ name: 'Fifo lamp', unique_id: 'fifo_lamp', command_topic: 'fifo/lamp/set', state_topic: 'fifo/lamp/state' }));
  await eventually(async () => ((await apiDevices(d, bearer)).devices.some((x) => x.id.includes('fifo_lamp')) ? true : undefined), 'the device');
  await eventually(async () => ((await stat(join(data, 'devices.json'))).isFile() ? true : undefined), 'devices.json written as a file');
});

test('issue 18 red team: a symbolic or hard link planted at a data-dir temp name (devices.json.tmp, the health probe\'s .probe) is never written through: the file outside stays as it was, the hub writes its own copy', { timeout: 120_000 }, async () => {
  const dir = await makeTempDir();
  const data = join(dir, 'data');
  const outside = join(dir, 'outside');
  await mkdir(outside);
  const bearer = await token(dir, 'admin');
  const secret = 'a file of the user outside the data dir\n';
  for (const name of ['probe-target', 'tmp-target', 'hard-target']) await writeFile(join(outside, name), secret);
  await symlink(join(outside, 'probe-target'), join(data, '.probe'));
  const d = await daemon({ dir, nodeArgs: SHIPPED_NODE_FLAGS, config: FAST });
  assert.equal((await health(d)).status, 200, 'the probe wrote its own file');
  // Planted after start (start clears stale temps): the next write of devices.json meets the link.
  await symlink(join(outside, 'tmp-target'), join(data, 'devices.json.tmp'));
  const c = await mqttClient(d);
  await c.publishAsync('homeassistant/switch/link_lamp/config', JSON.stringify({ name: 'Link lamp', unique_id: 'link_lamp', command_topic: 'link/lamp/set', state_topic: 'link/lamp/state' }));
  await eventually(async () => ((await readFile(join(data, 'devices.json'), 'utf8').catch(() => '')).includes('link_lamp') ? true : undefined), 'devices.json written with the device');
  assert.ok((await lstat(join(data, 'devices.json'))).isFile() && !(await lstat(join(data, 'devices.json'))).isSymbolicLink(), 'devices.json is the hub\'s own file, not the link renamed');
  // A hard link to a file outside (same file system) at the temp name: O_EXCL refuses it as well.
  await link(join(outside, 'hard-target'), join(data, 'devices.json.tmp'));
  await c.publishAsync('homeassistant/switch/link_lamp2/config', JSON.stringify({ name: 'Link lamp two', unique_id: 'link_lamp2', command_topic: 'link/lamp2/set', state_topic: 'link/lamp2/state' }));
  await eventually(async () => ((await readFile(join(data, 'devices.json'), 'utf8').catch(() => '')).includes('link_lamp2') ? true : undefined), 'devices.json written again');
  for (const name of ['probe-target', 'tmp-target', 'hard-target']) assert.equal(await readFile(join(outside, name), 'utf8'), secret, `${name} untouched`);
  assert.equal((await apiDevices(d, bearer)).status, 200);
  assert.equal(d.stderr, '');
});
