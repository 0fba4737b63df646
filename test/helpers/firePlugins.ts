import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readKey } from '../../daemon/auth/keys.js';
import { signToken } from '../../daemon/auth/tokens.js';
import { parseProcStat } from '../../daemon/plugins/isolated/cpuWindow.js';
import { makeTempDir, startDaemon, SHIPPED_NODE_FLAGS, type DaemonProcess } from './daemon.js';
import { VoiceClient, type Frame } from './voiceClient.js';

/**
 * Plugins under fire (issue 18), shared by the fault test (test/faults/plugins.test.ts) and its bench
 * (test/bench/pluginsUnderFire.ts): one good third-party plugin and six hostile ones, each a single file with
 * its manifest in a `plugins.dir`, and closed-loop voice clients to drive them.
 */

export async function writePlugin(dir: string, name: string, id: string, intent: string, sentence: string, body: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${name}.mjs`), `export function onRegister(api) {
  api.intents.addSentences({ lang: 'en', intent: '${intent}', sentences: ['${sentence}'] });
  api.intents.handle('${intent}', ${body});
}
`);
  await writeFile(join(dir, `${name}.voicehub.json`), JSON.stringify({ id, version: '1.0.0', capabilities: [], requiredScopes: [], intents: [intent] }));
}

/** The hostile plugins: what each does when asked, and the codes its callers may get. */
export const HOSTILE: ReadonlyArray<{ name: string; intent: string; sentence: string; body: string; codes: readonly string[] }> = [
  { name: 'thrower', intent: 'FireThrow', sentence: 'fire the thrower', body: '() => { throw new Error("boom"); }', codes: ['PLUGIN_FAILED'] },
  { name: 'rejecter', intent: 'FireReject', sentence: 'fire the rejecter', body: 'async () => { await null; throw new TypeError("nope"); }', codes: ['PLUGIN_FAILED'] },
  { name: 'hanger', intent: 'FireHang', sentence: 'fire the hanger', body: '() => new Promise(() => {})', codes: ['TIMEOUT', 'PLUGIN_FAILED'] },
  // Timers never cleared: 200 intervals and 200 far timeouts per call, in its own process.
  { name: 'leaker', intent: 'FireLeak', sentence: 'fire the leaker', body: '() => { for (let i = 0; i < 200; i++) { setInterval(() => {}, 5); setTimeout(() => {}, 1e9); } return { text: "leaked" }; }', codes: ['TIMEOUT', 'PLUGIN_FAILED'] },
  // 320 MB of Buffers held for good: past the 160 MB resident cap of its process.
  { name: 'hog', intent: 'FireHog', sentence: 'fire the hog', body: '() => { globalThis.keep ??= []; for (let i = 0; i < 5; i++) globalThis.keep.push(Buffer.alloc(64 * 1024 * 1024, 1)); return { text: "ate " + globalThis.keep.length }; }', codes: ['TIMEOUT', 'PLUGIN_FAILED'] },
  { name: 'spinner', intent: 'FireSpin', sentence: 'fire the spinner', body: '() => { for (;;) {} }', codes: ['TIMEOUT', 'PLUGIN_FAILED'] },
];

/** What the well-behaved clients say: a third-party plugin in its own process, a built-in, the device path. */
export const GOOD_TEXTS = ['fire the good plugin', 'what time is it', 'turn on the hall lamp'] as const;

/**
 * Writes the good plugin and every hostile one into `pluginsDir`; returns the hub's config for them, with
 * `pluginKeys` (e.g. `nice: 0`) added under `plugins:`.
 */
export async function firePlugins(pluginsDir: string, pluginKeys: readonly string[] = []): Promise<string> {
  await writePlugin(pluginsDir, 'good', 'com.fire.good', 'FireGood', 'fire the good plugin', '() => ({ text: "good " + process.pid })');
  for (const h of HOSTILE) await writePlugin(pluginsDir, h.name, `com.fire.${h.name}`, h.intent, h.sentence, h.body);
  return [
    'location: { latitude: 52.37, longitude: 4.89, timezone: Europe/Amsterdam }',
    'voice: { rateLimit: { perSecond: 100000, burst: 100000 } }',
    'plugins:',
    `  dir: ${JSON.stringify(pluginsDir)}`,
    '  timeoutMs: 1500',
    ...pluginKeys.map((line) => `  ${line}`),
    'devices:',
    '  - { id: hall_lamp, name: Hall lamp, area: hall, type: light, commandTopic: hall/lamp/set, stateTopic: hall/lamp }',
    '',
  ].join('\n');
}

/** A running process's niceness, from /proc/<pid>/stat. */
export const niceOf = (pid: number): number => parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))!.nice;

/** The pid a test plugin put at the end of its reply ("good 1234"). */
export const pidIn = (text: unknown): number => Number(/(\d+)$/.exec(String(text))?.[1]);

/** A voice token signed with the hub's key (what `token create` does, without a process per token). */
export async function voiceToken(d: DaemonProcess, sub: string): Promise<string> {
  return signToken((await readKey(join(d.dir, 'data')))!, { sub, scopes: ['voice'] });
}

/**
 * The start the plugin-limit tests share: a hub (the unit's node flags) whose plugins.dir holds the good plugin
 * and `other`, with `pluginLines` under `plugins:` (timeoutMs 20 s unless given), and a client of the good plugin
 * that has had its first answer. Stopped after the test.
 */
export async function hubWithGoodPlugin(t: { after(fn: () => unknown): void }, prefix: string,
  other: { name: string; id: string; intent: string; sentence: string; body: string }, pluginLines: readonly string[]): Promise<{ d: DaemonProcess; good: VoiceClient; goodPid: number; hubNice: number }> {
  const dir = await makeTempDir(prefix);
  const plugins = join(dir, 'plugins');
  await writePlugin(plugins, 'good', 'com.fire.good', 'FireGood', 'fire the good plugin', '() => ({ text: "good " + process.pid })');
  await writePlugin(plugins, other.name, other.id, other.intent, other.sentence, other.body);
  const d = await startDaemon({
    dir, nodeArgs: SHIPPED_NODE_FLAGS,
    config: ['voice: { rateLimit: { perSecond: 100000, burst: 100000 } }', 'plugins:', `  dir: ${JSON.stringify(plugins)}`, '  timeoutMs: 20000',
      ...pluginLines.map((line) => `  ${line}`), ''].join('\n'),
  });
  t.after(() => d.cleanup());
  const good = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, await voiceToken(d, 'good'));
  t.after(() => good.ws.terminate());
  const first = await good.say('g0', 'fire the good plugin');
  if (first.type !== 'reply') throw new Error(`the good plugin did not answer: ${JSON.stringify(first)}`);
  return { d, good, goodPid: pidIn(first.text), hubNice: niceOf(d.child.pid!) };
}

/** Asks the good plugin every 50 ms until `until` settles, adding each answer (its text, or the frame) to `answers`. */
export async function askGoodUntil(good: VoiceClient, until: Promise<unknown>, answers: string[]): Promise<void> {
  let done = false;
  void until.finally(() => { done = true; }).catch(() => undefined);
  while (!done) {
    const frame = await good.say(`g-${answers.length}`, 'fire the good plugin');
    answers.push(frame.type === 'reply' ? String(frame.text) : JSON.stringify(frame));
    await sleep(50);
  }
}

export interface Answer { text: string; frame: Frame; ms: number }

/** Closed-loop clients, one per subject, saying `texts` in turn until `stopAt()`: every answer, with its time. */
export async function voiceLoad(d: DaemonProcess, subjects: readonly string[], texts: readonly string[], stopAt: () => boolean): Promise<Answer[]> {
  const results: Answer[] = [];
  await Promise.all(subjects.map(async (sub, c) => {
    const client = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, await voiceToken(d, sub));
    try {
      for (let i = 0; !stopAt(); i++) {
        const text = texts[(i + c) % texts.length]!;
        const started = performance.now();
        const frame = await client.say(`${sub}-${i}`, text).catch((err: Error) => ({ type: 'error', code: `NO_ANSWER: ${err.message}` }) as Frame);
        results.push({ text, frame, ms: performance.now() - started });
      }
    } finally {
      client.ws.terminate();
    }
  }));
  return results;
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]! : Number.NaN;
}

/** Answered count, p50 and p99 of the replies among `answers`. */
export function latency(answers: readonly Answer[]): { answered: number; errors: number; p50: number; p99: number } {
  const ms = answers.filter((r) => r.frame.type === 'reply').map((r) => r.ms).sort((a, b) => a - b);
  return { answered: ms.length, errors: answers.length - ms.length, p50: percentile(ms, 0.5), p99: percentile(ms, 0.99) };
}
