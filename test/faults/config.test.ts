import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { makeTempDir, runCli, startDaemon } from '../helpers/daemon.js';
import { jsonValue, params, FUZZ_TIMEOUT } from './fuzz.js';

/**
 * Fuzzing config files: YAML built from the real keys (README's Configuration) with values of any type,
 * and raw YAML (anchors and aliases, tags, deep nesting, odd scalars, bytes). `voicehub doctor` and
 * `voicehub start` must exit with a code of their own (start: 0 after SIGTERM, 1 for the machine, 2 for the
 * config; doctor 0, 1 or 2), every stderr line a `voicehub:` line (or `error:` from the command line),
 * never a stack trace.
 */

const dirs: string[] = [];
after(async () => { for (const dir of dirs) await rm(dir, { recursive: true, force: true }); });

const KEYS: Record<string, string[]> = {
  http: ['host', 'port', 'rateLimit', 'headersTimeoutMs', 'maxPendingPerAddress'],
  mqtt: ['host', 'port', 'anonymousFrom', 'anonymousCommands', 'url', 'username', 'password', 'discoveryPrefix', 'zigbee2mqttBaseTopic',
    'maxPacketBytes', 'maxRetainedMessages', 'maxQueuedMessages', 'commandMaxAgeMs'],
  voice: ['maxTextLength', 'maxFrameBytes', 'maxAudioBytes', 'sessionQueue', 'rateLimit', 'maxClients', 'audioIdleMs'],
  storage: ['flushIntervalMs'],
  plugins: ['dir', 'timeoutMs', 'isolation', 'com.example.weather'],
  devices: [], areas: [], location: ['latitude', 'longitude', 'timezone'], cloud: ['url', 'token', 'hubId'], log: ['level'],
};
const value = fc.oneof(jsonValue(), fc.constantFrom(0, -1, 65536, 1e400, '0x10', '127.0.0.1', 'debug', 'none', 'process', 'mqtt://127.0.0.1:1', '', null));
const section = (key: string) => (KEYS[key]!.length
  ? fc.oneof(fc.dictionary(fc.oneof(fc.constantFrom(...KEYS[key]!), fc.string({ maxLength: 8 })), value, { maxKeys: 5 }), value)
  : fc.oneof(fc.array(fc.dictionary(fc.constantFrom('id', 'name', 'area', 'type', 'commandTopic', 'stateTopic', 'aliases'), value, { maxKeys: 6 }), { maxLength: 3 }), value));
const structured = fc.dictionary(fc.oneof(fc.constantFrom(...Object.keys(KEYS)), fc.string({ maxLength: 8 })), fc.constant(null), { minKeys: 1, maxKeys: 5 })
  .chain((shape) => fc.record(Object.fromEntries(Object.keys(shape).map((k) => [k, k in KEYS ? section(k) : value]))))
  .map((o) => stringify(o));
const rawYaml = fc.oneof(
  fc.constantFrom(
    'a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nhttp: {port: *c}\n',
    'http: !!js/function "function(){}"\n', 'http: !!binary AAAA\n', 'http:\n  port: !!float .nan\n', '--- \n...\n--- \nhttp: {}\n',
    'http: {port: 0x1F90}\n', '? [a, b]\n: c\nhttp: {}\n', '<<: {http: {port: 1}}\n', 'http: {<<: *missing}\n', '\ufeffhttp: {}\n', 'http: "\\u0000"\n',
    'devices:\n  - id: 0x00158d0001a2b3c4\n', 'devices:\n  - id: 12345678901234567890\n', '%YAML 9.9\n---\nhttp: {}\n', 'http: [\n'),
  fc.integer({ min: 1, max: 200 }).map((n) => 'http: ' + '['.repeat(n) + ']'.repeat(n) + '\n'),
  fc.integer({ min: 1, max: 200 }).map((n) => 'http:\n' + Array.from({ length: n }, (_, i) => ' '.repeat(i + 1) + `k${i}:`).join('\n') + ' 1\n'),
  fc.string({ maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')),
);
const configText = fc.oneof(structured, structured, rawYaml);

function checkStderr(stderr: string): void {
  assert.doesNotMatch(stderr, /^\s+at /m, `a stack trace: ${stderr}`);
  for (const line of stderr.split('\n').filter((l) => l !== '')) {
    assert.match(line, /^(voicehub: |error: )/, `an unclear stderr line: ${JSON.stringify(line)} in ${stderr}`);
  }
}

test('voicehub doctor with any config file: exit 0, 1 or 2, clear lines, never a stack trace', { timeout: FUZZ_TIMEOUT }, async () => {
  const dir = await makeTempDir();
  dirs.push(dir);
  const file = join(dir, 'voicehub.yaml');
  const codes = new Map<number | null, number>();
  await fc.assert(fc.asyncProperty(configText, async (text) => {
    await writeFile(file, text, { mode: 0o600 });
    const r = await runCli(['doctor', '--config', file], { cwd: dir, env: { VOICEHUB_DATA_DIR: join(dir, 'data'), VOICEHUB_HTTP_PORT: '0', VOICEHUB_MQTT_PORT: '0', HOME: dir } });
    codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
    assert.ok(r.code === 0 || r.code === 1 || r.code === 2, `exit ${r.code}; stderr ${r.stderr}`);
    checkStderr(r.stderr);
    assert.doesNotMatch(r.stdout, /^\s+at /m, `a stack trace on stdout: ${r.stdout}`);
  }), params(40));
  console.log(`doctor fuzz: exit codes ${JSON.stringify([...codes])}`);
});

test('voicehub start with any config file: listening and a clean stop (0), or exit 1 or 2 with clear lines, never a stack trace', { timeout: FUZZ_TIMEOUT }, async () => {
  const codes = new Map<number | null, number>();
  await fc.assert(fc.asyncProperty(configText, async (text) => {
    const dir = await makeTempDir();
    try {
      const daemon = await startDaemon({ dir, config: text, noWait: true });
      // Either the hub says listening (then it is stopped) or it exits on its own.
      const listening = await Promise.race([daemon.waitForLine((l) => l.msg === 'listening', 30_000).then(() => true, () => false), daemon.exited().then(() => false)]);
      const { code } = listening ? await daemon.stop() : await daemon.exited();
      codes.set(code, (codes.get(code) ?? 0) + 1);
      assert.ok(listening ? code === 0 : code === 1 || code === 2, `exit ${code} (listening: ${listening}); stderr ${daemon.stderr}`);
      checkStderr(daemon.stderr);
      await daemon.cleanup();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }), params(25));
  console.log(`start fuzz: exit codes ${JSON.stringify([...codes])}`);
});
