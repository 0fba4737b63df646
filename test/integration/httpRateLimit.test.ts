import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startDaemon, runCli, makeTempDir, type DaemonProcess } from '../helpers/daemon.js';
import { VoiceClient } from '../helpers/voiceClient.js';

const cleanups: Array<() => Promise<void>> = [];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
after(async () => { for (const c of cleanups.reverse()) await c(); });

/** A daemon whose per-address limit also applies to loopback (tests can only come from there). */
async function limitedHub(perSecond: number, burst: number): Promise<{ d: DaemonProcess; base: string; token: string }> {
  const dir = await makeTempDir();
  const d = await startDaemon({ dir, config: `http:\n  rateLimit: { perSecond: ${perSecond}, burst: ${burst}, exempt: [] }\n` });
  cleanups.push(() => d.cleanup());
  const r = await runCli(['token', 'create', '--sub', 'hall-satellite', '--scope', 'voice'], { cwd: dir, env: { VOICEHUB_DATA_DIR: join(dir, 'data') } });
  assert.equal(r.code, 0, r.stderr);
  // The hub's own warm-up request to /health right after start took a token (loopback is not exempt here).
  await sleep(1000 / perSecond + 200);
  return { d, base: `127.0.0.1:${d.httpPort}`, token: r.stdout.trim() };
}

test('an address over http.rateLimit gets 429 RATE_LIMITED with Retry-After, and is served again after it', { timeout: 30_000 }, async () => {
  const { base } = await limitedHub(2, 3);
  const statuses: number[] = [];
  for (let i = 0; i < 3; i++) statuses.push((await fetch(`http://${base}/health`)).status);
  assert.deepEqual(statuses, [200, 200, 200]);
  const refused = await fetch(`http://${base}/health`);
  assert.equal(refused.status, 429);
  assert.equal(refused.headers.get('retry-after'), '1');
  assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'RATE_LIMITED');
  // Unknown paths and the API are behind the same bucket: nothing costly runs for a refused address.
  assert.equal((await fetch(`http://${base}/api/devices`)).status, 429);
  await sleep(1100);
  const again = await fetch(`http://${base}/metrics`);
  assert.equal(again.status, 200);
  assert.match(await again.text(), /voicehub_http_rate_limited_total\{kind="request"\} 2/);
});

test('a flood of forged-token upgrades is cut to 429 before the token is checked; a connected client is unaffected', { timeout: 30_000 }, async () => {
  const { base, token } = await limitedHub(1, 4);
  const client = await VoiceClient.connect(`ws://${base}/voice`, token); // takes one token
  cleanups.push(async () => client.close());
  const statuses = await Promise.all(Array.from({ length: 12 }, (_, i) => VoiceClient.connect(`ws://${base}/voice`, `forged.${i}.token`).then(
    () => 0,
    (err: Error & { status?: number }) => err.status ?? -1,
  )));
  const counts = statuses.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});
  assert.equal(counts[401], 3, JSON.stringify(counts)); // what was left of the burst, checked and refused
  assert.equal(counts[429], 9, JSON.stringify(counts));
  // A good token from the same address waits its turn too: the limit is the address's, not the token's.
  await assert.rejects(VoiceClient.connect(`ws://${base}/voice`, token), (err: Error & { status?: number }) => err.status === 429);
  // The client already connected is served as before: the address limit is on new requests, not frames.
  const reply = await client.say('u-1', 'turn on the hall light');
  assert.equal(reply.type, 'error');
  assert.equal(reply.code, 'NO_MATCH'); // no such device here: an answer, not a refusal
});

test('loopback is exempt by default: 300 quick requests from 127.0.0.1 are all served', { timeout: 30_000 }, async () => {
  const dir = await makeTempDir();
  const d = await startDaemon({ dir });
  cleanups.push(() => d.cleanup());
  const statuses = await Promise.all(Array.from({ length: 300 }, () => fetch(`http://127.0.0.1:${d.httpPort}/health`).then((r) => r.status)));
  assert.deepEqual([...new Set(statuses)], [200]);
});
