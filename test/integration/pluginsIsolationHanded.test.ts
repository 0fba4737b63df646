import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HubError } from '../../daemon/core/errors.js';
import type { Device } from '../../devices/model.js';
import type { DecidedTargets, IntentRequest } from '../../plugins/sdk/intents.js';
import { makeTempDir } from '../helpers/daemon.js';
import { RecordingDevices, call, hostFor, makeContext, request } from '../unit/plugins/harness.js';

const lamp: Device = {
  id: 'lamp', name: 'Desk Lamp', aliases: ['lamp'], area: 'office', type: 'light', capabilities: ['onoff', 'brightness'], source: 'config',
  mqtt: { schema: 'default', commandTopic: 'lamp/set', unit: undefined }, state: { state: 'off' }, available: true, lastSeen: null,
};

/** Executes the decision its request carries, as the built-in devices plugin does, from its own process. */
const EXECUTOR = `export function onRegister(api) {
  api.intents.handle('Exec', async (req, ctx) => {
    if (req.refused) throw api.refuse(req.refused.code, req.refused.message);
    if (!req.targets) return { text: 'nothing handed' };
    const actions = [];
    for (const [i, id] of req.targets.ids.entries()) {
      const command = req.targets.commands[i];
      if (!command) continue;
      await api.devices.command(id, command, { traceId: ctx.traceId });
      actions.push({ device: id, command: command.command });
    }
    return { text: req.targets.done, actions };
  });
}
`;

test('an isolated plugin gets the decision with the request (targets or refusal) and executes it from its process', { timeout: 60_000 }, async (t) => {
  const root = await makeTempDir('voicehub-isolation-');
  const dir = join(root, 'plugins');
  await mkdir(dir);
  await writeFile(join(dir, 'executor.mjs'), EXECUTOR);
  await writeFile(join(dir, 'executor.voicehub.json'), JSON.stringify({
    id: 'com.t.executor', version: '1.0.0', capabilities: [], intents: ['Exec'], requiredScopes: ['devices:control'],
  }));
  const h = await makeContext({ plugins: { dir, isolation: 'process', 'com.t.executor': { grant: ['devices:control'] } } }, { dir: root });
  const devices = new RecordingDevices([lamp]);
  const host = hostFor(h, {}, { devices });
  t.after(async () => { await host.stop(); await h.close(); await rm(root, { recursive: true, force: true }); });
  await host.start();
  assert.equal(host.list().find((p) => p.id === 'com.t.executor')?.state, 'running');

  const targets: DecidedTargets = {
    ids: ['lamp'], commands: [{ command: 'set_brightness', params: { brightness: 40 } }], scope: 'name', phrase: 'the desk lamp',
    names: ['the desk lamp'], done: 'Set the desk lamp to 40%.',
  };
  const handed: IntentRequest = { ...request('Exec'), targets: Object.freeze(targets) };
  const done = await host.handleIntent(handed, call('trace-1', 'session-1'));
  assert.equal(done.reply.text, 'Set the desk lamp to 40%.');
  assert.deepEqual(done.reply.actions, [{ device: 'lamp', command: 'set_brightness' }]);
  assert.deepEqual(devices.commands, [{ id: 'lamp', command: { command: 'set_brightness', params: { brightness: 40 } }, traceId: 'trace-1', source: 'com.t.executor' }]);

  const refused: IntentRequest = { ...request('Exec'), refused: { code: 'DEVICE_NOT_FOUND', message: "I don't know a device called moon." } };
  await assert.rejects(host.handleIntent(refused, call()), (err: unknown) => err instanceof HubError && err.code === 'DEVICE_NOT_FOUND' && err.message === "I don't know a device called moon.");
  assert.equal((await host.handleIntent(request('Exec'), call())).reply.text, 'nothing handed');
  assert.equal(devices.commands.length, 1);
});
