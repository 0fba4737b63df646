import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startAssistantHub, type AssistantHub } from '../helpers/assistantHub.js';
import { VoiceClient, type Frame } from '../helpers/voiceClient.js';
import type { FakeMessagesApi, FakeAnswer } from '../helpers/fakeMessagesApi.js';

/**
 * The hub asked a question ("Which lamp do you mean: the floor lamp or the desk lamp?") and the answer is in
 * words no local list knows ("the one by the window"): the assistant gets the answer with the question, what
 * led to it and the devices it named, so the model can complete the command. The stand-in here is a model
 * that reads the request: it calls the tool only when the hub's question is in front of it, as a real model
 * could only then know which lamp was meant.
 */

let h: AssistantHub;
let api: FakeMessagesApi;

before(async () => {
  h = await startAssistantHub((url) => `
assistant: { url: ${url}, timeoutMs: 20000, perMinute: 1000, maxPerHour: 1000 }
areas: { office: {} }
devices:
  - { id: floor_lamp, name: Floor Lamp, area: office, type: light, commandTopic: home/floor/set, stateTopic: home/floor/state }
  - { id: desk_lamp, name: Desk Lamp, area: office, type: light, commandTopic: home/desk/set, stateTopic: home/desk/state }
  - { id: hall_fan, name: Hall Fan, area: hall, type: fan, commandTopic: home/fan/set, stateTopic: home/fan/state }
`);
  ({ api } = h);
});
after(() => h?.stop());

async function client(sub: string): Promise<VoiceClient & { ask(id: string, text: string): Promise<Frame> }> {
  const c = await h.client(sub);
  // The hub's first question to the assistant loads its SDK: seconds on a loaded machine, so a longer wait than say()'s.
  return Object.assign(c, {
    ask(id: string, text: string) {
      c.send({ type: 'utterance', id, text });
      return c.waitFor((f) => (f.type === 'reply' || f.type === 'error') && f.id === id, 30_000);
    },
  });
}

const commandsSoFar = (): Promise<Array<{ topic: string; payload: string }>> => h.commandsSoFar();

const systemText = (body: any): string => (body.system as Array<{ text: string }>).map((s) => s.text).join('\n');

/** A model that knows which lamp is "by the window" (the floor lamp) only when the hub's question is in the request. */
function windowModel(body: any): FakeAnswer {
  const said = JSON.stringify(body.messages);
  const sees = said.includes('Which lamp do you mean') && systemText(body).includes('"id":"floor_lamp"');
  return sees
    ? { text: 'The one by the window is the floor lamp.', tools: [{ name: 'turn_on', input: { device_id: 'floor_lamp' } }] }
    : { text: 'Which one do you mean?' };
}

