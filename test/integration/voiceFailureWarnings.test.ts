import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeTempDir, startDaemon } from '../helpers/daemon.js';
import { voiceToken, writePlugin } from '../helpers/firePlugins.js';
import { until } from '../helpers/until.js';
import { VoiceClient } from '../helpers/voiceClient.js';

/**
 * A plugin that fails every call must not make the hub write a log line per utterance (the plugins-under-fire
 * bench saw 1,837 "utterance failed" lines in ten seconds): past a few per code, the warnings are held back and the
 * next one logged says how many were. Nothing is lost from the account: every failure is a line or in a
 * later line's `skipped`, and every client still gets its coded error frame.
 */
test('"utterance failed" warnings are held back per code, and the next one logged counts those left out', { timeout: 120_000 }, async (t) => {
  const dir = await makeTempDir('voicehub-failure-warnings-');
  const plugins = join(dir, 'plugins');
  await writePlugin(plugins, 'thrower', 'com.test.thrower', 'TestThrow', 'fire the thrower', '() => { throw new Error("boom"); }');
  const d = await startDaemon({
    dir,
    config: ['voice: { rateLimit: { perSecond: 100000, burst: 100000 } }', 'plugins:', `  dir: ${JSON.stringify(plugins)}`, ''].join('\n'),
  });
  t.after(() => d.cleanup());
  const client = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, await voiceToken(d, 'flood'));
  t.after(() => client.ws.terminate());

  const SAID = 60;
  for (let i = 0; i < SAID; i++) {
    const frame = await client.say(`u${i}`, 'fire the thrower');
    assert.equal(frame.type, 'error', JSON.stringify(frame));
    assert.equal(frame.code, 'PLUGIN_FAILED');
  }
  await sleep(1_100); // a token again for the code: the next failure is logged, with the count of those held back
  const last = await client.say('last', 'fire the thrower');
  assert.equal(last.code, 'PLUGIN_FAILED');
  const failedLines = () => d.lines.filter((l) => l.msg === 'utterance failed');
  const accounted = () => failedLines().reduce((sum, l) => sum + 1 + (typeof l.skipped === 'number' ? l.skipped : 0), 0);
  // The lines come over the daemon's stdout, after the frames: wait until the last failure's line is read.
  await until(() => (accounted() >= SAID + 1 ? true : undefined), 'the last failure\'s warning');
  const lines = failedLines();
  const warned = lines[lines.length - 1]!;
  assert.ok(lines.length < SAID, `held back: ${lines.length} lines for ${SAID + 1} failures`);
  assert.ok(typeof warned.skipped === 'number' && warned.skipped > 0, `the line after the pause counts those held back: ${JSON.stringify(warned)}`);
  assert.equal(accounted(), SAID + 1, 'every failure is a line or counted in a later one');
  assert.ok(lines.every((l) => l.code === 'PLUGIN_FAILED'));
});
