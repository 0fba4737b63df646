import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import mqtt from 'mqtt';
import { readKey } from '../../daemon/auth/keys.js';
import { signToken } from '../../daemon/auth/tokens.js';
import { cloudConfig } from '../helpers/cloudHub.js';
import { cacheFileName, encodeCache } from '../../daemon/main/startCache.js';
import { CLI, makeTempDir, runCli, startDaemon, SHIPPED_NODE_FLAGS, type DaemonProcess } from '../helpers/daemon.js';
import { FakeCloud } from '../helpers/fakeCloud.js';
import { VoiceClient } from '../helpers/voiceClient.js';
import { DOCUMENTED_CODES, crashLines, deepJson, jsonValue, params, FUZZ_TIMEOUT } from './fuzz.js';

/**
 * Fuzzing the data dir: every file the hub reads from it (collections — devices, their overrides, the cloud
 * outbox and answered ids, the timers' and lists' plugin documents —, their backups and temp copies, the signing
 * key, the MQTT users, a pairing code, the speech engine's saved cepstral mean, the start script's code cache — also
 * with a header right for this build around a payload that is not V8's) filled with arbitrary bytes, JSON
 * of the wrong shape, near-right documents, deep nesting or nothing. The hub runs with a cloud link (so it reads
 * the outbox) and the default speech engine (read once it is warm, after `listening`). It must still start
 * (`listening`), answer /health, and stop cleanly, with no crash and nothing on stderr. (The lock file is left
 * out: a lock naming a live pid is refused by design, which test/attacks/storage.test.ts covers.)
 *
 * The list is checked against what the hub really writes: the first test drives a hub through every store (a
 * device reading, a cloud command and utterances that make a timer and a list item, a device override, a pairing
 * code, an MQTT user, audio for the speech engine) and fails on a file name the fuzz does not fill.
 */

const PAIRING = 'pairing/00000000-0000-4000-8000-000000000000.json';
/** The start script's hash (its first line) and the cache file a hub started as the fuzz starts it (no node flags) reads. */
const SCRIPT_HASH = /^\/\/voicehub-start ([0-9a-f]{64})\n/.exec(readFileSync(join(dirname(CLI), 'start.vm.js'), 'latin1').slice(0, 200))![1]!;
const START_CACHE = `cache/${cacheFileName(SCRIPT_HASH, { version: process.version, arch: process.arch, execArgv: [], nodeOptions: process.env.NODE_OPTIONS })}`;
const FILES = ['devices.json', 'devices.json.bak', 'devices.json.tmp', 'deviceOverrides.json', 'deviceOverrides.json.bak',
  'plugin-voicehub.timers.json', 'plugin-voicehub.timers.json.bak', 'plugin-voicehub.lists.json', 'plugin-voicehub.lists.json.bak',
  'cloud-outbox.json', 'cloud-outbox.json.bak', 'cloud-outbox.json.tmp', 'cloud-answered.json', 'cloud-answered.json.bak',
  'signing-key.json', 'signing-key.json.bak', 'signing-key.json.tmp', 'mqtt-users.json', 'mqtt-users.json.bak',
  PAIRING, 'speech-cmn.json', 'speech-cmn.json.bak', 'speech/cmn.json', START_CACHE];
/**
 * A file the hub wrote, as the fuzz names it: one pairing code stands for any, temp copies for their collection,
 * the start cache of any node flags for the one the fuzzed hub reads.
 */
function asFuzzed(name: string): string {
  if (/^cache\/start-[0-9a-f]{16}-[0-9a-f]{8}\.v8$/.test(name)) return START_CACHE;
  return name.startsWith('pairing/') && name.endsWith('.json') ? PAIRING : name;
}
/** Files that are not documents the hub reads back: its lock, a write probe, a rebuilt grammar, temp copies of any name. */
const NOT_READ = /^(\.lock|\.probe|voicehub\.lock)$|^speech\/(?!cmn\.json$)|\.tmp[-.\w]*$/;

