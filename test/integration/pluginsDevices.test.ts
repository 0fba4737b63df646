import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MqttTransport } from '../../daemon/core/context.js';
import { HubError } from '../../daemon/core/errors.js';
import { silentLogger } from '../../daemon/core/log.js';
import { IntentEngine, intentLists } from '../../daemon/intents/index.js';
import { MqttSubsystem } from '../../daemon/mqtt/mqttSubsystem.js';
import { EngineAdapter } from '../../daemon/pipeline/engineAdapter.js';
import { IntentPipeline } from '../../daemon/pipeline/intentPipeline.js';
import type { UtteranceContext } from '../../daemon/voice/handlerStage.js';
import { translateCommand } from '../../devices/commands.js';
import type { DeviceCommand } from '../../devices/model.js';
import { DeviceRegistry } from '../../devices/registry.js';
import { emptyDevicesDocument } from '../../devices/registryStore.js';
import { defaultBuiltinDir } from '../../daemon/plugins/discovery.js';
import type { DeviceAccess } from '../../daemon/plugins/ports.js';
import { hostFor, makeContext } from '../unit/plugins/harness.js';
import { markedListener } from '../helpers/markedListener.js';

/** The DeviceAccess the hub gives the plugin host, built here from the real device layer and broker. */
class RegistryDevices implements DeviceAccess {
  constructor(private readonly registry: DeviceRegistry, private readonly transport: MqttTransport) {}
  list() { return this.registry.list(); }
  get(id: string) { return this.registry.get(id); }
  async command(id: string, command: DeviceCommand): Promise<void> {
    const device = this.registry.get(id);
    if (!device) throw new HubError('DEVICE_NOT_FOUND', `no device ${id}`);
    for (const p of translateCommand(device, command)) await this.transport.publish(p.topic, p.payload, { qos: p.qos, retain: p.retain });
  }
}

const devices = [
  { id: 'lamp', name: 'Living Room Lamp', area: 'living_room', type: 'light', schema: 'json', brightness: true, commandTopic: 'home/lamp/set', stateTopic: 'home/lamp/state' },
  { id: 'front_door', name: 'Front Door', area: 'entrance', type: 'lock', commandTopic: 'home/door/set', stateTopic: 'home/door/state' },
  { id: 'lr_humidity', name: 'Living Room Humidity', area: 'living_room', type: 'sensor', stateTopic: 'home/lr/humidity', deviceClass: 'humidity', unit: '%' },
  { id: 'blind', name: 'Office Blind', area: 'office', type: 'cover', commandTopic: 'home/blind/set', setPositionTopic: 'home/blind/position' },
];

function voiceContext(): UtteranceContext {
  return { traceId: 's1/u1', sessionId: 's1', subject: 'tablet', scopes: ['voice'], attempt: 0, signal: new AbortController().signal, log: silentLogger() };
}

test('the devices plugin end to end: utterance → engine → plugin → translated MQTT publish → reply with actions', async (t) => {
  const h = await makeContext({ mqtt: { host: '127.0.0.1', port: 0 }, devices, areas: { living_room: { aliases: ['lounge'] }, entrance: {}, office: {} } });
  const broker = new MqttSubsystem(h.ctx);
  await broker.start(new AbortController().signal);
  const registry = new DeviceRegistry({
    collection: await h.ctx.store.collection('devices', emptyDevicesDocument), bus: h.ctx.bus, log: h.ctx.log, clock: h.ctx.clock,
    discoveryPrefix: 'homeassistant', zigbee2mqttBaseTopic: 'zigbee2mqtt', configDevices: h.ctx.config.devices,
  });
  registry.start();
  registry.handleMessage('home/door/state', Buffer.from('LOCKED'));
  registry.handleMessage('home/lr/humidity', Buffer.from('45'));
  const access = new RegistryDevices(registry, h.ctx.mqtt);
  const engine = new IntentEngine();
  engine.setLists(intentLists(registry.list(), h.ctx.config.areas));
  const adapter = new EngineAdapter(engine, (id) => registry.get(id)?.state);
  const host = hostFor(h, { builtinDir: defaultBuiltinDir() }, { devices: access, intents: adapter });
  await host.start();
  const pipeline = new IntentPipeline(adapter, host);

  // A device listening on the broker, as a real one would.
  const device = await markedListener(`mqtt://127.0.0.1:${broker.port}`, ['home/#'], (topic, payload) => h.ctx.mqtt.publish(topic, payload, { qos: 1 }));
  t.after(async () => {
    await device.close();
    await host.stop();
    await broker.stop();
    await h.close();
  });
  const drain = device.drain;
  const say = (text: string) => pipeline.handle({ id: 'u', text }, voiceContext());

  const on = await say('turn on the living room lamp');
  assert.deepEqual(on, { text: 'Turned on the living room lamp.', intent: 'HassTurnOn', handledBy: 'voicehub.devices', actions: [{ device: 'lamp', command: 'turn_on' }] });
  assert.deepEqual(await drain(), [{ topic: 'home/lamp/set', payload: '{"state":"ON"}' }]);

  const dim = await say('set the living room lamp to 40%');
  assert.deepEqual(dim.actions, [{ device: 'lamp', command: 'set_brightness' }]);
  const [dimmed] = await drain();
  assert.equal(dimmed?.topic, 'home/lamp/set');
  assert.equal(JSON.parse(dimmed!.payload).state, 'ON');

  // Out of range: a clear refusal, and nothing published.
  await assert.rejects(say('set the living room lamp to 250 percent'), (err: unknown) =>
    err instanceof HubError && err.code === 'BAD_REQUEST' && err.message === 'Brightness must be between 0 and 100%.');
  assert.deepEqual(await drain(), []);

  assert.equal((await say('is the front door locked')).text, 'Yes, the front door is locked.');
  const unlock = await say('unlock the front door');
  assert.deepEqual(unlock.actions, [{ device: 'front_door', command: 'unlock' }]);
  assert.deepEqual(await drain(), [{ topic: 'home/door/set', payload: 'UNLOCK' }]);

  assert.equal((await say("what's the humidity in the living room")).text, 'The humidity in the living room is 45%.');
  // The same question again after the state changed: the answer reads the state now, not the last answer's.
  registry.handleMessage('home/lr/humidity', Buffer.from('61'));
  registry.handleMessage('home/door/state', Buffer.from('UNLOCKED'));
  assert.equal((await say("what's the humidity in the living room")).text, 'The humidity in the living room is 61%.');
  assert.equal((await say('is the front door locked')).text, 'No, the front door is unlocked.');

  const blind = await say('set the office blind to 30%');
  assert.deepEqual(blind.actions, [{ device: 'blind', command: 'set_position' }]);
  assert.deepEqual((await drain()).map((m) => m.topic), ['home/blind/position']);

  // In Chinese, with the engine's derived names.
  const zh = await pipeline.handle({ id: 'u', text: '打开客厅的灯', lang: 'zh' }, voiceContext());
  assert.deepEqual(zh.actions, [{ device: 'lamp', command: 'turn_on' }]);
  assert.match(zh.text, /^已打开.+。$/);
  assert.equal((await drain()).length, 1);

  await assert.rejects(say('turn on the moon'), (err: unknown) => err instanceof HubError && err.code === 'NO_MATCH' && err.message === "I don't know a device called moon.");
  assert.deepEqual(await drain(), []);
});
