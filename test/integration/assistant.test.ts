import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { DaemonProcess } from '../helpers/daemon.js';
import { startAssistantHub, type AssistantHub } from '../helpers/assistantHub.js';
import { VoiceClient, type Frame } from '../helpers/voiceClient.js';
import type { FakeMessagesApi } from '../helpers/fakeMessagesApi.js';

/**
 * The assistant end to end, as users run it: the bundled daemon with `assistant.url` pointing at a real local
 * stand-in of the Messages API, a device client subscribed on the embedded broker, and voice clients over
 * /voice. One hub for the whole file; each test scripts the stand-in's answers for its own requests.
 */

const API_KEY = 'sk-ant-test-7f3e9c1d2b4a';
const TIMEOUT_MS = 1500;
let h: AssistantHub;
let api: FakeMessagesApi;
let hub: DaemonProcess;

const config = (url: string): string => `
assistant: { url: ${url}, timeoutMs: ${TIMEOUT_MS}, maxPerHour: 4, perMinute: 1000 }
areas: { living_room: { aliases: [lounge] }, hall: {}, garage: {} }
devices:
  - { id: living_lamp, name: Living Room Lamp, area: living_room, type: light, schema: json, brightness: true, commandTopic: home/lamp/set, stateTopic: home/lamp/state }
  - { id: front_door, name: Front Door, area: hall, type: lock, commandTopic: home/door/set, stateTopic: home/door/state }
  - { id: garage_door, name: Garage Door, area: garage, type: cover, deviceClass: garage, commandTopic: home/garage/set, stateTopic: home/garage/state }
  - { id: hall_switch, name: Hall Heater, area: hall, type: switch, sensitive: true, commandTopic: home/heater/set, stateTopic: home/heater/state }
`;

before(async () => {
  // Debug lines too: the key must be in none of them either.
  h = await startAssistantHub(config, { warm: true, env: { VOICEHUB_ASSISTANT_API_KEY: API_KEY, VOICEHUB_LOG_LEVEL: 'debug' } });
  ({ api, hub } = h);
});
after(() => h?.stop());

const client = (sub: string, area?: string): Promise<VoiceClient> => h.client(sub, area);

const commandsSoFar = (): Promise<Array<{ topic: string; payload: string }>> => h.commandsSoFar();

function deltas(c: VoiceClient, id: string): string[] {
  return c.frames.filter((f: Frame) => f.type === 'reply.delta' && f.id === id).map((f) => f.text as string);
}

test('an unmatched utterance goes to the model, whose tool call reaches the device over MQTT, and its text streams as reply.delta then reply', { timeout: 30_000 }, async () => {
  api.reset();
  const c = await client('lounge-satellite', 'living_room');
  const before = api.requests.length;
  api.answer(
    { text: ['Let me ', 'brighten ', 'things up.'], tools: [{ name: 'turn_on', input: { device_id: 'living_lamp' } }] },
    { text: ['The lamp ', 'is on now.'] },
  );
  const reply = await c.say('u1', "it's too dark in here");
  assert.equal(reply.type, 'reply', JSON.stringify(reply));
  assert.equal(reply.handledBy, 'voicehub.assistant');
  assert.deepEqual(reply.actions, [{ device: 'living_lamp', command: 'turn_on' }]);
  assert.equal(reply.text, 'Let me brighten things up. The lamp is on now.');
  // Streamed before the reply, piece by piece, and together exactly the reply's text.
  const pieces = deltas(c, 'u1');
  assert.ok(pieces.length >= 5, JSON.stringify(pieces));
  assert.equal(pieces.join(''), reply.text);
  const order = c.frames.filter((f) => f.id === 'u1').map((f) => f.type);
  assert.equal(order.at(-1), 'reply');
  assert.equal(order[0], 'reply.delta');
  const commands = await commandsSoFar();
  assert.deepEqual(commands.map((m) => m.topic), ['home/lamp/set']);
  assert.equal(JSON.parse(commands[0]!.payload).state, 'ON');

  // What the hub sent: the SDK's headers, a cached stable system part, the room, the devices as tools.
  assert.equal(api.requests.length - before, 2);
  const first = api.requests[before]!;
  assert.equal(first.path, '/v1/messages');
  // The key as the official SDK sends it (`x-api-key`, or a bearer token in its newer versions).
  const sentKey = first.headers['x-api-key'] ?? String(first.headers.authorization ?? '').replace(/^Bearer /, '');
  assert.equal(sentKey, API_KEY);
  assert.ok(first.headers['anthropic-version']);
  assert.equal(first.body.stream, true);
  // Prompt caching: breakpoints on the stable part (the last tool; the system prompt's first block), none after.
  assert.deepEqual(first.body.system[0].cache_control, { type: 'ephemeral' });
  assert.equal(first.body.system[1].cache_control, undefined);
  assert.deepEqual(first.body.tools.at(-1).cache_control, { type: 'ephemeral' });
  assert.match(first.body.system[1].text, /living_room/);
  assert.match(first.body.system[1].text, /living_lamp/);
  assert.doesNotMatch(first.body.system[1].text, /front_door/, 'only the devices relevant to the utterance');
  const tools = (first.body.tools as Array<{ name: string }>).map((t) => t.name);
  for (const name of ['get_state', 'list_devices', 'start_timer', 'turn_on', 'turn_off', 'set_brightness', 'lock', 'unlock', 'open', 'close']) assert.ok(tools.includes(name), name);
  assert.ok(!tools.includes('set_temperature'), 'no thermostat: no set_temperature');
  assert.deepEqual(first.body.messages, [{ role: 'user', content: "it's too dark in here" }]);
  const second = api.requests[before + 1]!;
  const result = second.body.messages.at(-1).content[0];
  assert.equal(result.type, 'tool_result');
  assert.equal(result.is_error, undefined);
});

