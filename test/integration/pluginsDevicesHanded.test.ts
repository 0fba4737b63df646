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

/**
 * One way through: the devices plugin carries out the decision the matched request carries (the devices the
 * engine chose, each kind's command) and never asks the engine again. The intent port counts every
 * `resolve`, and a device listening on the real broker sees what was sent.
 */

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
  { id: 'shelf', name: 'Shelf Light', area: 'living_room', type: 'light', commandTopic: 'home/shelf/set', stateTopic: 'home/shelf/state' },
  { id: 'garage', name: 'Garage Door', area: 'garage', type: 'cover', commandTopic: 'home/garage/set' },
  { id: 'thermostat', name: 'Thermostat', area: 'living_room', type: 'climate', stateTopic: 'home/thermo/temp', temperatureCommandTopic: 'home/thermo/set' },
];

function voiceContext(): UtteranceContext {
  return { traceId: 's1/u1', sessionId: 's1', subject: 'tablet', scopes: ['voice'], attempt: 0, signal: new AbortController().signal, log: silentLogger() };
}

test('the devices plugin executes the decision the request carries: no second resolve, the kind\'s command published', async (t) => {
  const h = await makeContext({ mqtt: { host: '127.0.0.1', port: 0 }, devices, areas: { living_room: {}, garage: {} } });
  const broker = new MqttSubsystem(h.ctx);
  await broker.start(new AbortController().signal);
  const registry = new DeviceRegistry({
    collection: await h.ctx.store.collection('devices', emptyDevicesDocument), bus: h.ctx.bus, log: h.ctx.log, clock: h.ctx.clock,
    discoveryPrefix: 'homeassistant', zigbee2mqttBaseTopic: 'zigbee2mqtt', configDevices: h.ctx.config.devices,
  });
  registry.start();
  const engine = new IntentEngine();
  engine.setLists(intentLists(registry.list(), h.ctx.config.areas));
  const adapter = new EngineAdapter(engine, (id) => registry.get(id)?.state);
  let resolves = 0;
  const resolve = adapter.resolve.bind(adapter);
  adapter.resolve = (request) => { resolves++; return resolve(request); };
  const host = hostFor(h, { builtinDir: defaultBuiltinDir() }, { devices: new RegistryDevices(registry, h.ctx.mqtt), intents: adapter });
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

  // The request the plugin gets carries the decision: here the cover kind's "open" for "turn on".
  const request = adapter.match('open the garage door', { lang: 'en' })!;
  assert.deepEqual(request.targets?.ids, ['garage']);
  assert.deepEqual(request.targets?.commands, [{ command: 'open' }]);
  assert.equal(request.refused, undefined);
  const opened = await say('open the garage door');
  assert.deepEqual(opened.actions, [{ device: 'garage', command: 'open' }]);
  assert.deepEqual((await drain()).map((m) => m.topic), ['home/garage/set']);

  // Two devices at once, in the order the engine chose them.
  const both = await say('turn off the living room lights');
  assert.deepEqual(both.actions?.map((a) => a.device).sort(), ['lamp', 'shelf']);
  assert.deepEqual((await drain()).map((m) => m.topic).sort(), ['home/lamp/set', 'home/shelf/set']);

  // A set-point goes in the thermostat's own unit: 70 °F is sent as 21 °C (to half a degree), and the reply says what was sent.
  const warm = await say('set the thermostat to 70 degrees fahrenheit');
  assert.deepEqual(warm.actions, [{ device: 'thermostat', command: 'set_temperature' }]);
  assert.match(warm.text, /21 °C/);
  assert.deepEqual(await drain(), [{ topic: 'home/thermo/set', payload: '21' }]);

  // A refusal decided at match time is handed over and answered; nothing is sent.
  await assert.rejects(say('turn on the moon'), (err: unknown) => err instanceof HubError && err.code === 'NO_MATCH' && err.message === "I don't know a device called moon.");
  assert.deepEqual(await drain(), []);

  assert.equal(resolves, 0, 'commands never went back to the engine');
  // A question reads the devices' state when asked: that is the one resolve.
  registry.handleMessage('home/thermo/temp', Buffer.from('19.5'));
  assert.match((await say('what is the temperature in the living room')).text, /19\.5/);
  assert.equal(resolves, 1);
});
