import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startDaemon, runCli, makeTempDir, type DaemonProcess } from '../helpers/daemon.js';
import { VoiceClient } from '../helpers/voiceClient.js';

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
