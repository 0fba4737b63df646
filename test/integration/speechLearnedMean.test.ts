import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startDaemon, makeTempDir, runCli } from '../helpers/daemon.js';
import { VoiceClient, type Frame } from '../helpers/voiceClient.js';
import { silence, speakRaw } from '../helpers/speechAudio.js';
import { WriteCounter } from '../helpers/writeCounter.js';
import { findProgram } from '../../daemon/speech/childProcess.js';

/**
 * The recogniser's learned cepstral mean (issue 18's durable-write loose end), through the bundle with the real
 * engines: a garbage file where it is kept, and a hostile one where older hubs kept it, do not stop start-up
 * (the hub serves, logs coded warnings, and speech works); then eight spoken utterances, each of which teaches
 * a new mean, reach the disk in one storage write (temp copy, fsync, rename) per flush interval, not eight plain writes.
 */

test('garbage in speech-cmn.json and speech/cmn.json: the hub starts, serves and logs coded warnings; 8 utterances make a few atomic writes of the mean', { timeout: 240_000 }, async (t) => {
  if (!await findProgram('pocketsphinx_continuous') || !await findProgram('espeak-ng')) return t.skip('pocketsphinx or espeak-ng is not installed');
  const dir = await makeTempDir('voicehub-cmn-');
  const data = join(dir, 'data');
  await mkdir(join(data, 'speech'), { recursive: true });
  await writeFile(join(data, 'speech-cmn.json'), '\u0000{"mean": [41, -5, garbage');
  await writeFile(join(data, 'speech', 'cmn.json'), '{"mean": "not a mean"}');
  const d = await startDaemon({ dir, config: 'storage: { flushIntervalMs: 20000 }\nspeech:\n  stt:\n    grammarDebounceMs: 50\n  vad:\n    silenceMs: 400\ndevices:\n  - { id: kitchen_light, name: Kitchen light, area: kitchen, type: light, commandTopic: home/kitchen_light/set }\n' });
  t.after(() => d.cleanup());
  await d.waitForLine((l) => l.msg === 'speech grammar built', 60_000);
  const corrupt = await d.waitForLine((l) => l.code === 'STORAGE_CORRUPT' && l.collection === 'speech-cmn', 30_000);
  assert.equal(corrupt.level, 'warn'); // logged, not fatal
  assert.ok(d.lines.some((l) => l.code === 'STORED_ENTRY_INVALID' && String(l.file).endsWith(join('speech', 'cmn.json'))), 'the old file is reported too');
  const health = await fetch(`${d.url}/health`);
  assert.equal(health.status, 200, await health.text());

  const token = (await runCli(['token', 'create', '--sub', 'cmn', '--scope', 'voice'], { cwd: dir, env: { VOICEHUB_DATA_DIR: data } })).stdout.trim();
  const voice = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, token);
  t.after(() => voice.close());
  const typed = await voice.say('typed', 'turn on the kitchen light');
  assert.equal(typed.type, 'reply', JSON.stringify(typed));

  const counter = new WriteCounter(data);
  t.after(() => counter.close());
  const pcm = Buffer.concat([silence(300), await speakRaw('turn on the kitchen light'), silence(800)]);
  const heard: Frame[] = [];
  const started = Date.now();
  for (let i = 0; i < 8; i++) {
    voice.send({ type: 'audio.start', id: `s${i}`, rate: 16000, format: 's16le' });
    for (let at = 0; at < pcm.length; at += 3200) voice.ws.send(pcm.subarray(at, at + 3200));
    heard.push(await voice.waitFor((f) => (f.type === 'reply' || f.type === 'error') && f.id === `s${i}`, 30_000));
  }
  assert.deepEqual(heard.filter((f) => f.type !== 'reply').map((f) => JSON.stringify(f)), []);
  // Each utterance taught a mean (logged by the engine as it is learned); the file holds a valid one.
  const meanOnDisk = async () => {
    const text = await readFile(join(data, 'speech-cmn.json'), 'utf8').catch(() => '');
    try { return (JSON.parse(text) as { mean?: unknown[] }).mean?.length === 13; } catch { return false; }
  };
  const spokenMs = Date.now() - started;
  for (const end = Date.now() + 45_000; !await meanOnDisk();) {
    assert.ok(Date.now() < end, 'a learned mean reached speech-cmn.json within 45 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 500)); // an event still on its way from inotify
  const writes = counter.take().byFile;
  const meanWrites = writes['speech-cmn.json'] ?? 0;
  // A flush interval of 20 s: at most one write per tick while the utterances came (the first change after a
  // quiet spell goes at once) and the one that followed them. Before, each utterance was a plain writeFile.
  assert.ok(meanWrites >= 1 && meanWrites <= Math.ceil(spokenMs / 20_000) + 1, `speech-cmn.json written ${meanWrites} times for 8 utterances in ${spokenMs} ms: ${JSON.stringify(writes)}`);
  assert.ok(meanWrites < 8, `${meanWrites} writes`);
  // Nothing written the old way any more.
  assert.equal(writes['speech/cmn.json'] ?? 0, 0, JSON.stringify(writes));
  assert.deepEqual(d.lines.filter((l) => l.level === 'fatal'), []);
});
