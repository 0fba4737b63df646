import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHook } from 'node:async_hooks';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DurableJsonAdapter } from '../../../daemon/storage/durableJsonAdapter.js';

/**
 * How many turns of the event loop a write waits for: each awaited fs call is one, and under load each turn
 * is long (fifteen of them made one write of devices.json take about 0.8 s, the crash window of issue 18).
 * A write hands the thread pool exactly its two fsyncs, the temp copy's and the directory's; the rest (write
 * to the page cache, backup link, renames) is done at once. Counted with async_hooks, not timed.
 */
test('a write waits on the thread pool only for its two fsyncs, and still keeps temp + fsync + backup + rename', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'voicehub-durable-'));
  try {
    const file = join(dir, 'things.json');
    const adapter = new DurableJsonAdapter<{ n: number; pad: string }>(file);
    await adapter.write({ n: 1, pad: 'x'.repeat(300_000) });
    const requests: string[] = [];
    let counting = false;
    const hook = createHook({ init(_id, type) { if (counting && type.startsWith('FSREQ')) requests.push(type); } }).enable();
    counting = true;
    try {
      await adapter.write({ n: 2, pad: 'y'.repeat(300_000) });
    } finally {
      counting = false;
      hook.disable();
    }
    assert.equal(requests.length, 2, `thread-pool requests of one write: ${requests.join(', ')}`);
    assert.equal((JSON.parse(await readFile(file, 'utf8')) as { n: number }).n, 2);
    assert.equal((JSON.parse(await readFile(`${file}.bak`, 'utf8')) as { n: number }).n, 1, 'the previous copy is the backup');
    assert.deepEqual((await readdir(dir)).sort(), ['things.json', 'things.json.bak'], 'no temp copy left');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
