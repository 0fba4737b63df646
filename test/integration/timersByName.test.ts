/** Issue 14 item 2: timers addressed by name, length or room, through the running daemon. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startDaemon, runCli, makeTempDir, SHIPPED_NODE_FLAGS } from '../helpers/daemon.js';
import { VoiceClient } from '../helpers/voiceClient.js';

test('named timers and timers by length: start, status, pause, resume, add, cancel each', { timeout: 30_000 }, async () => {
  const dir = await makeTempDir();
  const d = await startDaemon({ dir, config: 'storage: { flushIntervalMs: 50 }\n', nodeArgs: SHIPPED_NODE_FLAGS });
  const r = await runCli(['token', 'create', '--sub', 'kitchen-satellite', '--area', 'kitchen'], { cwd: dir, env: { VOICEHUB_DATA_DIR: join(dir, 'data') } });
  assert.equal(r.code, 0, r.stderr);
  const client = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, r.stdout.trim());
  let n = 0;
  const say = async (text: string): Promise<string> => {
    const reply = await client.say(`t${n++}`, text);
    assert.equal(reply.type, 'reply', `${text}: ${JSON.stringify(reply)}`);
    return String(reply.text);
  };
  try {
    assert.match(await say('set a 10 minute timer called pizza'), /pizza timer set for 10 minutes/i);
    assert.match(await say('set a timer for 1 hour'), /1 hour/);
    assert.match(await say('start a timer for half an hour'), /30 minutes/);
    assert.match(await say('how long is left on the pizza timer'), /left on the pizza timer\.$/);
    assert.doesNotMatch(await say('how long is left on the pizza timer'), /1 hour/, 'only the pizza timer');
    assert.match(await say('pause the pizza timer'), /Paused/);
    assert.match(await say('timer status'), /pizza timer is paused/);
    assert.match(await say('resume the pizza timer'), /Resumed/);
    assert.match(await say('add 5 minutes to the 1 hour timer'), /1 hour,? 5 minutes|65 minutes|1 hour and 5 minutes/);
    assert.match(await say('cancel the 30 minute timer'), /Cancelled the timer for 30 minutes/);
    assert.match(await say('stop the pizza timer'), /Cancelled the pizza timer/);
    assert.match(await say('pause the eggs timer'), /no such timer/);
    assert.match(await say('kitchen timer status'), /left on the timer for 1 hour/, 'the only timer, set from the kitchen');
    assert.match(await say('设置一个两分半钟的定时器'), /2分30秒|两分半|2分钟30秒/);
  } finally {
    client.close();
    await d.cleanup();
  }
});
