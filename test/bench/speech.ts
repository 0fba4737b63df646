import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { connectAsync } from 'mqtt';
import { DEBIAN_MODEL } from '../../daemon/speech/grammarStt.js';
import { speakRaw, silence } from '../helpers/speechAudio.js';
import { VoiceClient, type Frame } from '../helpers/voiceClient.js';
import { startInProcessHub } from './hubTarget.js';
import { median } from './stats.js';
import { BENCH_AREAS, BENCH_HOME } from './voiceHome.js';

/**
 * Speech in, end to end (issue 16): commands for the bench home, said by espeak-ng in several voices and
 * speeds, streamed to /voice of a real in-process hub; a device client subscribed to the command topics
 * sees what is published. Figures:
 * - word accuracy (1 − word error rate of the transcript) and action accuracy (the reply's actions are
 *   those the same sentence typed gets, and the command reached its MQTT topic);
 * - end of speech → MQTT command (p50/p99), streaming in real time (warm recogniser) and, for the cold
 *   recogniser (one process per utterance, started at its end), the same;
 * - real-time factor: engine time after the end of audio over the audio's length;
 * - the general model (Debian's en-us language model, no grammar) on the same audio, for comparison.
 */
const VOICES: ReadonlyArray<{ voice: string; speed: number }> = [
  { voice: 'en-us', speed: 150 }, { voice: 'en-us', speed: 185 }, { voice: 'en-gb', speed: 160 },
  { voice: 'en-us+f3', speed: 165 }, { voice: 'en-gb-x-rp', speed: 150 }, { voice: 'en-us+m3', speed: 175 },
];

/** The commands, in words as spoken (numbers spelled), for the bench home's devices. */
export function speechCommands(): string[] {
  const out: string[] = [];
  for (const d of BENCH_HOME) {
    const name = d.name.toLowerCase();
    out.push(`turn on the ${name}`, `turn off the ${name}`, `switch off the ${name}`);
    if ('brightness' in d && d.brightness) out.push(`set the ${name} to fifty percent`, `dim the ${name} to twenty percent`);
  }
  return out;
}

export interface SpeechBenchResult {
  utterances: number;
  wordAccuracy: number;
  actionAccuracy: number;
  /** Utterances of the accuracy run decoded a second time from their own cepstral mean. */
  secondPasses: number;
  /** The idle warm recogniser (pocketsphinx waiting for the next utterance): RSS and PSS in MB. */
  idleRecogniser: { rssMb: number; pssMb: number } | null;
  warm: { p50: number; p99: number; rtf: number; n: number };
  cold: { p50: number; p99: number; rtf: number; n: number };
  general: { wordAccuracy: number; rtf: number; n: number } | null;
}

interface Spoken { text: string; pcm: Buffer }

