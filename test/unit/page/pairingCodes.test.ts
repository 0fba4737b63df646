import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { consumePairingCode, createPairingCode, PAIRING_DIR, PAIRING_TTL_MS } from '../../../daemon/page/pairingCodes.js';
import { makeTempDir } from '../../helpers/daemon.js';

async function dataDir(): Promise<string> {
  return join(await makeTempDir(), 'data');
}

test('a code is six digits, good once, with the default scopes', async () => {
  const dir = await dataDir();
  const made = await createPairingCode(dir, { now: 1000 });
  assert.match(made.code, /^\d{6}$/);
  assert.deepEqual(made.scopes, ['voice', 'devices:read', 'devices:control']);
  assert.deepEqual(await consumePairingCode(dir, made.code, 2000), made.scopes);
  assert.equal(await consumePairingCode(dir, made.code, 2000), null, 'used once');
  await rm(dir, { recursive: true, force: true });
});

test('the file holds a salted hash, never the code, with mode 0600', async () => {
  const dir = await dataDir();
  const made = await createPairingCode(dir, { scope: 'admin' });
  const [name] = await readdir(join(dir, PAIRING_DIR));
  const path = join(dir, PAIRING_DIR, name!);
  const text = await readFile(path, 'utf8');
  assert.ok(!text.includes(made.code));
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  assert.deepEqual(await consumePairingCode(dir, made.code), ['admin']);
});

test('an expired code, a wrong one and malformed input are refused', async () => {
  const dir = await dataDir();
  const made = await createPairingCode(dir, { now: 0 });
  const wrong = made.code === '000000' ? '000001' : '000000';
  assert.equal(await consumePairingCode(dir, wrong, 1), null);
  for (const bad of ['', '12345', '1234567', 'abcdef', ' 123456', '12345\n']) assert.equal(await consumePairingCode(dir, bad, 1), null);
  assert.equal(await consumePairingCode(dir, made.code, PAIRING_TTL_MS), null, 'expired at 5 minutes');
  assert.deepEqual(await readdir(join(dir, PAIRING_DIR)), [], 'the expired file is removed');
});

test('unknown scopes are refused when the code is made', async () => {
  const dir = await dataDir();
  await assert.rejects(createPairingCode(dir, { scope: 'voice root' }), { code: 'BAD_REQUEST' });
});

test('hostile files in the pairing folder are skipped and removed; codes stay bounded', async () => {
  const dir = await dataDir();
  const made = await createPairingCode(dir);
  await writeFile(join(dir, PAIRING_DIR, 'junk.json'), '{"v":1,"salt":"x","hash":"zz","scopes":["admin"],"expiresAt":1e20}');
  await writeFile(join(dir, PAIRING_DIR, 'big.json'), 'x'.repeat(10_000));
  assert.deepEqual(await consumePairingCode(dir, made.code), ['voice', 'devices:read', 'devices:control']);
  assert.deepEqual(await readdir(join(dir, PAIRING_DIR)), []);
  for (let i = 0; i < 20; i++) await createPairingCode(dir);
  assert.ok((await readdir(join(dir, PAIRING_DIR))).length <= 16);
});
