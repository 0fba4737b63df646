import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { serialize } from 'node:v8';
import fc from 'fast-check';
import { makeTempDir, startDaemon, SHIPPED_NODE_FLAGS, type DaemonProcess, type LogLine } from '../helpers/daemon.js';
import { VoiceClient, type Frame } from '../helpers/voiceClient.js';
import { voiceToken, writePlugin } from '../helpers/firePlugins.js';
import { until } from '../helpers/until.js';
import { DOCUMENTED_CODES, LONG, crashLines, jsonValue, params, assertMemoryBack, hubMemory, undocumentedCodes } from './fuzz.js';

/**
 * Issue 18: the isolated plugin channel fuzzed from the plugin's side. A hostile plugin (`isolation: process`)
 * controls every message its process sends the hub; here it sends generated ones — every type the host reads
 * (done, api, cancel, log, speak, unhandled, ready, pong) with fields of every shape (wrong types, huge strings,
 * deep nesting, Maps, BigInts, `{toString: 0}`, `__proto__` keys), unknown types and non-objects, ids it never
 * got, the id of the call being answered (twice, and again after its real answer), floods of one message — while
 * the hub is calling it, then after its answer. The messages reach the plugin from the test over a loopback
 * socket (its process may connect out; the network is not under Node 20's permission model) and are written on
 * the very channel socket its runner uses, found among the process's handles, so each is a well-formed frame:
 * what is fuzzed is what the host does with a message, not the framing (test/attacks/plugins covers raw bytes).
 * After every run a good client is answered by the device path, a built-in and a good isolated plugin. At the
 * end: no crash, only documented codes in the log, no log line of the hostile plugin over a few KB, stderr
 * empty, memory near baseline.
 */

/** The hostile plugin: connects to the test, takes scripts, and plays one each time its intent is called. */
const HOSTILE_PLUGIN = (port: number) => `import { connect } from 'node:net';
import { serialize, deserialize } from 'node:v8';
// The runner's own channel socket (fd 3): written through it, frames never interleave with the runner's.
const channel = process._getActiveHandles().find((h) => h?._handle?.fd === 3);
// The ids of the host's calls, newest last, read off the channel beside the runner.
const calls = [];
let inbox = Buffer.alloc(0);
channel.on('data', (chunk) => {
  inbox = Buffer.concat([inbox, chunk]);
  while (inbox.length >= 4 && inbox.length >= 4 + inbox.readUInt32BE(0)) {
    const n = inbox.readUInt32BE(0);
    const m = deserialize(inbox.subarray(4, 4 + n));
    inbox = inbox.subarray(4 + n);
    if (m && m.t === 'call') { calls.push(m.id); if (calls.length > 16) calls.shift(); }
  }
});
const frame = (m) => { const body = serialize(m); const head = Buffer.alloc(4); head.writeUInt32BE(body.length); return Buffer.concat([head, body]); };
const resolveId = (m) => {
  const ref = m && typeof m === 'object' && !Array.isArray(m) && m.id && typeof m.id === 'object' ? m.id.$ref : undefined;
  if (ref === undefined) return m;
  const current = calls[calls.length - 1] ?? 0;
  return { ...m, id: ref === 'current' ? current : ref === 'previous' ? calls[calls.length - 2] ?? current - 1 : current + 1 };
};
// Written as fast as the hub reads: a flood of megabyte messages buffered here would get this process killed for
// its memory again and again, and its restarts would back off for minutes (offences.ts), starving the fuzz.
const play = async (messages) => {
  for (const m of messages) {
    let ok = true;
    try { ok = channel.write(frame(resolveId(m))); } catch {}
    if (!ok) await new Promise((resolve) => { channel.once('drain', resolve); channel.once('close', resolve); });
  }
};
let script = { messages: [], after: [], end: 'reply' };
let control = Buffer.alloc(0);
const test = connect(${port}, '127.0.0.1');
test.on('error', () => {});
test.on('data', (chunk) => {
  control = Buffer.concat([control, chunk]);
  while (control.length >= 4 && control.length >= 4 + control.readUInt32BE(0)) {
    const n = control.readUInt32BE(0);
    script = deserialize(control.subarray(4, 4 + n));
    control = control.subarray(4 + n);
    test.write('k');
  }
});
export function onRegister(api) {
  api.intents.addSentences({ lang: 'en', intent: 'FuzzChannel', sentences: ['fuzz the channel'] });
  api.intents.handle('FuzzChannel', async () => {
    const s = script;
    await play(s.messages);
    setImmediate(() => void play(s.after));
    if (s.end === 'throw') throw new Error('fuzzed');
    if (s.end === 'hang') return new Promise(() => {});
    if (s.end === 'reply') return { text: 'fuzzed ' + process.pid };
    return s.end.value;
  });
}
`;

