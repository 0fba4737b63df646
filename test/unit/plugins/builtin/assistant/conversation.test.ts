import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../../../../daemon/core/log.js';
import type { Device } from '../../../../../devices/model.js';
import { createAssistantHost } from '../../../../../daemon/plugins/assistantHost.js';
import { createPluginApi } from '../../../../../daemon/plugins/pluginApi.js';
import { emptyRegistrations, type PluginRecord } from '../../../../../daemon/plugins/pluginRecord.js';
import { JobSet } from '../../../../../daemon/plugins/scheduler.js';
import { manifest, onRegister } from '../../../../../plugins/builtin/assistant/index.js';
import type { FallbackUtterance, HandlerContext, IntentReply } from '../../../../../plugins/sdk/index.js';
import { FakeMessagesApi } from '../../../../helpers/fakeMessagesApi.js';
import { RecordingDevices, engineFor, makeContext, quietSystem, type Harness } from '../../harness.js';

/**
 * The assistant plugin as the hub registers it (its real onRegister, api.assistant from the real host, the SDK
 * over real HTTP to the Messages-API stand-in), asked directly as the pipeline asks a fallback, with the hub's
 * clock in the test's hands: what scopes offer, what expires when, what the hub-wide limit says. Devices are a
 * recording list (the MQTT path is the integration tests').
 */

const lamp: Device = {
  id: 'lamp', name: 'Desk Lamp', aliases: [], area: 'office', type: 'light', capabilities: ['onoff', 'brightness'], source: 'config',
  mqtt: { schema: 'default', commandTopic: 'lamp/set', unit: undefined }, state: { state: 'off' }, available: true, lastSeen: null,
};

let api: FakeMessagesApi;
before(async () => { api = await new FakeMessagesApi().start(); });
after(() => api.stop());

type Ask = (text: string, options?: { scopes?: string[]; session?: string; subject?: string; question?: FallbackUtterance['question'] }) => Promise<IntentReply>;

async function assistant(t: { after(fn: () => unknown): void }, settings: Record<string, unknown> = {}): Promise<{ ask: Ask; devices: RecordingDevices; h: Harness }> {
  const h = await makeContext({ assistant: { url: api.url, perMinute: 1000, maxPerHour: 1000, timeoutMs: 20_000, ...settings }, areas: { office: {} } });
  t.after(() => h.close());
  const devices = new RecordingDevices([lamp]);
  const record: PluginRecord = {
    candidate: { source: 'builtin', entry: '/x/index.js', root: '/x' },
    manifest, module: null, state: 'ready', reason: null, errorCode: null, granted: [...manifest.requiredScopes], missing: [], log: silentLogger(),
    guard: null, api: null, jobs: new JobSet({ clock: h.ctx.clock, log: silentLogger(), timezone: null, run: () => {} }),
    registrations: emptyRegistrations(), registrationOpen: true, owner: { name: 'plugin:voicehub.assistant' }, isolation: 'none', isolated: null,
  };
  const host = createAssistantHost(h.ctx, { fetch: globalThis.fetch });
  const pluginApi = createPluginApi(record, Object.freeze({}), {
    ctx: h.ctx, devices, intents: engineFor(devices).adapter, system: quietSystem, assistant: host,
    cloud: { configured: false, request: async () => { throw new Error('unused'); }, close: async () => {} },
  });
  assert.deepEqual(await onRegister(pluginApi), { status: 'active' });
  const handler = record.registrations.fallbacks[0]!.handler;
  const ask: Ask = async (text, options = {}) => {
    const ctx: HandlerContext = {
      traceId: 'trace', log: silentLogger(), session: { sessionId: options.session ?? 's1', clientId: options.subject ?? 'client-1' },
      signal: new AbortController().signal, scopes: options.scopes ?? ['voice'], stream: () => {},
    };
    const reply = await handler({ text, lang: 'en', ...(options.question ? { question: options.question } : {}) }, ctx);
    assert.ok(reply);
    return reply;
  };
  return { ask, devices, h };
}

const toolNames = (i: number): string[] => (api.requests[i]!.body.tools as Array<{ name: string }>).map((t) => t.name);

test('a client whose token may not control devices is offered no device tool, and a call to one is refused as not offered; a voice client gets them', async (t) => {
  api.reset();
  const { ask, devices } = await assistant(t);
  const before = api.requests.length;
  api.answer({ tools: [{ name: 'turn_on', input: { device_id: 'lamp' } }] }, { text: 'I may not.' });
  const reply = await ask('switch on my lamp', { scopes: ['devices:read'] });
  assert.equal(reply.text, 'I may not.');
  assert.deepEqual(toolNames(before), ['get_state', 'list_devices']);
  const result = api.requests[before + 1]!.body.messages.at(-1).content[0];
  assert.equal(result.is_error, true);
  assert.match(result.content, /^ASSISTANT_UNKNOWN_TOOL: /);
  assert.equal(devices.commands.length, 0, "nothing was commanded");

  api.answer({ tools: [{ name: 'turn_on', input: { device_id: 'lamp' } }] }, { text: 'On.' });
  const allowed = await ask('switch on my lamp', { scopes: ['voice'], session: 's2' });
  assert.ok(toolNames(before + 2).includes('turn_on'));
  assert.deepEqual(allowed.actions, [{ device: 'lamp', command: 'turn_on' }]);
  assert.deepEqual(devices.commands.map((c) => [c.id, c.command.command]), [['lamp', 'turn_on']]);
});

