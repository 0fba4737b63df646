import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildConfig } from '../../../daemon/config/load.js';
import { decideGrant } from '../../../daemon/plugins/grants.js';
import type { PluginManifest } from '../../../plugins/sdk/manifest.js';

const timers: PluginManifest = { id: 'voicehub.timers', version: '1.0.0', capabilities: [], requiredScopes: ['schedule', 'storage', 'voice:speak'] };
const weather: PluginManifest = { id: 'com.example.weather', version: '1.0.0', capabilities: [], requiredScopes: ['geo:read', 'cloud:request'] };

test('the hub\'s own built-ins get their required scopes by default', () => {
  const g = decideGrant(timers, 'builtin', buildConfig({}));
  assert.deepEqual(g.granted, ['schedule', 'storage', 'voice:speak']);
  assert.deepEqual(g.missing, []);
  assert.equal(g.enabled, true);
});

test('a listed grant replaces a built-in\'s default, and what it leaves out is missing', () => {
  const g = decideGrant(timers, 'builtin', buildConfig({ plugins: { 'voicehub.timers': { grant: ['schedule'] } } }));
  assert.deepEqual(g.missing, ['storage', 'voice:speak']);
});

test('third-party plugins, and the bundled example, get only what the config grants', () => {
  assert.deepEqual(decideGrant(weather, 'builtin', buildConfig({})).missing, ['geo:read', 'cloud:request']);
  assert.deepEqual(decideGrant(weather, 'npm', buildConfig({})).missing, ['geo:read', 'cloud:request']);
  const partly = decideGrant(weather, 'dir', buildConfig({ plugins: { 'com.example.weather': { grant: ['geo:read'] } } }));
  assert.deepEqual(partly.missing, ['cloud:request']);
  const fully = decideGrant(weather, 'npm', buildConfig({ plugins: { 'com.example.weather': { grant: ['geo:read', 'cloud:request'] } } }));
  assert.deepEqual(fully.missing, []);
});

test('enabled, isolation and the plugin config come from the entry', () => {
  const g = decideGrant(weather, 'npm', buildConfig({ plugins: { 'com.example.weather': { enabled: false, isolation: 'none', config: { url: '/w' } } } }));
  assert.equal(g.enabled, false);
  assert.equal(g.isolation, 'none', 'the entry wins over plugins.isolation (process by default)');
  assert.deepEqual(g.config, { url: '/w' });
});

test('plugins.isolation sets how third-party plugins run; the hub\'s built-ins stay in-process; plugins.<id>.isolation wins', () => {
  const config = buildConfig({ plugins: { isolation: 'process', 'voicehub.system': { isolation: 'process' } } });
  assert.equal(decideGrant(weather, 'builtin', config).isolation, 'process', 'com.example.weather is not the hub\'s own');
  assert.equal(decideGrant(timers, 'builtin', config).isolation, 'none');
  assert.equal(decideGrant({ ...timers, id: 'voicehub.system' }, 'builtin', config).isolation, 'process');
  assert.equal(decideGrant(weather, 'npm', buildConfig({})).isolation, 'process', 'the default for a plugin not built in is process');
  assert.equal(decideGrant(weather, 'builtin', buildConfig({})).isolation, 'process', 'com.example.weather ships with the hub but is not its own');
  assert.equal(decideGrant(timers, 'builtin', buildConfig({})).isolation, 'none', 'the hub\'s own built-ins run in its process');
  assert.equal(decideGrant(weather, 'npm', buildConfig({ plugins: { isolation: 'none' } })).isolation, 'none', 'a user may opt out for all');
  assert.equal(decideGrant(weather, 'npm', buildConfig({ plugins: { isolation: 'process', 'com.example.weather': { isolation: 'none' } } })).isolation, 'none');
});

test('a manifest may ask for isolation: process but cannot lower plugins.isolation; the config entry decides', () => {
  assert.equal(decideGrant({ ...weather, isolation: 'process' }, 'npm', buildConfig({})).isolation, 'process');
  assert.equal(decideGrant({ ...weather, isolation: 'none' }, 'npm', buildConfig({ plugins: { isolation: 'process' } })).isolation, 'process');
  assert.equal(decideGrant({ ...weather, isolation: 'process' }, 'npm', buildConfig({ plugins: { 'com.example.weather': { isolation: 'none' } } })).isolation, 'none');
});
