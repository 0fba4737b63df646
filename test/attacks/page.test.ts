import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import WebSocket from 'ws';
import { makeTempDir, runCli, startDaemon, type DaemonProcess } from '../helpers/daemon.js';

/**
 * Issue 17, the page's routes as an attacker sees them, against the real daemon: pairing-code guessing,
 * hostile bodies, commands without the scope or with bad values, the log view without admin, the device
 * feed without devices:read, the floor list without a token, a floor not configured, and paths that try to
 * leave dist/page. One hub for the file.
 */
let hub: DaemonProcess;
let dir = '';
const CONFIG = `devices:
  - { id: hall_switch, name: Hall switch, type: switch, commandTopic: hall/switch/set, stateTopic: hall/switch }
floors:
  ground: { aliases: [downstairs], level: 0 }
`;

async function token(scope: string): Promise<string> {
  const r = await runCli(['token', 'create', '--sub', `attacker-${scope.replace(/\W/g, '')}`, '--scope', scope], { cwd: dir, env: { VOICEHUB_DATA_DIR: join(dir, 'data') } });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

async function post(path: string, body: string, bearer?: string): Promise<{ status: number; body: { error?: { code: string; reason?: string } } & Record<string, unknown> }> {
  const res = await fetch(`${hub.url}${path}`, { method: 'POST', body, headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
  return { status: res.status, body: await res.json() as never };
}

before(async () => {
  dir = await makeTempDir();
  hub = await startDaemon({ dir, config: CONFIG });
});
after(async () => { await hub?.cleanup(); });

test('guessing pairing codes is rate limited, and a limited address cannot use even the right code', async () => {
  const pair = await runCli(['pair'], { cwd: dir, env: { VOICEHUB_DATA_DIR: join(dir, 'data') } });
  const code = pair.stdout.trim();
  const wrong = code === '999999' ? '999998' : '999999';
  const answers: number[] = [];
  for (let i = 0; i < 8; i++) answers.push((await post('/api/pair', JSON.stringify({ code: wrong }))).status);
  assert.deepEqual(answers.slice(0, 5), [401, 401, 401, 401, 401]);
  assert.ok(answers.slice(5).every((s) => s === 429), answers.join(','));
  const right = await post('/api/pair', JSON.stringify({ code }));
  assert.equal(right.status, 429);
  assert.equal(right.body.error?.code, 'RATE_LIMITED');
});

test('hostile bodies are BAD_REQUEST, never a crash', async () => {
  const admin = await token('admin');
  for (const body of ['x'.repeat(5000), 'not json', '[1,2]', 'null', '{"device":{"__proto__":{}},"command":"toggle"}']) {
    const r = await post('/api/command', body, admin);
    assert.equal(r.status, 400, body.slice(0, 30));
    assert.equal(r.body.error?.code, 'BAD_REQUEST');
  }
  assert.equal((await fetch(`${hub.url}/health`)).status, 200, 'the hub goes on');
});

test('commands need devices:control and go through the device layer\'s own checks', async () => {
  const body = JSON.stringify({ device: 'hall_switch', command: 'turn_on' });
  assert.equal((await post('/api/command', body)).status, 401);
  assert.equal((await post('/api/command', body, 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.')).status, 401);
  const forbidden = await post('/api/command', body, await token('devices:read'));
  assert.equal(forbidden.status, 403);
  const control = await token('devices:control');
  const missing = await post('/api/command', JSON.stringify({ device: 'nope', command: 'turn_on' }), control);
  assert.deepEqual([missing.status, missing.body.error?.code], [404, 'DEVICE_NOT_FOUND']);
  const unsupported = await post('/api/command', JSON.stringify({ device: 'hall_switch', command: 'set_temperature', params: { temperature: 20 } }), control);
  assert.deepEqual([unsupported.status, unsupported.body.error?.code], [422, 'DEVICE_UNSUPPORTED']);
  const ok = await post('/api/command', body, control);
  assert.deepEqual([ok.status, ok.body.ok], [200, true]);
});

test('the log view is for admins only, and keeps no token', async () => {
  const voice = await token('voice');
  assert.equal((await fetch(`${hub.url}/api/logs`, { headers: { authorization: `Bearer ${voice}` } })).status, 403);
  const admin = await token('admin');
  const res = await fetch(`${hub.url}/api/logs?token=${admin}`);
  assert.equal(res.status, 200);
  const { lines } = await res.json() as { lines: string[] };
  assert.ok(lines.some((l) => l.includes('"listening"')), 'the hub\'s own lines are there');
  assert.ok(lines.length <= 200);
  assert.ok(lines.every((l) => !l.includes(admin) && !l.includes(voice)));
});

test('the device feed needs devices:read; a voice-only client gets FORBIDDEN and no devices', async () => {
  const refused = await new Promise<number>((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${hub.httpPort}/voice?feed=devices`, { headers: { authorization: 'Bearer not-a-token' } });
    ws.on('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); ws.terminate(); });
    ws.on('error', () => resolve(-1));
    ws.on('open', () => { resolve(101); ws.close(); });
  });
  assert.equal(refused, 401, 'a bad token is refused at the upgrade');
  const voice = await token('voice');
  const got: Array<{ type: string; code?: string }> = [];
  const ws = new WebSocket(`ws://127.0.0.1:${hub.httpPort}/voice?feed=devices`, { headers: { authorization: `Bearer ${voice}` } });
  ws.on('message', (data) => got.push(JSON.parse(String(data))));
  await new Promise((resolve) => ws.once('open', resolve));
  ws.send(JSON.stringify({ type: 'ping' }));
  for (let i = 0; i < 200 && !got.some((f) => f.type === 'pong'); i++) await new Promise((r) => setTimeout(r, 10));
  ws.close();
  assert.ok(got.some((f) => f.type === 'error' && f.code === 'FORBIDDEN'));
  assert.ok(!got.some((f) => f.type === 'devices'));
});

test('paths that try to leave dist/page are 404', async () => {
  for (const path of ['/assets/../../package.json', '/assets/%2e%2e/%2e%2e/package.json', '/assets/..%2f..%2fpackage.json', '/assets/']) {
    const res = await fetch(`${hub.url}${path}`);
    assert.notEqual(res.status, 200, path);
    assert.ok(!(await res.text()).includes('"devDependencies"'), path);
  }
});

test('the floor list needs devices:read; moving a device to a floor needs admin and a configured floor', async () => {
  assert.equal((await fetch(`${hub.url}/api/floors`)).status, 401);
  const voice = await fetch(`${hub.url}/api/floors`, { headers: { authorization: `Bearer ${await token('voice')}` } });
  assert.equal(voice.status, 403);
  const read = await fetch(`${hub.url}/api/floors`, { headers: { authorization: `Bearer ${await token('devices:read')}` } });
  assert.deepEqual(await read.json(), { floors: [{ id: 'ground', aliases: ['downstairs'], level: 0 }] });
  const patch = async (body: unknown, scope: string) => {
    const res = await fetch(`${hub.url}/api/devices/hall_switch`, {
      method: 'PATCH', body: JSON.stringify(body), headers: { 'content-type': 'application/json', authorization: `Bearer ${await token(scope)}` },
    });
    return { status: res.status, body: await res.json() as { error?: { reason?: string } } };
  };
  assert.equal((await patch({ floor: 'ground' }, 'devices:control devices:read')).status, 403);
  for (const floor of ['__proto__', 'constructor', 'toString', 'x'.repeat(65), ['ground'], { id: 'ground' }, '<img src=x>']) {
    const r = await patch({ floor }, 'admin');
    assert.equal(r.status, 400, JSON.stringify(floor));
    assert.equal(r.body.error?.reason, 'DEVICE_OVERRIDE_INVALID', JSON.stringify(floor));
  }
});
