import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HubError } from '../../../daemon/core/errors.js';
import { HealthRegistry } from '../../../daemon/health/healthChecks.js';
import { silentLogger } from '../../../daemon/core/log.js';
import { createAssistantHost } from '../../../daemon/plugins/assistantHost.js';
import { createPluginApi } from '../../../daemon/plugins/pluginApi.js';
import { emptyRegistrations, type PluginRecord } from '../../../daemon/plugins/pluginRecord.js';
import type { PluginSource } from '../../../daemon/plugins/grants.js';
import { JobSet } from '../../../daemon/plugins/scheduler.js';
import { RecordingDevices, engineFor, makeContext, quietSystem, type Harness } from './harness.js';

const KEY = 'sk-ant-unit-55aa';

function apiFor(h: Harness, id: string, source: PluginSource) {
  const devices = new RecordingDevices([]);
  const record: PluginRecord = {
    candidate: { source, entry: '/x/index.js', root: '/x' },
    manifest: { id, version: '1.0.0', capabilities: ['fallback'], requiredScopes: [] },
    module: null, state: 'ready', reason: null, errorCode: null, granted: [], missing: [], log: silentLogger(),
    guard: null, api: null, jobs: new JobSet({ clock: h.ctx.clock, log: silentLogger(), timezone: null, run: () => {} }),
    registrations: emptyRegistrations(), registrationOpen: true, owner: { name: `plugin:${id}` }, isolation: 'none', isolated: null,
  };
  const pool = { fetch: (() => Promise.reject(new Error('unused'))) as never };
  const assistant = createAssistantHost(h.ctx, pool);
  const api = createPluginApi(record, Object.freeze({}), {
    ctx: h.ctx, devices, intents: engineFor(devices).adapter, system: quietSystem, assistant,
    cloud: { configured: false, request: async () => { throw new Error('unused'); }, close: async () => {} },
  });
  return { api, record, assistant };
}

test('api.assistant (and the key in it) goes to the built-in voicehub.assistant only', async (t) => {
  const h = await makeContext({ assistant: { apiKey: KEY }, devices: [{ id: 'safe', type: 'lock', commandTopic: 'x', sensitive: true }], areas: { hall: { aliases: ['entry'] } } });
  t.after(() => h.close());
  const builtin = apiFor(h, 'voicehub.assistant', 'builtin').api.assistant;
  assert.equal(builtin.settings.apiKey, KEY);
  assert.equal(builtin.settings.url, 'https://api.anthropic.com');
  assert.equal(builtin.settings.configured, true);
  assert.equal(builtin.settings.timeoutMs, 8000);
  assert.equal(builtin.settings.maxToolCalls, 8);
  assert.equal(builtin.isSensitive('safe'), true);
  assert.equal(builtin.isSensitive('other'), false);
  assert.deepEqual(builtin.areas.hall?.aliases, ['entry']);
  const denied = (err: unknown) => err instanceof HubError && err.code === 'PLUGIN_SCOPE_DENIED' && !err.message.includes(KEY);
  assert.throws(() => apiFor(h, 'voicehub.assistant', 'npm').api.assistant, denied, 'an npm package claiming the id');
  assert.throws(() => apiFor(h, 'voicehub.assistant', 'dir').api.assistant, denied, 'a plugins.dir plugin claiming the id');
  assert.throws(() => apiFor(h, 'voicehub.devices', 'builtin').api.assistant, denied, 'another built-in');
});

test('the assistant health check: only when configured, ok until a request finds it unreachable, and back', async (t) => {
  const h = await makeContext({ assistant: { url: 'http://127.0.0.1:9', mode: 'fallback' } });
  t.after(() => h.close());
  const { assistant } = apiFor(h, 'voicehub.assistant', 'builtin');
  const check = () => (h.ctx.health as HealthRegistry).evaluate();
  assert.equal(check().checks.assistant?.ok, true);
  assistant.reachability({ ok: false, error: 'the assistant could not be reached' });
  assert.equal(check().checks.assistant?.ok, false);
  assert.equal(check().status, 'degraded', 'never down: the house still works');
  assistant.reachability({ ok: true });
  assert.equal(check().checks.assistant?.ok, true);
  const off = await makeContext();
  t.after(() => off.close());
  apiFor(off, 'voicehub.assistant', 'builtin');
  assert.equal((off.ctx.health as HealthRegistry).evaluate().checks.assistant, undefined);
});

test('VOICEHUB_ASSISTANT_API_KEY overrides assistant.apiKey, and a key of digits stays a string', async () => {
  const { buildConfig } = await import('../../../daemon/config/load.js');
  assert.equal(buildConfig({ assistant: { apiKey: 'from-file' } }, { VOICEHUB_ASSISTANT_API_KEY: 'from-env' }).assistant.apiKey, 'from-env');
  assert.equal(buildConfig({}, { VOICEHUB_ASSISTANT_API_KEY: '12345678' }).assistant.apiKey, '12345678');
  assert.equal(buildConfig({}).assistant.mode, 'fallback');
});

test('a malformed assistant.apiKey is named in the config error, never shown', async () => {
  const { buildConfig } = await import('../../../daemon/config/load.js');
  for (const apiKey of [73519846201, '', ['sk-ant-in-a-list-9d8c']]) {
    let message = '';
    try {
      buildConfig({ assistant: { apiKey } });
    } catch (err) {
      message = (err as Error).message + JSON.stringify((err as { problems?: unknown }).problems ?? '');
    }
    assert.match(message, /assistant\.apiKey/, JSON.stringify(apiKey));
    assert.equal(message.includes('73519846201') || message.includes('sk-ant-in-a-list'), false, message);
  }
});
