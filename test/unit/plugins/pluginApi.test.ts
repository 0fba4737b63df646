import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HubError } from '../../../daemon/core/errors.js';
import { silentLogger } from '../../../daemon/core/log.js';
import type { Device } from '../../../devices/model.js';
import { createPluginApi } from '../../../daemon/plugins/pluginApi.js';
import { emptyRegistrations, type PluginRecord } from '../../../daemon/plugins/pluginRecord.js';
import { JobSet } from '../../../daemon/plugins/scheduler.js';
import { API_VERSION, type PluginApi } from '../../../plugins/sdk/api.js';
import type { Scope } from '../../../plugins/sdk/manifest.js';
import { RecordingDevices, engineFor, makeContext, quietSystem, type Harness } from './harness.js';

const lamp: Device = {
  id: 'lamp', name: 'Desk Lamp', aliases: ['lamp'], area: 'office', type: 'light', capabilities: ['onoff', 'brightness'], source: 'config',
  mqtt: { schema: 'default', commandTopic: 'lamp/set', unit: undefined }, state: { state: 'off' }, available: true, lastSeen: null,
};

function apiWith(h: Harness, scopes: Scope[], extra: Partial<{ capabilities: string[]; intents: string[] }> = {}) {
  const devices = new RecordingDevices([lamp]);
  const record: PluginRecord = {
    candidate: { source: 'npm', entry: '/x/index.js', root: '/x' },
    manifest: { id: 'com.test.p', version: '1.0.0', capabilities: extra.capabilities ?? [], requiredScopes: scopes, intents: extra.intents ?? ['TestAct'] },
    module: null, state: 'ready', reason: null, errorCode: null, granted: scopes, missing: [], log: silentLogger(),
    guard: null, api: null, jobs: new JobSet({ clock: h.ctx.clock, log: silentLogger(), timezone: null, run: () => {} }),
    registrations: emptyRegistrations(), registrationOpen: true, owner: { name: 'plugin:com.test.p' }, isolation: 'none', isolated: null,
  };
  const api = createPluginApi(record, Object.freeze({ a: 1 }), { ctx: h.ctx, devices, intents: engineFor(devices).adapter, system: quietSystem, cloud: { configured: false, request: async () => { throw new Error('unused'); }, close: async () => {} } });
  return { api, record, devices };
}

const denied = (scope: string) => (err: unknown) => err instanceof HubError && err.code === 'PLUGIN_SCOPE_DENIED' && err.details?.scope === scope;

test('an API object with no scopes holds only log, config, system and registration', async (t) => {
  const h = await makeContext();
  t.after(() => h.close());
  const { api } = apiWith(h, []);
  assert.equal(api.apiVersion, API_VERSION);
  assert.deepEqual(api.config, { a: 1 });
  assert.equal(api.system.latest().load1, 0.42);
  assert.throws(() => api.devices, denied('devices:read'));
  assert.throws(() => api.speak(undefined, 'hi'), denied('voice:speak'));
  assert.throws(() => api.cloud, denied('cloud:request'));
  assert.throws(() => api.location, denied('geo:read'));
  assert.throws(() => api.schedule, denied('schedule'));
  assert.throws(() => api.store, denied('storage'));
  assert.throws(() => api.events.on('device.state', () => {}), denied('devices:read'));
  assert.equal(Object.isFrozen(api), true);
});

test('devices:read lists and gets devices as views without their MQTT binding; commanding needs devices:control', async (t) => {
  const h = await makeContext();
  t.after(() => h.close());
  const { api, devices } = apiWith(h, ['devices:read']);
  const [view] = api.devices.list();
  assert.equal(view?.id, 'lamp');
  assert.equal('mqtt' in view!, false);
  // available(id): the one field the devices plugin reads per command, without a copy of the device.
  assert.equal(api.devices.available('lamp'), true);
  assert.equal(api.devices.available('nobody'), undefined);
  const targets = api.devices.resolve({ intent: 'HassTurnOn', text: 'turn on the desk lamp', lang: 'en', slots: {} });
  assert.deepEqual(targets.devices.map((d) => d.id), ['lamp']);
  assert.deepEqual(targets.commands, [{ command: 'turn_on' }]);
  assert.equal(targets.done, 'Turned on the desk lamp.');
  await assert.rejects(api.devices.command('lamp', { command: 'turn_on' }), denied('devices:control'));
  assert.equal(devices.commands.length, 0);
});