const ALL_SCOPES = ['devices:read', 'devices:control', 'voice:speak', 'cloud:request', 'geo:read', 'schedule', 'storage'];
const HOSTILE_ID = 'com.fuzz.channel';

let d: DaemonProcess;
let fuzzer: VoiceClient;
let good: VoiceClient;
let server: Server;
/** The hostile plugin's process's control connection: the newest, and how many there were. */
let control: Socket | null = null;
let connections = 0;
const acks: Array<() => void> = [];

before(async () => {
  server = createServer((socket) => {
    control = socket;
    connections++;
    socket.on('data', (chunk) => { for (let i = 0; i < chunk.length; i++) acks.shift()?.(); });
    socket.on('error', () => undefined);
    socket.on('close', () => { if (control === socket) control = null; });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const dir = await makeTempDir('voicehub-fuzz-channel-');
  const plugins = join(dir, 'plugins');
  await mkdir(plugins, { recursive: true });
  await writeFile(join(plugins, 'fuzz.mjs'), HOSTILE_PLUGIN(port));
  await writeFile(join(plugins, 'fuzz.voicehub.json'), JSON.stringify({ id: HOSTILE_ID, version: '1.0.0', capabilities: [], requiredScopes: ALL_SCOPES, intents: ['FuzzChannel'] }));
  await writePlugin(plugins, 'good', 'com.fuzz.good', 'FuzzGood', 'ask the good plugin', '() => ({ text: "good " + process.pid })');
  d = await startDaemon({
    dir, nodeArgs: SHIPPED_NODE_FLAGS, config: [
      'location: { latitude: 52.37, longitude: 4.89, timezone: Europe/Amsterdam }',
      'voice: { rateLimit: { perSecond: 100000, burst: 100000 } }',
      'plugins:',
      `  dir: ${JSON.stringify(plugins)}`,
      '  timeoutMs: 1000',
      // Never paused: every run must reach the hostile process (its failures are the point).
      '  failuresBeforePause: 1000000',
      // No CPU share or spin watch for it: serializing its floods may take a core for a while, and a stop for a
      // limit backs its restarts off for minutes (the fuzz is about its messages; f/plugins covers the limits).
      `  ${HOSTILE_ID}: { grant: [${ALL_SCOPES.join(', ')}], cpuQuota: { percent: 0, stuckMs: 0 } }`,
      'devices:',
      '  - { id: hall_lamp, name: Hall lamp, area: hall, type: light, commandTopic: hall/lamp/set, stateTopic: hall/lamp }',
      '',
    ].join('\n'),
  });
  fuzzer = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, await voiceToken(d, 'fuzzer'));
  good = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, await voiceToken(d, 'good'));
});

after(async () => {
  fuzzer?.ws.terminate();
  good?.ws.terminate();
  await d?.cleanup();
  server?.close();
  control?.destroy();
});

