/**
 * The hub's own plugins' sentences are compiled after `listening` (the warm-up) or at the first utterance,
 * whichever comes first; a third-party plugin's are still checked when it registers (pluginsSentences.test.ts).
 * An utterance that arrives before the warm-up is answered as if they had been compiled at start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { silentLogger } from '../../daemon/core/log.js';
import { PipelineSubsystem } from '../../daemon/pipeline/pipelineSubsystem.js';
import { IntentPipeline } from '../../daemon/pipeline/intentPipeline.js';
import { defaultBuiltinDir } from '../../daemon/plugins/discovery.js';
import type { UtteranceContext } from '../../daemon/voice/handlerStage.js';
import { makeTempDir, startDaemon, runCli, SHIPPED_NODE_FLAGS } from '../helpers/daemon.js';
import { VoiceClient } from '../helpers/voiceClient.js';
import { FIXTURES, RecordingDevices, engineFor, hostFor, makeContext, quietSystem } from '../unit/plugins/harness.js';

const ctx = (): UtteranceContext => ({ traceId: 's/u', sessionId: 's', subject: 'c', scopes: ['voice'], attempt: 0, signal: new AbortController().signal, log: silentLogger() });

test('at `listening` the built-in plugins\' sentences still wait; the first utterance compiles them and is answered by its plugin', async (t) => {
  const h = await makeContext({});
  const pipeline = new PipelineSubsystem(h.ctx, { devices: new RecordingDevices([]), system: quietSystem }, { builtinDir: defaultBuiltinDir(), nodeModulesDirs: [] });
  t.after(async () => { await pipeline.stop(); await h.close(); });
  await pipeline.start(new AbortController().signal);
  const before = pipeline.host.listing().map((p) => `${p.id} ${p.state}`);
  assert.ok(pipeline.engine.waitingSentenceSets > 0, 'the built-in plugins\' sentences are not compiled at start');
  // No warm() yet: this is an utterance that comes first. Only voicehub.basics hears "time please".
  const reply = await pipeline.stage.handle({ id: 'u1', text: 'time please' }, ctx());
  assert.equal(reply.handledBy, 'voicehub.basics');
  assert.equal(reply.intent, 'HassGetCurrentTime');
  assert.equal(pipeline.engine.waitingSentenceSets, 0);
  assert.equal((await pipeline.stage.handle({ id: 'u2', text: '设一个五分钟的定时器' }, ctx())).handledBy, 'voicehub.timers');
  // Every built-in plugin's sentences compiled: none failed late (the assistant, unconfigured here, failed at start as before).
  assert.deepEqual(pipeline.host.listing().map((p) => `${p.id} ${p.state}`), before);
  assert.ok(before.includes('voicehub.timers running') && before.includes('voicehub.basics running'), before.join(', '));
});

test('a built-in plugin whose sentences are refused at their late compile fails then, as it would have at start; the others answer', async (t) => {
  const builtins = await makeTempDir('voicehub-builtins-');
  for (const [folder, file] of [['bad', 'bad-sentences.js'], ['good', 'good-sentences.js']]) {
    await mkdir(join(builtins, folder));
    await copyFile(join(FIXTURES, 'sentences', file), join(builtins, folder, 'index.js'));
  }
  const h = await makeContext({});
  const { adapter, engine } = engineFor();
  const host = hostFor(h, { builtinDir: builtins }, { intents: adapter });
  engine.onLateRefusal = (owner, err) => host.lateRefusal(owner, err);
  t.after(async () => { await host.stop(); await h.close(); });
  await host.start();
  const state = (id: string) => host.list().find((p) => p.id === id);
  assert.equal(state('com.fixture.badsentences')?.state, 'running', 'not compiled yet');
  const pipeline = new IntentPipeline(adapter, host);
  assert.equal((await pipeline.handle({ id: 'u', text: 'welcome the visitors' }, ctx())).handledBy, 'com.fixture.goodsentences');
  assert.equal(state('com.fixture.badsentences')?.state, 'failed');
  assert.equal(state('com.fixture.badsentences')?.errorCode, 'PLUGIN_MANIFEST_INVALID');
  assert.equal(engine.intents().includes('FixtureBadAct'), false, 'its valid sentence was dropped too');
  await assert.rejects(pipeline.handle({ id: 'u3', text: 'do the fixture thing' }, ctx()), (err: unknown) => (err as { code?: string }).code === 'NO_MATCH');
});

test('the real daemon: a built-in plugin\'s sentence said the moment the hub is listening is answered by that plugin', { timeout: 60_000 }, async () => {
  const dir = await makeTempDir();
  const env = { VOICEHUB_DATA_DIR: join(dir, 'data') };
  const token = await runCli(['token', 'create', '--sub', 'first-words'], { cwd: dir, env });
  assert.equal(token.code, 0, token.stderr);
  const d = await startDaemon({ dir, nodeArgs: SHIPPED_NODE_FLAGS });
  const client = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, token.stdout.trim());
  try {
    const reply = await client.say('t1', 'time please');
    assert.equal(reply.type, 'reply', JSON.stringify(reply));
    assert.equal(reply.handledBy, 'voicehub.basics');
  } finally {
    client.close();
    await d.stop();
  }
});
