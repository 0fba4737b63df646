import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import { makeTempDir, startDaemon, SHIPPED_NODE_FLAGS, type DaemonProcess } from '../helpers/daemon.js';
import { VoiceClient } from '../helpers/voiceClient.js';
import { FakeMessagesApi, type FakeAnswer } from '../helpers/fakeMessagesApi.js';
import { readKey } from '../../daemon/auth/keys.js';
import { signToken } from '../../daemon/auth/tokens.js';
import { VOICE_ERROR_CODES } from '../../daemon/core/errors.js';
import { DOCUMENTED_CODES, crashLines, jsonValue, params, assertMemoryBack, hubMemory, FUZZ_TIMEOUT } from './fuzz.js';

/**
 * A hostile Messages API: the stand-in (a real HTTP server) answers the real daemon's assistant with generated
 * responses — SSE streams of events in any order with fields of any shape (text and tool_use blocks, partial
 * JSON cut anywhere, unknown block and delta types, indexes out of range, error events), tool calls of the real
 * tool names with inputs of any shape, JSON and HTML bodies, error statuses with Retry-After, hangs. Each run an
 * unmatched utterance goes to it; the client gets a reply or a documented error code, and a second client's
 * local command is answered throughout. At the end no crash, stderr empty, only documented codes in the log,
 * memory near its baseline.
 */

let d: DaemonProcess;
let api: FakeMessagesApi;
let fuzzClient: VoiceClient;
let good: VoiceClient;

const config = (url: string) => `
assistant: { url: ${url}, timeoutMs: 1500, maxPerHour: 100000, perMinute: 100000 }
speech: { stt: { provider: none }, tts: { provider: none } }
# The fuzz and the good client each speak once a run; the long variant runs faster than the default per-subject rate.
voice: { rateLimit: { perSecond: 1000, burst: 1000 } }
areas: { hall: {}, garage: {} }
devices:
  - { id: hall_lamp, name: Hall Lamp, area: hall, type: light, schema: json, brightness: true, commandTopic: home/lamp/set, stateTopic: home/lamp/state }
  - { id: front_door, name: Front Door, area: hall, type: lock, commandTopic: home/door/set, stateTopic: home/door/state }
  - { id: garage_door, name: Garage Door, area: garage, type: cover, deviceClass: garage, commandTopic: home/garage/set, stateTopic: home/garage/state }
`;

before(async () => {
  api = await new FakeMessagesApi().start();
  const dir = await makeTempDir();
  d = await startDaemon({ dir, config: config(api.url), nodeArgs: SHIPPED_NODE_FLAGS, env: { VOICEHUB_ASSISTANT_API_KEY: 'sk-fuzz' } });
  const key = (await readKey(join(dir, 'data')))!;
  fuzzClient = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, await signToken(key, { sub: 'fuzz', scopes: ['voice'] }));
  good = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, await signToken(key, { sub: 'good', scopes: ['voice'] }));
  // The first question loads the SDK (seconds on a busy machine): done here, outside the runs.
  api.answer({ text: 'warm' });
  fuzzClient.send({ type: 'utterance', id: 'warm', text: 'tell me something nice' });
  await fuzzClient.waitFor((f) => (f.type === 'reply' || f.type === 'error') && f.id === 'warm', 60_000);
});
after(async () => {
  fuzzClient?.ws.terminate();
  good?.ws.terminate();
  await d?.cleanup();
  await api?.stop();
});

const TOOLS = ['turn_on', 'turn_off', 'set_brightness', 'set_color', 'set_color_temp', 'open', 'close', 'lock', 'unlock', 'get_state', 'list_devices',
  'set_position', 'set_temperature', 'start_timer', 'activate', 'press', 'volume_set', 'nope', '', '__proto__'];
const deviceId = fc.oneof(fc.constantFrom('hall_lamp', 'front_door', 'garage_door', 'nope', '', '__proto__'), fc.string({ maxLength: 20 }), jsonValue());
const toolInput = fc.oneof(
  fc.record({ device_id: deviceId, brightness: jsonValue(), rgb: fc.oneof(fc.array(fc.integer({ min: -5, max: 300 }), { maxLength: 4 }), jsonValue()),
    kelvin: jsonValue(), position: jsonValue(), temperature: jsonValue(), seconds: jsonValue(), confirm: jsonValue() }, { requiredKeys: [] }),
  jsonValue(),
);
const text = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 100 }), fc.integer({ min: 1, max: 20_000 }).map((n) => 'y'.repeat(n)));

