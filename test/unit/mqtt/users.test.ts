import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, stat, writeFile, chmod, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addMqttUser, listMqttUsers, removeMqttUser, readUsersFile, USERS_FILE, type UsersReadReport } from '../../../daemon/mqtt/users.js';
import { verifyPassword, hashPassword } from '../../../daemon/mqtt/passwordHash.js';
import { UserDirectory } from '../../../daemon/mqtt/userDirectory.js';
import { silentLogger } from '../../../daemon/core/log.js';
import { systemClock, type Clock } from '../../../daemon/core/context.js';
import { HubError } from '../../../daemon/core/errors.js';

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'voicehub-users-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('add, list and remove users; the file is 0600 and holds no password', async (t) => {
  const dir = join(await tempDir(t), 'data'); // not created yet: add makes it
  assert.deepEqual(await addMqttUser(dir, 'shelly', 'correct horse', ['shellies/#']), { created: true });
  assert.deepEqual(await addMqttUser(dir, 'z2m', 'battery staple', ['zigbee2mqtt/#', 'homeassistant/#']), { created: true });
  assert.deepEqual(await addMqttUser(dir, 'shelly', 'new password', ['shellies/+/relay/0']), { created: false });
  const users = await listMqttUsers(dir);
  assert.deepEqual(users.map((u) => [u.name, u.allow]), [['shelly', ['shellies/+/relay/0']], ['z2m', ['zigbee2mqtt/#', 'homeassistant/#']]]);
  const path = join(dir, USERS_FILE);
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  const text = await readFile(path, 'utf8');
  assert.ok(!text.includes('correct horse') && !text.includes('new password'));
  assert.deepEqual((await readdir(dir)).filter((f) => f.endsWith('.tmp')), [], 'no temp files left behind');
  assert.equal(await removeMqttUser(dir, 'shelly'), true);
  assert.equal(await removeMqttUser(dir, 'shelly'), false);
  assert.deepEqual((await listMqttUsers(dir)).map((u) => u.name), ['z2m']);
});

test('passwords verify with scrypt and a per-user salt', async (t) => {
  const dir = await tempDir(t);
  await addMqttUser(dir, 'a', 'same password', []);
  await addMqttUser(dir, 'b', 'same password', []);
  const { users } = await readUsersFile(dir);
  assert.notEqual(users.a.salt, users.b.salt);
  assert.notEqual(users.a.hash, users.b.hash);
  assert.equal(await verifyPassword('same password', users.a), true);
  assert.equal(await verifyPassword(Buffer.from('same password'), users.b), true);
  assert.equal(await verifyPassword('same passwore', users.a), false);
  assert.equal(await verifyPassword('same password', { ...users.a, N: 3 }), false, 'implausible cost is refused, not run');
  assert.equal(await verifyPassword('x', { ...(await hashPassword('x')), hash: 'AAAA' }), false, 'short hash is refused');
});

test('bad names, empty passwords and invalid allow patterns are refused with CONFIG_INVALID', async (t) => {
  const dir = await tempDir(t);
  const code = (err: unknown) => err instanceof HubError && err.code === 'CONFIG_INVALID';
  await assert.rejects(addMqttUser(dir, 'has space', 'pw', []), code);
  await assert.rejects(addMqttUser(dir, 'ok', '', []), code);
  await assert.rejects(addMqttUser(dir, 'ok', 'pw', ['a/#/b']), code);
  await assert.rejects(addMqttUser(dir, 'ok', 'pw', ['a+']), code);
  assert.deepEqual(await listMqttUsers(dir), []);
});

test('a corrupt users file is reported, not overwritten', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, USERS_FILE), '{"version":1,"users":', { mode: 0o600 });
  await assert.rejects(addMqttUser(dir, 'x', 'pw', []), (err: unknown) => err instanceof HubError && err.code === 'CONFIG_UNREADABLE');
  assert.equal(await readFile(join(dir, USERS_FILE), 'utf8'), '{"version":1,"users":');
});

test('the broker-side directory authenticates and picks up file changes without a restart', async (t) => {
  const dir = await tempDir(t);
  let now = 0;
  const clock: Clock = { ...systemClock, now: () => now };
  await addMqttUser(dir, 'dev', 'pw1', ['devices/#']);
  const directory = new UserDirectory(dir, silentLogger(), clock, { recheckMs: 1000 });
  await directory.load();
  assert.equal(await directory.authenticate('dev', Buffer.from('pw1')), 'ok');
  assert.equal(await directory.authenticate('dev', Buffer.from('nope')), 'denied');
  assert.equal(await directory.authenticate('ghost', Buffer.from('pw1')), 'denied');
  assert.deepEqual(directory.allowOf('dev'), ['devices/#']);

  await addMqttUser(dir, 'dev', 'pw2', ['other/#']);
  await addMqttUser(dir, 'late', 'pw3', []);
  // Make the change visible even on filesystems with coarse mtimes.
  await utimes(join(dir, USERS_FILE), new Date(), new Date(Date.now() + 5000));
  now += 1500;
  assert.equal(await directory.authenticate('late', Buffer.from('pw3')), 'ok');
  assert.equal(await directory.authenticate('dev', Buffer.from('pw1')), 'denied');
  assert.deepEqual(directory.allowOf('dev'), ['other/#']);

  // A broken file later keeps the last good users.
  await writeFile(join(dir, USERS_FILE), 'garbage');
  await chmod(join(dir, USERS_FILE), 0o600);
  now += 1500;
  assert.equal(await directory.authenticate('late', Buffer.from('pw3')), 'ok');
});

test('too many logins waiting for scrypt are answered busy', async (t) => {
  const dir = await tempDir(t);
  await addMqttUser(dir, 'dev', 'pw', []);
  const directory = new UserDirectory(dir, silentLogger(), systemClock, { maxConcurrent: 1, maxWaiting: 2 });
  await directory.load();
  const outcomes = await Promise.all(Array.from({ length: 6 }, () => directory.authenticate('dev', Buffer.from('pw'))));
  assert.equal(outcomes.filter((o) => o === 'ok').length, 3, outcomes.join());
  assert.equal(outcomes.filter((o) => o === 'busy').length, 3, outcomes.join());
});

test('a truncated or empty users file is restored from its backup copy; a malformed user is skipped and reported', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'voicehub-users-'));
  try {
    await addMqttUser(dir, 'plug', 'secret-1', ['home/#']);
    await addMqttUser(dir, 'lamp', 'secret-2', ['lamp/#']);
    const path = join(dir, USERS_FILE);
    const good = await readFile(path, 'utf8');
    for (const damaged of ['', good.slice(0, good.length / 2)]) {
      await writeFile(path, damaged);
      const reports: UsersReadReport[] = [];
      const { users } = await readUsersFile(dir, (r) => reports.push(r));
      assert.deepEqual(Object.keys(users).sort(), ['lamp', 'plug']);
      assert.equal(reports[0]?.restoredFromBackup, true);
      assert.deepEqual(JSON.parse(await readFile(path, 'utf8')), JSON.parse(good), 'the main copy is whole again');
    }
    const doc = JSON.parse(good) as { users: Record<string, unknown> };
    doc.users.lamp = { salt: 42 };
    await writeFile(path, JSON.stringify(doc));
    const reports: UsersReadReport[] = [];
    const { users } = await readUsersFile(dir, (r) => reports.push(r));
    assert.deepEqual(Object.keys(users), ['plug']);
    assert.deepEqual(reports[0]?.skipped, ['lamp']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