test('a follow-up sees the last turn of its session', { timeout: 30_000 }, async () => {
  api.reset();
  const c = await client('followup-satellite', 'living_room');
  api.answer({ text: 'It is cosy.' }, { text: 'The bedroom too.' });
  assert.equal((await c.say('f1', 'make it cosy for a film')).text, 'It is cosy.');
  const before = api.requests.length;
  assert.equal((await c.say('f2', 'and in the bedroom?')).text, 'The bedroom too.');
  assert.deepEqual(api.requests[before]!.body.messages, [
    { role: 'user', content: 'make it cosy for a film' }, { role: 'assistant', content: 'It is cosy.' }, { role: 'user', content: 'and in the bedroom?' },
  ]);
});

test('local intents answer without the assistant, even while it hangs on another client', { timeout: 30_000 }, async () => {
  api.reset();
  const slow = await client('slow-satellite');
  const fast = await client('fast-satellite');
  const before = api.requests.length;
  api.answer({ hang: true });
  slow.send({ type: 'utterance', id: 's1', text: 'what should I cook tonight' });
  await api.waitForRequests(before + 1);
  const local = await fast.say('l1', 'turn on the living room lamp');
  assert.equal(local.type, 'reply');
  assert.equal(local.handledBy, 'voicehub.devices');
  assert.equal(api.requests.length, before + 1, 'the local intent never asked the assistant');
  assert.equal(slow.frames.some((f) => f.id === 's1' && f.type === 'reply'), false, 'the hanging request is still open');
  const late = await slow.waitFor((f) => f.id === 's1' && (f.type === 'reply' || f.type === 'error'));
  assert.equal(late.type, 'reply');
  assert.match(late.text!, /took too long/);
  await commandsSoFar();
});

test('tool calls for an unknown device, an out-of-range value, a tool not offered and broken input reach the model as coded tool errors', { timeout: 30_000 }, async () => {
  api.reset();
  const c = await client('errors-satellite');
  const before = api.requests.length;
  api.answer(
    {
      tools: [
        { name: 'turn_on', input: { device_id: 'moon_lamp' } },
        { name: 'set_brightness', input: { device_id: 'living_lamp', brightness: 250 } },
        { name: 'launch_rockets', input: {} },
        { name: 'turn_off', rawJson: '{"device_id": "living_l' },
      ],
    },
    { text: 'Sorry, I could not do that.' },
  );
  const reply = await c.say('e1', 'set the moon lamp to two hundred fifty');
  assert.equal(reply.type, 'reply');
  assert.equal(reply.text, 'Sorry, I could not do that.');
  assert.deepEqual(reply.actions, []);
  const results = api.requests[before + 1]!.body.messages.at(-1).content as Array<{ is_error?: boolean; content: string }>;
  assert.equal(results.length, 4);
  assert.ok(results.every((r) => r.is_error === true), JSON.stringify(results));
  assert.match(results[0]!.content, /^DEVICE_NOT_FOUND/);
  assert.match(results[1]!.content, /^VALUE_OUT_OF_RANGE/);
  assert.match(results[2]!.content, /^ASSISTANT_UNKNOWN_TOOL/);
  assert.match(results[3]!.content, /^BAD_REQUEST/);
  assert.deepEqual(await commandsSoFar(), [], 'nothing was published');
});

