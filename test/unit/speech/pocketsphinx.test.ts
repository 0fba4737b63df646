import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pocketsphinx } from '../../../daemon/speech/pocketsphinx.js';
import { buildGrammar } from '../../../daemon/speech/grammar/jsgfBuilder.js';
import { canSay, dictionaryFile, Pronunciations } from '../../../daemon/speech/grammar/pronunciations.js';
import { EN_SENTENCES } from '../../../daemon/intents/sentences/en.js';
import { DEBIAN_MODEL } from '../../../daemon/speech/grammarStt.js';
import { speakRaw } from '../../helpers/speechAudio.js';

/**
 * The recogniser driver against stand-in engines that crash, hang, flood or print garbage (shell scripts
 * in a temp dir), and against the real pocketsphinx with a real grammar. Every case ends with no process of
 * it left: the driver's count and /proc agree.
 */
async function standIn(t: { after(fn: () => Promise<void>): void }, body: string): Promise<{ binary: string; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'voicehub-stt-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const binary = join(dir, 'engine.sh');
  await writeFile(binary, `#!/bin/sh\n${body}\n`);
  await chmod(binary, 0o755);
  await writeFile(join(dir, 'g.jsgf'), '');
  await writeFile(join(dir, 'g.dict'), '');
  return { binary, dir };
}

/** Processes whose command line mentions `dir` (the stand-in's), from /proc. */
async function processesIn(dir: string): Promise<number> {
  let n = 0;
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.includes(dir)) n++;
    } catch {
      // gone
    }
  }
  return n;
}

function driver(binary: string, dir: string, timeoutMs = 5000, warm = false): Pocketsphinx {
  return new Pocketsphinx({ binary, hmm: dir, files: () => ({ jsgf: join(dir, 'g.jsgf'), dict: join(dir, 'g.dict') }), timeoutMs, warm });
}

const isCode = (code: string) => (err: Error & { code?: string }): boolean => err.code === code;

test('an engine that answers: its words are the transcript (several lines are one transcript)', async (t) => {
  const { binary, dir } = await standIn(t, 'cat > /dev/null; echo "turn on the"; echo "kitchen light"');
  const ps = driver(binary, dir);
  const s = ps.open();
  s.write(Buffer.alloc(3200));
  assert.deepEqual(await s.finish(), { text: 'turn on the kitchen light', lang: 'en' });
  assert.equal(ps.liveProcesses, 0);
});

test('a crash is STT_FAILED with its log line, and the process is reaped', async (t) => {
  const { binary, dir } = await standIn(t, 'cat > /dev/null; echo "FATAL: model broken" >&2; exit 3');
  const ps = driver(binary, dir);
  const s = ps.open();
  await assert.rejects(s.finish(), (err: Error & { code?: string }) => err.code === 'STT_FAILED' && /model broken/.test(err.message));
  assert.equal(ps.liveProcesses, 0);
  assert.equal(await processesIn(dir), 0);
});