const event = jsonValue(['seq', 'ts', 'kind', 'device', 'state', 'intent', 'outcome']);
const nearRight = fc.oneof(
  fc.record({ version: jsonValue(), devices: fc.oneof(fc.dictionary(fc.oneof(fc.constantFrom('__proto__', 'lamp'), fc.string({ maxLength: 8 })), jsonValue(['id', 'name', 'type', 'state', 'area', 'commandTopic'])), jsonValue()) }, { requiredKeys: [] }),
  fc.record({ nextId: jsonValue(), timers: fc.array(jsonValue(['id', 'endsAt', 'name', 'subject', 'durationMs']), { maxLength: 5 }) }, { requiredKeys: [] }),
  fc.record({ kid: jsonValue(), alg: jsonValue(), k: fc.oneof(fc.base64String({ maxLength: 64 }), jsonValue()), createdAt: jsonValue() }, { requiredKeys: [] }),
  fc.record({ users: fc.oneof(fc.dictionary(fc.string({ maxLength: 8 }), jsonValue(['hash', 'salt', 'allow', 'N'])), fc.array(jsonValue(), { maxLength: 3 })) }, { requiredKeys: [] }),
  fc.record({ overrides: fc.oneof(fc.dictionary(fc.oneof(fc.constantFrom('lamp', '__proto__', 'temp'), fc.string({ maxLength: 8 })), jsonValue(['name', 'area', 'aliases', 'floor'])), jsonValue()) }, { requiredKeys: [] }),
  fc.record({ lists: fc.oneof(fc.dictionary(fc.constantFrom('shopping', 'todo', '__proto__', 'x'), fc.array(jsonValue(['text', 'done', 'added']), { maxLength: 5 })), jsonValue()) }, { requiredKeys: [] }),
  fc.record({ version: jsonValue(), nextSeq: fc.oneof(fc.integer(), jsonValue()), lastAckedSeq: fc.oneof(fc.integer(), jsonValue()),
    events: fc.oneof(fc.array(event, { maxLength: 6 }), jsonValue()), running: jsonValue() }, { requiredKeys: [] }),
  fc.record({ version: jsonValue(), entries: fc.oneof(fc.array(jsonValue(['key', 'at', 'result', 'type', 'id', 'ok']), { maxLength: 5 }), jsonValue()) }, { requiredKeys: [] }),
  fc.record({ v: jsonValue(), salt: jsonValue(), hash: jsonValue(), scopes: fc.oneof(fc.array(fc.constantFrom('admin', 'voice', 'x'), { maxLength: 3 }), jsonValue()), expiresAt: jsonValue() }, { requiredKeys: [] }),
  fc.record({ mean: fc.oneof(fc.array(fc.double(), { maxLength: 20 }), jsonValue()) }, { requiredKeys: [] }),
).map((v) => Buffer.from(JSON.stringify(v)));
/** A start cache whose header is right for this build (hash, length, CRC) around a payload that is not V8's. */
const forgedCache = fc.uint8Array({ maxLength: 4096 }).map((b) => encodeCache(Buffer.from(b), SCRIPT_HASH));
const content = fc.oneof(
  nearRight, nearRight, forgedCache,
  jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? '')),
  fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)),
  deepJson.map((s) => Buffer.from(s)),
  fc.constantFrom('', '{', 'null', '[]', '{"__proto__":{"polluted":1}}', '\u0000\u0000').map((s) => Buffer.from(s)),
);
const dataDir = fc.dictionary(fc.constantFrom(...FILES), content, { minKeys: 1, maxKeys: FILES.length });

let cloud: FakeCloud;
let config: string;
before(async () => {
  cloud = await FakeCloud.start();
  config = cloudConfig(cloud.url, { flushIntervalMs: 50 });
});
after(async () => { await cloud?.close(); });

/** Every file under `dir`, as a path relative to it. */
async function filesUnder(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(join(dir, prefix), { withFileTypes: true });
  return (await Promise.all(entries.map((e) => (e.isDirectory() ? filesUnder(dir, `${prefix}${e.name}/`) : [`${prefix}${e.name}`])))).flat();
}

