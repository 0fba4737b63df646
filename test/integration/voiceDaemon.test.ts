import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startDaemon, runCli, makeTempDir, type DaemonProcess } from '../helpers/daemon.js';
import { VoiceClient } from '../helpers/voiceClient.js';

const cleanups: Array<() => Promise<void>> = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

async function hubWithToken(scope = 'voice'): Promise<{ d: DaemonProcess; token: string; url: string }> {
  const dir = await makeTempDir();
  const d = await startDaemon({ dir });
  cleanups.push(() => d.cleanup());
  const r = await runCli(['token', 'create', '--sub', 'kitchen-satellite', '--scope', scope], { cwd: dir, env: { VOICEHUB_DATA_DIR: join(dir, 'data') } });
  assert.equal(r.code, 0, r.stderr);
  return { d, token: r.stdout.trim(), url: `ws://127.0.0.1:${d.httpPort}/voice` };
}

test('the daemon serves /voice: 401 without a token, pong, BAD_REQUEST for garbage, and the connection lives on', { timeout: 30_000 }, async () => {
  const { token, url } = await hubWithToken();
  await assert.rejects(VoiceClient.connect(url), (err: Error & { status?: number }) => err.status === 401);
  await assert.rejects(VoiceClient.connect(url, `${token}x`), (err: Error & { status?: number }) => err.status === 401);
  const c = await VoiceClient.connect(url, token);
  cleanups.push(async () => c.close());
  c.send({ type: 'ping' });
  await c.waitFor((f) => f.type === 'pong');
  c.send('not json');
  assert.equal((await c.waitFor((f) => f.type === 'error')).code, 'BAD_REQUEST');
  c.send({ type: 'ping' });
  await c.waitFor((f, ) => f.type === 'pong' && c.frames.filter((x) => x.type === 'pong').length === 2);
});

test('SIGTERM with a client connected: the socket closes with 1001 and the hub exits 0', { timeout: 30_000 }, async () => {
  const { d, token, url } = await hubWithToken();
  const c = await VoiceClient.connect(url, token);
  const [closed, exited] = await Promise.all([c.closed, d.stop('SIGTERM')]);
  assert.equal(closed.code, 1001);
  assert.equal(exited.code, 0);
});