test('a hang is killed at the timeout (STT_FAILED), with every process of its group', async (t) => {
  const { binary, dir } = await standIn(t, `cat > /dev/null; sleep 30 # ${'x'}`);
  const ps = driver(binary, dir, 300);
  const s = ps.open();
  await assert.rejects(s.finish(), isCode('STT_FAILED'));
  assert.equal(ps.liveProcesses, 0);
  for (let i = 0; i < 50 && await processesIn(dir) > 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(await processesIn(dir), 0, 'sleep went with its group');
});

test('garbage and floods are STT_FAILED, not transcripts', async (t) => {
  const garbage = await standIn(t, 'cat > /dev/null; printf "\\001\\002<script>\\n"');
  await assert.rejects(driver(garbage.binary, garbage.dir).open().finish(), isCode('STT_FAILED'));
  const flood = await standIn(t, 'cat > /dev/null; yes "turn on the light"');
  const ps = driver(flood.binary, flood.dir);
  await assert.rejects(ps.open().finish(), isCode('STT_FAILED'));
  assert.equal(ps.liveProcesses, 0);
});

test('an engine that cannot start is STT_FAILED; aborting a stream kills its recogniser', async (t) => {
  const { dir } = await standIn(t, 'exit 0');
  await assert.rejects(driver(join(dir, 'missing'), dir).open().finish(), isCode('STT_FAILED'));
  const slow = await standIn(t, 'cat > /dev/null; sleep 30');
  const ps = driver(slow.binary, slow.dir, 10_000, true);
  ps.prepare();
  const s = ps.open();
  s.write(Buffer.alloc(320));
  s.abort();
  await ps.stop();
  assert.equal(ps.liveProcesses, 0);
});

test('the real pocketsphinx with a home grammar hears espeak-ng, warm and cold', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'voicehub-ps-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const home = { devices: [{ name: 'Kitchen light', aliases: [], area: 'kitchen', type: 'light' as const }], areas: [] };
  const known = await new Pronunciations(join(DEBIAN_MODEL, 'cmudict-en-us.dict')).lookup(buildGrammar(home, EN_SENTENCES, () => true).words);
  const g = buildGrammar(home, EN_SENTENCES, (w) => canSay(w, known));
  await writeFile(join(dir, 'g.jsgf'), g.jsgf);
  await writeFile(join(dir, 'g.dict'), dictionaryFile(g.words, known));
  const pcm = await speakRaw('turn off the kitchen light');
  for (const warm of [true, false]) {
    const ps = new Pocketsphinx({ binary: '/usr/bin/pocketsphinx_continuous', hmm: join(DEBIAN_MODEL, 'en-us'), files: () => ({ jsgf: join(dir, 'g.jsgf'), dict: join(dir, 'g.dict') }), timeoutMs: 20_000, warm });
    ps.prepare();
    const s = ps.open();
    s.write(pcm);
    assert.equal((await s.finish()).text, 'turn off the kitchen light', `warm: ${warm}`);
    await ps.stop();
    assert.equal(ps.liveProcesses, 0);
  }
});

test('the cepstral mean is learned: an utterance far from where it started is decoded again from its own, the next starts there', async (t) => {
  // The stand-in says which mean it started from (read from -featparams) and logs the speech's own, as cmn_live does.
  const { binary, dir } = await standIn(t, [
    'cat > /dev/null', 'fp=""', 'while [ $# -gt 0 ]; do [ "$1" = -featparams ] && fp="$2"; shift; done',
    'echo "INFO: cmn_live.c(138): Update to   < 55.00  1.00  2.00  3.00  4.00  5.00  6.00  7.00  8.00  9.00 10.00 11.00 12.00 >" >&2',
    'echo "started at $(sed -n "s/^-cmninit \\([0-9]*\\).*/\\1/p" "$fp")"',
  ].join('\n'));
  const learned: number[][] = [];
  const model = [41, -5.29, -0.12, 5.09, 2.48, -4.07, -1.37, -1.78, -5.08, -2.05, -6.45, -1.42, 1.17];
  const ps = new Pocketsphinx({
    binary, hmm: dir, files: () => ({ jsgf: join(dir, 'g.jsgf'), dict: join(dir, 'g.dict') }), timeoutMs: 5000, warm: false,
    cmn: { featParams: `-cmn batch\n-cmninit ${model.join(',')}\n`, mean: model, dir, learned: (m) => learned.push([...m]) },
  });
  const first = ps.open();
  first.write(Buffer.alloc(3200));
  assert.equal((await first.finish()).text, 'started at 55', 'decoded again from the speech\'s own mean');
  assert.equal(ps.secondPasses, 1);
  assert.equal(learned.length, 1);
  assert.equal(learned[0][0], 55);
  const next = ps.open();
  next.write(Buffer.alloc(3200));
  assert.equal((await next.finish()).text, 'started at 55', 'the next utterance starts from the learned mean');
  assert.equal(ps.secondPasses, 1, 'and is not decoded twice');
  assert.ok((await readdir(dir)).filter((f) => f.startsWith('feat-')).length <= 2, 'old -featparams files are removed');
  assert.equal(ps.liveProcesses, 0);
});
