import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDaemon, runCli, makeTempDir, SHIPPED_NODE_FLAGS, type DaemonProcess } from '../helpers/daemon.js';
import { VoiceClient } from '../helpers/voiceClient.js';
import { connectAsync, type MqttClient } from 'mqtt';
import { until } from '../helpers/until.js';

/**
 * Issue 11, plugin containment: each finding's reproduction, against the shipped bundle (dist/bundle/cli.js)
 * in a temp dir, with hostile plugins written into a temp `plugins.dir`.
 */

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

async function hub(config: string, dir?: string): Promise<DaemonProcess> {
  const d = await startDaemon({ config, dir: dir ?? await makeTempDir('voicehub-attack-plugins-') });
  cleanups.push(() => d.cleanup());
  return d;
}

async function token(d: DaemonProcess, scope: string): Promise<string> {
  const r = await runCli(['token', 'create', '--sub', `attacker-${scope}`, '--scope', scope], { cwd: d.dir, env: { VOICEHUB_DATA_DIR: join(d.dir, 'data') } });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

async function voice(d: DaemonProcess, scope = 'voice'): Promise<VoiceClient> {
  const c = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, await token(d, scope));
  cleanups.push(() => c.close());
  return c;
}

async function forecastServer(): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ current: { temperature_2m: 17.25, weather_code: 0 } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/forecast`, seen };
}

test('finding 18: a cloud:request plugin reaches its server through the shipped bundle (undici Pool from the bundled chunk)', { timeout: 60_000 }, async () => {
  const { url, seen } = await forecastServer();
  const d = await hub([
    'location: { latitude: 52.52, longitude: 13.41, timezone: Europe/Berlin }',
    'plugins:',
    `  com.example.weather: { grant: [geo:read, cloud:request], config: { url: "${url}" } }`,
  ].join('\n'));
  const c = await voice(d);
  const reply = await c.say('w1', "what's the weather like");
  assert.equal(reply.type, 'reply', JSON.stringify(reply));
  assert.match(String(reply.text), /17 °C/);
  assert.equal(seen.length, 1);
  assert.match(seen[0]!, /latitude=52\.52&longitude=13\.41/);
  assert.equal(d.lines.some((l) => /not a constructor/.test(JSON.stringify(l))), false);
});

test('finding 18 with isolation: process: the weather plugin in its own process makes the request through the hub', { timeout: 60_000 }, async () => {
  const { url, seen } = await forecastServer();
  const d = await hub([
    'location: { latitude: 48.85, longitude: 2.35 }',
    'plugins:',
    `  com.example.weather: { grant: [geo:read, cloud:request], isolation: process, config: { url: "${url}" } }`,
  ].join('\n'));
  const c = await voice(d);
  const reply = await c.say('w2', 'how is the weather today');
  assert.equal(reply.type, 'reply', JSON.stringify(reply));
  assert.match(String(reply.text), /17 °C/);
  assert.match(seen[0] ?? '', /latitude=48\.85&longitude=2\.35/);
  assert.ok(d.lines.some((l) => l.plugin === 'com.example.weather' && l.msg === 'plugin process started (isolation: process)'));
});

/** Writes a single-file plugin and its manifest file into `dir`. */
async function plugin(dir: string, file: string, manifest: Record<string, unknown>, source: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, file), source);
  await writeFile(join(dir, file.replace(/\.m?js$/, '.voicehub.json')), JSON.stringify({ capabilities: [], requiredScopes: [], version: '1.0.0', ...manifest }));
}

test('finding 3: an ungranted or disabled plugin\'s code never runs (start and plugins list); a voice token still gets 403', { timeout: 60_000 }, async () => {
  const dir = await makeTempDir('voicehub-attack-plugins-');
  const plugins = join(dir, 'plugins');
  const marker = (name: string) => join(dir, `${name}.ran`);
  // Top level: leaves a marker and makes every includes() true, which would open admin-only routes.
  const patcher = (name: string) => `import { writeFileSync } from 'node:fs';
writeFileSync(${JSON.stringify(marker(name))}, 'ran');
Array.prototype.includes = function () { return true; };
export function onRegister() {}
`;
  await plugin(plugins, 'ungranted.mjs', { id: 'com.attack.ungranted', requiredScopes: ['devices:read'] }, patcher('ungranted'));
  await plugin(plugins, 'disabled.mjs', { id: 'com.attack.disabled' }, patcher('disabled'));
  const config = ['plugins:', `  dir: ${JSON.stringify(plugins)}`, '  com.attack.disabled: { enabled: false }'].join('\n');
  await writeFile(join(dir, 'voicehub.yaml'), config);
  const listed = await runCli(['plugins', 'list', '--json', '--config', join(dir, 'voicehub.yaml')], { cwd: dir, env: { VOICEHUB_DATA_DIR: join(dir, 'data') } });
  assert.equal(listed.code, 0, listed.stderr);
  const states = Object.fromEntries((JSON.parse(listed.stdout) as { plugins: Array<{ id: string; state: string }> }).plugins.map((p) => [p.id, p.state]));
  assert.equal(states['com.attack.ungranted'], 'waiting-for-grant');
  assert.equal(states['com.attack.disabled'], 'disabled');
  const d = await hub(config, dir);
  const voiceToken = await token(d, 'voice');
  for (const path of ['/api/plugins', '/api/devices']) {
    const res = await fetch(`${d.url}${path}`, { headers: { authorization: `Bearer ${voiceToken}` } });
    assert.equal(res.status, 403, `${path} with a voice-only token`);
  }
  const health = await (await fetch(`${d.url}/health`)).json() as { checks: { plugins: { plugins: Record<string, { state: string }> } } };
  assert.equal(health.checks.plugins.plugins['com.attack.ungranted']?.state, 'waiting-for-grant');
  for (const name of ['ungranted', 'disabled']) {
    await assert.rejects(readFile(marker(name)), { code: 'ENOENT' }, `${name}'s top level ran`);
  }
});

const EXIT_PLUGIN = `export function onRegister(api) {
  api.intents.addSentences({ lang: 'en', intent: 'ExitNow', sentences: ['leave the hub now'] });
  api.intents.handle('ExitNow', () => { process.exit(0); return { text: 'still here' }; });
}
`;

