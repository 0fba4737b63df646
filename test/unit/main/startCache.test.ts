import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheFileName, decodeCache, encodeCache, guessDataDir } from '../../../daemon/main/startCache.js';

const HASH = 'ab'.repeat(32);
const RUNTIME = { version: 'v20.20.2', arch: 'x64', execArgv: ['--max-old-space-size=256', '--max-semi-space-size=8'] };

test('the file name follows the script, the Node version, the architecture, the flags and NODE_OPTIONS', () => {
  const name = cacheFileName(HASH, RUNTIME);
  assert.match(name, /^start-abababababababab-[0-9a-f]{8}\.v8$/);
  assert.equal(cacheFileName(HASH, { ...RUNTIME }), name);
  for (const changed of [{ version: 'v20.20.3' }, { arch: 'arm64' }, { execArgv: ['--max-old-space-size=256'] }, { nodeOptions: '--max-semi-space-size=16' }]) {
    assert.notEqual(cacheFileName(HASH, { ...RUNTIME, ...changed }), name, JSON.stringify(changed));
  }
  assert.notEqual(cacheFileName('cd'.repeat(32), RUNTIME), name);
});

test('a cache file round-trips, and anything else is named for what it is', () => {
  const payload = Buffer.from('pretend this is V8 code cache data');
  const file = encodeCache(payload, HASH);
  const back = decodeCache(file, HASH);
  assert.ok('payload' in back && back.payload.equals(payload));
  assert.deepEqual(decodeCache(file, 'cd'.repeat(32)), { problem: 'made for another build' });
  assert.deepEqual(decodeCache(file.subarray(0, file.length - 1), HASH), { problem: 'truncated' });
  assert.deepEqual(decodeCache(Buffer.concat([file, Buffer.from('x')]), HASH), { problem: 'truncated' });
  const flipped = Buffer.from(file);
  flipped[file.length - 3]! ^= 1;
  assert.deepEqual(decodeCache(flipped, HASH), { problem: 'corrupt' });
  assert.deepEqual(decodeCache(Buffer.alloc(0), HASH), { problem: 'not a start cache' });
  assert.deepEqual(decodeCache(Buffer.from('x'.repeat(100)), HASH), { problem: 'not a start cache' });
});

test('the data dir is guessed as loadConfig resolves it: environment, then the config file, then ./data', async () => {
  const cwd = await mkdtemp(join(tmpdir(), 'voicehub-guess-'));
  try {
    assert.equal(guessDataDir(undefined, {}, cwd), join(cwd, 'data'));
    assert.equal(guessDataDir(undefined, { VOICEHUB_DATA_DIR: 'elsewhere' }, cwd), join(cwd, 'elsewhere'));
    await writeFile(join(cwd, 'voicehub.yaml'), 'http:\n  port: 8080\ndataDir: "/var/lib/hub" # the state\n');
    assert.equal(guessDataDir(undefined, {}, cwd), '/var/lib/hub');
    assert.equal(guessDataDir(undefined, { VOICEHUB_DATA_DIR: '/from/env' }, cwd), '/from/env');
    await writeFile(join(cwd, 'other.yaml'), "dataDir: 'state'\n");
    assert.equal(guessDataDir('other.yaml', {}, cwd), join(cwd, 'state'));
    assert.equal(guessDataDir(undefined, { VOICEHUB_CONFIG: 'other.yaml' }, cwd), join(cwd, 'state'));
    // Nested keys are not the top-level dataDir; a missing file falls back to ./data.
    await writeFile(join(cwd, 'nested.yaml'), 'plugins:\n  dataDir: nope\n');
    assert.equal(guessDataDir('nested.yaml', {}, cwd), join(cwd, 'data'));
    assert.equal(guessDataDir('missing.yaml', {}, cwd), join(cwd, 'data'));
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
});
