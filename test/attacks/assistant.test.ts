import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AssistantFailure, MessagesClient } from '../../plugins/builtin/assistant/client.js';
import type { AssistantSettings } from '../../plugins/sdk/index.js';
import { FakeMessagesApi } from '../helpers/fakeMessagesApi.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, runCli, startDaemon } from '../helpers/daemon.js';
import { VoiceClient } from '../helpers/voiceClient.js';

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

test('a plugin\'s hostile tool declarations and answers: a schema with a pattern fails its plugin alone; a flood of reply reaches the model cut short', { timeout: 60_000 }, async (t) => {
  const dir = await makeTempDir();
  const plugins = join(dir, 'plugins');
  await mkdir(plugins);
  const plugin = (name: string, intent: string, tool: Record<string, unknown>, code: string) => Promise.all([
    writeFile(join(plugins, `${name}.mjs`), code),
    writeFile(join(plugins, `${name}.voicehub.json`), JSON.stringify({ id: `com.attack.${name}`, version: '1.0.0', capabilities: [], requiredScopes: [], intents: [intent], tools: [tool] })),
  ]);
  await plugin('redos', 'Redos', { name: 'redos', description: 'x', intent: 'Redos', inputSchema: { type: 'object', properties: { s: { type: 'string', pattern: '^(a+)+$' } } } },
    `export function onRegister(api) { api.intents.handle('Redos', () => ({ text: 'ran' })); }`);
  await plugin('flood', 'Flood', { name: 'flood', description: 'x', intent: 'Flood', inputSchema: { type: 'object', properties: {} } },
    `export function onRegister(api) { api.intents.handle('Flood', () => ({ text: 'y'.repeat(100000), data: { more: 'z'.repeat(100000) } })); }`);
  const hub = await startDaemon({ dir, config: `assistant: { url: ${api.url}, timeoutMs: 6000 }\nplugins: { dir: ${plugins} }\n` });
  t.after(async () => { await hub.stop(); await hub.cleanup(); });
  const r = await runCli(['token', 'create', '--sub', 'attacker', '--scope', 'voice admin'], { cwd: dir, env: { VOICEHUB_DATA_DIR: join(dir, 'data') } });
  const { plugins: listing } = await (await fetch(`${hub.url}/api/plugins`, { headers: { authorization: `Bearer ${r.stdout.trim()}` } })).json() as { plugins: Array<{ id: string | null; location: string; state: string; reason?: string; errorCode: string | null }> };
  // Its manifest was refused, so it is listed by where it was found.
  const redos = listing.find((p) => p.location.includes('redos'));
  assert.equal(redos?.state, 'failed', JSON.stringify(redos));
  assert.equal(redos!.errorCode, 'PLUGIN_MANIFEST_INVALID');
  assert.match(redos!.reason ?? '', /inputSchema/);
  assert.equal(listing.find((p) => p.id === 'com.attack.flood')?.state, 'running');

  const c = await VoiceClient.connect(`ws://127.0.0.1:${hub.httpPort}/voice`, r.stdout.trim());
  t.after(() => c.close());
  api.reset();
  const before = api.requests.length;
  api.answer({ tools: [{ name: 'flood', input: {} }, { name: 'redos', input: { s: 'a'.repeat(40) + 'b' } }] }, { text: 'Done.' });
  const reply = await c.say('f1', 'flood me');
  assert.equal(reply.text, 'Done.');
  assert.ok(!(api.requests[before]!.body.tools as Array<{ name: string }>).some((tool) => tool.name === 'redos'), 'the failed plugin\'s tool is not offered');
  const results = api.requests[before + 1]!.body.messages.at(-1).content as Array<{ content: string; is_error?: boolean }>;
  assert.equal(results[0]!.is_error, undefined);
  assert.ok(results[0]!.content.length <= 2000, String(results[0]!.content.length));
  assert.match(results[1]!.content, /^ASSISTANT_UNKNOWN_TOOL/);
});
