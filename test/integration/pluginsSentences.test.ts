import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { HubError } from '../../daemon/core/errors.js';
import { silentLogger } from '../../daemon/core/log.js';
import { IntentPipeline } from '../../daemon/pipeline/intentPipeline.js';
import { PluginSpeechToText } from '../../daemon/pipeline/pluginSpeechToText.js';
import type { UtteranceContext } from '../../daemon/voice/handlerStage.js';
import { FIXTURES, engineFor, hostFor, makeContext } from '../unit/plugins/harness.js';

const voiceContext = (): UtteranceContext => ({ traceId: 's/u', sessionId: 's', subject: 'c', scopes: ['voice'], attempt: 0, signal: new AbortController().signal, log: silentLogger() });

test('a plugin adds sentences to the engine in two languages; one the engine refuses fails that plugin whole', async (t) => {
  const h = await makeContext({ plugins: { dir: join(FIXTURES, 'sentences') } });
  const { adapter, engine } = engineFor();
  const host = hostFor(h, {}, { intents: adapter });
  t.after(async () => { await host.stop(); await h.close(); });
  await host.start();
  const bad = host.list().find((p) => p.id === 'com.fixture.badsentences')!;
  assert.equal(bad.state, 'failed');
  assert.equal(bad.errorCode, 'PLUGIN_MANIFEST_INVALID');
  assert.equal(engine.intents().includes('FixtureBadAct'), false, 'its first, valid sentence was dropped too');
  const pipeline = new IntentPipeline(adapter, host);
  assert.deepEqual(await pipeline.handle({ id: 'u', text: 'welcome the visitors' }, voiceContext()),
    { text: 'Welcome, dear guests!', intent: 'FixtureGreet', handledBy: 'com.fixture.goodsentences' });
  assert.equal((await pipeline.handle({ id: 'u', text: '欢迎来宾' }, voiceContext())).text, '欢迎各位来宾！');
});

test('audio goes to the speech-to-text plugin; a format it does not take is BAD_REQUEST, its failure PLUGIN_FAILED', async (t) => {
  const h = await makeContext({ plugins: { dir: join(FIXTURES, 'stt') } });
  const host = hostFor(h, {});
  t.after(async () => { await host.stop(); await h.close(); });
  await host.start();
  const stt = new PluginSpeechToText(host);
  assert.equal(host.hasSpeechToText(), true);
  stt.installed = host.hasSpeechToText(); // as the plugins subsystem settles it once the host has started
  assert.deepEqual(await stt.transcribe({ id: 'a', audio: Buffer.alloc(3200), rate: 16000, format: 's16le' }, voiceContext()), { text: 'heard 1600 samples at 16000 Hz', lang: 'en' });
  await assert.rejects(stt.transcribe({ id: 'a', audio: Buffer.alloc(10), rate: 16000, format: 'opus' }, voiceContext()), (err: unknown) => err instanceof HubError && err.code === 'BAD_REQUEST');
  await assert.rejects(stt.transcribe({ id: 'a', audio: Buffer.alloc(0), rate: 16000, format: 's16le' }, voiceContext()), (err: unknown) => err instanceof HubError && err.code === 'PLUGIN_FAILED');
});
