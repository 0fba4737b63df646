import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Storage, describeWriteError } from '../../../daemon/storage/storage.js';
import { serialiseIsolating } from '../../../daemon/storage/isolatingSerialiser.js';
import { LOCK_FILE } from '../../../daemon/storage/dataDirLock.js';
import { testContext, capturingLogger } from '../../helpers/context.js';

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'voicehub-resilience-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function started(dataDir: string) {
  const { log, lines } = await capturingLogger();
  const ctx = testContext({ dataDir, storage: { flushIntervalMs: 10 } }, log);
  const storage = new Storage(ctx);
  await storage.start();
  return { storage, ctx, lines };
}

/** An array nested so deep that JSON.stringify overflows the stack on it. */
function tooDeep(levels = 200_000): unknown {
  let v: unknown = 0;
  for (let i = 0; i < levels; i++) v = [v];
  return v;
}

test('serialiseIsolating leaves out only the entry that cannot be serialised', () => {
  const skipped: string[] = [];
  const text = serialiseIsolating({ version: 1, devices: { good: { n: 1 }, bad: { deep: tooDeep() }, also: { n: 2 } } }, skipped);
  assert.deepEqual(JSON.parse(text), { version: 1, devices: { good: { n: 1 }, also: { n: 2 } } });
  assert.equal(skipped.length, 1);
  assert.match(skipped[0]!, /^devices\.bad: /);
});

test('a collection with one unserialisable entry still writes the rest, reports it once, and /health stays ok', async (t) => {
  const dir = await tempDir(t);
  const { storage, ctx, lines } = await started(dir);
  try {
    const c = await storage.collection('devices', () => ({ version: 1, devices: {} as Record<string, unknown> }));
    c.data.devices.lamp = { state: 'on' };
    c.data.devices.evil = { attributes: tooDeep() };
    c.markDirty();
    await c.flush();
    c.data.devices.lamp = { state: 'off' };
    c.markDirty();
    await c.flush();
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'devices.json'), 'utf8')).devices, { lamp: { state: 'off' } });
    assert.equal(lines.filter((l) => l.code === 'STORAGE_ENTRY_UNSERIALISABLE').length, 1, 'reported once, not at every flush');
    assert.equal(ctx.health.evaluate().status, 'ok');
  } finally {
    await storage.stop();
  }
});

test('garbage written over the main copy while running is moved aside at the next write and never becomes the backup', async (t) => {
  const dir = await tempDir(t);
  const { storage, lines } = await started(dir);
  try {
    const c = await storage.collection('things', () => ({ n: 0 }));
    for (const n of [1, 2]) {
      c.data.n = n;
      c.markDirty();
      await c.flush();
    }
    await writeFile(join(dir, 'things.json'), 'garbage \u0000 not json');
    c.data.n = 3;
    c.markDirty();
    await c.flush();
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'things.json.bak'), 'utf8')), { n: 1 }, 'the last good backup is kept');
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'things.json'), 'utf8')), { n: 3 });
    const aside = (await readdir(dir)).filter((f) => f.startsWith('things.json.corrupt-'));
    assert.equal(aside.length, 1, 'the garbage is kept aside');
    assert.ok(lines.some((l) => l.code === 'STORAGE_CORRUPT'));
    c.data.n = 4; // our own good write rotates as usual again
    c.markDirty();
    await c.flush();
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'things.json.bak'), 'utf8')), { n: 3 });
  } finally {
    await storage.stop();
  }
});

test('start removes temp files a crash left (a pending copy whose main copy is good), keeps one that may be the newest copy', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'devices.json'), '{"n":1}');
  await writeFile(join(dir, 'devices.json.tmp'), Buffer.alloc(256 * 1024, 'x'));
  await writeFile(join(dir, 'timers.json.tmp'), '{"n":5}'); // main copy missing: a crash between the renames
  await writeFile(join(dir, 'mqtt-users.json.999999999.abcd0123.tmp'), 'half');
  const { storage, lines } = await started(dir);
  try {
    const files = await readdir(dir);
    assert.ok(!files.includes('devices.json.tmp'));
    assert.ok(!files.includes('mqtt-users.json.999999999.abcd0123.tmp'));
    assert.ok(files.includes('timers.json.tmp'));
    const removed = lines.find((l) => l.msg === 'removed temp files left by an earlier run');
    assert.ok(removed && (removed.bytes as number) >= 256 * 1024);
    assert.equal((await storage.collection('timers', () => ({ n: 0 }))).data.n, 5);
  } finally {
    await storage.stop();
  }
});

test('a data dir that cannot be written starts read-only with the cause in /health, instead of refusing', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, '.probe')); // the probe's write fails (EISDIR), as root too
  const { storage, ctx, lines } = await started(dir);
  try {
    const problem = lines.find((l) => l.code === 'DATA_DIR_UNWRITABLE');
    assert.ok(problem, 'logged with its code');
    assert.equal(ctx.health.evaluate().checks.db?.ok, false);
    assert.match(String(ctx.health.evaluate().checks.db?.error), /EISDIR|directory/i);
  } finally {
    await storage.stop();
  }
});

test('a full disk is called a full disk, not a permissions problem', () => {
  const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  assert.match(describeWriteError(enospc), /^disk full/);
  assert.doesNotMatch(describeWriteError(enospc), /permission/);
  assert.match(describeWriteError(Object.assign(new Error('x'), { code: 'EACCES' })), /permissions/);
});

test('the data-dir lock: held while running, released on stop; a live holder refuses; a dead one is taken over', async (t) => {
  const dir = await tempDir(t);
  const { storage } = await started(dir);
  const lock = JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')) as { pid: number };
  assert.equal(lock.pid, process.pid);
  await storage.stop();
  assert.ok(!(await readdir(dir)).includes(LOCK_FILE), 'released on a clean stop');

  // A live process that is not us (our parent, the test runner) holds it: refused with DATA_DIR_LOCKED.
  await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid: process.ppid, startTime: null }));
  await assert.rejects(new Storage(testContext({ dataDir: dir })).start(), { code: 'DATA_DIR_LOCKED' });
  assert.equal(JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')).pid, process.ppid, 'the holder\'s lock is left alone');

  // The same pid but another start time is a reused pid: stale.
  await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid: process.ppid, startTime: '1' }));
  const reused = await started(dir);
  await reused.storage.stop();

  // A pid that has exited: stale, taken over and said so.
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.once('exit', resolve));
  await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid: child.pid, startTime: null }));
  const again = await started(dir);
  try {
    assert.equal(JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')).pid, process.pid);
    assert.ok(again.lines.some((l) => typeof l.msg === 'string' && l.msg.includes(`left by pid ${child.pid}`)));
  } finally {
    await again.storage.stop();
  }
});
