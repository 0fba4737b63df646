import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Storage } from '../../../daemon/storage/storage.js';
import { testContext, capturingLogger } from '../../helpers/context.js';

async function withStorage<T>(fn: (storage: Storage, dir: string, lines: Array<Record<string, unknown>>) => Promise<T>, flushIntervalMs = 1000, dir?: string): Promise<T> {
  const dataDir = dir ?? await mkdtemp(join(tmpdir(), 'voicehub-storage-'));
  const { log, lines } = await capturingLogger();
  const storage = new Storage(testContext({ dataDir, storage: { flushIntervalMs } }, log));
  await storage.start();
  try {
    return await fn(storage, dataDir, lines);
  } finally {
    await storage.stop();
    if (!dir) await rm(dataDir, { recursive: true, force: true });
  }
}

test('a collection round-trips through disk and keeps the previous good copy', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'voicehub-storage-'));
  await withStorage(async (storage) => {
    const c = await storage.collection('things', () => ({ n: 0 }));
    c.data.n = 1;
    c.markDirty();
    await c.flush();
    c.data.n = 2;
    c.markDirty();
    await c.flush();
  }, 1000, dir);
  assert.deepEqual(JSON.parse(await readFile(join(dir, 'things.json'), 'utf8')), { n: 2 });
  assert.deepEqual(JSON.parse(await readFile(join(dir, 'things.json.bak'), 'utf8')), { n: 1 });
  await withStorage(async (storage) => {
    assert.equal((await storage.collection('things', () => ({ n: 0 }))).data.n, 2);
  }, 1000, dir);
  await rm(dir, { recursive: true, force: true });
});

for (const [kind, content] of [['torn', '{"n": 3, "list": [1, 2'], ['empty', ''], ['garbage', '\u0000\u0001binary']] as const) {
  test(`a ${kind} main file loads the last good copy, is moved aside and is reported`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'voicehub-storage-'));
    await writeFile(join(dir, 'things.json'), content);
    await writeFile(join(dir, 'things.json.bak'), '{"n": 7}');
    await withStorage(async (storage, _dir, lines) => {
      const c = await storage.collection('things', () => ({ n: 0 }));
      assert.equal(c.data.n, 7);
      const warning = lines.find((l) => l.code === 'STORAGE_CORRUPT');
      assert.ok(warning, 'logged with its code');
      assert.equal(warning.recoveredFrom, 'backup');
      await c.flush();
    }, 1000, dir);
    const files = await readdir(dir);
    const aside = files.filter((f) => f.startsWith('things.json.corrupt-'));
    assert.equal(aside.length, 1, 'the bad copy is kept aside, never deleted');
    assert.equal(await readFile(join(dir, aside[0]!), 'utf8'), content);
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'things.json'), 'utf8')), { n: 7 }, 'a clean main copy is written again');
    await rm(dir, { recursive: true, force: true });
  });
}

test('a complete pending copy left by a crash between renames is used', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'voicehub-storage-'));
  await writeFile(join(dir, 'things.json.tmp'), '{"n": 9}');
  await writeFile(join(dir, 'things.json.bak'), '{"n": 8}');
  await withStorage(async (storage) => {
    assert.equal((await storage.collection('things', () => ({ n: 0 }))).data.n, 9);
  }, 1000, dir);
  await rm(dir, { recursive: true, force: true });
});

test('fault suite finding: a first write cut off before its rename (no main copy, a whole temp copy) loads the temp copy with no STORAGE_CORRUPT alarm, and writes the main copy', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'voicehub-storage-'));
  await writeFile(join(dir, 'lists.json.tmp'), '{"n": 3}');
  await withStorage(async (storage, _dir, lines) => {
    const c = await storage.collection('lists', () => ({ n: 0 }));
    assert.equal(c.data.n, 3);
    assert.deepEqual(lines.filter((l) => l.code === 'STORAGE_CORRUPT'), [], 'an interrupted write is not damage');
    assert.ok(lines.some((l) => /interrupted write/.test(String(l.msg))));
    await c.flush();
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'lists.json'), 'utf8')), { n: 3 }, 'the main copy is written');
  }, 1000, dir);
  await rm(dir, { recursive: true, force: true });
});

test('no file at all gives the defaults without a warning', async () => {
  await withStorage(async (storage, _dir, lines) => {
    assert.deepEqual((await storage.collection('fresh', () => ({ list: [] }))).data, { list: [] });
    assert.equal(lines.filter((l) => l.code === 'STORAGE_CORRUPT').length, 0);
  });
});

test('rapid updates are coalesced: at most ceil(duration / interval) + 1 writes', async () => {
  const interval = 50;
  await withStorage(async (storage) => {
    const c = await storage.collection('burst', () => ({ n: 0 }));
    const before = storage.writes;
    const started = Date.now();
    for (let i = 1; i <= 3000; i++) {
      c.data.n = i;
      c.markDirty();
      if (i % 100 === 0) await new Promise((r) => setTimeout(r, 10));
    }
    await c.flush();
    const duration = Date.now() - started;
    const writes = storage.writes - before;
    assert.ok(writes >= 1, 'something was written');
    assert.ok(writes <= Math.ceil(duration / interval) + 1, `${writes} writes in ${duration} ms with a ${interval} ms interval`);
    assert.ok(writes < 3000 / 10, 'far fewer writes than updates');
    assert.equal(JSON.parse(await readFile(join(storage.dataDir, 'burst.json'), 'utf8')).n, 3000, 'the last update reached disk');
  }, interval);
});

test('stop flushes pending data immediately', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'voicehub-storage-'));
  await withStorage(async (storage) => {
    const c = await storage.collection('late', () => ({ n: 0 }));
    await c.flush();
    c.data.n = 42;
    c.markDirty();
    c.data.n = 43;
    c.markDirty();
  }, 60_000, dir);
  assert.equal(JSON.parse(await readFile(join(dir, 'late.json'), 'utf8')).n, 43);
  await rm(dir, { recursive: true, force: true });
});

test('the db health check reports a real probe', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'voicehub-storage-'));
  const ctx = testContext({ dataDir });
  const storage = new Storage(ctx);
  await storage.start();
  const { checks, status } = ctx.health.evaluate();
  assert.equal(status, 'ok');
  assert.equal(checks.db?.ok, true);
  assert.equal(typeof checks.db?.ms, 'number');
  await storage.stop();
  await rm(dataDir, { recursive: true, force: true });
});

test('a failed write marks the db check down at once; the next good write brings it back', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'voicehub-storage-'));
  const ctx = testContext({ dataDir, storage: { flushIntervalMs: 10 } });
  const storage = new Storage(ctx);
  await storage.start();
  try {
    const c = await storage.collection('devices', () => ({ n: 0 }));
    await mkdir(join(dataDir, 'devices.json.tmp')); // the temp copy cannot be written: EISDIR, as root too
    c.data.n = 1;
    c.markDirty();
    const down = await until(() => ctx.health.evaluate().checks.db?.ok === false);
    assert.ok(down, 'the check went down without waiting for the next probe');
    assert.match(String(ctx.health.evaluate().checks.db?.error), /writing devices failed/);
    assert.equal(ctx.health.evaluate().status, 'down', 'the db check is critical');
    await rm(join(dataDir, 'devices.json.tmp'), { recursive: true });
    assert.ok(await until(() => ctx.health.evaluate().checks.db?.ok === true), 'the retried write succeeded and the check came back');
    assert.equal(JSON.parse(await readFile(join(dataDir, 'devices.json'), 'utf8')).n, 1, 'nothing was lost');
  } finally {
    await storage.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
});

async function until(condition: () => boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}