test('granted powers work: command carries the trace id and the plugin id, speak goes on the bus, store opens its own document', async (t) => {
  const h = await makeContext({ location: { latitude: 1.5, longitude: 2.5, timezone: 'Europe/Berlin' } });
  t.after(() => h.close());
  const { api, devices } = apiWith(h, ['devices:control', 'voice:speak', 'storage', 'geo:read', 'schedule']);
  await api.devices.command('lamp', { command: 'turn_on' }, { traceId: 't-9' });
  assert.throws(() => api.devices.available('lamp'), denied('devices:read'));
  assert.deepEqual(devices.commands, [{ id: 'lamp', command: { command: 'turn_on' }, traceId: 't-9', source: 'com.test.p' }]);
  assert.throws(() => api.devices.list(), denied('devices:read'));
  api.speak({ sessionId: 's-1' }, 'hello');
  api.speak('s-2', 'hi');
  api.speak(undefined, 'everyone');
  assert.deepEqual(h.spoken, [
    { sessionId: 's-1', text: 'hello', source: 'com.test.p' }, { sessionId: 's-2', text: 'hi', source: 'com.test.p' },
    { sessionId: undefined, text: 'everyone', source: 'com.test.p' },
  ]);
  assert.throws(() => api.speak(undefined, '  '), (err: unknown) => err instanceof HubError && err.code === 'BAD_REQUEST');
  const doc = await api.store.open(() => ({ n: 1 }));
  assert.equal(doc, await h.ctx.store.collection('plugin-com.test.p', () => ({})));
  assert.deepEqual(api.location, { latitude: 1.5, longitude: 2.5, timezone: 'Europe/Berlin' });
  assert.equal(typeof api.schedule.now(), 'number');
});

test('registration is checked: declared intents only, the right capability, and nothing after onRegister', async (t) => {
  const h = await makeContext();
  t.after(() => h.close());
  const { api, record } = apiWith(h, []);
  const invalid = (err: unknown) => err instanceof HubError && err.code === 'PLUGIN_MANIFEST_INVALID';
  assert.throws(() => api.intents.handle('OtherAct', () => ({ text: '' })), invalid);
  assert.throws(() => api.registerSpeechToText({ formats: ['s16le'], transcribe: async () => ({ text: '' }) }), invalid);
  assert.throws(() => api.registerFallback(() => null), invalid);
  assert.throws(() => api.intents.addSentences({ lang: 'en', intent: 'OtherAct', sentences: ['x'] }), invalid);
  api.intents.handle('TestAct', () => ({ text: 'ok' }));
  api.intents.addResponses('en', { hello: 'Hello {{ who }}!' });
  api.intents.addResponses('zh', { hello: '你好，{{ who }}！' });
  assert.equal(record.registrations.intents.size, 1);
  assert.equal(api.respond('hello', { who: 'Ann' }), 'Hello Ann!');
  assert.equal(api.respond('hello', { who: 'Ann' }, 'zh-CN'), '你好，Ann！');
  assert.equal(api.respond('hello', { who: 'Ann' }, 'fr'), 'Hello Ann!', 'falls back to English');
  assert.equal(api.respond('no_match', {}, 'zh'), '抱歉，我没听懂。', 'the engine\'s shared responses');
  assert.equal(api.respond('unknown_key'), 'unknown_key');
  record.registrationOpen = false;
  assert.throws(() => api.intents.handle('TestAct', () => ({ text: '' })), (err: unknown) => err instanceof HubError && err.code === 'REGISTER_AFTER_START');
});

test('refuse makes a coded error a plugin can throw, limited to refusal codes', async (t) => {
  const h = await makeContext();
  t.after(() => h.close());
  const { api } = apiWith(h, []);
  const err = api.refuse('VALUE_OUT_OF_RANGE', 'Brightness goes from 0 to 100 percent.');
  assert.ok(err instanceof HubError);
  assert.equal(err.code, 'VALUE_OUT_OF_RANGE');
  assert.equal((api as PluginApi).refuse('INTERNAL' as never, 'x') instanceof HubError && (api.refuse('INTERNAL' as never, 'x') as HubError).code, 'BAD_REQUEST');
});
