import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultBuiltinDir } from '../../daemon/plugins/discovery.js';
import { call, engineFor, hostFor, makeContext, request } from '../unit/plugins/harness.js';

const builtins = { builtinDir: defaultBuiltinDir() };

async function forecastServer(): Promise<{ server: Server; url: string; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ current: { temperature_2m: 21.4, weather_code: 2 } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/forecast`, seen };
}

const weatherGrant = (url: string) => ({ 'com.example.weather': { grant: ['geo:read', 'cloud:request'], config: { url } } });

test('the system plugin answers the engine\'s HubStatus from the health sampler, in English and Chinese', async (t) => {
  const h = await makeContext({});
  const { adapter } = engineFor();
  const host = hostFor(h, builtins, { intents: adapter });
  t.after(async () => { await host.stop(); await h.close(); });
  await host.start();
  const en = await host.handleIntent(request('HubStatus', {}, 'how is the hub doing'), call());
  assert.equal(en.pluginId, 'voicehub.system');
  assert.equal(en.reply.text, 'The hub is doing fine: CPU at 48 °C, load 0.42, 512 MB memory free, up 1 day 2 hours.');
  const zh = await host.handleIntent(request('HubStatus', {}, '系统状态怎么样', 'zh'), call());
  assert.equal(zh.reply.text, '主机运行正常：CPU温度48°C，负载0.42，可用内存512MB，已运行1天2小时。');
  // The engine's sentences for it, in both languages.
  assert.equal(adapter.match('how is the hub doing', { lang: 'en' })?.intent, 'HubStatus');
  assert.equal(adapter.match('系统状态怎么样', { lang: 'zh' })?.intent, 'HubStatus');
});

test('the weather example, once granted, asks the forecast service for the configured location', async (t) => {
  const { server, url, seen } = await forecastServer();
  const h = await makeContext({ location: { latitude: 52.52, longitude: 13.41 }, plugins: weatherGrant(url) });
  const host = hostFor(h, builtins);
  t.after(async () => { await host.stop(); await h.close(); server.close(); });
  await host.start();
  const en = await host.handleIntent(request('HassGetWeather', {}, "what's the weather like"), call());
  assert.equal(en.pluginId, 'com.example.weather');
  assert.equal(en.reply.text, 'It is partly cloudy and 21 °C.');
  const zh = await host.handleIntent(request('HassGetWeather', {}, '今天天气怎么样', 'zh'), call());
  assert.equal(zh.reply.text, '现在多云，气温21°C。');
  assert.match(seen[0]!, /^\/v1\/forecast\?latitude=52\.52&longitude=13\.41&current=/);
});

test('the weather example says plainly when it has no location or no internet', async (t) => {
  const { server, url } = await forecastServer();
  await new Promise<void>((resolve) => server.close(() => resolve())); // nothing listens there any more
  const noLocation = await makeContext({ plugins: weatherGrant(url) });
  const host1 = hostFor(noLocation, builtins);
  t.after(async () => { await host1.stop(); await noLocation.close(); });
  await host1.start();
  const r1 = await host1.handleIntent(request('HassGetWeather'), call());
  assert.equal(r1.reply.data?.reason, 'no_location');
  assert.match(r1.reply.text, /location\.latitude/);

  const offline = await makeContext({ location: { latitude: 1, longitude: 2 }, plugins: weatherGrant(url) });
  const host2 = hostFor(offline, builtins);
  t.after(async () => { await host2.stop(); await offline.close(); });
  await host2.start();
  const r2 = await host2.handleIntent(request('HassGetWeather'), call());
  assert.equal(r2.reply.data?.reason, 'no_internet');
  assert.equal(r2.reply.text, 'I cannot get the weather right now: the hub needs internet for that.');

  // A path goes through the hub's cloud, and there is none configured.
  const noCloud = await makeContext({ location: { latitude: 1, longitude: 2 }, plugins: weatherGrant('/weather') });
  const host3 = hostFor(noCloud, builtins);
  t.after(async () => { await host3.stop(); await noCloud.close(); });
  await host3.start();
  assert.equal((await host3.handleIntent(request('HassGetWeather', {}, '天气', 'zh'), call())).reply.text, '现在查不到天气：这需要主机能连上互联网。');
});
