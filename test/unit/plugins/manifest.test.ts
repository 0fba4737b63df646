import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HubError } from '../../../daemon/core/errors.js';
import { validateManifest, validatePluginConfig } from '../../../daemon/plugins/manifest.js';

const good = { id: 'com.example.weather', version: '1.0.0', capabilities: ['weather_query'], requiredScopes: ['geo:read', 'cloud:request'] };

function problems(raw: unknown, hubVersion = '0.1.0'): string[] {
  try {
    validateManifest(raw, hubVersion);
  } catch (err) {
    assert.ok(err instanceof HubError);
    assert.equal(err.code, 'PLUGIN_MANIFEST_INVALID');
    return err.details?.problems as string[];
  }
  assert.fail('expected the manifest to be refused');
}

test('the seed manifest is valid and comes back as a copy', () => {
  const m = validateManifest(good, '0.1.0');
  assert.deepEqual(m, good);
  assert.notEqual(m, good);
});

test('each broken field is named', () => {
  assert.match(problems({ ...good, id: 'Weather' }).join(), /\/id/);
  assert.match(problems({ ...good, id: 'weather' }).join(), /\/id/, 'an id needs a dot (reverse-DNS)');
  assert.match(problems({ ...good, version: '1.x' }).join(), /\/version must be a semver/);
  assert.match(problems({ ...good, requiredScopes: ['root'] }).join(), /\/requiredScopes\/0/);
  assert.match(problems({ ...good, requiredScopes: ['geo:read', 'geo:read'] }).join(), /requiredScopes/);
  assert.match(problems({ ...good, capabilities: 'all' }).join(), /\/capabilities/);
  assert.match(problems({ ...good, colour: 'red' }).join(), /unknown key "colour"/);
  const { version: _v, ...noVersion } = good;
  assert.match(problems(noVersion).join(), /version/);
});

test('a manifest that is not an object is refused', () => {
  assert.equal(problems(null).length, 1);
  assert.equal(problems('com.example.weather').length, 1);
});

test('engines.voicehub is checked against the hub version', () => {
  assert.ok(validateManifest({ ...good, engines: { voicehub: '>=0.1 <1' } }, '0.1.0'));
  assert.match(problems({ ...good, engines: { voicehub: '>=2' } }, '0.1.0').join(), /wants voicehub >=2, this hub is 0.1.0/);
  assert.match(problems({ ...good, engines: { voicehub: 'soon' } }).join(), /semver range/);
});

test('a configSchema must compile, and plugin config is validated with its defaults filled in', () => {
  const broken = validateManifest({ ...good, configSchema: { type: 'no-such-type' } }, '0.1.0');
  assert.throws(() => validatePluginConfig(broken, {}), (err: unknown) => err instanceof HubError && err.code === 'PLUGIN_MANIFEST_INVALID' && /configSchema is not a usable JSON Schema/.test(err.message));
  const manifest = validateManifest({ ...good, configSchema: { type: 'object', properties: { units: { enum: ['metric', 'imperial'], default: 'metric' } }, additionalProperties: false } }, '0.1.0');
  assert.deepEqual(validatePluginConfig(manifest, {}), { units: 'metric' });
  assert.throws(() => validatePluginConfig(manifest, { units: 'kelvin' }), (err: unknown) => err instanceof HubError && err.code === 'PLUGIN_MANIFEST_INVALID' && /plugins\.com\.example\.weather\.config\.units/.test(err.message));
  assert.equal(Object.isFrozen(validatePluginConfig(manifest, {})), true);
});
