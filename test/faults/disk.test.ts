import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { appendFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { connectAsync, type MqttClient } from 'mqtt';
import { makeTempDir, startDaemon, SHIPPED_NODE_FLAGS, type DaemonProcess } from '../helpers/daemon.js';
import { VoiceClient } from '../helpers/voiceClient.js';
import { FakeCloud } from '../helpers/fakeCloud.js';
import { cloudConfig, health } from '../helpers/cloudHub.js';
import { readKey } from '../../daemon/auth/keys.js';
import { signToken } from '../../daemon/auth/tokens.js';
import { crashLines, LONG } from './fuzz.js';

/**
 * A data dir whose disk fills up, or is remounted read-only, while the real daemon writes to it under load
 * (device readings over MQTT, shopping-list items over /voice, the cloud outbox), at moments drawn from the
 * suite's seed; then the space (or write access) comes back. The data dir is a small tmpfs, so the disk is
 * really full (ENOSPC) and really read-only (EROFS); where mounting is not allowed the test is skipped with
 * the reason. Each cycle:
 * - the hub says so clearly: `DISK_FULL` ("disk full") or `DATA_DIR_UNWRITABLE` ("read-only file system") in
 *   its log, `/health` 200 `degraded` with `checks.db.readOnly`;
 * - it keeps serving: readings are applied, utterances answered, from memory;
 * - nothing on disk is corrupted: every store file and its backup parse, and none is moved aside;
 * - once space returns, `/health` is `ok` again and the files catch up with the latest state;
 * and at the end every reading reached the cloud (none lost to the full disk), and a restart loads the latest.
 */

const CYCLES = LONG ? 20 : 4;
const seedEnv = process.env.VOICEHUB_FAULTS_SEED;
const exec = promisify(execFile);
const cleanups: Array<() => Promise<void>> = [];
after(async () => { for (const c of cleanups.reverse()) await c().catch(() => {}); });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` (sync or async) every 20 ms until it gives a value; rejects naming `what` after `timeoutMs`. */
async function eventually<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  for (const end = Date.now() + timeoutMs; Date.now() < end; await sleep(20)) {
    const value = await probe();
    if (value !== undefined) return value;
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Mounts a small tmpfs on <dir>/data; the reason it cannot, or null. */
async function smallDisk(dir: string): Promise<string | null> {
  if (process.platform !== 'linux') return 'not Linux';
  await mkdir(join(dir, 'data'), { recursive: true });
  try {
    await exec('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0700', 'tmpfs', join(dir, 'data')]);
  } catch (err) {
    return `cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): ${(err as Error).message.split('\n')[0]}`;
  }
  cleanups.push(async () => {
    await exec('umount', ['-l', join(dir, 'data')]).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  });
  return null;
}

/** Appends to a file until the file system says ENOSPC. */
async function fillUp(path: string): Promise<void> {
  const chunk = Buffer.alloc(4096, 0x78);
  for (;;) {
    try {
      await appendFile(path, chunk);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOSPC') return;
      throw err;
    }
  }
}

const STORES = ['devices.json', 'plugin-voicehub.lists.json', 'cloud-outbox.json'];

/** Every store file and backup on disk parses, and nothing was moved aside as corrupt. */
async function assertNothingCorrupt(data: string, when: string): Promise<void> {
  const names = await readdir(data);
  assert.deepEqual(names.filter((n) => n.includes('.corrupt-')), [], `${when}: a store file was found damaged`);
  for (const name of names.filter((n) => n.endsWith('.json') || n.endsWith('.json.bak'))) {
    const text = await readFile(join(data, name), 'utf8');
    assert.doesNotThrow(() => JSON.parse(text), `${when}: ${name} does not parse (${text.length} bytes)`);
  }
}

async function readingOnDisk(data: string): Promise<number | undefined> {
  try {
    const doc = JSON.parse(await readFile(join(data, 'devices.json'), 'utf8')) as { devices: Record<string, { device: { state: { value?: number } } }> };
    return doc.devices.temp?.device.state.value;
  } catch {
    return undefined;
  }
}

async function listOnDisk(data: string): Promise<number | undefined> {
  try {
    return (JSON.parse(await readFile(join(data, 'plugin-voicehub.lists.json'), 'utf8')) as { lists: { shopping: unknown[] } }).lists.shopping.length;
  } catch {
    return undefined;
  }
}

test(`a disk that fills up or turns read-only under write load (${CYCLES} cycles): clear errors, /health degraded, no corruption, recovery when space returns, no event lost`, { timeout: 900_000 }, async (t) => {
  const dir = await makeTempDir();
  const skip = await smallDisk(dir);
  if (skip) return t.skip(skip);
  const data = join(dir, 'data');
  const cloud = await FakeCloud.start();
  cleanups.push(() => cloud.close());
  const config = cloudConfig(cloud.url, { flushIntervalMs: 100 }) + 'speech: { stt: { provider: none }, tts: { provider: none } }\n';
  const d = await startDaemon({ dir, config, nodeArgs: SHIPPED_NODE_FLAGS });
  cleanups.push(() => d.stop('SIGKILL').then(() => undefined)); // not cleanup(): it would remove the mount point
  const key = (await readKey(data))!;
  const voice = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, await signToken(key, { sub: 'disk', scopes: ['voice'] }));
  cleanups.push(async () => { voice.ws.terminate(); });
  const mqtt: MqttClient = await connectAsync(`mqtt://127.0.0.1:${d.mqttPort}`, { reconnectPeriod: 0 });
  cleanups.push(() => mqtt.endAsync(true));

  // When in each cycle the disk goes (ms into the load) and whether it fills up or turns read-only.
  const cycles = fc.sample(fc.record({ after: fc.integer({ min: 0, max: 400 }), kind: fc.constantFrom('full', 'readonly') }),
    { numRuns: CYCLES, ...(seedEnv !== undefined && { seed: Number(seedEnv) }) });
  // Make sure both kinds run, whatever the draw.
  cycles[0]!.kind = 'full';
  cycles[1 % CYCLES]!.kind = 'readonly';

  let reading = 0;
  let items = 0;
  const tally = { full: 0, readonly: 0 };
  const write = async (): Promise<void> => {
    await mqtt.publishAsync('home/temp/state', String(++reading), { qos: 1 });
    // Utterances at most ~10 a second (the voice rate limit is 20), and a list holds 200 items.
    if (reading % 5 !== 0 || items >= 190) return;
    const reply = await voice.say(`i${items}`, `add zoba${items} to the shopping list`);
    assert.equal(reply.type, 'reply', JSON.stringify(reply));
    items++;
  };

  for (const [i, cycle] of cycles.entries()) {
    tally[cycle.kind as 'full' | 'readonly']++;
    const linesBefore = d.lines.length;
    let loading = true;
    const load = (async () => { while (loading) { await write(); await sleep(10); } })();
    await sleep(cycle.after);
    if (cycle.kind === 'full') await fillUp(join(data, 'someone-elses.bin'));
    else await exec('mount', ['-o', 'remount,ro', data]);

    // Clear errors and /health degraded, while the load goes on.
    const code = cycle.kind === 'full' ? 'DISK_FULL' : undefined;
    const line = await d.waitForLine((l) => d.lines.indexOf(l) >= linesBefore && l.level === 'error' && /storage write .* failed/.test(String(l.msg)), 30_000);
    if (code) assert.equal(line.code, code, JSON.stringify(line));
    assert.match(String(line.msg), cycle.kind === 'full' ? /disk full \(ENOSPC\)/ : /read-only file system \(EROFS\)/);
    const degraded = await eventually(async () => { const h = await health(d); return h.status === 'degraded' ? h : undefined; }, '/health degraded', 30_000)
      .catch(async () => { throw new Error(`cycle ${i} (${cycle.kind}): /health ${JSON.stringify(await health(d))}`); });
    assert.equal(degraded.checks.db!.readOnly, true);
    assert.match(String(degraded.checks.db!.error), cycle.kind === 'full' ? /disk full/ : /read-only/);
    // Still serving from memory: a few more rounds of the load after the disk went.
    const target = reading + 3;
    await eventually(() => (reading >= target ? true : undefined), 'the load going on with the disk gone', 30_000);
    await assertNothingCorrupt(data, `cycle ${i} (${cycle.kind}), disk gone`);

    // Space (or write access) comes back: /health ok, and the files catch up with the latest state.
    if (cycle.kind === 'full') await rm(join(data, 'someone-elses.bin'));
    else await exec('mount', ['-o', 'remount,rw', data]);
    loading = false;
    await load;
    await eventually(async () => ((await health(d)).status === 'ok' ? true : undefined), '/health ok again', 30_000);
    await eventually(async () => ((await readingOnDisk(data)) === reading && (await listOnDisk(data)) === items ? true : undefined), 'the files to catch up', 30_000)
      .catch(async () => { throw new Error(`cycle ${i}: on disk reading ${await readingOnDisk(data)} of ${reading}, ${await listOnDisk(data)} items of ${items}`); });
    await assertNothingCorrupt(data, `cycle ${i} (${cycle.kind}), after recovery`);
  }

  // Every reading reached the cloud, none lost to the full disk (events wait in memory until written).
  const temps = () => new Set(cloud.received.filter((e) => e.kind === 'device.state' && e.device === 'temp').map((e) => (e.state as { value: number }).value));
  await eventually(() => (temps().size === reading ? true : undefined), `all ${reading} readings at the cloud`, 30_000)
    .catch(() => { throw new Error(`the cloud has ${temps().size} of ${reading} readings`); });
  assert.equal((await d.stop()).code, 0);
  assert.deepEqual(crashLines(d.lines), []);
  assert.equal(d.stderr, '');
  await assertNothingCorrupt(data, 'after the stop');
  for (const name of STORES) assert.ok((await readdir(data)).includes(name), `${name} is on disk`);

  // A restart loads the latest of everything.
  const again = await startDaemon({ dir, config, nodeArgs: SHIPPED_NODE_FLAGS });
  cleanups.push(() => again.stop('SIGKILL').then(() => undefined));
  assert.equal((await health(again)).status, 'ok');
  const v2 = await VoiceClient.connect(`ws://127.0.0.1:${again.httpPort}/voice`, await signToken(key, { sub: 'disk', scopes: ['voice'] }));
  const listed = await v2.say('count', "what's on the shopping list");
  assert.match(String(listed.text), new RegExp(`has ${items} items`));
  v2.close();
  assert.equal((await again.stop()).code, 0);
  console.log(`disk: ${tally.full} full and ${tally.readonly} read-only cycles under load; ${reading} readings and ${items} list items, all on disk and at the cloud afterwards`);
});
