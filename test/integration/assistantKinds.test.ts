import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startAssistantHub, type AssistantHub } from '../helpers/assistantHub.js';
import { VoiceClient } from '../helpers/voiceClient.js';
import type { FakeMessagesApi } from '../helpers/fakeMessagesApi.js';

/**
 * The assistant's tools come from the device kinds' own command declarations (devices/kinds/<kind>.ts
 * `commands`): a humidifier and a water heater, kinds that brought commands of their own (set_humidity,
 * set_mode), are offered to the model and its calls reach the devices over MQTT. The bundled daemon, the
 * Messages-API stand-in and a device client subscribed on the embedded broker.
 */

let h: AssistantHub;
let api: FakeMessagesApi;

before(async () => {
  h = await startAssistantHub((url) => `
assistant: { url: ${url}, timeoutMs: 6000, perMinute: 1000, maxPerHour: 1000 }
devices:
  - { id: bedroom_humidifier, name: Bedroom Humidifier, area: bedroom, type: humidifier, commandTopic: home/hum/set,
      targetHumidityCommandTopic: home/hum/target/set, modeCommandTopic: home/hum/mode/set, modes: [normal, sleep], minHumidity: 30, maxHumidity: 80 }
  - { id: boiler, name: Boiler, area: utility, type: water_heater, commandTopic: home/boiler/power,
      temperatureCommandTopic: home/boiler/temp/set, modeCommandTopic: home/boiler/mode/set, modes: [off, eco, performance] }
`, { warm: true });
  ({ api } = h);
});
after(() => h?.stop());

const client = (sub: string, area?: string): Promise<VoiceClient> => h.client(sub, area);
const commandsSoFar = (): Promise<Array<{ topic: string; payload: string }>> => h.commandsSoFar();

test('the model is offered the humidifier\'s and water heater\'s own tools, and its calls publish the right MQTT commands', { timeout: 30_000 }, async () => {
  api.reset();
  await commandsSoFar();
  const c = await client('bedroom-satellite');
  const before = api.requests.length;
  api.answer(
    {
      tools: [
        { name: 'set_humidity', input: { device_id: 'bedroom_humidifier', humidity: 45 } },
        { name: 'set_mode', input: { device_id: 'bedroom_humidifier', mode: 'sleep' } },
        { name: 'set_mode', input: { device_id: 'boiler', mode: 'eco' } },
        { name: 'set_temperature', input: { device_id: 'boiler', temperature: 55 } },
      ],
    },
    { text: 'Done.' },
  );
  const reply = await c.say('k1', 'the air is dry and I want a hot bath later');
  assert.equal(reply.type, 'reply', JSON.stringify(reply));
  assert.equal(reply.handledBy, 'voicehub.assistant');
  assert.deepEqual(reply.actions, [
    { device: 'bedroom_humidifier', command: 'set_humidity' }, { device: 'bedroom_humidifier', command: 'set_mode' },
    { device: 'boiler', command: 'set_mode' }, { device: 'boiler', command: 'set_temperature' },
  ]);
  assert.deepEqual(await commandsSoFar(), [
    { topic: 'home/hum/target/set', payload: '45' }, { topic: 'home/hum/mode/set', payload: 'sleep' },
    { topic: 'home/boiler/mode/set', payload: 'eco' }, { topic: 'home/boiler/temp/set', payload: '55' },
  ]);

  const offered = api.requests[before]!.body.tools as Array<{ name: string; input_schema: any }>;
  const tool = (name: string) => offered.find((t) => t.name === name);
  assert.deepEqual(tool('set_humidity')?.input_schema.required, ['device_id', 'humidity']);
  assert.deepEqual(tool('set_humidity')?.input_schema.properties.humidity, { type: 'number', minimum: 0, maximum: 100 });
  assert.deepEqual(tool('set_mode')?.input_schema.required, ['device_id', 'mode']);
  assert.equal(tool('set_mode')?.input_schema.additionalProperties, false);
  assert.ok(tool('set_temperature'), 'the water heater takes a set-point');
  assert.ok(tool('turn_on') && tool('turn_off'), 'both switch on and off');
  for (const absent of ['set_brightness', 'set_position', 'lock', 'set_hvac_mode', 'toggle', 'volume_step']) assert.equal(tool(absent), undefined, absent);
  const results = api.requests[before + 1]!.body.messages.at(-1).content as Array<{ is_error?: boolean; content: string }>;
  assert.ok(results.every((r) => r.is_error === undefined), JSON.stringify(results));
});

test('a humidity outside the device\'s own range and a mode it does not list reach the model as coded tool errors; nothing is published', { timeout: 30_000 }, async () => {
  api.reset();
  await commandsSoFar();
  const c = await client('bedroom-satellite-2');
  const before = api.requests.length;
  api.answer(
    {
      tools: [
        { name: 'set_humidity', input: { device_id: 'bedroom_humidifier', humidity: 95 } },
        { name: 'set_mode', input: { device_id: 'bedroom_humidifier', mode: 'turbo' } },
        { name: 'set_humidity', input: { device_id: 'bedroom_humidifier', humidity: '45' } },
        { name: 'set_humidity', input: { device_id: 'boiler', humidity: 45 } },
      ],
    },
    { text: 'I could not.' },
  );
  const reply = await c.say('k2', 'make it like a rainforest in the bedroom');
  assert.equal(reply.type, 'reply', JSON.stringify(reply));
  assert.deepEqual(reply.actions, []);
  const results = api.requests[before + 1]!.body.messages.at(-1).content as Array<{ is_error?: boolean; content: string }>;
  assert.deepEqual(results.map((r) => [r.is_error, r.content.split(':')[0]]), [
    [true, 'VALUE_OUT_OF_RANGE'], [true, 'VALUE_OUT_OF_RANGE'], [true, 'BAD_REQUEST'], [true, 'DEVICE_UNSUPPORTED'],
  ]);
  assert.deepEqual(await commandsSoFar(), []);
});
