import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HubError } from '../../daemon/core/errors.js';
import type { Device } from '../../devices/model.js';
import { Writable } from 'node:stream';
import { createLogger } from '../../daemon/core/log.js';
import { makeTempDir } from '../helpers/daemon.js';
import { RecordingDevices, call, hostFor, makeContext, request } from '../unit/plugins/harness.js';
import { until } from '../helpers/until.js';

const lamp: Device = {
  id: 'lamp', name: 'Desk Lamp', aliases: ['lamp'], area: 'office', type: 'light', capabilities: ['onoff', 'brightness'], source: 'config',
  mqtt: { schema: 'default', commandTopic: 'lamp/set', unit: undefined }, state: { state: 'off' }, available: true, lastSeen: null,
};

/** An isolated plugin that uses the API subset that crosses the channel: devices, store, speak, timers, events, refusals. */
const WORKER = `export function onRegister(api) {
  api.intents.addResponses('en', { done: 'did {{ what }}' });
  api.intents.handle('Act', async (req, ctx) => {
    const devices = api.devices.list();
    await api.devices.command('lamp', { command: 'turn_on' }, { traceId: ctx.traceId });
    api.speak(ctx.session, 'spoken from the child');
    const store = await api.store.open(() => ({ count: 0 }));
    store.data.count++;
    store.markDirty();
    await store.flush();
    return { text: api.respond('done', { what: devices.map((d) => d.id).join(',') + ' ' + store.data.count + ' ' + api.devices.available('lamp') + ' ' + api.devices.available('nobody') }) };
  });
  api.intents.handle('Refuse', () => { throw api.refuse('VALUE_OUT_OF_RANGE', 'too much'); });
  api.intents.handle('Peek', () => ({ text: String(api.location) }));
  api.intents.handle('Later', () => { api.schedule.after(10, () => api.speak(undefined, 'timer fired')); return { text: 'armed' }; });
  api.events.on('device.state', (e) => api.speak(undefined, 'saw ' + e.deviceId));
}
`;

test('an isolated plugin uses devices, the store, speech, timers and events through the channel; refusals and scope denials arrive as in-process', { timeout: 60_000 }, async (t) => {
  const root = await makeTempDir('voicehub-isolation-');
  const dir = join(root, 'plugins');
  await mkdir(dir);
  await writeFile(join(dir, 'worker.mjs'), WORKER);
  await writeFile(join(dir, 'worker.voicehub.json'), JSON.stringify({
    id: 'com.t.worker', version: '1.0.0', capabilities: [], intents: ['Act', 'Refuse', 'Peek', 'Later'],
    requiredScopes: ['devices:read', 'devices:control', 'storage', 'voice:speak', 'schedule'],
  }));
  const h2 = await makeContext({ plugins: { dir, isolation: 'process', 'com.t.worker': { grant: ['devices:read', 'devices:control', 'storage', 'voice:speak', 'schedule'] } } }, { dir: root });
  const devices = new RecordingDevices([lamp]);
  const host = hostFor(h2, {}, { devices });
  t.after(async () => { await host.stop(); await h2.close(); await rm(root, { recursive: true, force: true }); });
  await host.start();
  const info = host.list().find((p) => p.id === 'com.t.worker')!;
  assert.equal(info.state, 'running', info.reason ?? '');
  assert.equal(info.isolation, 'process');

  const reply = await host.handleIntent(request('Act'), call('trace-9', 'session-9'));
  assert.equal(reply.reply.text, 'did lamp 1 true undefined');
  assert.deepEqual(devices.commands, [{ id: 'lamp', command: { command: 'turn_on' }, traceId: 'trace-9', source: 'com.t.worker' }]);
  assert.equal(h2.spoken[0]?.text, 'spoken from the child');
  assert.equal(h2.spoken[0]?.sessionId, 'session-9');
  assert.equal((await host.handleIntent(request('Act'), call())).reply.text, 'did lamp 2 true undefined', 'the store kept the count');
  const stored = await h2.ctx.store.collection<{ count: number }>('plugin-com.t.worker', () => ({ count: -1 }));
  assert.equal(stored.data.count, 2);

  await assert.rejects(host.handleIntent(request('Refuse'), call()), (err: unknown) => err instanceof HubError && err.code === 'VALUE_OUT_OF_RANGE' && err.message === 'too much');
  await assert.rejects(host.handleIntent(request('Peek'), call()), (err: unknown) => err instanceof HubError && err.code === 'PLUGIN_FAILED' && /geo:read/.test(err.message));

  assert.equal((await host.handleIntent(request('Later'), call())).reply.text, 'armed');
  h2.ctx.bus.emit('device.state', { deviceId: 'lamp', state: { state: 'on' }, changed: ['state'], ts: Date.now() });
  await until(() => (h2.spoken.some((s) => s.text === 'timer fired') && h2.spoken.some((s) => s.text === 'saw lamp') ? true : undefined), 'the timer and the lamp to be spoken of', 30_000);
});

