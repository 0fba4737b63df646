import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HubError } from '../../../daemon/core/errors.js';
import { readStaticManifest, sidecarFor } from '../../../daemon/plugins/staticManifest.js';

const invalid = (pattern: RegExp) => (err: unknown) => err instanceof HubError && err.code === 'PLUGIN_MANIFEST_INVALID' && pattern.test(err.message);

test('a single file\'s manifest sits beside it', () => {
  assert.equal(sidecarFor('/p/weather.js'), '/p/weather.voicehub.json');
  assert.equal(sidecarFor('/p/weather.mjs'), '/p/weather.voicehub.json');
});

test('manifests are read as data: a file, a package.json field; missing, broken or huge ones are refused', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'voicehub-manifest-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const manifest = { id: 'com.t.p', version: '1.0.0', capabilities: [], requiredScopes: [] };
  await writeFile(join(dir, 'p.voicehub.json'), JSON.stringify(manifest));
  assert.deepEqual(await readStaticManifest(join(dir, 'p.voicehub.json')), manifest);
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'x', voicehub: manifest }));
  assert.deepEqual(await readStaticManifest(join(dir, 'package.json'), 'voicehub'), manifest);
  await writeFile(join(dir, 'bare.json'), JSON.stringify({ name: 'x' }));
  await assert.rejects(readStaticManifest(join(dir, 'bare.json'), 'voicehub'), invalid(/has no "voicehub" field/));
  await assert.rejects(readStaticManifest(join(dir, 'absent.voicehub.json')), invalid(/no manifest: .*ENOENT/));
  await writeFile(join(dir, 'broken.voicehub.json'), '{ "id": ');
  await assert.rejects(readStaticManifest(join(dir, 'broken.voicehub.json')), invalid(/is not JSON/));
  await writeFile(join(dir, 'huge.voicehub.json'), `{"pad":"${'x'.repeat(300 * 1024)}"}`);
  await assert.rejects(readStaticManifest(join(dir, 'huge.voicehub.json')), invalid(/at most 262144/));
});
