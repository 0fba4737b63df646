/**
 * The start script's code cache (daemon/main/startScript.ts), through the real bundle with the unit's node
 * flags: the first start writes `<dataDir>/cache/start-….v8` after warm-up, the next one uses it, and a cache
 * that is not valid for this build — corrupt, truncated, another build's, made under other node flags, a
 * directory in its place — is reported `rejected`, never stops start-up, and is replaced; a cache folder that
 * cannot be written leaves the hub without a cache, serving as before. Each start serves a spoken command.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startDaemon, runCli, makeTempDir, SHIPPED_NODE_FLAGS, type DaemonProcess } from '../helpers/daemon.js';
import { VoiceClient } from '../helpers/voiceClient.js';
import { encodeCache } from '../../daemon/main/startCache.js';

const CONFIG = `devices:
  - { id: kitchen_light, name: Kitchen light, area: kitchen, type: light, commandTopic: home/kitchen/light/set, stateTopic: home/kitchen/light }
`;

interface Start { status: unknown; problem: unknown; written: boolean; notWritten?: string }

/** One start in `dir`: the `listening` line's cache status, a command served, and what became of the cache. */
async function startOnce(dir: string, token: string, nodeArgs = SHIPPED_NODE_FLAGS, env: Record<string, string> = {}): Promise<Start> {
  const d: DaemonProcess = await startDaemon({ dir, config: CONFIG, nodeArgs, env });
  try {
    const listening = d.lines.find((l) => l.msg === 'listening')!;
    const client = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, token);
    try {
      const reply = await client.say('u1', 'turn on the kitchen light');
      assert.equal(reply.type, 'reply', JSON.stringify(reply));
      assert.deepEqual(reply.actions, [{ device: 'kitchen_light', command: 'turn_on' }]);
    } finally {
      client.close();
    }
    let written = false;
    let notWritten: string | undefined;
    if (listening.startCache !== 'used') {
      const line = await d.waitForLine((l) => l.msg === 'start cache written' || l.msg === 'start cache not written', 30_000);
      written = line.msg === 'start cache written';
      notWritten = written ? undefined : String(line.reason);
    }
    assert.equal((await d.stop()).code, 0, d.stderr);
    return { status: listening.startCache, problem: listening.startCacheProblem, written, notWritten };
  } catch (err) {
    await d.stop('SIGKILL');
    throw err;
  }
}

async function cacheFiles(dir: string): Promise<string[]> {
  return (await readdir(join(dir, 'data', 'cache'))).filter((f) => f.startsWith('start-'));
}

