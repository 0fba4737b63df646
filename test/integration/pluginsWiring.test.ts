import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HubError } from '../../daemon/core/errors.js';
import { silentLogger } from '../../daemon/core/log.js';
import { PipelineSubsystem } from '../../daemon/pipeline/pipelineSubsystem.js';
import type { UtteranceContext } from '../../daemon/voice/handlerStage.js';
import type { Device } from '../../devices/model.js';
import { defaultBuiltinDir } from '../../daemon/plugins/discovery.js';
import { RecordingDevices, makeContext, quietSystem } from '../unit/plugins/harness.js';

const ctx = (): UtteranceContext => ({ traceId: 's/u', sessionId: 's', subject: 'c', scopes: ['voice'], attempt: 0, signal: new AbortController().signal, log: silentLogger() });

const garage: Device = {
  id: 'garage_light', name: 'Garage Light', aliases: [], area: 'garage', type: 'light', capabilities: ['onoff'], source: 'config',
  mqtt: { schema: 'default', commandTopic: 'garage/light/set' }, state: {}, available: true, lastSeen: null,
};

test('the pipeline subsystem has its stages from construction and follows the device list', async (t) => {
  const h = await makeContext({});
  const devices = new RecordingDevices([]);
  const pipeline = new PipelineSubsystem(h.ctx, { devices, system: quietSystem }, { builtinDir: defaultBuiltinDir(), nodeModulesDirs: [] });
  t.after(async () => { await pipeline.stop(); await h.close(); });
  await pipeline.start(new AbortController().signal);
  await assert.rejects(Promise.resolve().then(() => pipeline.speechToText.transcribe({ id: 'a1', audio: Buffer.alloc(2), rate: 16000, format: 's16le' }, ctx())),
    (err: unknown) => err instanceof HubError && err.code === 'NO_STT', 'no speech-to-text plugin: audio answers NO_STT');
  // What GET /api/plugins lists (the hub hands it the host): the built-ins, running.
  assert.ok(pipeline.host.listing().some((p) => p.id === 'voicehub.devices' && p.state === 'running'));

  await assert.rejects(pipeline.stage.handle({ id: 'u1', text: 'turn on the garage light' }, ctx()),
    (err: unknown) => err instanceof HubError && err.code === 'NO_MATCH' && err.message === "I don't know a device called garage light.");
  devices.devices.push(garage);
  h.ctx.bus.emit('device.added', { deviceId: 'garage_light', ts: Date.now() });
  const reply = await pipeline.stage.handle({ id: 'u2', text: 'turn on the garage light' }, ctx());
  assert.deepEqual(reply.actions, [{ device: 'garage_light', command: 'turn_on' }]);
  assert.deepEqual(devices.commands.map((c) => [c.id, c.command.command, c.traceId, c.source]), [['garage_light', 'turn_on', 's/u', 'voicehub.devices']]);
});
