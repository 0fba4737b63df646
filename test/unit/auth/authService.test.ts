import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthService } from '../../../daemon/auth/authService.js';
import { runKeysRotate, runTokenCreate, type CommandIo } from '../../../daemon/auth/authCommands.js';
import { keyPath, rotateKey } from '../../../daemon/auth/keys.js';
import { buildConfig } from '../../../daemon/config/load.js';
import { systemClock } from '../../../daemon/core/context.js';
import { silentLogger } from '../../../daemon/core/log.js';

async function setup(t: { after(fn: () => Promise<void>): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'voicehub-auth-'));
  const config = buildConfig({ dataDir: join(dir, 'data') });
  const auth = new AuthService({ config, log: silentLogger(), clock: systemClock }, { watchIntervalMs: 50 });
  t.after(async () => {
    await auth.stop();
    await rm(dir, { recursive: true, force: true });
  });
  return { dir, config, auth };
}

function captureIo(): CommandIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l) };
}

test('start makes the key (0600); tokens it creates verify', async (t) => {
  const { config, auth } = await setup(t);
  await auth.start();
  assert.equal((await stat(keyPath(config.dataDir))).mode & 0o777, 0o600);
  const claims = await auth.verify(await auth.create({ sub: 'hall', scopes: ['voice'] }));
  assert.equal(claims.sub, 'hall');
});

test('token create prints only a JWT on stdout, one the running hub accepts', async (t) => {
  const { dir, auth } = await setup(t);
  await auth.start();
  const io = captureIo();
  const code = await runTokenCreate({ sub: 'kitchen', scope: 'voice devices:read', ttl: '1h', env: { VOICEHUB_DATA_DIR: join(dir, 'data') }, cwd: dir }, io);
  assert.equal(code, 0);
  assert.equal(io.stdout.length, 1);
  assert.match(io.stdout[0]!, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  assert.deepEqual(io.stderr, []);
  const claims = await auth.verify(io.stdout[0]!);
  assert.deepEqual(claims.scopes, ['voice', 'devices:read']);
  assert.equal(claims.exp - claims.iat, 3600);
});

test('token create with a bad scope or ttl prints nothing on stdout and exits 2', async (t) => {
  const { dir } = await setup(t);
  for (const opts of [{ scope: 'root' }, { ttl: 'forever' }]) {
    const io = captureIo();
    const code = await runTokenCreate({ sub: 'x', ...opts, env: { VOICEHUB_DATA_DIR: join(dir, 'data') }, cwd: dir }, io);
    assert.equal(code, 2);
    assert.deepEqual(io.stdout, []);
    assert.match(io.stderr.join('\n'), /not allowed/);
  }
});

test('after keys rotate, a running hub refuses old tokens and accepts new ones', async (t) => {
  const { dir, auth } = await setup(t);
  await auth.start();
  const env = { VOICEHUB_DATA_DIR: join(dir, 'data') };
  const before = captureIo();
  await runTokenCreate({ sub: 'kitchen', env, cwd: dir }, before);
  await auth.verify(before.stdout[0]!);
  const oldKid = auth.kid;

  const rotate = captureIo();
  assert.equal(await runKeysRotate({ env, cwd: dir }, rotate), 0);
  const after = captureIo();
  await runTokenCreate({ sub: 'kitchen', env, cwd: dir }, after);
  // A token with the new kid makes the hub re-read the key file at once.
  assert.equal((await auth.verify(after.stdout[0]!)).sub, 'kitchen');
  assert.notEqual(auth.kid, oldKid);
  await assert.rejects(auth.verify(before.stdout[0]!), { code: 'AUTH_INVALID' });
});

test('the file watcher picks up a rotation even before any new token is seen', async (t) => {
  const { config, auth } = await setup(t);
  await auth.start();
  const old = await auth.create({ sub: 'a' });
  const rotated = await rotateKey(config.dataDir);
  for (let i = 0; i < 100 && auth.kid !== rotated.kid; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(auth.kid, rotated.kid);
  await assert.rejects(auth.verify(old), { code: 'AUTH_INVALID' });
});

test('a rotation is seen through the directory watch (no poll here) and onKeyChange listeners are told once', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'voicehub-auth-'));
  const config = buildConfig({ dataDir: join(dir, 'data') });
  // A poll interval far longer than the test: only fs.watch on the data dir can notice the new file.
  const auth = new AuthService({ config, log: silentLogger(), clock: systemClock }, { watchIntervalMs: 600_000 });
  t.after(async () => {
    await auth.stop();
    await rm(dir, { recursive: true, force: true });
  });
  await auth.start();
  const before = auth.kid;
  let told = 0;
  const changed = new Promise<void>((resolve) => auth.onKeyChange(() => { told++; resolve(); }));
  const stopListening = auth.onKeyChange(() => { throw new Error('a failing listener does not stop the others'); });
  const rotated = await rotateKey(config.dataDir);
  await changed;
  assert.equal(auth.kid, rotated.kid);
  assert.notEqual(auth.kid, before);
  assert.equal(told, 1);
  stopListening();
});
