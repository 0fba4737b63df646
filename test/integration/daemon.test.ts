import { test as baseTest, after } from 'node:test';

const test = (name: string, fn: () => Promise<void>) => baseTest(name, { timeout: 30_000 }, fn);
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { writeFile, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { startDaemon, makeTempDir, type DaemonProcess } from '../helpers/daemon.js';

const daemons: DaemonProcess[] = [];
/** Empty overrides, so the ports in the test's config file are the ones validated. */
const FILE_PORTS = { VOICEHUB_HTTP_PORT: '', VOICEHUB_MQTT_PORT: '', VOICEHUB_LOG_LEVEL: '' };
after(async () => { await Promise.all(daemons.map((d) => d.cleanup())); });
async function start(...args: Parameters<typeof startDaemon>): Promise<DaemonProcess> {
  const d = await startDaemon(...args);
  daemons.push(d);
  return d;
}

test('starts on embedded defaults with no config and answers /health with a real db probe', async () => {
  const d = await start();
  assert.ok(d.httpPort > 0, 'listening names the real http port');
  const res = await fetch(`${d.url}/health`);
  assert.equal(res.status, 200);
  const body = await res.json() as { status: string; checks: { db: { ok: boolean; ms: number } }; system: Record<string, unknown> };
  assert.equal(body.status, 'ok');
  assert.equal(body.checks.db.ok, true);
  assert.equal(typeof body.checks.db.ms, 'number');
  for (const key of ['cpuTempC', 'load1', 'memFreeMB', 'diskFreeMB', 'uptimeS']) assert.ok(key in body.system, `system.${key}`);
  assert.ok(res.headers.get('x-trace-id'), 'every answer carries a trace id');
  const dataDir = await stat(join(d.dir, 'data'));
  assert.equal(dataDir.mode & 0o777, 0o700, 'data dir is private');
});

test('/metrics is Prometheus text with voicehub_ names and event-loop delay; unknown paths 404, other methods 405', async () => {
  const d = await start();
  const metrics = await fetch(`${d.url}/metrics`);
  assert.equal(metrics.status, 200);
  assert.match(metrics.headers.get('content-type') ?? '', /text\/plain/);
  const text = await metrics.text();
  assert.match(text, /^voicehub_process_resident_memory_bytes /m);
  assert.match(text, /^voicehub_nodejs_eventloop_lag_p99_seconds /m);
  const missing = await fetch(`${d.url}/nope`);
  assert.equal(missing.status, 404);
  assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
  const post = await fetch(`${d.url}/health`, { method: 'POST' });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get('allow'), 'GET');
});

test('SIGTERM stops the hub and exits 0', async () => {
  const d = await start();
  const { code } = await d.stop('SIGTERM');
  assert.equal(code, 0);
  assert.ok(d.lines.some((l) => l.msg === 'stopped'));
});

test('SIGINT exits 0 too', async () => {
  const d = await start();
  assert.equal((await d.stop('SIGINT')).code, 0);
});

for (const [name, config, expected] of [
  ['a non-integer port', 'http:\n  port: seventy\n', /http\.port: "seventy" is not an integer 0–65535/],
  ['an unknown key, with a suggestion', 'http:\n  prot: 80\n', /http\.prot: unknown key \(did you mean "port"\?\)/],
  ['broken YAML', 'http: [port: 1\n', /YAML/],
  ['a wrong enum value', 'log:\n  level: loud\n', /log\.level: "loud" is not/],
  ['a top-level list', '- 1\n- 2\n', /top level must be a mapping/],
  ['a rate-limit exemption that is not an address', 'http:\n  rateLimit:\n    exempt: [localhost]\n', /http\.rateLimit\.exempt\[0\]: "localhost" is not an IP address/],
] as const) {
  test(`config with ${name} exits 2 with one line naming the key`, async () => {
    const d = await start({ config, noWait: true, env: FILE_PORTS });
    const { code } = await d.exited();
    assert.equal(code, 2);
    assert.match(d.stderr, expected);
    assert.equal(d.stderr.trim().split('\n').length, 1, d.stderr);
  });
}

test('every config problem is reported at once', async () => {
  const d = await start({ config: 'http:\n  port: -1\nmqtt:\n  port: x\nvoice:\n  sessionQueue: true\n', noWait: true, env: FILE_PORTS });
  assert.equal((await d.exited()).code, 2);
  assert.match(d.stderr, /http\.port/);
  assert.match(d.stderr, /mqtt\.port/);
  assert.match(d.stderr, /voice\.sessionQueue/);
});

test('a bad env override names the variable', async () => {
  const d = await start({ env: { VOICEHUB_HTTP_PORT: 'abc' }, noWait: true });
  assert.equal((await d.exited()).code, 2);
  assert.match(d.stderr, /http\.port \(from VOICEHUB_HTTP_PORT\): "abc" is not an integer/);
});

test('a missing --config file exits 2', async () => {
  const dir = await makeTempDir();
  const d = await start({ dir, args: ['start', '--config', join(dir, 'missing.yaml')], noWait: true });
  assert.equal((await d.exited()).code, 2);
  assert.match(d.stderr, /missing\.yaml: does not exist/);
});

test('a port in use exits 1 naming the port and the key to change', async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as { port: number }).port;
  try {
    const d = await start({ env: { VOICEHUB_HTTP_PORT: String(port) }, noWait: true });
    assert.equal((await d.exited()).code, 1);
    assert.match(d.stderr, new RegExp(`http port ${port} .*in use.*VOICEHUB_HTTP_PORT`));
    assert.match(d.stderr, /PORT_IN_USE/);
  } finally {
    blocker.close();
  }
});

test('a data dir that cannot be created exits 1 with the cause', async () => {
  const dir = await makeTempDir();
  await writeFile(join(dir, 'a-file'), 'x');
  const d = await start({ dir, env: { VOICEHUB_DATA_DIR: join(dir, 'a-file', 'data') }, noWait: true });
  assert.equal((await d.exited()).code, 1);
  assert.match(d.stderr, /data dir .* cannot be used \(ENOTDIR\)/);
});

test('a corrupt db file on start is recovered, moved aside and reported, never a crash', async () => {
  const dir = await makeTempDir();
  await mkdir(join(dir, 'data'), { recursive: true });
  await writeFile(join(dir, 'data', 'devices.json'), '{"devices": {"a": ');
  await writeFile(join(dir, 'data', 'devices.json.bak'), '{"devices":{}}');
  const d = await start({ dir });
  const res = await fetch(`${d.url}/health`);
  assert.equal(res.status, 200);
  assert.equal(d.child.exitCode, null, 'still running');
});
