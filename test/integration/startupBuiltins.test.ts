/**
 * What Node loads before `listening`: TLS (node:tls, node:https) is for a cloud link or an external broker
 * over TLS, and loads at their first use, not with every start (ws and prom-client get stand-ins that load it
 * at first use, daemon/build/bundle.ts; readCa imports it when called). The real bundle, the unit's flags, a
 * preload that lists the built-ins loaded when the hub logs `listening`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT, SHIPPED_NODE_FLAGS, makeTempDir, startDaemon } from '../helpers/daemon.js';

test('no TLS module is loaded before `listening`', { timeout: 60_000 }, async () => {
  const dir = await makeTempDir();
  const loadedFile = join(dir, 'loaded.txt');
  const d = await startDaemon({
    dir, nodeArgs: SHIPPED_NODE_FLAGS,
    env: { NODE_OPTIONS: `-r ${join(REPO_ROOT, 'test/fixtures/startup/loadedAtListening.cjs')}`, VOICEHUB_TEST_LOADED_FILE: loadedFile },
  });
  try {
    const loaded = (await readFile(loadedFile, 'utf8')).split('\n');
    assert.ok(loaded.includes('NativeModule net') && loaded.includes('NativeModule http'), 'the list is of this process');
    for (const name of ['NativeModule tls', 'NativeModule _tls_wrap', 'NativeModule https']) assert.ok(!loaded.includes(name), `${name} loaded before listening`);
  } finally {
    await d.stop();
  }
});