/** Waits (bounded) until the speech engine is warm, so it has read its saved mean; gives up quietly where it cannot be. */
async function speechWarm(d: DaemonProcess): Promise<void> {
  for (let i = 0; i < 150; i++) {
    const h = await (await fetch(`${d.url}/health`)).json() as { checks?: { speech?: { stt?: { ok?: boolean; detail?: string } } } };
    const stt = h.checks?.speech?.stt;
    if (stt?.ok || (stt?.detail && !/not built yet/.test(stt.detail))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('the fuzzed file list covers every file the hub writes to its data dir, driven through every store', { timeout: 180_000 }, async () => {
  const d = await startDaemon({ config, nodeArgs: SHIPPED_NODE_FLAGS });
  try {
    const dataPath = join(d.dir, 'data');
    const env = { VOICEHUB_DATA_DIR: dataPath };
    await cloud.waitFor(() => cloud.connections > 0, 15_000, 'the hub dialling the cloud');
    const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${d.mqttPort}`, { reconnectPeriod: 0 });
    await device.publishAsync('home/temp/state', '21.5', { qos: 1 });
    await device.endAsync();
    assert.equal((await cloud.command({ device: 'lamp', command: 'turn_on' })).ok, true, 'a cloud command');
    for (const text of ['add milk to the shopping list', 'set a timer for 10 minutes']) await cloud.utterance({ text });
    const key = (await readKey(dataPath))!;
    const admin = await signToken(key, { sub: 'datadir-admin', scopes: ['admin'] });
    const patched = await fetch(`${d.url}/api/devices/lamp`, { method: 'PATCH', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: '{"aliases":["porch"]}' });
    assert.equal(patched.status, 200, await patched.text());
    assert.equal((await runCli(['pair'], { cwd: d.dir, env })).code, 0, 'voicehub pair');
    assert.equal((await runCli(['mqtt-user', 'add', 'zb', '--password-stdin', '--allow', 'zigbee2mqtt/#'], { cwd: d.dir, env, input: 'secret-pw\n' })).code, 0, 'mqtt-user add');
    // Audio for the speech engine: it saves its cepstral mean after an utterance (where pocketsphinx is installed).
    const voice = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, await signToken(key, { sub: 'datadir-voice', scopes: ['voice'] }));
    voice.send({ type: 'audio.start', id: 'a1', format: 's16le', rate: 16000 });
    const tone = Buffer.alloc(48_000 * 2); // 1 s of quiet, then 2 s of a tone
    for (let i = 16_000; i < 48_000; i++) tone.writeInt16LE(Math.round(8000 * Math.sin(i / 5)), i * 2);
    voice.ws.send(tone);
    voice.send({ type: 'audio.end', id: 'a1' });
    await voice.waitFor((f) => f.id === 'a1' && (f.type === 'reply' || f.type === 'error'), 30_000);
    voice.ws.terminate();
    const { code } = await d.stop();
    assert.equal(code, 0);
    const written = (await filesUnder(dataPath)).filter((f) => !NOT_READ.test(f));
    const fuzzed = new Set(FILES);
    const missing = written.filter((f) => !fuzzed.has(asFuzzed(f)));
    assert.deepEqual(missing, [], `files the hub wrote that the data-dir fuzz does not fill (add them to FILES): ${written.join(', ')}`);
    for (const store of ['devices.json', 'deviceOverrides.json', 'cloud-outbox.json', 'cloud-answered.json', 'plugin-voicehub.lists.json', 'plugin-voicehub.timers.json', 'signing-key.json', 'mqtt-users.json']) {
      assert.ok(written.includes(store), `${store} was not written: the drive above missed a store (${written.join(', ')})`);
    }
    console.log(`data dir: the hub wrote ${written.length} files, all fuzzed: ${written.join(', ')}`);
  } finally {
    await d.cleanup();
  }
});

test('a data dir of arbitrary files: the hub still starts, answers /health and stops cleanly, no crash, stderr empty', { timeout: FUZZ_TIMEOUT }, async () => {
  const outcomes = new Map<string, number>();
  await fc.assert(fc.asyncProperty(dataDir, async (files) => {
    const dir = await makeTempDir();
    try {
      await mkdir(join(dir, 'data'), { mode: 0o700 });
      for (const [name, bytes] of Object.entries(files)) {
        await mkdir(dirname(join(dir, 'data', name)), { recursive: true, mode: 0o700 });
        await writeFile(join(dir, 'data', name), bytes, { mode: 0o600 });
      }
      const d = await startDaemon({ dir, config });
      try {
        // The speech engine reads its saved mean once warm, after `listening`: wait for it when that file was drawn.
        if ('speech/cmn.json' in files || 'speech-cmn.json' in files) await speechWarm(d);
        const health = await fetch(`${d.url}/health`);
        const body = await health.json() as { status: string };
        outcomes.set(body.status, (outcomes.get(body.status) ?? 0) + 1);
        assert.ok(health.status === 200, `health ${health.status} ${JSON.stringify(body)}`);
        const { code } = await d.stop();
        assert.equal(code, 0, `stop: exit ${code}; stderr ${d.stderr}`);
        assert.deepEqual(crashLines(d.lines), []);
        assert.equal(d.stderr, '');
        const codes = d.lines.map((l) => l.code).filter((c): c is string => typeof c === 'string');
        assert.deepEqual(codes.filter((c) => !DOCUMENTED_CODES.has(c)), [], 'only documented codes in the log');
      } finally {
        await d.cleanup();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }), params(20));
  console.log(`data dir fuzz: /health ${JSON.stringify([...outcomes])}`);
});