test('the start cache: written, used, and every bad one rejected, replaced, and never in the way', { timeout: 240_000 }, async () => {
  const dir = await makeTempDir();
  const other = await makeTempDir();
  try {
    const env = { VOICEHUB_DATA_DIR: join(dir, 'data') };
    const created = await runCli(['token', 'create', '--sub', 'kitchen-satellite'], { cwd: dir, env });
    assert.equal(created.code, 0, created.stderr);
    const token = created.stdout.trim();

    // First start: no cache yet; one is written after warm-up.
    assert.deepEqual(await startOnce(dir, token), { status: 'none', problem: undefined, written: true, notWritten: undefined });
    const [name] = await cacheFiles(dir);
    assert.match(name!, /^start-[0-9a-f]{16}-[0-9a-f]{8}\.v8$/);
    const file = join(dir, 'data', 'cache', name!);
    const good = await readFile(file);

    // Second start: used, and not written again (an SD card is written once per build).
    const before = (await stat(file)).mtimeMs;
    assert.deepEqual(await startOnce(dir, token), { status: 'used', problem: undefined, written: false, notWritten: undefined });
    assert.equal((await stat(file)).mtimeMs, before);

    // A flipped byte in the middle: V8 would take it and run wrong code; the file's own check refuses it.
    const flipped = Buffer.from(good);
    flipped[Math.floor(flipped.length / 2)]! ^= 0xff;
    await writeFile(file, flipped);
    assert.deepEqual(await startOnce(dir, token), { status: 'rejected', problem: 'corrupt', written: true, notWritten: undefined });
    assert.notDeepEqual(await readFile(file), flipped, 'replaced');

    await truncate(file, Math.floor(good.length / 2));
    assert.deepEqual(await startOnce(dir, token), { status: 'rejected', problem: 'truncated', written: true, notWritten: undefined });

    // Another build's cache under this build's name (its header names another script).
    const foreign = Buffer.from(good);
    foreign.fill(0xab, 8, 40);
    await writeFile(file, foreign);
    assert.deepEqual(await startOnce(dir, token), { status: 'rejected', problem: 'made for another build', written: true, notWritten: undefined });

    // A right header (this build's hash, length, CRC) around bytes that are not V8's: V8's own check refuses them.
    await writeFile(file, encodeCache(randomBytes(64 * 1024), good.toString('hex', 8, 40)));
    assert.deepEqual(await startOnce(dir, token), { status: 'rejected', problem: 'refused by V8', written: true, notWritten: undefined });

    // A cache made for this build under other node flags: intact, but V8 refuses it.
    const otherEnv = { VOICEHUB_DATA_DIR: join(other, 'data') };
    const otherToken = await runCli(['token', 'create', '--sub', 'kitchen-satellite'], { cwd: other, env: otherEnv });
    assert.deepEqual(await startOnce(other, otherToken.stdout.trim(), []), { status: 'none', problem: undefined, written: true, notWritten: undefined });
    const [otherName] = await cacheFiles(other);
    assert.notEqual(otherName, name, 'the node flags are part of the name');
    await writeFile(file, await readFile(join(other, 'data', 'cache', otherName!)));
    assert.deepEqual(await startOnce(dir, token), { status: 'rejected', problem: 'refused by V8', written: true, notWritten: undefined });

    // A directory where the file should be: not read, and replaced by the file.
    await rm(file);
    await mkdir(join(file, 'inside'), { recursive: true });
    assert.deepEqual(await startOnce(dir, token), { status: 'rejected', problem: 'not a file', written: true, notWritten: undefined });
    assert.ok((await stat(file)).isFile());
    assert.deepEqual(await cacheFiles(dir), [name]);

    // A cache folder that cannot be made (a file holds its name): no cache, the hub serves as before.
    await rm(join(dir, 'data', 'cache'), { recursive: true });
    await writeFile(join(dir, 'data', 'cache'), 'not a folder');
    const blocked = await startOnce(dir, token);
    assert.equal(blocked.status, 'none');
    assert.equal(blocked.written, false);
    assert.match(blocked.notWritten!, /EEXIST|ENOTDIR/);
  } finally {
    await rm(dir, { recursive: true, force: true });
    await rm(other, { recursive: true, force: true });
  }
});

test('VOICEHUB_CACHE_DIR (the unit\'s CacheDirectory): the cache is written and used there, and nothing under the data dir', { timeout: 120_000 }, async () => {
  const dir = await makeTempDir();
  const cacheDir = await makeTempDir();
  try {
    const created = await runCli(['token', 'create', '--sub', 'kitchen-satellite'], { cwd: dir, env: { VOICEHUB_DATA_DIR: join(dir, 'data') } });
    assert.equal(created.code, 0, created.stderr);
    const token = created.stdout.trim();
    const env = { VOICEHUB_CACHE_DIR: cacheDir };
    assert.deepEqual(await startOnce(dir, token, SHIPPED_NODE_FLAGS, env), { status: 'none', problem: undefined, written: true, notWritten: undefined });
    assert.equal((await readdir(cacheDir)).filter((f) => /^start-[0-9a-f]{16}-[0-9a-f]{8}\.v8$/.test(f)).length, 1);
    await assert.rejects(readdir(join(dir, 'data', 'cache')), /ENOENT/, 'no cache folder in the data dir');
    assert.deepEqual(await startOnce(dir, token, SHIPPED_NODE_FLAGS, env), { status: 'used', problem: undefined, written: false, notWritten: undefined });
  } finally {
    await rm(dir, { recursive: true, force: true });
    await rm(cacheDir, { recursive: true, force: true });
  }
});
