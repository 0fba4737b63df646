import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Collection } from '../../../daemon/core/context.js';
import { EventBus } from '../../../daemon/core/bus.js';
import { silentLogger } from '../../../daemon/core/log.js';
import { EventRecorder } from '../../../daemon/cloud/eventRecorder.js';
import { emptyOutbox, Outbox, type CloudEvent, type OutboxDocument } from '../../../daemon/cloud/outbox.js';
import { ManualClock } from '../../helpers/manualClock.js';
import { FIXTURES, ShiftedClock, call, hostFor, makeContext, request } from '../plugins/harness.js';

function recorder(shareTranscripts: boolean) {
  const clock = new ManualClock();
  const doc = emptyOutbox();
  const collection: Collection<OutboxDocument> = { name: 'cloud-outbox', data: doc, markDirty: () => {}, flush: async () => {} };
  const outbox = new Outbox(collection, { max: 100, clock, onDropped: () => {}, onFolded: () => {}, onPersisted: () => {} });
  const bus = new EventBus(silentLogger());
  const rec = new EventRecorder({ bus, outbox, shareTranscripts, healthSummary: () => ({ status: 'ok' }), healthEveryMs: 60_000 });
  rec.start();
  return { bus, rec, events: (): CloudEvent[] => collection.data.events };
}

test('bus events become outbox events of PROTOCOL §6 kinds; the spoken text only with shareTranscripts', () => {
  for (const share of [false, true]) {
    const { bus, rec, events } = recorder(share);
    bus.emit('device.state', { deviceId: 'lamp', state: { state: 'on' }, changed: ['state'], ts: 1 });
    bus.emit('device.availability', { deviceId: 'lamp', available: false, ts: 2 });
    bus.emit('voice.interaction', { traceId: 't1', clientId: 'kitchen', text: 'turn on the lamp', outcome: 'ok', intent: 'HassTurnOn', handledBy: 'voicehub.devices', ms: 3.2, ts: 3 });
    bus.emit('plugin.failure', { plugin: 'com.x', code: 'PLUGIN_FAILED', what: 'intent XAct', ts: 4 });
    const got = events();
    assert.deepEqual(got.map((e) => e.kind), ['device.state', 'device.availability', 'voice.interaction', 'plugin.failure']);
    assert.deepEqual(got.map((e) => e.seq), [1, 2, 3, 4]);
    const voice = got[2]!;
    assert.deepEqual([voice.intent, voice.outcome, voice.latencyMs, voice.handledBy], ['HassTurnOn', 'ok', 3.2, 'voicehub.devices']);
    assert.equal(voice.text, share ? 'turn on the lamp' : undefined);
    assert.deepEqual([got[3]!.plugin, got[3]!.code], ['com.x', 'PLUGIN_FAILED']);
    rec.stop();
    bus.emit('device.state', { deviceId: 'lamp', state: {}, changed: [], ts: 5 });
    assert.equal(events().length, 4, 'stopped: its listeners are gone');
  }
});

test('a hub health summary is recorded every healthEveryMs', async () => {
  const clock = new ManualClock();
  const collection: Collection<OutboxDocument> = { name: 'cloud-outbox', data: emptyOutbox(), markDirty: () => {}, flush: async () => {} };
  const outbox = new Outbox(collection, { max: 100, clock, onDropped: () => {}, onFolded: () => {}, onPersisted: () => {} });
  const rec = new EventRecorder({ bus: new EventBus(silentLogger()), outbox, shareTranscripts: false, healthSummary: () => ({ status: 'degraded', checks: { db: true, mqtt: false } }), healthEveryMs: 20 });
  rec.start();
  const health = () => collection.data.events.filter((e) => e.kind === 'hub.health');
  for (let waited = 0; health().length < 2 && waited < 5000; waited += 10) await new Promise((r) => setTimeout(r, 10));
  rec.stop();
  assert.ok(health().length >= 2);
  assert.deepEqual([health()[0]!.status, health()[0]!.checks], ['degraded', { db: true, mqtt: false }]);
});

test('a plugin failure is on the bus for the cloud: plugin, call and code, no message', async (t) => {
  const h = await makeContext({ plugins: { dir: join(FIXTURES, 'containment'), timeoutMs: 300 } }, { clock: new ShiftedClock() });
  const host = hostFor(h, {});
  t.after(async () => { await host.stop(); await h.close(); });
  await host.start();
  const seen: Array<Record<string, unknown>> = [];
  h.ctx.bus.on('plugin.failure', seen, (e) => { seen.push({ ...e }); });
  await host.handleIntent(request('ChaosAct', { mode: 'throw' }), call()).catch(() => {});
  assert.equal(seen.length, 1);
  assert.equal(seen[0]!.plugin, 'com.fixture.chaos');
  assert.equal(seen[0]!.code, 'PLUGIN_FAILED');
  assert.deepEqual(Object.keys(seen[0]!).sort(), ['code', 'plugin', 'ts', 'what']);
});

test('resync records each device\'s current state and availability as events; devices with neither are skipped', () => {
  const { rec, events } = recorder(false);
  const lock = { id: 'lock', state: { state: 'locked' } as Record<string, unknown>, available: true };
  const count = rec.resync([
    lock,
    { id: 'never-heard', state: {}, available: null },
    { id: 'temp', state: { value: 21.5 }, available: null },
  ]);
  assert.equal(count, 2);
  assert.deepEqual(events().map((e) => [e.kind, e.device, e.state ?? e.available]), [
    ['device.state', 'lock', { state: 'locked' }], ['device.availability', 'lock', true], ['device.state', 'temp', { value: 21.5 }],
  ]);
  assert.deepEqual(events()[0]!.changed, ['state']);
  lock.state.state = 'unlocked';
  assert.deepEqual(events()[0]!.state, { state: 'locked' }, 'the recorded event is a copy of the state at that moment');
  rec.stop();
});

test('resync leaves out a device whose latest waiting event already says what the hub has', () => {
  const { bus, rec, events } = recorder(false);
  bus.emit('device.state', { deviceId: 'temp', state: { value: 9 }, changed: ['value'], ts: 1 });
  bus.emit('device.availability', { deviceId: 'temp', available: true, ts: 1 });
  bus.emit('device.state', { deviceId: 'door', state: { state: 'open' }, changed: ['state'], ts: 2 });
  const before = events().length;
  const count = rec.resync([
    { id: 'temp', state: { value: 9 }, available: true },
    { id: 'door', state: { state: 'closed' }, available: null },
  ]);
  assert.equal(count, 1);
  assert.deepEqual(events().slice(before).map((e) => [e.kind, e.device, e.state]), [['device.state', 'door', { state: 'closed' }]]);
  rec.stop();
});
