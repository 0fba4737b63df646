import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { defaultNodeModulesDirs, discoverPlugins, packageEntry } from '../../../daemon/plugins/discovery.js';
import { FIXTURES } from './harness.js';

test('npm plugins are found by name and keyword in a node_modules-style tree, scoped ones too', async () => {
  const tree = join(FIXTURES, 'npm-tree');
  const { candidates, problems } = await discoverPlugins({ builtinDir: null, nodeModulesDirs: [tree], pluginsDir: null });
  assert.deepEqual(candidates.map((c) => c.packageName), ['@acme/voicehub-plugin-greeter', 'voicehub-plugin-echo']);
  assert.equal(candidates[0]!.entry, join(tree, '@acme/voicehub-plugin-greeter/lib/index.js'));
  assert.equal(candidates[1]!.entry, join(tree, 'voicehub-plugin-echo/echo.js'));
  assert.ok(candidates.every((c) => c.source === 'npm'));
  // The package without the keyword and the unrelated one are not plugins; the broken package.json is a problem.
  assert.deepEqual(problems.map((p) => p.location), [join(tree, 'voicehub-plugin-badjson')]);
  assert.match(problems[0]!.reason, /not JSON/);
});

test('plugins.dir takes single files and folders; built-ins come first', async () => {
  // As a built-in dir, the npm tree offers the two folders with an index.js.
  const { candidates } = await discoverPlugins({ builtinDir: join(FIXTURES, 'npm-tree'), nodeModulesDirs: [], pluginsDir: join(FIXTURES, 'containment') });
  assert.deepEqual(candidates.map((c) => c.source), ['builtin', 'builtin', 'dir', 'dir', 'dir']);
  assert.deepEqual(candidates.map((c) => c.entry), [
    join(FIXTURES, 'npm-tree/left-pad/index.js'), join(FIXTURES, 'npm-tree/voicehub-plugin-nokeyword/index.js'),
    join(FIXTURES, 'containment/chaos.js'), join(FIXTURES, 'containment/fallback.js'), join(FIXTURES, 'containment/steady.js'),
  ]);
});

test('a plugins.dir that does not exist is reported, not fatal', async () => {
  const { candidates, problems } = await discoverPlugins({ builtinDir: null, nodeModulesDirs: ['/no/such/dir'], pluginsDir: '/no/such/plugins' });
  assert.equal(candidates.length, 0);
  assert.equal(problems.length, 1);
  assert.match(problems[0]!.reason, /plugins.dir cannot be read/);
});

test('package entries follow exports, then main, and never leave the package', () => {
  assert.equal(packageEntry('/p', { exports: './a.js' }), '/p/a.js');
  assert.equal(packageEntry('/p', { exports: { '.': { import: './esm.js', require: './cjs.cjs' } } }), '/p/esm.js');
  assert.equal(packageEntry('/p', { exports: { node: { default: './n.js' } } }), '/p/n.js');
  assert.equal(packageEntry('/p', { main: 'lib/main.js' }), '/p/lib/main.js');
  assert.equal(packageEntry('/p', {}), '/p/index.js');
  assert.equal(packageEntry('/p', { main: '../../etc/passwd' }), null);
});

test('a hub installed inside node_modules also searches that node_modules', () => {
  assert.deepEqual(defaultNodeModulesDirs('/usr/lib/node_modules/voicehub'), ['/usr/lib/node_modules/voicehub/node_modules', '/usr/lib/node_modules']);
  assert.deepEqual(defaultNodeModulesDirs('/srv/app/node_modules/@home/voicehub'), ['/srv/app/node_modules/@home/voicehub/node_modules', '/srv/app/node_modules']);
  assert.deepEqual(defaultNodeModulesDirs('/home/pi/voicehub'), ['/home/pi/voicehub/node_modules']);
});