/** Values of every shape V8 serializes: JSON of any shape, unprintable objects, deep nesting, huge strings, odd types. */
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: jsonValue(['text', 'message', 'code', 'id', 't', 'action', 'value']) },
  { weight: 1, arbitrary: fc.constant({ toString: 0, valueOf: 0 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 3000 }).map((depth) => { let v: unknown = []; for (let i = 0; i < depth; i++) v = [v]; return v; }) },
  { weight: 1, arbitrary: fc.integer({ min: 10_000, max: 900_000 }).map((n) => 'x'.repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 3_000, max: 900_000 }).map((n) => ({ text: 'x'.repeat(n) })) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(new Map([[1, 2]]), new Set(['a']), new Date(0), 10n, new Uint8Array(8), new Error('e'), undefined, /x/, [, 1],
    JSON.parse('{"__proto__": {"polluted": 1}}'), Object.create(null), -0, Number.NaN) },
);
const id = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('current', 'previous', 'next').map(($ref) => ({ $ref })) },
  { weight: 2, arbitrary: fc.integer({ min: -2, max: 400 }) },
  { weight: 1, arbitrary: hostile },
);
const METHODS = ['devices.command', 'devices.resolve', 'cloud.request', 'store.open', 'store.save', 'store.flush', 'schedule.after', 'schedule.every', 'schedule.cron', 'schedule.cancel'];
/** Arguments close to what each API method takes, and far from it. */
const args = fc.oneof(
  fc.array(hostile, { maxLength: 4 }),
  fc.tuple(fc.constantFrom('hall_lamp', 'nope', '__proto__', ''), jsonValue(['action', 'value', 'brightness', 'on', 'turn_on']), jsonValue(['traceId'])),
  fc.tuple(fc.integer({ min: -1, max: 1000 }), fc.oneof(fc.integer({ min: -1, max: 2 ** 32 }), fc.constantFrom('* * * * *', '*/1 * * * * *', '0 0 31 2 *', ''), hostile), hostile),
  fc.record({ intent: fc.oneof(fc.constantFrom('TurnOn', 'FuzzChannel'), hostile), text: fc.oneof(fc.string(), hostile), lang: fc.oneof(fc.constantFrom('en', 'zh'), hostile), slots: hostile }, { requiredKeys: [] }).map((r) => [r]),
  hostile,
);
const CODES = [...DOCUMENTED_CODES];
/** One message as the host reads it (ChildToHost, protocol.ts), with every field of any shape, or not a message at all. */
const message: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({ t: fc.constant('done'), id, ok: fc.oneof(fc.boolean(), hostile), value: hostile,
    error: fc.oneof(fc.record({ message: hostile, code: fc.oneof(fc.constantFrom(...CODES), fc.string(), hostile) }, { requiredKeys: [] }), hostile) }, { requiredKeys: ['t', 'id'] }),
  fc.record({ t: fc.constant('api'), id, method: fc.oneof(fc.constantFrom(...METHODS), hostile), args }, { requiredKeys: ['t'] }),
  fc.record({ t: fc.constant('cancel'), id }, { requiredKeys: ['t'] }),
  fc.record({ t: fc.constant('log'), level: fc.oneof(fc.constantFrom('debug', 'info', 'warn', 'error', 'fatal', 'trace'), hostile), obj: hostile, msg: hostile }, { requiredKeys: ['t'] }),
  fc.record({ t: fc.constant('speak'), target: hostile, text: fc.oneof(fc.string(), hostile) }, { requiredKeys: ['t'] }),
  fc.record({ t: fc.constant('unhandled'), message: hostile }, { requiredKeys: ['t'] }),
  fc.constantFrom({ t: 'ready' }, { t: 'pong' }),
  fc.record({ t: fc.oneof(fc.constantFrom('call', 'result', 'init', 'abort', 'ping', 'devices', '__proto__', 'toString'), hostile), id, value: hostile }, { requiredKeys: ['t'] }),
  hostile,
);
/**
 * Bytes of one flood: the hub reads an isolated plugin's channel at 1 MiB a second after a 4 MiB burst
 * (channelBudget.ts), so a flood of 300 messages of 900 KB (270 MB) would hold each run for minutes and make the
 * calls behind it time out; a flood of big messages is cut to this many bytes (the budget itself has its own test).
 */
const FLOOD_BYTES = 2 * 1024 * 1024;
/** Serialized bytes of a message as the plugin writes it (what the hub's budget counts). */
function wireBytes(m: unknown): number {
  try { return serialize(m).length; } catch { return 1; }
}
/** A few messages, or one of them many times over (a flood). */
const messages = fc.oneof(
  { weight: 4, arbitrary: fc.array(message, { maxLength: 6 }) },
  { weight: 1, arbitrary: fc.tuple(message, fc.integer({ min: 2, max: 300 })).map(([m, n]) => Array<unknown>(Math.max(2, Math.min(n, Math.floor(FLOOD_BYTES / wireBytes(m))))).fill(m)) },
);
const script = fc.record({
  messages, after: messages,
  end: fc.oneof(fc.constantFrom('reply', 'throw', 'hang'), hostile.map((value) => ({ value }))),
});

