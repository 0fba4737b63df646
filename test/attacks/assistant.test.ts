import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AssistantFailure, MessagesClient } from '../../plugins/builtin/assistant/client.js';
import type { AssistantSettings } from '../../plugins/sdk/index.js';
import { FakeMessagesApi } from '../helpers/fakeMessagesApi.js';

/**
 * A hostile (or broken, or hijacked) Messages-API endpoint against the assistant's client: whatever it
 * streams, the client ends with a bounded result or an AssistantFailure of a known kind, never a crash, an
 * unbounded buffer or a hang past its deadline.
 */

let api: FakeMessagesApi;
let client: MessagesClient;
before(async () => {
  api = await new FakeMessagesApi().start();
  const settings: AssistantSettings = {
    mode: 'fallback', url: api.url, apiKey: 'sk-attack', model: 'm', maxTokens: 64, timeoutMs: 2000, maxPerHour: 1e9, perMinute: 1e9, maxToolCalls: 8, configured: true,
  };
  client = new MessagesClient(settings, fetch);
  // The first question imports the SDK (over a second on a busy machine): done here, outside any test's deadline.
  api.answer({ text: 'warm' });
  await client.turn({ system: [], messages: [{ role: 'user', content: 'hi' }], tools: [] }, AbortSignal.timeout(60_000), () => {});
});
after(() => api.stop());

const sse = (...events: Array<Record<string, unknown>>) => events.map((e) => `event: ${String(e.type)}\ndata: ${JSON.stringify(e)}\n\n`).join('');
const start = { type: 'message_start', message: { id: 'm', type: 'message', role: 'assistant', content: [], usage: { input_tokens: 1, output_tokens: 1 } } };
const stop = { type: 'message_stop' };
const request = { system: [], messages: [{ role: 'user' as const, content: 'hi' }], tools: [] };

async function turn(raw: string, signal = AbortSignal.timeout(30_000)) {
  api.reset();
  api.answer({ raw });
  const pieces: string[] = [];
  try {
    return { result: await client.turn(request, signal, (t) => pieces.push(t)), pieces };
  } catch (err) {
    return { err, pieces };
  }
}

const failedAs = (kind: string) => (out: { err?: unknown }) => out.err instanceof AssistantFailure && out.err.kind === kind;

test('a text stream of half a megabyte is cut at 8000 characters', async () => {
  const huge = 'x'.repeat(50_000);
  const out = await turn(sse(start, { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    ...Array.from({ length: 10 }, () => ({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: huge } })),
    { type: 'content_block_stop', index: 0 }, stop));
  assert.ok(out.result, String(out.err));
  assert.equal(out.pieces.join('').length, 8000);
  assert.equal((out.result.blocks[0] as { text: string }).text.length, 8000);
});

test('a tool input over 16 KiB, a block index out of range and a tool_use without a name are malformed', async () => {
  const big = await turn(sse(start, { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 't', name: 'turn_on', input: {} } },
    ...Array.from({ length: 40 }, () => ({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: 'a'.repeat(1000) } })), stop));
  assert.ok(failedAs('malformed')(big));
  assert.ok(failedAs('malformed')(await turn(sse(start, { type: 'content_block_start', index: 1e9, content_block: { type: 'text', text: '' } }, stop))));
  assert.ok(failedAs('malformed')(await turn(sse(start, { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 't' } }, stop))));
  assert.ok(failedAs('malformed')(await turn(sse(start, { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, stop))), 'a block index used twice');
});

test('tool input that is not a JSON object is marked bad for the model, not thrown', async () => {
  for (const partial of ['[1,2]', '"str"', '{"a":', 'null']) {
    const out = await turn(sse(start, { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 't', name: 'turn_on', input: {} } },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: partial } }, { type: 'content_block_stop', index: 0 }, stop));
    assert.ok(out.result, String(out.err));
    const block = out.result.blocks[0] as { bad?: string; input: unknown };
    assert.ok(block.bad, partial);
    assert.equal(block.input, null);
  }
});

test('deltas for blocks that never started, unknown event types and garbage fields are ignored; a stream with no message_start is malformed', async () => {
  const out = await turn(sse(start, { type: 'content_block_delta', index: 5, delta: { type: 'text_delta', text: 'ghost' } },
    { type: 'surprise', payload: { nested: [1, 2, 3] } }, { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 42 } }, { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'real' } },
    { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: -5 } }, stop));
  assert.ok(out.result, String(out.err));
  assert.deepEqual(out.pieces, ['real']);
  assert.equal(out.result.usage.output, 1, 'negative token counts are not taken');
  assert.ok(failedAs('malformed')(await turn(sse({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, stop))));
  assert.ok(failedAs('malformed')(await turn('data: {not json\n\n')));
});

test('an endpoint that trickles forever is cut off at the deadline as a timeout', async () => {
  api.reset();
  api.answer({ text: Array.from({ length: 1000 }, () => 'drip '), pieceDelayMs: 50 });
  const pieces: string[] = [];
  await assert.rejects(client.turn(request, AbortSignal.timeout(400), (t) => pieces.push(t)), (err) => err instanceof AssistantFailure && err.kind === 'timeout');
  assert.ok(pieces.length < 1000);
});
