import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { HubError } from '../../daemon/core/errors.js';
import { silentLogger } from '../../daemon/core/log.js';
import { IntentPipeline, type IntentMatcher } from '../../daemon/pipeline/intentPipeline.js';
import { PluginSpeechToText } from '../../daemon/pipeline/pluginSpeechToText.js';
import type { UtteranceContext } from '../../daemon/voice/handlerStage.js';
import { FIXTURES, hostFor, makeContext } from '../unit/plugins/harness.js';

/** A stand-in for the intent engine: a fixed table of sentences. */
const matcher: IntentMatcher = {
  match(text, { lang }) {
    const table: Record<string, { intent: string; slots: Record<string, unknown> }> = {
      'are you steady': { intent: 'SteadyAct', slots: {} },
      'break please': { intent: 'ChaosAct', slots: { mode: 'throw' } },
      'too much': { intent: 'ChaosAct', slots: { mode: 'refuse' } },
      'nobody owns this': { intent: 'OrphanIntent', slots: {} },
      '你好': { intent: 'SteadyAct', slots: {} },
    };
    const hit = table[text];
    return hit ? { intent: hit.intent, slots: hit.slots as Record<string, string>, text, lang } : null;
  },
};

function voiceContext(traceId = 's1/u1'): UtteranceContext {
  return { traceId, sessionId: 's1', subject: 'kitchen-tablet', scopes: ['voice'], attempt: 0, signal: new AbortController().signal, log: silentLogger() };
}

const utter = (text: string, lang?: string) => ({ id: 'u1', text, ...(lang ? { lang } : {}) });
const isCode = (code: string) => (err: unknown) => err instanceof HubError && err.code === code;

async function setup(t: { after(fn: () => Promise<void>): void }) {
  const h = await makeContext({ plugins: { dir: join(FIXTURES, 'containment'), failuresBeforePause: 2 } });
  const host = hostFor(h, {});
  t.after(async () => { await host.stop(); await h.close(); });
  await host.start();
  return { h, host, pipeline: new IntentPipeline(matcher, host) };
}

test('a matched intent goes to the plugin that owns it and comes back as a voice reply', async (t) => {
  const { pipeline } = await setup(t);
  const reply = await pipeline.handle(utter('are you steady'), voiceContext());
  assert.deepEqual(reply, { text: 'steady: are you steady', intent: 'SteadyAct', handledBy: 'com.fixture.steady' });
  // Chinese text is detected as such when the client gives no language.
  assert.equal((await pipeline.handle(utter('你好'), voiceContext())).text, 'steady: 你好');
});

test('plugin errors leave as voice codes: PLUGIN_FAILED, then PLUGIN_FAILED while paused; a refusal is BAD_REQUEST with its message', async (t) => {
  const { pipeline } = await setup(t);
  await assert.rejects(pipeline.handle(utter('too much'), voiceContext()), (err: unknown) => isCode('BAD_REQUEST')(err) && (err as Error).message === 'that is too much');
  await assert.rejects(pipeline.handle(utter('break please'), voiceContext()), isCode('PLUGIN_FAILED'));
  await assert.rejects(pipeline.handle(utter('break please'), voiceContext()), isCode('PLUGIN_FAILED'));
  // Paused now (failuresBeforePause: 2): still PLUGIN_FAILED on the wire, the message says paused.
  await assert.rejects(pipeline.handle(utter('break please'), voiceContext()), (err: unknown) => isCode('PLUGIN_FAILED')(err) && /paused/.test((err as Error).message));
});

test('no match: the fallback chain answers (plugin fallbacks first, then hub steps), else NO_MATCH', async (t) => {
  const { pipeline } = await setup(t);
  assert.deepEqual(await pipeline.handle(utter('help me'), voiceContext()), { text: 'helper heard: help me', handledBy: 'com.fixture.helper' });
  await assert.rejects(pipeline.handle(utter('sing a song'), voiceContext()), isCode('NO_MATCH'));
  await assert.rejects(pipeline.handle(utter('nobody owns this'), voiceContext()), isCode('NO_MATCH'));
  pipeline.fallback.add({ name: 'cloud-assist', run: (u) => ({ text: `the cloud says hi to "${u.text}"` }) });
  assert.deepEqual(await pipeline.handle(utter('sing a song'), voiceContext()), { text: 'the cloud says hi to "sing a song"', handledBy: 'cloud-assist' });
  // A failing fallback is skipped; the next one answers.
  assert.equal((await pipeline.handle(utter('explode'), voiceContext())).handledBy, 'cloud-assist');
});

test('when every fallback fails, the failure is passed on as a voice code', async (t) => {
  const { pipeline } = await setup(t);
  await assert.rejects(pipeline.handle(utter('explode'), voiceContext()), isCode('PLUGIN_FAILED'));
  pipeline.fallback.add({ name: 'offline-cloud', run: () => { throw new HubError('CLOUD_UNAVAILABLE', 'no internet'); } });
  await assert.rejects(pipeline.handle(utter('sing'), voiceContext()), isCode('INTERNAL'));
});

test('audio without a speech-to-text plugin answers NO_STT', async (t) => {
  const { host } = await setup(t);
  const stt = new PluginSpeechToText(host);
  assert.equal(host.hasSpeechToText(), false);
  await assert.rejects(stt.transcribe({ id: 'a1', audio: Buffer.alloc(320), rate: 16000, format: 's16le' }, voiceContext()), isCode('NO_STT'));
});