test('finding 5: process.exit(0) in an in-process plugin is refused and logged; the hub keeps serving', { timeout: 60_000 }, async () => {
  const dir = await makeTempDir('voicehub-attack-plugins-');
  const plugins = join(dir, 'plugins');
  await plugin(plugins, 'exiter.mjs', { id: 'com.attack.exiter', intents: ['ExitNow'] }, EXIT_PLUGIN);
  await plugin(plugins, 'exit-on-import.mjs', { id: 'com.attack.exitonimport' }, 'process.exit(0);\nexport function onRegister() {}\n');
  // The subject is the in-process exit guard: these plugins opt out of the default process isolation.
  const d = await hub(['plugins:', `  dir: ${JSON.stringify(plugins)}`, '  isolation: none'].join('\n'), dir);
  const c = await voice(d);
  const reply = await c.say('x1', 'leave the hub now');
  assert.equal(reply.type, 'error', JSON.stringify(reply));
  assert.equal(reply.code, 'PLUGIN_FAILED');
  await d.waitForLine((l) => /called process\.exit\(0\)/.test(l.msg) && l.plugin === 'com.attack.exiter');
  // Still serving: the voice socket answers and /health lists the plugin that exited on import as failed.
  c.send({ type: 'ping' });
  await c.waitFor((f) => f.type === 'pong');
  const health = await (await fetch(`${d.url}/health`)).json() as { checks: { plugins: { plugins: Record<string, { state: string; reason?: string }> } } };
  assert.equal(health.checks.plugins.plugins['com.attack.exitonimport']?.state, 'failed');
  assert.match(health.checks.plugins.plugins['com.attack.exitonimport']?.reason ?? '', /process\.exit/);
  assert.equal(d.child.exitCode, null, 'the hub is still running');
});