/** The hostile plugin's live process has taken the script. */
async function load(s: unknown): Promise<void> {
  const body = serialize(s);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length);
  for (;;) {
    // A process the hub killed (for a message it cannot handle) comes back on the crash back-off: up to a minute.
    const socket = await until(() => control ?? undefined, 'the hostile plugin\'s process connected', 120_000).catch((err: Error) => {
      const said = d.lines.filter((l) => l.plugin === HOSTILE_ID).slice(-5).map((l) => JSON.stringify(l).slice(0, 300));
      throw new Error(`${err.message}; its last lines: ${said.join(' | ')}`);
    });
    let closed = (): void => undefined;
    const acked = new Promise<boolean>((resolve) => {
      acks.push(() => resolve(true));
      closed = () => resolve(false);
      socket.once('close', closed);
    });
    socket.write(Buffer.concat([head, body]));
    const ok = await acked;
    socket.off('close', closed);
    if (ok) return;
    acks.length = 0;
  }
}

function expectAnswer(frame: Frame, what: string): void {
  if (frame.type === 'reply') return;
  assert.equal(frame.type, 'error', `${what}: ${JSON.stringify(frame).slice(0, 300)}`);
  assert.ok(DOCUMENTED_CODES.has(String(frame.code)), `${what}: undocumented code in ${JSON.stringify(frame).slice(0, 300)}`);
}