test('an unmatched answer to the hub\'s question reaches the model with the question, and its tool call completes the command at the device', { timeout: 90_000 }, async () => {
  api.reset();
  const c = await client('office-satellite');
  const asked = await c.ask('q1', 'turn on the lamp');
  assert.equal(asked.type, 'error', JSON.stringify(asked));
  // DEVICE_AMBIGUOUS travels as the voice code NO_MATCH, its message the question.
  assert.equal(asked.code, 'NO_MATCH', JSON.stringify(asked));
  const question = String(asked.message);
  assert.match(question, /^Which lamp do you mean: (floor lamp or desk lamp|desk lamp or floor lamp)\?$/);
  assert.deepEqual(await commandsSoFar(), [], 'nothing was sent while the hub asked');

  const before = api.requests.length;
  api.answer(windowModel, { text: 'It is on.' });
  const reply = await c.ask('q2', 'the one by the window');
  assert.equal(reply.type, 'reply', JSON.stringify(reply));
  assert.equal(reply.handledBy, 'voicehub.assistant');
  assert.deepEqual(reply.actions, [{ device: 'floor_lamp', command: 'turn_on' }]);
  const sent = await commandsSoFar();
  assert.deepEqual(sent.map((m) => [m.topic, m.payload]), [['home/floor/set', 'ON']]);

  // What the model was shown: the request that led to the question, the question in the hub's own words, the answer.
  const first = api.requests[before]!.body;
  assert.deepEqual(first.messages, [
    { role: 'user', content: 'turn on the lamp' }, { role: 'assistant', content: question }, { role: 'user', content: 'the one by the window' },
  ]);
  const system = systemText(first);
  assert.ok(system.includes(`The hub has just asked the user: ${JSON.stringify(question)}`), system);
  assert.match(system, /about the devices (floor_lamp, desk_lamp|desk_lamp, floor_lamp)/);
  assert.match(system, /"id":"desk_lamp"/, 'both candidates are in the device list');
  assert.doesNotMatch(system, /hall_fan/, 'devices the question did not name and the text is not about are not');
  assert.equal(api.requests.length, before + 2);

  // The question was answered: a later "the desk one" is not read as its answer, and the next question the
  // model sees carries the earlier exchange as history, not as an open question.
  api.answer({ text: 'Which desk one?' });
  const later = await c.ask('q3', 'the desk one');
  assert.equal(later.handledBy, 'voicehub.assistant', JSON.stringify(later));
  assert.deepEqual(await commandsSoFar(), []);
  const third = api.requests[before + 2]!.body;
  assert.doesNotMatch(systemText(third), /has just asked/);
  assert.deepEqual(third.messages.slice(0, 2), [{ role: 'user', content: 'turn on the lamp' }, { role: 'assistant', content: question }]);
});

test('without the question the same words get no command (the stand-in model needs it), and a failed assistant leaves the question open for a local answer', { timeout: 90_000 }, async () => {
  api.reset();
  const c = await client('second-satellite');
  const before = api.requests.length;
  // No question open in this session: the model is not shown one and cannot tell which lamp.
  api.answer(windowModel);
  const cold = await c.ask('n1', 'the one by the window');
  assert.equal(cold.type, 'reply', JSON.stringify(cold));
  assert.equal(cold.text, 'Which one do you mean?');
  assert.deepEqual(cold.actions, []);
  assert.doesNotMatch(systemText(api.requests[before]!.body), /has just asked/);

  // The hub asks; the assistant fails on the answer (500): the hub's question stays open, "the desk one" settles it.
  assert.match(String((await c.ask('n2', 'turn on the lamp')).message), /^Which lamp do you mean/);
  api.answer({ status: 500 });
  const failed = await c.ask('n3', 'the one by the window');
  assert.match(String(failed.text), /can't reach the assistant/);
  const local = await c.ask('n4', 'the desk one');
  assert.equal(local.handledBy, 'voicehub.devices', JSON.stringify(local));
  assert.deepEqual((await commandsSoFar()).map((m) => [m.topic, m.payload]), [['home/desk/set', 'ON']]);
});

test('in Chinese too: the hub\'s question and the utterance that led to it reach the model with the answer', { timeout: 90_000 }, async () => {
  api.reset();
  const c = await client('zh-satellite');
  const asked = await c.ask('z1', '打开灯');
  assert.equal(asked.type, 'error', JSON.stringify(asked));
  const question = String(asked.message);
  assert.match(question, /哪/, 'the hub asked which one');
  const before = api.requests.length;
  api.answer((body) => JSON.stringify(body.messages).includes(JSON.stringify(question).slice(1, -1))
    ? { tools: [{ name: 'turn_on', input: { device_id: 'desk_lamp' } }] }
    : { text: '哪一个？' }, { text: '好的。' });
  const reply = await c.ask('z2', '桌子上那个');
  assert.equal(reply.handledBy, 'voicehub.assistant', JSON.stringify(reply));
  assert.deepEqual(reply.actions, [{ device: 'desk_lamp', command: 'turn_on' }]);
  assert.deepEqual((await commandsSoFar()).map((m) => m.topic), ['home/desk/set']);
  assert.deepEqual(api.requests[before]!.body.messages.slice(0, 2), [{ role: 'user', content: '打开灯' }, { role: 'assistant', content: question }]);
});