test('start_timer runs through the timers plugin, which speaks to the asking client when it ends', { timeout: 30_000 }, async () => {
  api.reset();
  const c = await client('timer-satellite');
  const before = api.requests.length;
  api.answer({ tools: [{ name: 'start_timer', input: { seconds: 1, name: 'tea' } }, { name: 'start_timer', input: { seconds: 999_999 } }] }, { text: 'Your tea timer is running.' });
  const reply = await c.say('t1', 'remind me when the tea is ready');
  assert.equal(reply.text, 'Your tea timer is running.');
  const results = api.requests[before + 1]!.body.messages.at(-1).content as Array<{ is_error?: boolean; content: string }>;
  assert.equal(results[0]!.is_error, undefined, results[0]!.content);
  assert.match(results[0]!.content, /^done: .*tea/i);
  assert.match(results[1]!.content, /^VALUE_OUT_OF_RANGE/);
  const spoken = await c.waitFor((f) => f.type === 'speak' && f.source === 'voicehub.timers');
  assert.match(spoken.text!, /tea/i);
});

test('more than maxToolCalls tool calls: the rest are refused and the answer says it stopped', { timeout: 30_000 }, async () => {
  api.reset();
  const c = await client('loop-satellite');
  const before = api.requests.length;
  const lookups = Array.from({ length: 10 }, () => ({ name: 'get_state', input: { device_id: 'living_lamp' } }));
  api.answer({ tools: lookups });
  const reply = await c.say('m1', 'check the lamp ten times');
  assert.equal(reply.type, 'reply');
  assert.match(reply.text!, /stopped after 8 steps/);
  assert.equal(api.requests.length, before + 1, 'no further turn after the cap');
});

test('a lock, a garage door and a sensitive device wait for a spoken yes; no publishes until then', { timeout: 30_000 }, async () => {
  api.reset();
  const c = await client('door-satellite');
  api.answer({ text: 'Sure.', tools: [{ name: 'unlock', input: { device_id: 'front_door' } }] });
  const ask = await c.say('c1', 'let the plumber in');
  assert.equal(ask.type, 'reply');
  assert.match(ask.text!, /Do you want me to unlock Front Door\?/);
  assert.deepEqual(ask.actions, []);
  assert.deepEqual(await commandsSoFar(), [], 'the unlock waits');
  const before = api.requests.length;
  const yes = await c.say('c2', 'yes');
  assert.equal(yes.type, 'reply');
  assert.deepEqual(yes.actions, [{ device: 'front_door', command: 'unlock' }]);
  assert.equal(api.requests.length, before, 'the yes is settled by the hub, not the model');
  const sent = await commandsSoFar();
  assert.deepEqual(sent.map((m) => [m.topic, m.payload]), [['home/door/set', 'UNLOCK']]);

  api.answer({ tools: [{ name: 'open', input: { device_id: 'garage_door' } }] });
  assert.match((await c.say('c3', 'let the car out')).text!, /open Garage Door/);
  assert.equal((await c.say('c4', 'no')).text, "OK, I won't.");
  api.answer({ tools: [{ name: 'turn_on', input: { device_id: 'hall_switch' } }] });
  assert.match((await c.say('c5', 'warm up the hall')).text!, /turn on Hall Heater/);
  api.answer({ text: 'Nice weather.' });
  // Anything but yes or no drops the question: a later yes does nothing.
  assert.equal((await c.say('c6', 'how is the weather')).text, 'Nice weather.');
  assert.deepEqual(await commandsSoFar(), []);
  // The model read that answer against the hub's question: the exchange is in the session's turns.
  const turns = api.requests.at(-1)!.body.messages as Array<{ role: string; content: string }>;
  assert.deepEqual(turns.slice(-3).map((m) => m.role), ['user', 'assistant', 'user']);
  assert.equal(turns.at(-3)!.content, 'warm up the hall');
  assert.match(turns.at(-2)!.content, /Do you want me to turn on Hall Heater\? Say yes or no\./);
  assert.equal(turns.at(-1)!.content, 'how is the weather');
});