/** A counter's sample for the hostile plugin in /metrics, 0 before its first. */
async function hostileMetric(name: string): Promise<number> {
  const text = await (await fetch(`${d.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(`plugin="${HOSTILE_ID}"`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

test('a plugin flooding its channel with 1 MiB messages is throttled to its byte budget (1 MiB/s after 4 MiB): the hub decodes no faster, counts and says so, and serves everyone else meanwhile', { timeout: 120_000 }, async () => {
  expectAnswer(await good.say('budget-warm', 'ask the good plugin'), 'warm-up');
  // 16 messages of ~900 KB, sent after the reply (no call waits on them): 14 MB, 4 MiB of burst and ~10 s at the rate.
  const big = { t: 'log', level: 'info', obj: {}, msg: 'x'.repeat(900_000) };
  const flood = Array<unknown>(16).fill(big);
  const floodBytes = flood.length * serialize(big).length;
  const before = await hostileMetric('voicehub_plugin_channel_bytes_total');
  const throttledBefore = await hostileMetric('voicehub_plugin_channel_throttled_seconds_total');
  await load({ messages: [], after: flood, end: 'reply' });
  const started = performance.now();
  expectAnswer(await fuzzer.say('budget', 'fuzz the channel'), 'the flooding plugin\'s own answer');
  // What the hub has read from it, never more than the budget allows since the flood began (a bound, not a speed:
  // a slow machine reads less, never more), until all of it is in; the others are answered meanwhile.
  const slack = 64 * 1024 + 4096; // one pipe chunk read before the pause, and the reply itself
  let read = 0;
  let served = 0;
  while (read < floodBytes) {
    read = (await hostileMetric('voicehub_plugin_channel_bytes_total')) - before;
    // Read once the scrape is back: the hub went on reading while it answered (a slow scrape on a loaded machine).
    const elapsedMs = performance.now() - started;
    assert.ok(read <= 4 * 1024 * 1024 + elapsedMs * 1024 * 1024 / 1000 + slack, `${read} bytes read from the plugin within ${elapsedMs.toFixed(0)} ms`);
    const frame = await good.say(`budget-good-${served++}`, 'turn on the hall lamp');
    assert.equal(frame.type, 'reply', `a good client while the plugin is throttled: ${JSON.stringify(frame).slice(0, 300)}`);
    await new Promise((resolve) => setTimeout(resolve, 100)); // a client speaking, not a second flood on a shared machine
    if (performance.now() - started > 90_000) assert.fail(`only ${read} of ${floodBytes} bytes read in 90 s (a deadline, not a timing claim)`);
  }
  const throttled = await hostileMetric('voicehub_plugin_channel_throttled_seconds_total') - throttledBefore;
  assert.ok(throttled > 0, 'the waits are counted');
  const line = await d.waitForLine((l) => l.plugin === HOSTILE_ID && l.code === 'PLUGIN_CHANNEL_THROTTLED');
  assert.equal(line.level, 'warn');
  console.log(`channel budget: ${(floodBytes / 1048576).toFixed(1)} MiB flood read in ${((performance.now() - started) / 1000).toFixed(1)} s, `
    + `throttled ${throttled.toFixed(1)} s, ${served} good answers meanwhile`);
});

/**
 * The fuzz's time: runs start only within this (400 runs were asked for in the long variant, and it did not end in
 * 10 minutes: every process the hub kills for a message comes back on the crash back-off, which grows to a minute
 * when the kills come closer than 30 s apart). Runs drawn after it pass at once; how many ran is printed. The
 * CI-sized 40 runs take about 35 s; the long variant runs as many of its 400 as fit.
 */
const FUZZ_BUDGET_MS = LONG ? 8 * 60_000 : 5 * 60_000;
/** The budget, plus a run in flight at its end (a restart waited for: up to 2 minutes), plus the checks after. */
const FUZZ_TEST_TIMEOUT_MS = FUZZ_BUDGET_MS + 4 * 60_000;

test('a hostile isolated plugin sends the hub generated channel messages (every type, fields of any shape, ids it never got, replies twice, floods): no crash, documented codes only, a good client served after every run, memory near baseline', { timeout: FUZZ_TEST_TIMEOUT_MS }, async () => {
  // The first answer also waits for both plugins' processes to be up.
  expectAnswer(await good.say('warm', 'ask the good plugin'), 'warm-up');
  const baseline = await hubMemory(d);
  let run = 0;
  let drawn = 0;
  const codes: Record<string, number> = {};
  const deadline = performance.now() + FUZZ_BUDGET_MS;
  await fc.assert(fc.asyncProperty(script, async (s) => {
    drawn++;
    if (performance.now() > deadline) return;
    const n = run++;
    assert.equal(d.child.exitCode, null, `the hub exited: ${d.stderr.slice(-2000)} ${crashLines(d.lines).join('\n')}`);
    await load(s);
    const answer = await fuzzer.say(`f${n}`, 'fuzz the channel');
    expectAnswer(answer, `run ${n}`);
    const code = answer.type === 'reply' ? 'reply' : String(answer.code);
    codes[code] = (codes[code] ?? 0) + 1;
    for (const [i, text] of ['turn on the hall lamp', 'what time is it', 'ask the good plugin'].entries()) {
      const frame = await good.say(`g${n}-${i}`, text);
      assert.equal(frame.type, 'reply', `run ${n}: "${text}" answered: ${JSON.stringify(frame).slice(0, 300)}`);
    }
    assert.equal(d.child.exitCode, null, 'the hub is still running');
  }), params(40));
  // The plugin's own `unhandled` reports are logged as such: they are its failures, not the hub's.
  const reported = (l: LogLine) => l.plugin === HOSTILE_ID && (l.what === 'unhandled rejection' || /^unhandled rejection inside the plugin/.test(l.msg));
  assert.deepEqual(crashLines(d.lines.filter((l) => !reported(l))), []);
  assert.deepEqual(undocumentedCodes(d.lines), [], 'only documented codes in the hub\'s log');
  // What the plugin can make the hub write: each line some KB at most (an error's message, stack and cause
  // each hold the plugin's text of up to 2,000 characters), and in any one second its 100 log lines
  // and 10 reports (two lines each) plus the hub's own few lines about it.
  const own = d.rawStdout.filter((l) => l.includes(HOSTILE_ID));
  const longest = Math.max(0, ...own.map((l) => l.length));
  assert.ok(longest < 16_384, `a log line of the hostile plugin is ${longest} bytes long`);
  const perSecond = new Map<number, number>();
  for (const l of d.lines) if (l.plugin === HOSTILE_ID) perSecond.set(Math.floor(Number(l.time) / 1000), (perSecond.get(Math.floor(Number(l.time) / 1000)) ?? 0) + 1);
  const busiest = Math.max(0, ...perSecond.values());
  const second = [...perSecond].find(([, n]) => n === busiest)?.[0];
  const kinds = new Map<string, number>();
  for (const l of d.lines) if (l.plugin === HOSTILE_ID && Math.floor(Number(l.time) / 1000) === second) kinds.set(l.msg.slice(0, 50), (kinds.get(l.msg.slice(0, 50)) ?? 0) + 1);
  assert.ok(busiest <= 160, `the hub wrote ${busiest} lines about the hostile plugin in one second: ${JSON.stringify([...kinds])}`);
  assert.equal(d.stderr, '');
  const memory = await assertMemoryBack(d, baseline, 'plugin channel fuzz');
  console.log(`plugin channel fuzz: ${run} runs of ${drawn} drawn within ${FUZZ_BUDGET_MS / 60_000} min, answers ${JSON.stringify(codes)}, ${connections} hostile processes, `
    + `${d.lines.filter((l) => l.plugin === HOSTILE_ID && /killing it/.test(l.msg)).length} killed by the hub; its lines: ${own.length}, longest ${longest} bytes, at most ${busiest} in a second; ${memory}`);
});