test('an isolated plugin that floods the log is cut to 100 lines a second, and what was dropped is counted', { timeout: 60_000 }, async (t) => {
  const root = await makeTempDir('voicehub-isolation-');
  const dir = join(root, 'plugins');
  await mkdir(dir);
  await writeFile(join(dir, 'noisy.mjs'), `export function onRegister(api) {
  api.intents.handle('Flood', () => { for (let i = 0; i < 1000; i++) { api.log.info('line ' + i); console.log('out ' + i); } return { text: 'flooded' }; });
  api.intents.handle('Tick', () => { api.log.info('tick'); return { text: 'tick' }; });
}
`);
  await writeFile(join(dir, 'noisy.voicehub.json'), JSON.stringify({ id: 'com.t.noisy', version: '1.0.0', capabilities: [], requiredScopes: [], intents: ['Flood', 'Tick'] }));
  const lines: Array<{ plugin?: string; msg: string; dropped?: number; time: number }> = [];
  const destination = new Writable({ write(chunk: Buffer, _enc, done) { for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l)); done(); } });
  const h = await makeContext({ plugins: { dir, 'com.t.noisy': { isolation: 'process' } } }, { dir: root, log: createLogger({ destination }) });
  const host = hostFor(h, {});
  t.after(async () => { await host.stop(); await h.close(); await rm(root, { recursive: true, force: true }); });
  await host.start();
  assert.equal((await host.handleIntent(request('Flood'), call())).reply.text, 'flooded');
  const flood = () => lines.filter((l) => l.plugin === 'com.t.noisy' && /^(line|out) \d+$/.test(l.msg));
  const dropped = () => lines.filter((l) => l.plugin === 'com.t.noisy' && /log lines dropped/.test(l.msg)).reduce((n, l) => n + (l.dropped ?? 0), 0);
  // A drop is reported by the first line of a later second: tick until every flooded line is accounted for.
  // (Ticks count against their own second's limit too: 2000 lines in, each either written or counted.)
  while (flood().length + dropped() < 2000 || dropped() === 0) {
    await host.handleIntent(request('Tick'), call());
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const seconds = new Set(flood().map((l) => Math.floor(l.time / 1000))).size;
  assert.ok(flood().length <= 100 * seconds, `${flood().length} flooded lines written over ${seconds} s`);
  assert.ok(dropped() >= 2000 - 100 * seconds);
});

test('at most 64 calls wait on one isolated plugin: the 65th fails at once with PLUGIN_FAILED, and the plugin answers again once they end; its floating rejection is counted', { timeout: 60_000 }, async (t) => {
  const root = await makeTempDir('voicehub-isolation-');
  const dir = join(root, 'plugins');
  await mkdir(dir);
  await writeFile(join(dir, 'slow.mjs'), `const waiting = [];
export function onRegister(api) {
  // All 64 answer once the 64th has arrived: the hub turned the 65th away before any reached this process.
  api.intents.handle('Wait', () => new Promise((resolve) => {
    waiting.push(resolve);
    if (waiting.length === 64) setImmediate(() => { for (const r of waiting.splice(0)) r({ text: 'released' }); });
  }));
  api.intents.handle('Float', () => { Promise.reject(new Error('nobody handles me')); return { text: 'left behind' }; });
}
`);
  await writeFile(join(dir, 'slow.voicehub.json'), JSON.stringify({ id: 'com.t.slow', version: '1.0.0', capabilities: [], requiredScopes: [], intents: ['Wait', 'Float'] }));
  const h = await makeContext({ plugins: { dir, timeoutMs: 60_000 } }, { dir: root });
  const host = hostFor(h, {});
  t.after(async () => { await host.stop(); await h.close(); await rm(root, { recursive: true, force: true }); });
  await host.start();
  assert.equal(host.list().find((p) => p.id === 'com.t.slow')?.isolation, 'process', 'the default');
  const waiting = Array.from({ length: 64 }, () => host.handleIntent(request('Wait'), call()));
  await assert.rejects(host.handleIntent(request('Wait'), call()), (err: unknown) => err instanceof HubError && err.code === 'PLUGIN_FAILED' && /busy: 64 calls/.test(err.message));
  for (const reply of await Promise.allSettled(waiting)) assert.equal(reply.status === 'fulfilled' ? reply.value.reply.text : String(reply.reason), 'released');
  const failures = () => host.list().find((p) => p.id === 'com.t.slow')!.failures;
  const before = failures();
  assert.equal((await host.handleIntent(request('Float'), call())).reply.text, 'left behind');
  while (failures() < before + 1) await new Promise((resolve) => setTimeout(resolve, 20));
});