test('429, 529, 500, a hang, a stalled stream and malformed bodies each give a clear spoken reply', { timeout: 60_000 }, async () => {
  api.reset();
  const cases: Array<[Parameters<FakeMessagesApi['answer']>[0], RegExp]> = [
    [{ status: 429, retryAfter: 30 }, /busy right now/],
    [{ status: 529 }, /busy right now/],
    [{ status: 500 }, /can't reach the assistant/],
    [{ hang: true }, /took too long/],
    [{ hangAfterStart: true }, /took too long/],
    [{ malformed: 'json' }, /didn't make sense/],
    [{ malformed: 'truncated', text: 'Half a sen' }, /didn't make sense/],
    [{ malformed: 'html' }, /didn't make sense/],
    [{ malformed: 'errorEvent' }, /busy right now/],
    // Slow: words keep coming, too slowly to finish within timeoutMs.
    [{ text: Array.from({ length: 200 }, () => 'drip '), pieceDelayMs: 50 }, /took too long/],
    // A refused key, echoed back in the error body as a hostile or careless endpoint might.
    [{ status: 401, errorMessage: `invalid x-api-key: ${API_KEY}` }, /can't reach the assistant/],
  ];
  let n = 0;
  for (const [answer, expected] of cases) {
    // A subject each: the budget (4 an hour here) is the next test's.
    const c = await client(`failure-satellite-${n}`);
    api.answer(answer);
    const reply = await c.say(`x${n++}`, 'tell me something interesting');
    assert.equal(reply.type, 'reply', JSON.stringify(reply));
    assert.equal(reply.handledBy, 'voicehub.assistant');
    assert.match(reply.text!, expected, JSON.stringify(answer));
    assert.equal(reply.text!.includes(API_KEY), false);
  }
  const metrics = await (await fetch(`${hub.url}/metrics`)).text();
  for (const outcome of ['ok', 'busy', 'unreachable', 'timeout', 'malformed', 'confirm']) {
    assert.match(metrics, new RegExp(`voicehub_assistant_requests_total\\{outcome="${outcome}"\\} [1-9]`), outcome);
  }
  assert.match(metrics, /voicehub_assistant_tokens_total\{direction="in"\} [1-9]/);
  assert.match(metrics, /voicehub_assistant_tokens_total\{direction="out"\} [1-9]/);
  assert.match(metrics, /voicehub_assistant_tool_calls_total\{tool="get_state",outcome="ok"\} [1-9]/);
  assert.match(metrics, /voicehub_assistant_tool_calls_total\{tool="unknown",outcome="error"\} [1-9]/, 'a tool not offered is counted as unknown');
  assert.match(metrics, /voicehub_assistant_tool_calls_total\{tool="turn_on",outcome="ok"\} [1-9]/);
  assert.match(metrics, /voicehub_assistant_latency_seconds_count [1-9]/);
});

test('over budget: the fifth request of a subject in an hour is answered by the hub without asking the model', { timeout: 30_000 }, async () => {
  api.reset();
  const c = await client('budget-satellite');
  for (let i = 0; i < 4; i++) {
    api.answer({ text: `Answer ${i}.` });
    assert.equal((await c.say(`b${i}`, 'tell me a joke')).text, `Answer ${i}.`);
  }
  const before = api.requests.length;
  const over = await c.say('b4', 'tell me a joke');
  assert.match(over.text!, /4 times this hour/);
  assert.equal(api.requests.length, before);
  // Another subject still has its own budget.
  api.answer({ text: 'Still here.' });
  assert.equal((await (await client('other-satellite')).say('o1', 'tell me a joke')).text, 'Still here.');
});

test('/health shows the assistant, and no log line or stderr ever holds the API key', { timeout: 30_000 }, async () => {
  api.reset();
  const health = await (await fetch(`${hub.url}/health`)).json() as { checks: Record<string, { ok: boolean; url?: string }> };
  assert.ok(health.checks.assistant, JSON.stringify(health.checks));
  assert.equal(health.checks.assistant.url, api.url);
  const all = hub.rawStdout.join('\n') + hub.stderr;
  assert.ok(hub.rawStdout.length > 10);
  assert.ok(all.includes('assistant on'), 'the assistant logged that it is on');
  assert.ok(hub.lines.some((l) => l.level === 'debug'), 'debug lines were written');
  assert.ok(all.includes('ASSISTANT_REFUSED'), 'the refused key was logged, by its code');
  assert.equal(all.includes(API_KEY), false, 'the key is in a log line');
  assert.equal(all.includes(API_KEY.slice(4, 16)), false, 'part of the key is in a log line');
  // Nor in any frame a client was sent (errors and replies), nor in /health or /metrics.
  const frames = h.clients.flatMap((c) => c.frames.map((f) => JSON.stringify(f))).join('\n');
  assert.ok(frames.length > 1000);
  assert.equal(frames.includes(API_KEY.slice(4, 16)), false, 'part of the key reached a client');
  const surfaces = JSON.stringify(health) + await (await fetch(`${hub.url}/metrics`)).text();
  assert.equal(surfaces.includes(API_KEY.slice(4, 16)), false);
});