test('the stable part is marked for prompt caching (the system prompt\'s first block, the last tool); the per-utterance part is not', async (t) => {
  api.reset();
  const { ask } = await assistant(t);
  const before = api.requests.length;
  api.answer({ text: 'Hi.' }, { text: 'Hi again.' });
  await ask('hello');
  await ask('what is in the office', { session: 's9' });
  for (const i of [before, before + 1]) {
    const { system, tools } = api.requests[i]!.body;
    assert.deepEqual(system[0].cache_control, { type: 'ephemeral' });
    assert.equal(system[1].cache_control, undefined);
    assert.deepEqual(tools.at(-1).cache_control, { type: 'ephemeral' });
    assert.equal(tools.filter((x: { cache_control?: unknown }) => x.cache_control).length, 1);
  }
  // The cached prefix is the same for both utterances; the part after it is not.
  assert.deepEqual(api.requests[before]!.body.tools, api.requests[before + 1]!.body.tools);
  assert.equal(api.requests[before]!.body.system[0].text, api.requests[before + 1]!.body.system[0].text);
});

test('a session\'s last turns follow it for five minutes after the last one, then it starts afresh', async (t) => {
  api.reset();
  const { ask, h } = await assistant(t);
  const before = api.requests.length;
  api.answer({ text: 'Cosy now.' }, { text: 'Bedroom too.' }, { text: 'Fresh start.' });
  await ask('make it cosy');
  h.clock.offset += 4 * 60_000;
  await ask('and in the bedroom?');
  assert.equal(api.requests[before + 1]!.body.messages.length, 3, 'four minutes later: the first turn is still there');
  h.clock.offset += 5 * 60_000 + 1;
  await ask('and in the kitchen?');
  assert.deepEqual(api.requests[before + 2]!.body.messages, [{ role: 'user', content: 'and in the kitchen?' }], 'five minutes after the last: forgotten');
});

test('the hub-wide limit: past perMinute the hub answers itself, the model not asked, until the minute refills', async (t) => {
  api.reset();
  const { ask, h } = await assistant(t, { perMinute: 2 });
  const before = api.requests.length;
  api.answer({ text: 'One.' }, { text: 'Two.' }, { text: 'Three.' });
  assert.equal((await ask('a', { subject: 'kitchen' })).text, 'One.');
  assert.equal((await ask('b', { subject: 'hall' })).text, 'Two.');
  const busy = await ask('c', { subject: 'office' });
  assert.equal(busy.text, 'The assistant has had too many questions in the last minute. Please try again shortly.');
  assert.equal(api.requests.length, before + 2);
  h.clock.offset += 30_001;
  assert.equal((await ask('c', { subject: 'office' })).text, 'Three.');
});

test('the cap on tool calls counts across turns: 5 then 5 stop after 8, with no third turn', async (t) => {
  api.reset();
  const { ask } = await assistant(t);
  const before = api.requests.length;
  const five = Array.from({ length: 5 }, () => ({ name: 'get_state', input: { device_id: 'lamp' } }));
  api.answer({ tools: five }, { tools: five }, { text: 'never asked' });
  const reply = await ask('check the lamp over and over');
  assert.match(reply.text, /stopped after 8 steps/);
  assert.equal(api.requests.length, before + 2);
  api.reset();
});

test('the whole answer has timeoutMs across turns: two turns each well inside it, together past it, end in the spoken timeout', async (t) => {
  api.reset();
  const { ask } = await assistant(t, { timeoutMs: 2000 });
  const before = api.requests.length;
  api.answer({ delayMs: 1200, tools: [{ name: 'get_state', input: { device_id: 'lamp' } }] }, { delayMs: 1200, text: 'Too late.' });
  const reply = await ask('what is the lamp doing');
  assert.equal(reply.text, 'The assistant took too long to answer, so I stopped waiting.');
  assert.equal(api.requests.length, before + 2, 'the second turn was asked: the deadline is the whole answer\'s');
});

test('the hub\'s open question is shown to the model only when the utterance carries one', async (t) => {
  api.reset();
  const { ask } = await assistant(t);
  const before = api.requests.length;
  api.answer({ text: 'Done.' }, { text: 'Done.' });
  const question = { text: 'Which lamp do you mean: desk lamp or floor lamp?', asked: 'turn on the lamp', candidates: [{ id: 'lamp', name: 'Desk Lamp' }, { id: 'gone', name: 'Gone' }] };
  await ask('the one by the window', { question });
  const body = api.requests[before]!.body;
  assert.deepEqual(body.messages.slice(0, 2), [{ role: 'user', content: 'turn on the lamp' }, { role: 'assistant', content: question.text }]);
  assert.match(body.system[1].text, /The hub has just asked the user: "Which lamp do you mean: desk lamp or floor lamp\?" \(about the devices lamp, gone\)/);
  assert.match(body.system[1].text, /"id":"lamp"/);
  // A question with no words is no question.
  await ask('the one by the window', { session: 's3', question: { text: '', asked: 'turn on the lamp', candidates: [] } });
  assert.deepEqual(api.requests[before + 1]!.body.messages, [{ role: 'user', content: 'the one by the window' }]);
  assert.doesNotMatch(api.requests[before + 1]!.body.system[1].text, /has just asked/);
});
