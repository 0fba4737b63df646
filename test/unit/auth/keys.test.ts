import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyPath, loadOrCreateKey, readKey, rotateKey, type KeyRecovery } from '../../../daemon/auth/keys.js';

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'voicehub-keys-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('first use makes a 256-bit key in the data dir with mode 0600, and later uses read the same key', async (t) => {
  const dir = await tempDir(t);
  const dataDir = join(dir, 'data');
  assert.equal(await readKey(dataDir), null);
  const key = await loadOrCreateKey(dataDir);
  assert.equal(key.secret.length, 32);
  assert.equal((await stat(keyPath(dataDir))).mode & 0o777, 0o600);
  const again = await loadOrCreateKey(dataDir);
  assert.equal(again.kid, key.kid);
  assert.deepEqual(Buffer.from(again.secret), Buffer.from(key.secret));
  assert.deepEqual((await readdir(dataDir)).filter((f) => f.endsWith('.tmp')), [], 'no temp files left behind');
});

test('processes racing to create the key all end up with one key', async (t) => {
  const dir = await tempDir(t);
  const keys = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateKey(dir)));
  assert.equal(new Set(keys.map((k) => k.kid)).size, 1);
});

test('rotate replaces the key (new kid, new secret, still 0600)', async (t) => {
  const dir = await tempDir(t);
  const first = await loadOrCreateKey(dir);
  const second = await rotateKey(dir);
  assert.notEqual(second.kid, first.kid);
  assert.notDeepEqual(Buffer.from(second.secret), Buffer.from(first.secret));
  assert.equal((await readKey(dir))?.kid, second.kid);
  assert.equal((await stat(keyPath(dir))).mode & 0o777, 0o600);
});

test('a key file with loose permissions is tightened to 0600 on read', async (t) => {
  const dir = await tempDir(t);
  await loadOrCreateKey(dir);
  await chmod(keyPath(dir), 0o644);
  await readKey(dir);
  assert.equal((await stat(keyPath(dir))).mode & 0o777, 0o600);
});

test('a corrupt or short key file with no good copy is an error for readKey; loadOrCreateKey replaces it and says so', async (t) => {
  const dir = await tempDir(t);
  await writeFile(keyPath(dir), 'garbage', { mode: 0o600 });
  await assert.rejects(readKey(dir), { code: 'AUTH_INVALID' });
  assert.equal(await readFile(keyPath(dir), 'utf8'), 'garbage', 'readKey never replaces a key');
  await writeFile(keyPath(dir), JSON.stringify({ v: 1, alg: 'HS256', kid: 'k', k: 'c2hvcnQ' }));
  await assert.rejects(readKey(dir), { code: 'AUTH_INVALID' });
  const recoveries: KeyRecovery[] = [];
  const key = await loadOrCreateKey(dir, (r) => recoveries.push(r));
  assert.equal(recoveries.length, 1);
  assert.equal(recoveries[0]!.kind, 'replaced');
  assert.equal((await readKey(dir))!.kid, key.kid);
  const aside = (await readdir(dir)).filter((f) => f.startsWith('signing-key.json.corrupt-'));
  assert.equal(aside.length, 1, 'the damaged copy is kept aside');
});

for (const [kind, content] of [['empty', ''], ['truncated', '{"v":1,"alg":"HS256","kid":"ab']] as const) {
  test(`an ${kind} key file is restored from its backup copy: same key, reported`, async (t) => {
    const dir = await tempDir(t);
    const original = await loadOrCreateKey(dir);
    assert.ok((await readdir(dir)).includes('signing-key.json.bak'), 'a backup copy is kept');
    await writeFile(keyPath(dir), content);
    const recoveries: KeyRecovery[] = [];
    const key = await loadOrCreateKey(dir, (r) => recoveries.push(r));
    assert.equal(key.kid, original.kid);
    assert.deepEqual(Buffer.from(key.secret), Buffer.from(original.secret));
    assert.equal(recoveries[0]?.kind, 'restored-from-backup');
    assert.equal((await readKey(dir))!.kid, original.kid, 'the main copy is whole again');
    assert.equal((await stat(keyPath(dir))).mode & 0o777, 0o600);
  });
}

test('rotate writes the backup first: both copies hold the new key', async (t) => {
  const dir = await tempDir(t);
  await loadOrCreateKey(dir);
  const rotated = await rotateKey(dir);
  const bak = JSON.parse(await readFile(`${keyPath(dir)}.bak`, 'utf8')) as { kid: string };
  assert.equal(bak.kid, rotated.kid);
  assert.equal((await readKey(dir))!.kid, rotated.kid);
});

// Found by the fault suite (seed -121507386): a key file holding JSON that is not an object crashed start-up.
test('a key file of JSON that is not an object (null, a number, a list) is damaged like any other: replaced, kept aside', async (t) => {
  for (const content of ['null', '42', '[]', '"k"']) {
    const dir = await tempDir(t);
    await writeFile(keyPath(dir), content, { mode: 0o600 });
    await assert.rejects(readKey(dir), { code: 'AUTH_INVALID' }, content);
    const recoveries: KeyRecovery[] = [];
    const key = await loadOrCreateKey(dir, (r) => recoveries.push(r));
    assert.equal(recoveries[0]?.kind, 'replaced', content);
    assert.equal((await readKey(dir))!.kid, key.kid);
  }
});
