import { test } from 'node:test';
import assert from 'node:assert/strict';
import { link, lstat, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFresh, writeFreshSync } from '../../../daemon/storage/freshFile.js';

test('writeFresh / writeFreshSync: a symlink or hard link in the way is replaced, never written through; a stale file is replaced; a directory stays an error', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fresh-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const target = join(dir, 'target');
  for (const [i, write] of [writeFresh, async (p: string, d: string) => writeFreshSync(p, d)].entries()) {
    await writeFile(target, 'untouched');
    const viaSymlink = join(dir, `s${i}.tmp`);
    await symlink(target, viaSymlink);
    await write(viaSymlink, 'new');
    const viaHardLink = join(dir, `h${i}.tmp`);
    await link(target, viaHardLink);
    await write(viaHardLink, 'new');
    assert.equal(await readFile(target, 'utf8'), 'untouched');
    for (const p of [viaSymlink, viaHardLink]) {
      assert.equal(await readFile(p, 'utf8'), 'new');
      assert.ok(!(await lstat(p)).isSymbolicLink());
      assert.equal((await lstat(p)).mode & 0o777, 0o600);
    }
    const stale = join(dir, `f${i}.tmp`);
    await writeFile(stale, 'an older, longer copy');
    await write(stale, 'new');
    assert.equal(await readFile(stale, 'utf8'), 'new');
    const aDir = join(dir, `d${i}.tmp`);
    await mkdir(aDir);
    await assert.rejects(write(aDir, 'new'));
  }
});