test('finding 5: process.exit(0) from an in-process plugin\'s own raw timer (outside any hub call) is logged and exits non-zero', { timeout: 60_000 }, async () => {
  const dir = await makeTempDir('voicehub-attack-plugins-');
  const plugins = join(dir, 'plugins');
  await plugin(plugins, 'late-exit.mjs', { id: 'com.attack.lateexit' }, 'export function onStart() { setTimeout(() => process.exit(0), 200); }\n');
  // The subject is an in-process plugin (isolated, its exit is a restart: the finding 4 tests below).
  // Not waiting for `listening`: on a loaded machine the plugin's 200 ms can end the hub before it says so.
  const d = await startDaemon({ config: ['plugins:', `  dir: ${JSON.stringify(plugins)}`, '  isolation: none'].join('\n'), dir, noWait: true });
  cleanups.push(() => d.cleanup());
  const { code } = await d.exited();
  // systemd's Restart=on-failure restarts it; the log says which plugin and why.
  assert.equal(code, 1);
  assert.ok(d.lines.some((l) => l.plugin === 'com.attack.lateexit' && /called process\.exit\(0\)/.test(l.msg)), 'the plugin is named');
  assert.ok(d.lines.some((l) => l.level === 'fatal' || (l.level as unknown) === 60), 'a fatal line before the exit');
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('finding 6: a top-level await that never settles fails its plugin after plugins.timeoutMs; /health says starting (503) until then', { timeout: 90_000 }, async () => {
  const dir = await makeTempDir('voicehub-attack-plugins-');
  const plugins = join(dir, 'plugins');
  await plugin(plugins, 'forever.mjs', { id: 'com.attack.forever' }, 'await new Promise(() => {});\nexport function onRegister() {}\n');
  // The subject is the in-process import timeout (isolated, the import runs in the child within onRegister's timeout).
  await writeFile(join(dir, 'voicehub.yaml'), ['plugins:', `  dir: ${JSON.stringify(plugins)}`, '  timeoutMs: 8000', '  isolation: none'].join('\n'));
  const port = await freePort();
  const d = await startDaemon({ dir, args: ['start', '--config', join(dir, 'voicehub.yaml')], env: { VOICEHUB_HTTP_PORT: String(port) }, noWait: true });
  cleanups.push(() => d.cleanup());
  // Ask /health until it answers: HTTP listens before the plugins start, so it sees the hub starting.
  let early: { status: number; body: { status: string } } | null = null;
  for (const end = Date.now() + 60_000; !early;) {
    const res = await fetch(`http://127.0.0.1:${port}/health`).catch(() => null);
    if (res) early = { status: res.status, body: await res.json() as { status: string } };
    else if (Date.now() > end) throw new Error('/health never answered');
    else await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const listening = await d.waitForLine((l) => l.msg === 'listening', 60_000);
  assert.equal(listening.http, port);
  assert.equal(early.body.status, 'starting');
  assert.equal(early.status, 503);
  const res = await fetch(`http://127.0.0.1:${port}/health`);
  const health = await res.json() as { status: string; checks: { plugins: { plugins: Record<string, { state: string; reason?: string }> } } };
  assert.notEqual(health.status, 'starting');
  assert.equal(health.checks.plugins.plugins['com.attack.forever']?.state, 'failed');
  assert.match(health.checks.plugins.plugins['com.attack.forever']?.reason ?? '', /did not finish importing within 8000 ms/);
});

const PROBE_PLUGIN = `import { readFileSync, writeFileSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
const attempt = (fn) => { try { fn(); return 'ALLOWED'; } catch (e) { return e.code ?? e.message; } };
export function onRegister(api) {
  api.intents.addSentences({ lang: 'en', intent: 'Probe', sentences: ['probe the hub'] });
  api.intents.addSentences({ lang: 'en', intent: 'Quit', sentences: ['quit the hub'] });
  api.intents.handle('Probe', async () => ({ text: [
    'key=' + attempt(() => readFileSync(api.config.keyPath)),
    'write=' + attempt(() => writeFileSync(api.config.keyPath + '.stolen', 'x')),
    'spawn=' + attempt(() => execSync('id')),
    'worker=' + attempt(() => new Worker('1', { eval: true })),
    'devices=' + Array.isArray(api.devices.list()),
    'control=' + await api.devices.command('kitchen', { command: 'turn_on' }).then(() => 'ALLOWED', (e) => e.code),
    'pid=' + process.pid,
  ].join(' ') }));
  api.intents.handle('Quit', () => { process.exit(0); });
}
`;

test('finding 4: an isolated plugin granted devices:read cannot read the signing key, write, spawn or start a worker; its process.exit is a restart', { timeout: 90_000 }, async () => {
  const dir = await makeTempDir('voicehub-attack-plugins-');
  const plugins = join(dir, 'plugins');
  const keyPath = join(dir, 'data', 'signing-key.json');
  await plugin(plugins, 'prober.mjs', { id: 'com.attack.prober', requiredScopes: ['devices:read'], intents: ['Probe', 'Quit'] }, PROBE_PLUGIN);
  const d = await hub(['plugins:', `  dir: ${JSON.stringify(plugins)}`,
    `  com.attack.prober: { grant: [devices:read], isolation: process, config: { keyPath: ${JSON.stringify(keyPath)} } }`].join('\n'), dir);
  await readFile(keyPath); // the key the plugin is after exists
  const c = await voice(d);
  const probe = await c.say('p1', 'probe the hub');
  assert.equal(probe.type, 'reply', JSON.stringify(probe));
  const text = String(probe.text);
  assert.match(text, /key=ERR_ACCESS_DENIED/);
  assert.match(text, /write=ERR_ACCESS_DENIED/);
  assert.match(text, /spawn=ERR_ACCESS_DENIED/);
  assert.match(text, /worker=ERR_ACCESS_DENIED/);
  assert.match(text, /devices=true/);
  assert.match(text, /control=PLUGIN_SCOPE_DENIED/, 'devices:control was not granted');
  const pid = Number(/pid=(\d+)/.exec(text)?.[1]);
  assert.notEqual(pid, d.child.pid, 'the plugin runs in a process of its own');
  await assert.rejects(readFile(`${keyPath}.stolen`), { code: 'ENOENT' });

  // process.exit(0) in the plugin: the call fails, the plugin's process is restarted, the hub serves on.
  const quit = await c.say('q1', 'quit the hub');
  assert.equal(quit.type, 'error', JSON.stringify(quit));
  assert.equal(quit.code, 'PLUGIN_FAILED');
  await d.waitForLine((l) => l.plugin === 'com.attack.prober' && /plugin process exited \(0\); restarting/.test(l.msg));
  await d.waitForLine((l) => l.plugin === 'com.attack.prober' && l.msg === 'plugin process restarted', 30_000);
  const again = await c.say('p2', 'probe the hub');
  assert.equal(again.type, 'reply', JSON.stringify(again));
  assert.notEqual(Number(/pid=(\d+)/.exec(String(again.text))?.[1]), pid, 'a new process answers');
  const metrics = await (await fetch(`${d.url}/metrics`)).text();
  assert.match(metrics, /voicehub_plugin_restarts_total\{plugin="com.attack.prober"\} 1/);
  assert.equal(d.child.exitCode, null);
});

test('finding 4: an isolated plugin stuck in a synchronous loop times out, is killed and restarted; the hub never stalls', { timeout: 90_000 }, async () => {
  const dir = await makeTempDir('voicehub-attack-plugins-');
  const plugins = join(dir, 'plugins');
  await plugin(plugins, 'spinner.mjs', { id: 'com.attack.spinner', intents: ['Spin', 'Hello'] }, `export function onRegister(api) {
  api.intents.addSentences({ lang: 'en', intent: 'Spin', sentences: ['spin forever'] });
  api.intents.addSentences({ lang: 'en', intent: 'Hello', sentences: ['say hello'] });
  api.intents.handle('Spin', () => { for (;;) {} });
  api.intents.handle('Hello', () => ({ text: 'hello from ' + process.pid }));
}
`);
  // The heartbeat's PLUGIN_STUCK stop and the CPU quota are off here (stuckMs: 0, percent: 0): this is the path left then, the
  // timed-out call's ping (the heartbeat is tested in test/integration/pluginsStuck.test.ts).
  const d = await hub(['plugins:', `  dir: ${JSON.stringify(plugins)}`, '  timeoutMs: 2000', '  com.attack.spinner: { isolation: process, cpuQuota: { percent: 0, stuckMs: 0 } }'].join('\n'), dir);
  const c = await voice(d);
  const spin = await c.say('s1', 'spin forever');
  assert.equal(spin.type, 'error', JSON.stringify(spin));
  assert.equal(spin.code, 'TIMEOUT');
  // The hub itself answered all along: a ping during the spin, /health after it.
  c.send({ type: 'ping' });
  await c.waitFor((f) => f.type === 'pong');
  await d.waitForLine((l) => l.plugin === 'com.attack.spinner' && /does not answer within 2000 ms/.test(l.msg), 30_000);
  await d.waitForLine((l) => l.plugin === 'com.attack.spinner' && l.msg === 'plugin process restarted', 30_000);
  const hello = await c.say('h1', 'say hello');
  assert.equal(hello.type, 'reply', JSON.stringify(hello));
  assert.match(String(hello.text), /^hello from \d+$/);
  assert.equal((await fetch(`${d.url}/health`)).status, 200);
});

// ---- Round 2: process isolation is the default for every plugin that is not one of the hub's built-ins. ----

test('finding 4, default config: a plugin from plugins.dir runs in its own process and cannot read the signing key, write, spawn or start a worker', { timeout: 90_000 }, async () => {
  const dir = await makeTempDir('voicehub-attack-plugins-');
  const plugins = join(dir, 'plugins');
  const keyPath = join(dir, 'data', 'signing-key.json');
  await plugin(plugins, 'prober.mjs', { id: 'com.attack.prober', requiredScopes: ['devices:read'], intents: ['Probe', 'Quit'] }, PROBE_PLUGIN);
  // No isolation key anywhere: the default decides.
  const d = await hub(['plugins:', `  dir: ${JSON.stringify(plugins)}`,
    `  com.attack.prober: { grant: [devices:read], config: { keyPath: ${JSON.stringify(keyPath)} } }`].join('\n'), dir);
  await readFile(keyPath);
  const c = await voice(d);
  const probe = await c.say('p1', 'probe the hub');
  assert.equal(probe.type, 'reply', JSON.stringify(probe));
  const text = String(probe.text);
  for (const what of ['key', 'write', 'spawn', 'worker']) assert.match(text, new RegExp(`${what}=ERR_ACCESS_DENIED`));
  assert.match(text, /control=PLUGIN_SCOPE_DENIED/);
  assert.notEqual(Number(/pid=(\d+)/.exec(text)?.[1]), d.child.pid, 'the plugin runs in a process of its own');
  const listed = await (await fetch(`${d.url}/api/plugins`, { headers: { authorization: `Bearer ${await token(d, 'admin')}` } })).json() as { plugins: Array<{ id: string; isolation: string }> };
  const isolation = Object.fromEntries(listed.plugins.map((p) => [p.id, p.isolation]));
  assert.equal(isolation['com.attack.prober'], 'process');
  assert.equal(isolation['voicehub.timers'], 'none', 'the hub\'s own built-ins stay in its process');
});

/** Every API method that needs the hub, used from an isolated plugin: cron, the hub's clock, resolve, shared replies, cloud abort. */
const FULL_API_PLUGIN = (url: string) => `export function onRegister(api) {
  api.intents.addSentences({ lang: 'en', intent: 'Full', sentences: ['check everything'] });
  api.intents.addSentences({ lang: 'en', intent: 'Abort', sentences: ['abort the request'] });
  api.intents.handle('Full', async () => {
    const targets = await api.devices.resolve({ intent: 'HassTurnOn', text: 'turn on the hall lamp', lang: 'en', slots: {} });
    let bad = 'none';
    try { api.schedule.cron('not a cron', () => {}); } catch (e) { bad = e.code; }
    return { text: [
      'resolved=' + targets.devices.map((d) => d.id).join(','),
      'reply=' + api.respond('turn_on', { target: targets.phrase }, 'en'),
      'now=' + (typeof api.schedule.now() === 'number'),
      'badcron=' + bad,
    ].join(' | ') };
  });
  api.intents.handle('Abort', async () => {
    const abort = new AbortController();
    const pending = api.cloud.request(${JSON.stringify(url)}, { signal: abort.signal });
    setTimeout(() => abort.abort(), 1500);
    try { await pending; return { text: 'finished' }; } catch (e) { return { text: 'aborted: ' + e.message }; }
  });
}
export function onStart(api) {
  api.schedule.cron('* * * * * *', () => api.log.info('cron fired'));
}
`;

test('isolated API: schedule.cron runs on the hub\'s clock, devices.resolve works for any request, respond has the shared replies, and aborting cloud.request cancels the hub\'s request', { timeout: 90_000 }, async () => {
  const closed: string[] = [];
  const server: Server = createServer((req) => { req.socket.once('close', () => closed.push(req.url ?? '')); }); // never answers
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slow`;
  const dir = await makeTempDir('voicehub-attack-plugins-');
  const plugins = join(dir, 'plugins');
  await plugin(plugins, 'full.mjs', { id: 'com.attack.full', requiredScopes: ['devices:read', 'schedule', 'cloud:request'], intents: ['Full', 'Abort'] }, FULL_API_PLUGIN(url));
  const d = await hub(['plugins:', `  dir: ${JSON.stringify(plugins)}`, '  timeoutMs: 20000',
    '  com.attack.full: { grant: [devices:read, schedule, cloud:request] }',
    'devices: [ { id: hall_lamp, name: Hall lamp, area: hall, type: light, commandTopic: hall/lamp/set, stateTopic: hall/lamp } ]'].join('\n'), dir);
  await d.waitForLine((l) => l.plugin === 'com.attack.full' && l.msg === 'cron fired', 30_000);
  const c = await voice(d);
  const full = await c.say('f1', 'check everything');
  assert.equal(full.type, 'reply', JSON.stringify(full));
  assert.equal(full.text, 'resolved=hall_lamp | reply=Turned on the hall lamp. | now=true | badcron=BAD_REQUEST');
  const aborted = await c.say('a1', 'abort the request');
  assert.equal(aborted.type, 'reply', JSON.stringify(aborted));
  assert.match(String(aborted.text), /^aborted: .*abort/i);
  // The hub's own request was cancelled (its connection closed), not left to run into plugins.timeoutMs.
  await until(() => (closed.includes('/slow') ? true : undefined), 'the hub\'s aborted request to close', 30_000);
});

const OVERSIZE_PLUGIN = `import { writeSync } from 'node:fs';
export function onRegister(api) {
  api.intents.addSentences({ lang: 'en', intent: 'Big', sentences: ['answer at length'] });
  api.intents.addSentences({ lang: 'en', intent: 'Raw', sentences: ['flood the channel'] });
  api.intents.addSentences({ lang: 'en', intent: 'Hoard', sentences: ['hoard memory'] });
  api.intents.addSentences({ lang: 'en', intent: 'Hi', sentences: ['say hi'] });
  api.intents.handle('Big', () => ({ text: 'x'.repeat(2 * 1024 * 1024) }));
  // Around the runner: a frame header that announces 1 GiB, written straight to the channel's fd.
  api.intents.handle('Raw', () => { const head = Buffer.alloc(4); head.writeUInt32BE(1 << 30); writeSync(3, head); return new Promise(() => {}); });
  // Buffers live outside the V8 heap and its cap: 8 x 32 MB, touched.
  api.intents.handle('Hoard', () => { globalThis.kept = []; for (let i = 0; i < 8; i++) globalThis.kept.push(Buffer.alloc(32 * 1024 * 1024, 1)); return new Promise(() => {}); });
  api.intents.handle('Hi', () => ({ text: 'hi from ' + process.pid }));
}
`;

test('finding 4, channel and memory caps: a 2 MiB reply fails PLUGIN_FAILED; a 1 GiB frame header or 256 MB of Buffers gets the plugin\'s process killed and restarted; the hub serves on', { timeout: 120_000 }, async () => {
  const dir = await makeTempDir('voicehub-attack-plugins-');
  const plugins = join(dir, 'plugins');
  await plugin(plugins, 'oversize.mjs', { id: 'com.attack.oversize', intents: ['Big', 'Raw', 'Hoard', 'Hi'] }, OVERSIZE_PLUGIN);
  // The hoard below fills 256 MB synchronously: on a loaded machine it can block its loop long enough for the
  // heartbeat to stop it as stuck (PLUGIN_STUCK) before the memory check does. This test is about the memory
  // check, so the heartbeat is off for it (stuckMs: 0).
  const d = await startDaemon({ config: ['plugins:', `  dir: ${JSON.stringify(plugins)}`, '  timeoutMs: 20000', '  com.attack.oversize: { cpuQuota: { stuckMs: 0 } }'].join('\n'), dir, nodeArgs: SHIPPED_NODE_FLAGS });
  cleanups.push(() => d.cleanup());
  const c = await voice(d);
  const big = await c.say('b1', 'answer at length');
  assert.equal(big.type, 'error', JSON.stringify(big).slice(0, 300));
  assert.equal(big.code, 'PLUGIN_FAILED');
  const first = await c.say('h1', 'say hi');
  assert.equal(first.type, 'reply', 'the plugin answers on after a refused reply');
  const pid = Number(/(\d+)$/.exec(String(first.text))?.[1]);

  const raw = await c.say('r1', 'flood the channel');
  assert.equal(raw.type, 'error', JSON.stringify(raw));
  assert.equal(raw.code, 'PLUGIN_FAILED');
  await d.waitForLine((l) => l.plugin === 'com.attack.oversize' && /broke its channel \(a message of 1073741824 bytes is larger than the channel's limit of 1048576 bytes\)/.test(l.msg));
  await d.waitForLine((l) => l.plugin === 'com.attack.oversize' && l.msg === 'plugin process restarted', 30_000);

  const hoard = await c.say('m1', 'hoard memory');
  assert.equal(hoard.type, 'error', JSON.stringify(hoard));
  assert.equal(hoard.code, 'PLUGIN_FAILED');
  const killed = await d.waitForLine((l) => l.plugin === 'com.attack.oversize' && /plugin process uses \d+ MB \(at most 160\); killing it/.test(l.msg), 30_000);
  assert.ok(Number(killed.rssMB) > 160);
  await d.waitForLine((l) => l.plugin === 'com.attack.oversize' && l.msg === 'plugin process restarted' && l !== d.lines.find((x) => x.msg === 'plugin process restarted'), 60_000);
  const again = await c.say('h2', 'say hi');
  assert.equal(again.type, 'reply', JSON.stringify(again));
  assert.notEqual(Number(/(\d+)$/.exec(String(again.text))?.[1]), pid);
  assert.equal(d.child.exitCode, null, 'the hub is still running');
});

/** A raw anonymous MQTT CONNECT from inside an isolated plugin (the network is not under Node 20's permission model). */
// Connects anonymously over loopback with raw MQTT 3.1.1 packets, then publishes `ON` (QoS 1) to the kitchen
// light's command topic: the route around devices:control. Answers what the broker did with each step.
const MQTT_PLUGIN = `import { connect } from 'node:net';
export function onRegister(api) {
  api.intents.addSentences({ lang: 'en', intent: 'Sneak', sentences: ['sneak onto the broker'] });
  api.intents.handle('Sneak', () => new Promise((resolve) => {
    let connack = null;
    const socket = connect(api.config.port, '127.0.0.1', () => {
      const id = Buffer.from('px');
      socket.write(Buffer.concat([Buffer.from([0x10, 12 + id.length, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 2, 0, 60, 0, id.length]), id]));
    });
    socket.on('data', (d) => {
      if (connack === null) {
        connack = d[3];
        if (connack !== 0) { socket.destroy(); return resolve({ text: 'connack=' + connack }); }
        const topic = Buffer.from('home/kitchen/set');
        const payload = Buffer.from('ON');
        socket.write(Buffer.concat([Buffer.from([0x32, 2 + topic.length + 2 + payload.length, 0, topic.length]), topic, Buffer.from([0, 1]), payload]));
        d = d.subarray(4);
      }
      if (d.length > 0 && d[0] === 0x40) { socket.destroy(); resolve({ text: 'connack=0 puback' }); }
    });
    socket.once('close', () => resolve({ text: 'connack=' + connack + ' closed' }));
    socket.once('error', (e) => resolve({ text: 'error=' + e.code }));
  }));
}
`;

const KITCHEN = 'devices:\n  - { id: kitchen_light, name: Kitchen light, area: kitchen, type: light, commandTopic: home/kitchen/set, stateTopic: home/kitchen }\n';

test('finding 4, MQTT: an isolated plugin granted only devices:read connects anonymously from loopback, but its publish to a device\'s command topic is refused and the device sees nothing; mqtt.anonymousFrom: [] refuses the connection (CONNACK 5)', { timeout: 120_000 }, async () => {
  const outcomes: string[] = [];
  for (const anonymousFrom of [null, '[]']) {
    const dir = await makeTempDir('voicehub-attack-plugins-');
    const plugins = join(dir, 'plugins');
    await plugin(plugins, 'sneak.mjs', { id: 'com.attack.sneak', requiredScopes: ['devices:read'], intents: ['Sneak'] }, MQTT_PLUGIN);
    const port = await freePort();
    const d = await startDaemon({ dir, env: { VOICEHUB_MQTT_PORT: String(port) }, config: [KITCHEN + `mqtt: { host: 127.0.0.1${anonymousFrom ? `, anonymousFrom: ${anonymousFrom}` : ''} }`,
      'plugins:', `  dir: ${JSON.stringify(plugins)}`, `  com.attack.sneak: { grant: [devices:read], config: { port: ${port} } }`].join('\n') });
    cleanups.push(() => d.cleanup());
    assert.equal(d.mqttPort, port);
    // The kitchen light, listening on its command topic (a user would be refused too under [], so it is
    // only there in the default run).
    const heard: string[] = [];
    let light: MqttClient | null = null;
    if (!anonymousFrom) {
      light = await connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'kitchen-light', reconnectPeriod: 0 });
      cleanups.push(() => light!.endAsync(true));
      light.on('message', (topic, payload) => heard.push(`${topic} ${payload.toString()}`));
      await light.subscribeAsync('home/kitchen/#', { qos: 1 });
    }
    const c = await voice(d);
    const reply = await c.say('s1', 'sneak onto the broker');
    assert.equal(reply.type, 'reply', JSON.stringify(reply));
    outcomes.push(String(reply.text));
    if (light) {
      await d.waitForLine((l) => /anonymous clients may not publish to a device's command topic/.test(String(l.msg)));
      // A round trip through the broker after the refusal: anything the plugin's publish delivered is in by now.
      const echoed = new Promise<void>((resolve) => light!.on('message', (topic) => { if (topic === 'home/kitchen') resolve(); }));
      await light.publishAsync('home/kitchen', 'OFF', { qos: 1 });
      await echoed;
      assert.deepEqual(heard, ['home/kitchen OFF'], 'the light heard no command');
      await light.endAsync(true);
    }
    await c.close();
    await d.stop();
  }
  // Decided and documented (README, trust model): anonymous loopback stays open, so that devices on the same
  // Pi (Zigbee2MQTT, Tasmota) keep connecting without a user, but it no longer commands known devices
  // (mqtt.anonymousCommands: false); an install with untrusted plugins may also set anonymousFrom: [].
  assert.deepEqual(outcomes, ['connack=0 closed', 'connack=5']);
});

// ---- Issue 18: a link in an isolated plugin's folder. ----

test('issue 18 finding: an isolated plugin whose folder links to the signing key is not started (PLUGIN_UNSAFE_LINK); a link inside its own folder is fine; the hub serves on', { timeout: 90_000 }, async () => {
  const dir = await makeTempDir('voicehub-attack-plugins-');
  const plugins = join(dir, 'plugins');
  const keyPath = join(dir, 'data', 'signing-key.json');
  // Node's permission model follows links: `--allow-fs-read=<plugin>/*` would hand it the key through this.
  const reader = (intent: string, sentence: string) => `import { readFileSync } from 'node:fs';
export function onRegister(api) {
  api.intents.addSentences({ lang: 'en', intent: '${intent}', sentences: ['${sentence}'] });
  api.intents.handle('${intent}', () => { try { return { text: 'got ' + readFileSync(new URL('./key.json', import.meta.url), 'utf8').length }; } catch (e) { return { text: 'denied ' + (e.code ?? e.message) }; } });
}
`;
  for (const [name, id, intent, sentence] of [['thief', 'com.attack.thief', 'Steal', 'steal the key'], ['honest', 'com.attack.honest', 'Own', 'read my own file']] as const) {
    await mkdir(join(plugins, name), { recursive: true });
    await writeFile(join(plugins, name, 'index.mjs'), reader(intent, sentence));
    await writeFile(join(plugins, name, 'voicehub.json'), JSON.stringify({ id, version: '1.0.0', capabilities: [], requiredScopes: [], intents: [intent] }));
  }
  await writeFile(join(plugins, 'honest', 'data.json'), '{"mine":true}');
  await symlink(join(plugins, 'honest', 'data.json'), join(plugins, 'honest', 'key.json')); // stays inside its folder
  // The key does not exist before the first start: a dangling link out is refused as well.
  await symlink(keyPath, join(plugins, 'thief', 'key.json'));
  // A single-file plugin may read the package.json beside it (Node reads it for the module type): a link there too.
  await writeFile(join(plugins, 'single.mjs'), 'export function onRegister() {}\n');
  await symlink(keyPath, join(plugins, 'package.json'));
  await writeFile(join(plugins, 'single.voicehub.json'), JSON.stringify({ id: 'com.attack.single', version: '1.0.0', capabilities: [], requiredScopes: [] }));
  const d = await hub(['plugins:', `  dir: ${JSON.stringify(plugins)}`].join('\n'), dir);
  await readFile(keyPath);
  const listed = await (await fetch(`${d.url}/api/plugins`, { headers: { authorization: `Bearer ${await token(d, 'admin')}` } })).json() as { plugins: Array<{ id: string; state: string; errorCode: string | null; reason?: string }> };
  const byId = Object.fromEntries(listed.plugins.map((p) => [p.id, p]));
  assert.equal(byId['com.attack.thief']?.state, 'failed', JSON.stringify(byId['com.attack.thief']));
  assert.equal(byId['com.attack.thief']?.errorCode, 'PLUGIN_UNSAFE_LINK', JSON.stringify(byId['com.attack.thief']));
  assert.match(byId['com.attack.thief']?.reason ?? '', /signing-key\.json, outside the plugin's folder/);
  assert.equal(byId['com.attack.single']?.errorCode, 'PLUGIN_UNSAFE_LINK');
  assert.notEqual(byId['com.attack.honest']?.state, 'failed', JSON.stringify(byId['com.attack.honest']));
  const c = await voice(d);
  const own = await c.say('o1', 'read my own file');
  assert.equal(own.type, 'reply', JSON.stringify(own));
  assert.equal(own.text, 'got 13', 'a link inside the plugin\'s folder still reads');
  const steal = await c.say('s1', 'steal the key');
  assert.equal(steal.type, 'error', 'the thief never ran, so nothing answers its sentence');
  assert.equal(d.child.exitCode, null);
});

// Around the runner, straight onto the channel's fd: well-framed messages whose fields cannot be turned into text.
const UNPRINTABLE_PLUGIN = `import { writeSync } from 'node:fs';
import { serialize } from 'node:v8';
const frame = (m) => { const body = serialize(m); const head = Buffer.alloc(4); head.writeUInt32BE(body.length); writeSync(3, Buffer.concat([head, body])); };
const bad = { toString: 0, valueOf: 0 };
export function onRegister(api) {
  api.intents.addSentences({ lang: 'en', intent: 'Log', sentences: ['log the unprintable'] });
  api.intents.addSentences({ lang: 'en', intent: 'Unhandled', sentences: ['report the unprintable'] });
  api.intents.addSentences({ lang: 'en', intent: 'Hi', sentences: ['say hi'] });
  api.intents.handle('Log', () => { frame({ t: 'log', level: 'warn', msg: bad, obj: {} }); return new Promise(() => {}); });
  api.intents.handle('Unhandled', () => { frame({ t: 'unhandled', message: bad }); return new Promise(() => {}); });
  api.intents.handle('Hi', () => ({ text: 'hi from ' + process.pid }));
}
`;

test('issue 18 finding: an isolated plugin writing a channel message whose text fields cannot be printed ({toString: 0}) has its process killed and restarted; it used to throw in the hub\'s channel reader and stop the whole hub', { timeout: 120_000 }, async () => {
  const dir = await makeTempDir('voicehub-attack-plugins-');
  const plugins = join(dir, 'plugins');
  await plugin(plugins, 'unprintable.mjs', { id: 'com.attack.unprintable', intents: ['Log', 'Unhandled', 'Hi'] }, UNPRINTABLE_PLUGIN);
  const d = await startDaemon({ config: ['plugins:', `  dir: ${JSON.stringify(plugins)}`, '  timeoutMs: 5000'].join('\n'), dir, nodeArgs: SHIPPED_NODE_FLAGS });
  cleanups.push(() => d.cleanup());
  const c = await voice(d);
  let restarts = 0;
  for (const [id, sentence] of [['l1', 'log the unprintable'], ['u1', 'report the unprintable']] as const) {
    const answer = await c.say(id, sentence);
    assert.equal(answer.type, 'error', JSON.stringify(answer));
    assert.equal(answer.code, 'PLUGIN_FAILED', JSON.stringify(answer));
    await until(() => (d.lines.filter((l) => l.plugin === 'com.attack.unprintable' && l.msg === 'plugin process restarted').length > restarts ? true : undefined), 'the plugin process restarted', 60_000);
    restarts++;
    assert.equal(d.child.exitCode, null, `the hub is still running after "${sentence}"; stderr: ${d.stderr.slice(-500)}`);
    const hi = await c.say(`h-${id}`, 'say hi');
    assert.equal(hi.type, 'reply', JSON.stringify(hi));
  }
  assert.ok(d.lines.some((l) => l.plugin === 'com.attack.unprintable' && /cannot handle/.test(l.msg)), 'the cause is logged');
  assert.ok(!d.lines.some((l) => l.level === 'fatal'), 'no fatal line');
});

// Through the runner's own channel socket (found among the process's handles, so frames never interleave with
// the runner's): in one call, messages the host logs or counts, far more than a plugin needs.
const FLOODING_PLUGIN = `import { serialize } from 'node:v8';
const channel = process._getActiveHandles().find((h) => h?._handle?.fd === 3);
const frame = (m) => { const body = serialize(m); const head = Buffer.alloc(4); head.writeUInt32BE(body.length); channel.write(Buffer.concat([head, body])); };
export function onRegister(api) {
  api.intents.addSentences({ lang: 'en', intent: 'Flood', sentences: ['flood the log'] });
  api.intents.addSentences({ lang: 'en', intent: 'Hi', sentences: ['say hi'] });
  api.intents.handle('Flood', () => {
    frame({ t: 'log', level: 'info', msg: 'forged', obj: { code: 'NOT_A_CODE', plugin: 'com.other', level: 60, subsystem: 'mqtt', note: 'kept' } });
    const big = { text: 'x'.repeat(500000) };
    // 3 MB: within the channel's burst of 4 MiB, so the reply behind them is not held past the call's 5 s by the
    // byte budget (1 MiB a second after it; test/faults/pluginChannel.test.ts floods past it).
    for (let i = 0; i < 6; i++) frame({ t: 'log', level: 'warn', msg: 'big ' + i, obj: big });
    for (let i = 0; i < 300; i++) frame({ t: 'unhandled', message: 'flood ' + i });
    for (let i = 0; i < 2000; i++) frame({ t: 'speak', target: null, text: 42 });
    return { text: 'flooded' };
  });
  // One more report, past the throttle's refill: the hub's line for it follows every line about the flood.
  api.intents.handle('Hi', () => { frame({ t: 'unhandled', message: 'marker' }); return { text: 'hi from ' + process.pid }; });
}
`;

test('issue 18 findings (channel fuzz): an isolated plugin flooding its channel with log lines carrying 500 KB of fields, unhandled-rejection reports and bad speak messages has the hub write a bounded log: fields left out past 2,000 characters, 10 reports then 1 a second, refusals within its 100 lines a second; fields naming the line\'s plugin, level, subsystem or an undocumented code are kept apart', { timeout: 120_000 }, async () => {
  const dir = await makeTempDir('voicehub-attack-plugins-');
  const plugins = join(dir, 'plugins');
  await plugin(plugins, 'flood.mjs', { id: 'com.attack.flood', intents: ['Flood', 'Hi'] }, FLOODING_PLUGIN);
  // Never paused, so the reports keep coming and 'say hi' still reaches it afterwards.
  const d = await hub(['plugins:', `  dir: ${JSON.stringify(plugins)}`, '  failuresBeforePause: 1000000'].join('\n'), dir);
  const c = await voice(d);
  const flood = await c.say('f1', 'flood the log');
  assert.equal(flood.type, 'reply', JSON.stringify(flood));
  // The hub's log is written asynchronously: a report a second later (the throttle lets one through) marks its end.
  await sleep(1100);
  const hi = await c.say('h1', 'say hi');
  assert.equal(hi.type, 'reply', JSON.stringify(hi));
  await d.waitForLine((l) => l.plugin === 'com.attack.flood' && l.what === 'unhandled rejection' && /marker/.test(l.msg));
  const own = d.lines.filter((l) => l.plugin === 'com.attack.flood');
  const raw = d.rawStdout.filter((l) => l.includes('com.attack.flood'));
  const longest = Math.max(...raw.map((l) => l.length));
  assert.ok(longest < 16_384, `the longest line about the plugin is ${longest} bytes (its fields were 500 KB)`);
  // Its fields cannot pose as the hub's: another plugin, a subsystem, a level, an undocumented code.
  const forged = d.lines.find((l) => l.msg === 'forged');
  assert.deepEqual(forged && { plugin: forged.plugin, level: forged.level, subsystem: forged.subsystem, code: forged.code, note: forged.note, fromPlugin: forged.fromPlugin },
    { plugin: 'com.attack.flood', level: 'info', subsystem: 'plugins', code: undefined, note: 'kept', fromPlugin: { code: 'NOT_A_CODE', plugin: 'com.other', level: 60, subsystem: 'mqtt' } });
  const big = own.filter((l) => /^big \d+$/.test(l.msg));
  assert.ok(big.length > 0 && big.every((l) => l.text === undefined && /left out/.test(String(l.fields))), JSON.stringify(big[0]).slice(0, 300));
  const reports = own.filter((l) => l.msg === 'unhandled rejection inside the plugin; counted as a failure').length;
  // Bounds that hold however slowly a loaded machine reads the flood (a few seconds' worth), far below the counts.
  assert.ok(reports >= 10 && reports <= 20, `${reports} of 300 unhandled-rejection reports logged`);
  assert.ok(own.filter((l) => l.what === 'unhandled rejection').length <= 20, 'each counted failure is a line too');
  const refused = own.filter((l) => /^speak refused/.test(l.msg)).length;
  assert.ok(refused <= 500, `${refused} of 2,000 speak refusals logged`);
  assert.equal(d.child.exitCode, null);
});

test('issue 18 finding (channel fuzz): an isolated plugin asking for timers a batch at a time (under the 64 API calls in flight) is refused past 256 of them: each was a timer and an entry in the hub for as long as it asked', { timeout: 120_000 }, async () => {
  const dir = await makeTempDir('voicehub-attack-plugins-');
  const plugins = join(dir, 'plugins');
  await plugin(plugins, 'timers.mjs', { id: 'com.attack.timers', intents: ['Hoard'], requiredScopes: ['schedule'] }, `export function onRegister(api) {
  api.intents.addSentences({ lang: 'en', intent: 'Hoard', sentences: ['hoard timers'] });
  api.intents.handle('Hoard', async () => {
    for (let batch = 0; batch < 30; batch++) {
      for (let i = 0; i < 10; i++) api.schedule.after(1e9, () => {});
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { text: 'hoarded' };
  });
}
`);
  const d = await hub(['plugins:', `  dir: ${JSON.stringify(plugins)}`, '  timeoutMs: 20000', '  com.attack.timers: { grant: [schedule] }'].join('\n'), dir);
  const c = await voice(d);
  const answer = await c.say('t1', 'hoard timers');
  assert.equal(answer.type, 'reply', JSON.stringify(answer));
  // (On a loaded machine a batch may also meet the cap on API calls in flight: refused too, with its own reason.)
  const refused = await d.waitForLine((l) => l.plugin === 'com.attack.timers' && /refused by the hub: too many timers/.test(l.msg));
  assert.equal(refused.msg, 'schedule.after refused by the hub: too many timers and cron jobs at once (at most 256 per plugin)');
  assert.equal(d.child.exitCode, null);
});

/** Chains api.schedule.after(0) for ever (each run arms the next); "how many loops <name>" says how many runs so far. */
const LOOP_PLUGIN = (name: string) => `let runs = 0;
export function onRegister(api) {
  const loop = () => { runs++; api.schedule.after(0, loop); };
  api.schedule.after(0, loop);
  api.intents.addSentences({ lang: 'en', intent: 'Loops${name}', sentences: ['how many loops ${name}'] });
  api.intents.handle('Loops${name}', () => ({ text: String(runs) }));
}
`;

test('issue 18 red team: a chain of api.schedule.after(0) (a tight timer loop) ends at the plugin\'s short-timer budget with SCHEDULE_TIMER_BUDGET, in process and isolated; the hub answers meanwhile', { timeout: 90_000 }, async () => {
  const dir = await makeTempDir('voicehub-attack-plugins-');
  const plugins = join(dir, 'plugins');
  await plugin(plugins, 'inproc.mjs', { id: 'com.attack.loopinproc', intents: ['Loopsalpha'], requiredScopes: ['schedule'] }, LOOP_PLUGIN('alpha'));
  await plugin(plugins, 'isolated.mjs', { id: 'com.attack.loopisolated', intents: ['Loopsbravo'], requiredScopes: ['schedule'] }, LOOP_PLUGIN('bravo'));
  const d = await hub(['plugins:', `  dir: ${JSON.stringify(plugins)}`, '  com.attack.loopinproc: { isolation: none, grant: [schedule] }', '  com.attack.loopisolated: { isolation: process, grant: [schedule] }'].join('\n'), dir);
  await d.waitForLine((l) => /SCHEDULE_TIMER_BUDGET|timers under 1000 ms a second/.test(JSON.stringify(l)) && l.plugin === 'com.attack.loopinproc');
  await d.waitForLine((l) => /timers under 1000 ms a second/.test(JSON.stringify(l)) && /loopisolated/.test(JSON.stringify(l)));
  const c = await voice(d);
  const count = async (name: string) => {
    const reply = await c.say(`n-${name}-${Date.now()}`, `how many loops ${name}`);
    assert.equal(reply.type, 'reply', JSON.stringify(reply));
    return Number((reply as { text?: string }).text);
  };
  const first = { alpha: await count('alpha'), bravo: await count('bravo') };
  await sleep(1500);
  const later = { alpha: await count('alpha'), bravo: await count('bravo') };
  // The burst (200) and what refilled while it ran (100 a second: on a loaded machine a slow chain runs longer before
  // it outruns the refill); before, the chain ran about a thousand times a second for ever.
  for (const name of ['alpha', 'bravo'] as const) {
    assert.ok(first[name] >= 200, `${name}: ${first[name]} runs before the budget ended the chain`);
    assert.equal(later[name], first[name], `${name}: the chain has ended`);
  }
  assert.equal(d.child.exitCode, null);
});
