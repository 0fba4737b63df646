import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as turn } from 'node:timers/promises';
import { Storage } from '../../../daemon/storage/storage.js';
import { LEARNED_MEAN_COLLECTION, openLearnedMean } from '../../../daemon/speech/learnedMean.js';
import { capturingLogger, testContext } from '../../helpers/context.js';

/**
 * The learned cepstral mean goes through the storage layer (issue 18's loose end): coalesced, atomic, and a bad
 * file never stops start-up. Real Storage on a real temp data dir; the counts are of completed file writes.
 */

const MEAN = (x: number) => Array.from({ length: 13 }, (_, i) => x + i / 10);

async function hub(t: { after(fn: () => Promise<void>): void }, dataDir: string, flushIntervalMs = 200) {
  const { log, lines } = await capturingLogger();
  const ctx = testContext({ dataDir, storage: { flushIntervalMs } }, log);
  const storage = new Storage(ctx);
  await storage.start();
  let stopped = false;
  const stop = async () => { if (!stopped) { stopped = true; await storage.stop(); } };
  t.after(stop);
  return { storage, lines, log, stop };
}

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'voicehub-cmn-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('a mean learned after each of 500 utterances is written a few times, not 500; the last one is what the next start reads', async (t) => {
  const dataDir = await tempDir(t);
  const a = await hub(t, dataDir);
  const legacy = join(dataDir, 'speech', 'cmn.json');
  const kept = await openLearnedMean(a.storage, a.log, legacy);
  assert.equal(kept.saved, null, 'nothing saved yet');
  const before = a.storage.writes;
  const started = Date.now();
  for (let i = 0; i < 500; i++) {
    kept.learned(MEAN(i));
    await turn();
  }
  const elapsedMs = Date.now() - started;
  await a.stop(); // the last change is flushed on stop
  const writes = a.storage.writes - before;
  // At most one write per 200 ms flush interval while they came, plus the first at once and the one on stop.
  assert.ok(writes >= 1 && writes <= Math.ceil(elapsedMs / 200) + 2, `${writes} writes for 500 updates in ${elapsedMs} ms`);
  assert.ok(writes < 50, `${writes} writes`);
  // Written the storage way: the file, no temp copy left behind; nothing at the old plain-writeFile path.
  const files = await readdir(dataDir);
  assert.ok(files.includes(`${LEARNED_MEAN_COLLECTION}.json`), files.join(', '));
  assert.equal(files.some((f) => f.endsWith('.tmp')), false, files.join(', '));
  assert.deepEqual(JSON.parse(await readFile(join(dataDir, `${LEARNED_MEAN_COLLECTION}.json`), 'utf8')), { mean: MEAN(499) });

  const b = await hub(t, dataDir);
  assert.deepEqual((await openLearnedMean(b.storage, b.log, legacy)).saved, MEAN(499));
  await b.stop();
});

test('garbage in the file: start-up goes on with the model\'s mean and a coded warning; a wrong shape too; a hostile legacy file is ignored', async (t) => {
  const dataDir = await tempDir(t);
  await writeFile(join(dataDir, `${LEARNED_MEAN_COLLECTION}.json`), '{"mean": [1, 2, \u0000 garbage');
  const a = await hub(t, dataDir);
  const kept = await openLearnedMean(a.storage, a.log, join(dataDir, 'speech', 'cmn.json'));
  assert.equal(kept.saved, null);
  assert.ok(a.lines.some((l) => l.code === 'STORAGE_CORRUPT' && l.collection === LEARNED_MEAN_COLLECTION), JSON.stringify(a.lines));
  kept.learned(MEAN(3)); // and it still keeps what it learns
  await a.stop();

  const b = await hub(t, dataDir);
  assert.deepEqual((await openLearnedMean(b.storage, b.log, join(dataDir, 'speech', 'cmn.json'))).saved, MEAN(3));
  await b.stop();

  // Parses, but not a mean (13 bounded numbers): logged, not used.
  for (const bad of [{ mean: [1, 2] }, { mean: Array(13).fill(1e300) }, { mean: 'x' }, [1, 2, 3]]) {
    await writeFile(join(dataDir, `${LEARNED_MEAN_COLLECTION}.json`), JSON.stringify(bad));
    const c = await hub(t, dataDir);
    assert.equal((await openLearnedMean(c.storage, c.log, join(dataDir, 'speech', 'cmn.json'))).saved, null, JSON.stringify(bad));
    assert.ok(c.lines.some((l) => l.code === 'STORED_ENTRY_INVALID'), `${JSON.stringify(bad)}: ${JSON.stringify(c.lines)}`);
    await c.stop();
  }
});

test('a mean an older hub wrote to speech/cmn.json is taken over once, and the old file removed; a bad one is ignored with a coded warning', async (t) => {
  const dataDir = await tempDir(t);
  await mkdir(join(dataDir, 'speech'), { recursive: true });
  const legacy = join(dataDir, 'speech', 'cmn.json');
  await writeFile(legacy, JSON.stringify({ mean: MEAN(7) }));
  const a = await hub(t, dataDir);
  assert.deepEqual((await openLearnedMean(a.storage, a.log, legacy)).saved, MEAN(7));
  await a.stop();
  await assert.rejects(readFile(legacy), { code: 'ENOENT' });
  const b = await hub(t, dataDir);
  assert.deepEqual((await openLearnedMean(b.storage, b.log, legacy)).saved, MEAN(7));
  await b.stop();

  const other = await tempDir(t);
  await mkdir(join(other, 'speech'), { recursive: true });
  await writeFile(join(other, 'speech', 'cmn.json'), 'x'.repeat(100_000));
  const c = await hub(t, other);
  assert.equal((await openLearnedMean(c.storage, c.log, join(other, 'speech', 'cmn.json'))).saved, null);
  assert.ok(c.lines.some((l) => l.code === 'STORED_ENTRY_INVALID'));
  await c.stop();
});
