import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../../../../test/fixtures/storage/writeLoop.mjs', import.meta.url));
const ROUNDS = Number(process.env.VOICEHUB_CRASH_ROUNDS ?? 15);

/** Runs the write loop until it has flushed a few times, kills it with SIGKILL at a random moment. */
function runAndKill(dir: string): Promise<{ started: number; lastFlushed: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let started = -1;
    let lastFlushed = -1;
    let buffer = '';
    let armed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        const [kind, value] = line.split(' ');
        if (kind === 'start') started = Number(value);
        if (kind === 'flushed') lastFlushed = Number(value);
      }
      if (!armed && lastFlushed >= started + 3) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), Math.random() * 40);
      }
    });
    child.once('exit', () => resolve({ started, lastFlushed }));
    child.once('error', reject);
  });
}

test(`SIGKILL in the middle of a write loop always leaves a loadable db (${ROUNDS} rounds)`, { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'voicehub-crash-'));
  let previousFlushed = 0;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const { started, lastFlushed } = await runAndKill(dir);
      assert.ok(started >= 0, `round ${round}: the collection loaded after the previous kill`);
      assert.ok(started >= previousFlushed, `round ${round}: loaded ${started}, but ${previousFlushed} had been flushed before the kill`);
      previousFlushed = lastFlushed;
    }
    const final = JSON.parse(await readFile(join(dir, 'crash.json'), 'utf8').catch(() => readFile(join(dir, 'crash.json.tmp'), 'utf8'))) as { n: number };
    assert.ok(final.n >= previousFlushed);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
