import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { makeTempDir, startDaemon } from '../helpers/daemon.js';
import { crashLines, deepJson, jsonValue, params, FUZZ_TIMEOUT } from './fuzz.js';

/**
 * Fuzzing the data dir: every file the hub reads at start (collections, their backups and temp copies, the
 * signing key, the MQTT users) filled with arbitrary bytes, JSON of the wrong shape, near-right documents,
 * deep nesting or nothing. The hub must still start (`listening`), answer /health, and stop cleanly, with
 * no crash and nothing on stderr. (The lock file is left out: a lock naming a live pid is refused by design,
 * which test/attacks/storage.test.ts covers.)
 */

const FILES = ['devices.json', 'devices.json.bak', 'devices.json.tmp', 'plugin-voicehub.timers.json', 'plugin-voicehub.timers.json.bak',
  'signing-key.json', 'signing-key.json.bak', 'signing-key.json.tmp', 'mqtt-users.json', 'mqtt-users.json.bak'];

const nearRight = fc.oneof(
  fc.record({ version: jsonValue(), devices: fc.oneof(fc.dictionary(fc.oneof(fc.constantFrom('__proto__', 'lamp'), fc.string({ maxLength: 8 })), jsonValue(['id', 'name', 'type', 'state', 'area', 'commandTopic'])), jsonValue()) }, { requiredKeys: [] }),
  fc.record({ nextId: jsonValue(), timers: fc.array(jsonValue(['id', 'endsAt', 'name', 'subject', 'durationMs']), { maxLength: 5 }) }, { requiredKeys: [] }),
  fc.record({ kid: jsonValue(), alg: jsonValue(), k: fc.oneof(fc.base64String({ maxLength: 64 }), jsonValue()), createdAt: jsonValue() }, { requiredKeys: [] }),
  fc.record({ users: fc.oneof(fc.dictionary(fc.string({ maxLength: 8 }), jsonValue(['hash', 'salt', 'allow', 'N'])), fc.array(jsonValue(), { maxLength: 3 })) }, { requiredKeys: [] }),
).map((v) => Buffer.from(JSON.stringify(v)));
const content = fc.oneof(
  nearRight, nearRight,
  jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? '')),
  fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)),
  deepJson.map((s) => Buffer.from(s)),
  fc.constantFrom('', '{', 'null', '[]', '{"__proto__":{"polluted":1}}', '\u0000\u0000').map((s) => Buffer.from(s)),
);
const dataDir = fc.dictionary(fc.constantFrom(...FILES), content, { minKeys: 1, maxKeys: FILES.length });

test('a data dir of arbitrary files: the hub still starts, answers /health and stops cleanly, no crash, stderr empty', { timeout: FUZZ_TIMEOUT }, async () => {
  const outcomes = new Map<string, number>();
  await fc.assert(fc.asyncProperty(dataDir, async (files) => {
    const dir = await makeTempDir();
    try {
      await mkdir(join(dir, 'data'), { mode: 0o700 });
      for (const [name, bytes] of Object.entries(files)) await writeFile(join(dir, 'data', name), bytes, { mode: 0o600 });
      const d = await startDaemon({ dir });
      try {
        const health = await fetch(`${d.url}/health`);
        const body = await health.json() as { status: string };
        outcomes.set(body.status, (outcomes.get(body.status) ?? 0) + 1);
        assert.ok(health.status === 200, `health ${health.status} ${JSON.stringify(body)}`);
        const { code } = await d.stop();
        assert.equal(code, 0, `stop: exit ${code}; stderr ${d.stderr}`);
        assert.deepEqual(crashLines(d.lines), []);
        assert.equal(d.stderr, '');
      } finally {
        await d.cleanup();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }), params(20));
  console.log(`data dir fuzz: /health ${JSON.stringify([...outcomes])}`);
});
