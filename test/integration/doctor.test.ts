import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { runCli, startDaemon, makeTempDir } from '../helpers/daemon.js';

function listen(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer((s) => s.destroy());
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

async function doctor(dir: string, env: Record<string, string> = {}) {
  return runCli(['doctor'], { cwd: dir, env: { VOICEHUB_DATA_DIR: join(dir, 'data'), VOICEHUB_HTTP_HOST: '127.0.0.1', ...env } });
}

test('doctor on a healthy setup: one ok line per check, exit 0', async () => {
  const dir = await makeTempDir();
  const r = await doctor(dir, { VOICEHUB_HTTP_PORT: '0', VOICEHUB_MQTT_PORT: '0' });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  for (const what of ['node', 'config', 'data dir', 'http port', 'mqtt port', 'clock']) assert.match(r.stdout, new RegExp(`^ok +${what}:`, 'm'));
  assert.doesNotMatch(r.stdout, /^FAIL/m);
});

test('doctor names each problem with its fix and exits 1', async () => {
  const dir = await makeTempDir();
  const busy = await listen();
  const closed = await listen();
  await new Promise((r) => closed.server.close(r)); // a port nothing listens on: the external broker is down
  try {
    await writeFile(join(dir, 'voicehub.yaml'), `http: { port: ${busy.port} }\nmqtt: { url: "mqtt://127.0.0.1:${closed.port}" }\n`);
    const r = await doctor(dir);
    assert.equal(r.code, 1);
    assert.match(r.stdout, new RegExp(`^FAIL http port: ${busy.port} on 127.0.0.1: EADDRINUSE \\(fix: .*http\\.port`, 'm'));
    assert.match(r.stdout, new RegExp(`^FAIL mqtt broker: 127.0.0.1:${closed.port} is not reachable .*\\(fix:`, 'm'));
    assert.match(r.stdout, /^ok +data dir:/m);
  } finally {
    busy.server.close();
  }
});

test('doctor reports a bad config key and an unusable data dir', async () => {
  const dir = await makeTempDir();
  await writeFile(join(dir, 'a-file'), 'x');
  await writeFile(join(dir, 'voicehub.yaml'), 'voice: { sessionQueue: lots }\n');
  const bad = await doctor(dir, { VOICEHUB_HTTP_PORT: '0', VOICEHUB_MQTT_PORT: '0' });
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /^FAIL config: voice\.sessionQueue: "lots" is not an integer/m);
  await writeFile(join(dir, 'voicehub.yaml'), '');
  const dataDir = await doctor(dir, { VOICEHUB_HTTP_PORT: '0', VOICEHUB_MQTT_PORT: '0', VOICEHUB_DATA_DIR: join(dir, 'a-file', 'data') });
  assert.equal(dataDir.code, 1);
  assert.match(dataDir.stdout, /^FAIL data dir: .*ENOTDIR \(fix: .*VOICEHUB_DATA_DIR\)/m);
});

test('a port held by a running voicehub is fine', { timeout: 30_000 }, async () => {
  const dir = await makeTempDir();
  const d = await startDaemon({ dir });
  try {
    const r = await doctor(dir, { VOICEHUB_HTTP_PORT: String(d.httpPort), VOICEHUB_MQTT_PORT: '0' });
    assert.match(r.stdout, new RegExp(`^ok +http port: ${d.httpPort} is held by a running voicehub`, 'm'));
    assert.equal(r.code, 0, r.stdout);
  } finally {
    await d.cleanup();
  }
});

test('a port held while the data dir\'s lock file names a live voicehub is fine; a stale lock vouches for nothing', { timeout: 30_000 }, async () => {
  const dir = await makeTempDir();
  const busy = await listen();
  // Stands in for the hub: a live process whose command line names voicehub, its pid in the lock file.
  const hub = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'voicehub'], { stdio: 'ignore' });
  try {
    await mkdir(join(dir, 'data'), { recursive: true });
    await writeFile(join(dir, 'data', 'voicehub.lock'), JSON.stringify({ pid: hub.pid }));
    const held = await doctor(dir, { VOICEHUB_HTTP_PORT: '0', VOICEHUB_MQTT_PORT: String(busy.port) });
    assert.equal(held.code, 0, held.stdout);
    assert.match(held.stdout, new RegExp(`^ok +mqtt port: ${busy.port} is held by a running voicehub \\(pid ${hub.pid}, from the data dir's lock file\\)`, 'm'));
    hub.kill();
    await new Promise((r) => hub.once('exit', r));
    const stale = await doctor(dir, { VOICEHUB_HTTP_PORT: '0', VOICEHUB_MQTT_PORT: String(busy.port) });
    assert.equal(stale.code, 1, stale.stdout);
    assert.match(stale.stdout, new RegExp(`^FAIL mqtt port: ${busy.port} on .*EADDRINUSE`, 'm'));
  } finally {
    hub.kill();
    busy.server.close();
  }
});