function words(text: string): string[] {
  return text.toLowerCase().replace(/[^a-z' ]/g, ' ').split(/\s+/).filter(Boolean);
}

/** Word error rate by edit distance over words. */
export function wordErrors(ref: string, hyp: string): { errors: number; words: number } {
  const r = words(ref);
  const h = words(hyp);
  const d = Array.from({ length: r.length + 1 }, (_, i) => [i, ...Array<number>(h.length).fill(0)]);
  for (let j = 1; j <= h.length; j++) d[0][j] = j;
  for (let i = 1; i <= r.length; i++) {
    for (let j = 1; j <= h.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (r[i - 1] === h[j - 1] ? 0 : 1));
  }
  return { errors: d[r.length][h.length], words: r.length };
}

function pct(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

async function synthesise(count: number): Promise<Spoken[]> {
  const commands = speechCommands();
  const out: Spoken[] = [];
  for (let i = 0; out.length < count; i++) {
    const text = commands[i % commands.length];
    const v = VOICES[Math.floor(i / commands.length) % VOICES.length];
    out.push({ text, pcm: Buffer.concat([silence(200), await speakRaw(text, v), silence(700)]) });
  }
  return out;
}

/** One hub; each utterance streamed (paced in real time when `realTime`), timed from its last speech byte. */
async function runHub(spoken: readonly Spoken[], warm: boolean, realTime: boolean) {
  const target = await startInProcessHub({
    devices: BENCH_HOME, areas: BENCH_AREAS, voice: { rateLimit: { perSecond: 1000, burst: 1000 } },
    speech: { stt: { warm, grammarDebounceMs: 0 }, vad: { silenceMs: Number(process.env.BENCH_SPEECH_SILENCE_MS ?? 600) } },
  });
  const device = await connectAsync(target.mqttUrl);
  const published: Array<{ topic: string; at: number }> = [];
  device.on('message', (topic) => published.push({ topic, at: performance.now() }));
  await device.subscribeAsync('bench/+/set');
  const client = await VoiceClient.connect(target.httpUrl.replace('http:', 'ws:') + '/voice', await target.hub.auth.create({ sub: 'bench', scopes: ['voice'], ttl: '1h' }));
  await target.hub.speech.grammar?.ready;
  const answer = (id: string): Promise<Frame> => client.waitFor((f) => (f.type === 'reply' || f.type === 'error') && f.id === id, 30_000);
  // What each sentence does when typed: the reference for action accuracy.
  const expected = new Map<string, string>();
  for (const [i, s] of [...new Set(spoken.map((x) => x.text))].entries()) {
    const r = await client.say(`typed-${warm}-${i}`, s);
    expected.set(s, JSON.stringify(r.actions ?? null));
  }
  let errors = 0;
  let refWords = 0;
  let right = 0;
  const latencies: number[] = [];
  const rtfs: number[] = [];
  for (const [i, s] of spoken.entries()) {
    const id = `s-${warm}-${i}`;
    const before = published.length;
    client.send({ type: 'audio.start', id, rate: 16000, format: 's16le' });
    const speechBytes = s.pcm.length - silence(700).length;
    const t0 = performance.now();
    // In real time the client ends the stream itself 100 ms after the speech (a satellite's own end-point or
    // push-to-talk); the hub's VAD would add its silenceMs (300 ms here) on top.
    const pcm = realTime ? s.pcm.subarray(0, speechBytes + 3200) : s.pcm;
    for (let at = 0; at < pcm.length; at += 3200) {
      if (realTime) {
        const due = t0 + (at / 32000) * 1000;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      client.ws.send(pcm.subarray(at, at + 3200));
    }
    client.send({ type: 'audio.end', id });
    const endOfSpeech = realTime ? t0 + (speechBytes / 32000) * 1000 : performance.now();
    const r = await answer(id);
    const transcript = client.frames.find((f) => f.type === 'transcript' && f.id === id)?.text ?? '';
    const e = wordErrors(s.text, String(transcript));
    errors += e.errors;
    refWords += e.words;
    const command = published.slice(before).find(() => true);
    const ok = r.type === 'reply' && JSON.stringify(r.actions ?? null) === expected.get(s.text) && command;
    if (!ok && process.env.BENCH_SPEECH_VERBOSE) console.log(`  missed: "${s.text}" heard "${transcript}" → ${r.type === 'reply' ? JSON.stringify(r.actions) : r.code}`);
    if (ok && command) {
      right++;
      latencies.push(command.at - endOfSpeech);
      rtfs.push(Math.max(0, command.at - endOfSpeech) / ((speechBytes / 32000) * 1000));
    }
  }
  const secondPasses = target.hub.speech.grammar?.secondPasses ?? 0;
  // The spare started after the last utterance: given time to load, it is what an idle hub keeps.
  await new Promise((r) => setTimeout(r, 3000));
  const idleRecogniser = await recogniserMemory();
  client.close();
  await device.endAsync();
  await target.stop();
  return { wordAccuracy: 1 - errors / Math.max(1, refWords), actionAccuracy: right / spoken.length, latencies, rtfs, secondPasses, idleRecogniser };
}

/** Whether `pid` descends from this process (the bench's own recognisers, not another run's), from /proc. */
async function ours(pid: string): Promise<boolean> {
  for (let at = pid, depth = 0; depth < 4; depth++) {
    const stat = await readFile(`/proc/${at}/stat`, 'utf8');
    const ppid = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
    if (Number(ppid) === process.pid) return true;
    if (!ppid || ppid === '0' || ppid === '1') return false;
    at = ppid;
  }
  return false;
}

/** RSS and PSS of this process's pocketsphinx children alive now (the spare), from /proc; null when none. */
async function recogniserMemory(): Promise<{ rssMb: number; pssMb: number } | null> {
  let rss = 0;
  let pss = 0;
  let found = false;
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if ((await readFile(`/proc/${pid}/comm`, 'utf8')).trim() !== 'pocketsphinx_co' || !await ours(pid)) continue;
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '');
      rss += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      pss += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      found = true;
    } catch {
      // gone
    }
  }
  return found ? { rssMb: rss / 1024, pssMb: pss / 1024 } : null;
}

/** The general model: pocketsphinx with Debian's en-us language model and full dictionary, no grammar. */
async function general(spoken: readonly Spoken[]): Promise<{ wordAccuracy: number; rtf: number; n: number }> {
  let errors = 0;
  let refWords = 0;
  const rtfs: number[] = [];
  for (const s of spoken) {
    const t0 = performance.now();
    const text = await new Promise<string>((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', 'cat | exec pocketsphinx_continuous -infile /dev/stdin -hmm "$0" -lm "$1" -dict "$2" -logfn /dev/null',
        join(DEBIAN_MODEL, 'en-us'), join(DEBIAN_MODEL, 'en-us.lm.bin'), join(DEBIAN_MODEL, 'cmudict-en-us.dict')]);
      let out = '';
      child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
      child.on('error', reject);
      child.on('close', () => resolve(out.replace(/\s+/g, ' ').trim()));
      child.stdin.end(s.pcm);
    });
    rtfs.push((performance.now() - t0) / ((s.pcm.length / 32000) * 1000));
    const e = wordErrors(s.text, text);
    errors += e.errors;
    refWords += e.words;
  }
  return { wordAccuracy: 1 - errors / Math.max(1, refWords), rtf: median(rtfs), n: spoken.length };
}

export async function benchSpeech(options: { utterances: number; realTime: number; generalCount: number }): Promise<SpeechBenchResult> {
  const spoken = await synthesise(options.utterances);
  // Accuracy over every utterance, streamed as fast as the socket takes it (warm recogniser).
  const all = await runHub(spoken, true, false);
  // Latency: a share of them streamed in real time, as a microphone would, warm and cold.
  const sample = spoken.filter((_, i) => i % Math.max(1, Math.floor(spoken.length / options.realTime)) === 0).slice(0, options.realTime);
  const warm = await runHub(sample, true, true);
  const cold = await runHub(sample, false, true);
  const figures = (r: { latencies: number[]; rtfs: number[] }) => ({ p50: pct(r.latencies, 50), p99: pct(r.latencies, 99), rtf: median(r.rtfs), n: r.latencies.length });
  return {
    utterances: spoken.length,
    wordAccuracy: all.wordAccuracy,
    actionAccuracy: all.actionAccuracy,
    secondPasses: all.secondPasses,
    idleRecogniser: all.idleRecogniser,
    warm: figures(warm),
    cold: figures(cold),
    general: options.generalCount > 0 ? await general(spoken.slice(0, options.generalCount)) : null,
  };
}