/** One SSE event of the Messages API's kinds (or not), with fields present, missing or of the wrong shape. */
const sseEvent = fc.oneof(
  fc.record({ type: fc.constant('message_start'), message: fc.oneof(fc.record({ id: fc.string(), type: fc.constant('message'), role: fc.constant('assistant'),
    content: fc.constant([]), usage: fc.oneof(fc.record({ input_tokens: fc.nat(), output_tokens: fc.nat() }), jsonValue()) }), jsonValue()) }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.constant('content_block_start'), index: fc.oneof(fc.nat({ max: 3 }), fc.constantFrom(-1, 1e9, 0.5), jsonValue()),
    content_block: fc.oneof(
      fc.record({ type: fc.constant('text'), text: fc.oneof(fc.constant(''), text) }),
      fc.record({ type: fc.constant('tool_use'), id: fc.oneof(fc.string({ maxLength: 20 }), jsonValue()), name: fc.oneof(fc.constantFrom(...TOOLS), jsonValue()), input: fc.constant({}) }, { requiredKeys: ['type'] }),
      fc.record({ type: fc.constantFrom('thinking', 'server_tool_use', 'image', ''), text: jsonValue() }),
      jsonValue()) }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.constant('content_block_delta'), index: fc.oneof(fc.nat({ max: 3 }), jsonValue()),
    delta: fc.oneof(
      fc.record({ type: fc.constant('text_delta'), text: fc.oneof(text, jsonValue()) }),
      fc.record({ type: fc.constant('input_json_delta'), partial_json: fc.oneof(toolInput.map((v) => JSON.stringify(v) ?? ''), fc.string({ maxLength: 40 }),
        toolInput.chain((v) => { const s = JSON.stringify(v) ?? ''; return fc.nat({ max: s.length }).map((i) => s.slice(0, i)); })) }),
      fc.record({ type: fc.constantFrom('thinking_delta', 'signature_delta', ''), text: jsonValue() }),
      jsonValue()) }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.constant('content_block_stop'), index: fc.oneof(fc.nat({ max: 3 }), jsonValue()) }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.constant('message_delta'), delta: fc.record({ stop_reason: fc.oneof(fc.constantFrom('end_turn', 'tool_use', 'max_tokens', 'refusal', 'pause_turn'), jsonValue()) }, { requiredKeys: [] }),
    usage: fc.oneof(fc.record({ output_tokens: fc.oneof(fc.nat(), jsonValue()) }), jsonValue()) }, { requiredKeys: ['type'] }),
  fc.constant({ type: 'message_stop' }),
  fc.constant({ type: 'ping' }),
  fc.record({ type: fc.constant('error'), error: fc.oneof(fc.record({ type: fc.constantFrom('overloaded_error', 'api_error', 'x'), message: fc.string({ maxLength: 40 }) }), jsonValue()) }),
  jsonValue(),
);
const start = { type: 'message_start', message: { id: 'm', type: 'message', role: 'assistant', content: [], usage: { input_tokens: 1, output_tokens: 1 } } };
const sse = fc.tuple(fc.boolean(), fc.array(sseEvent, { maxLength: 14 }), fc.boolean(), fc.constantFrom('\n\n', '\r\n\r\n', '\n'))
  .map(([withStart, events, withStop, sep]) => [...(withStart ? [start] : []), ...events, ...(withStop ? [{ type: 'message_stop' }] : [])]
    .map((e) => `event: ${String((e as { type?: unknown })?.type ?? 'x')}\ndata: ${JSON.stringify(e) ?? 'null'}${sep}`).join(''));

const answer: fc.Arbitrary<FakeAnswer> = fc.oneof(
  { arbitrary: sse.map((raw) => ({ raw })), weight: 5 },
  { arbitrary: fc.record({ text: fc.oneof(text, fc.array(text, { maxLength: 4 })), tools: fc.array(fc.record({ name: fc.constantFrom(...TOOLS), input: toolInput.map((v) => (v && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : {})) }), { maxLength: 3 }) }, { requiredKeys: [] }), weight: 3 },
  { arbitrary: fc.record({ tools: fc.array(fc.record({ name: fc.constantFrom(...TOOLS), rawJson: fc.string({ maxLength: 60 }) }), { minLength: 1, maxLength: 2 }) }), weight: 1 },
  { arbitrary: fc.record({ status: fc.constantFrom(400, 401, 403, 404, 413, 429, 500, 502, 529), retryAfter: fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: undefined }) }), weight: 1 },
  { arbitrary: fc.constantFrom<FakeAnswer>({ malformed: 'json' }, { malformed: 'truncated' }, { malformed: 'html' }, { malformed: 'errorEvent' }, { hangAfterStart: true }), weight: 1 },
  { arbitrary: jsonValue().map((v) => ({ raw: JSON.stringify(v) ?? '' })), weight: 1 },
);

test('Messages-API responses of any shape: a reply or a documented code for every utterance, local commands served throughout, no crash, memory near baseline', { timeout: FUZZ_TIMEOUT }, async () => {
  const baseline = await hubMemory(d);
  let run = 0;
  const outcomes = new Map<string, number>();
  await fc.assert(fc.asyncProperty(fc.array(answer, { minLength: 1, maxLength: 3 }), async (answers) => {
    const n = run++;
    api.reset();
    api.answer(...answers);
    fuzzClient.send({ type: 'utterance', id: `u${n}`, text: `tell me a story about the number ${n}` });
    const got = await fuzzClient.waitFor((f) => (f.type === 'reply' || f.type === 'error') && f.id === `u${n}`, 30_000);
    const outcome = got.type === 'reply' ? `reply:${String(got.handledBy)}` : String(got.code);
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    if (got.type === 'error') assert.ok((VOICE_ERROR_CODES as readonly string[]).includes(got.code as string), `undocumented code: ${JSON.stringify(got)}`);
    else assert.equal(typeof got.text, 'string');
    // A local command is answered by the hub itself, whatever the assistant's endpoint does.
    const local = await good.say(`g${n}`, 'turn on the hall lamp');
    assert.equal(local.type, 'reply', JSON.stringify(local));
    assert.equal(d.child.exitCode, null, 'the hub is still running');
  }), params(100));
  for (const line of d.lines) if (typeof line.code === 'string') assert.ok(DOCUMENTED_CODES.has(line.code), `undocumented code in the log: ${JSON.stringify(line)}`);
  assert.deepEqual(crashLines(d.lines), []);
  assert.equal(d.stderr, '');
  const memory = await assertMemoryBack(d, baseline, 'assistant fuzz');
  console.log(`assistant fuzz: ${run} utterances to a hostile Messages API: ${JSON.stringify([...outcomes])}; ${memory}`);
});
