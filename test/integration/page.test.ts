import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connectAsync, type MqttClient } from 'mqtt';
import type { Page } from 'playwright-core';
import { makeTempDir, runCli, startDaemon, type DaemonProcess } from '../helpers/daemon.js';
import { chromiumMissing, launchChromium } from '../helpers/browser.js';

/**
 * The hub's page in a real headless Chromium (Debian's package, driven by playwright-core) against the
 * daemon bundle, a real embedded broker and real MQTT device clients. One browser for the whole file; the
 * steps run in order on one page, as a new user would go: sign in with a pairing code, watch a device
 * appear, switch it, talk to the hub, lose the hub, get signed out by `keys rotate`.
 *
 * Set VOICEHUB_PAGE_SCREENSHOT=docs/page.png to write the README's screenshot from this same setup.
 */
const missing = await chromiumMissing();
const espeak = await promisify(execFile)('espeak-ng', ['--version']).then(() => true, () => false);

let dir = '';
let port = 0;
let hub: DaemonProcess;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
let device: MqttClient;
let wav = '';
let wavSeconds = 2;

/** Seconds of sound in a PCM WAV file (its data chunk's bytes over the byte rate in its fmt chunk). */
function wavDuration(file: Buffer): number {
  const byteRate = file.readUInt32LE(28);
  const data = file.indexOf('data', 12, 'latin1');
  return data < 0 || byteRate === 0 ? 2 : file.readUInt32LE(data + 4) / byteRate;
}
const sentFrames: Array<string | Buffer> = [];
const received: Array<{ topic: string; payload: string }> = [];

const CONFIG = `storage:
  flushIntervalMs: 50
areas:
  kitchen: { floor: Ground floor }
  hall: { floor: Ground floor }
  bedroom: { floor: First floor }
`;
/** Only for the README's screenshot: a few more kinds of device. */
const SCREENSHOT_DEVICES: Array<[string, Record<string, unknown>, Array<[string, string]>]> = [
  ['homeassistant/climate/bedroom/config', {
    name: null, uniq_id: 'bedroom_thermostat', temperature_command_topic: 'bedroom/trv/set', temperature_state_topic: 'bedroom/trv/target',
    current_temperature_topic: 'bedroom/trv/current', mode_command_topic: 'bedroom/trv/mode/set', modes: ['off', 'heat', 'auto'],
    dev: { ids: ['trv'], name: 'Bedroom thermostat', sa: 'Bedroom' },
  }, [['bedroom/trv/target', '20.5'], ['bedroom/trv/current', '19.0']]],
  ['homeassistant/cover/bedroom/config', {
    name: null, uniq_id: 'bedroom_blinds', cmd_t: 'bedroom/blinds/set', stat_t: 'bedroom/blinds/state', pos_t: 'bedroom/blinds/position',
    set_pos_t: 'bedroom/blinds/position/set', dev: { ids: ['blinds'], name: 'Bedroom blinds', sa: 'Bedroom' },
  }, [['bedroom/blinds/state', 'open'], ['bedroom/blinds/position', '60']]],
  ['homeassistant/sensor/hall/config', {
    name: null, uniq_id: 'hall_temperature', stat_t: 'hall/climate', unit_of_measurement: '°C', device_class: 'temperature',
    dev: { ids: ['hall-sensor'], name: 'Hall temperature', sa: 'Hall' },
  }, [['hall/climate', '21.3']]],
  ['homeassistant/light/bedroom_bulb/config', {
    name: null, uniq_id: 'bedroom_bulb', schema: 'json', cmd_t: 'bedroom/bulb/set', stat_t: 'bedroom/bulb/state', brightness: true,
    sup_clrm: ['rgb', 'color_temp'], dev: { ids: ['bedroom-bulb'], name: 'Bedside bulb', sa: 'Bedroom' },
  }, [['bedroom/bulb/state', JSON.stringify({ state: 'ON', brightness: 120, color_temp: 370 })]]],
  ['homeassistant/media_player/kitchen_speaker/config', {
    name: 'Kitchen speaker', unique_id: 'kitchen_speaker', state_state_topic: 'kitchen/speaker/state', state_volume_topic: 'kitchen/speaker/volume',
    state_title_topic: 'kitchen/speaker/title', command_play_topic: 'kitchen/speaker/play', command_pause_topic: 'kitchen/speaker/pause',
    command_next_topic: 'kitchen/speaker/next', command_previous_topic: 'kitchen/speaker/previous', command_volume_topic: 'kitchen/speaker/volume/set',
  }, [['kitchen/speaker/state', 'playing'], ['kitchen/speaker/volume', '0.35'], ['kitchen/speaker/title', 'Morning news']]],
  ['homeassistant/lock/front/config', {
    name: null, uniq_id: 'front_door', cmd_t: 'front/lock/set', stat_t: 'front/lock/state', dev: { ids: ['front-lock'], name: 'Front door', sa: 'Hall' },
  }, [['front/lock/state', 'LOCKED']]],
];
const HOSTILE = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>Kitchen light';
const KITCHEN_LIGHT = {
  '~': 'esphome/kitchen', name: null, uniq_id: 'kitchen_light_1', cmd_t: '~/light/set', stat_t: '~/light/state', schema: 'json', brightness: true,
  avty_t: '~/status', dev: { ids: ['esp-kitchen'], name: HOSTILE, sa: 'Kitchen' },
};
const HALL_LAMP = {
  name: null, uniq_id: 'hall_lamp', cmd_t: 'hall/lamp/set', stat_t: 'hall/lamp/state', avty_t: 'hall/lamp/status',
  dev: { ids: ['hall-lamp'], name: 'Hall lamp', sa: 'Hall' },
};

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

const startHub = (): Promise<DaemonProcess> => startDaemon({ dir, config: CONFIG, env: { VOICEHUB_HTTP_PORT: String(port) } });
const cli = (args: string[]) => runCli(args, { cwd: dir, env: { VOICEHUB_DATA_DIR: join(dir, 'data') } });

/** The next message the device client gets on `topic` after `since` messages. */
async function nextMessage(topic: string, since: number): Promise<string> {
  for (let i = 0; i < 500; i++) {
    const hit = received.slice(since).find((m) => m.topic === topic);
    if (hit) return hit.payload;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no message on ${topic}`);
}

before(async () => {
  if (missing) return;
  dir = await makeTempDir();
  port = await freePort();
  hub = await startHub();
  const extra: string[] = [];
  if (espeak) {
    wav = join(dir, 'command.wav');
    // The kitchen light is named by its area and kind, words the recogniser's grammar is sure of.
    await promisify(execFile)('espeak-ng', ['-w', wav, 'turn on the kitchen light']);
    // The fake microphone plays the file in a loop from when capture starts: quiet before and after the words
    // lets one hold of the button hear the whole command once, then silence (the hub's VAD ends it there).
    const padded = join(dir, 'padded.wav');
    const sox = await promisify(execFile)('sox', [wav, padded, 'pad', '0.3', '1.5']).then(() => true, () => false);
    if (sox) wav = padded;
    wavSeconds = wavDuration(await readFile(wav));
    extra.push('--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-audio-capture=${wav}`);
  }
  browser = await launchChromium(extra);
  await browser.context.grantPermissions(['microphone'], { origin: hub.url });
  page = browser.context.pages()[0] ?? await browser.context.newPage();
  page.on('websocket', (ws) => ws.on('framesent', (f) => sentFrames.push(f.payload)));
  if (process.env.VOICEHUB_PAGE_DEBUG) {
    page.on('console', (m) => console.log('page:', m.text()));
    page.on('websocket', (ws) => { console.log('ws open', ws.url().slice(0, 60)); ws.on('close', () => console.log('ws closed')); });
  }
  device = await connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, { reconnectPeriod: 0 });
  device.on('message', (topic, payload) => received.push({ topic, payload: payload.toString() }));
  await device.subscribeAsync(['esphome/kitchen/light/set', 'hall/lamp/set'], { qos: 1 });
});

after(async () => {
  await device?.endAsync().catch(() => {});
  await browser?.close();
  await hub?.cleanup();
});

test('GET / is the page, with a strict CSP, an ETag, gzip and immutable hashed assets', { skip: missing }, async () => {
  const res = await fetch(`${hub.url}/`, { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(res.status, 200);
  const csp = res.headers.get('content-security-policy') ?? '';
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
  assert.equal(res.headers.get('content-encoding'), 'gzip');
  assert.equal(res.headers.get('cache-control'), 'no-cache');
  const etag = res.headers.get('etag');
  assert.ok(etag);
  const html = await res.text();
  const again = await fetch(`${hub.url}/`, { headers: { 'if-none-match': etag } });
  assert.equal(again.status, 304);
  const script = /src="(\/assets\/app-[A-Z0-9]+\.js)"/.exec(html)?.[1];
  assert.ok(script, html);
  const asset = await fetch(`${hub.url}${script}`);
  assert.equal(asset.status, 200);
  assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
  assert.doesNotMatch(await asset.text(), /https?:\/\/(?!www\.w3\.org|localhost)[a-z0-9]/i, 'nothing is fetched from another origin');
});

test('sign in with a pairing code from `voicehub pair` (a wrong one is refused)', { skip: missing }, async () => {
  await page.goto(hub.url);
  await page.fill('#code', '000000');
  await page.click('form.pair button');
  await page.locator('.signin .error').waitFor();
  const pair = await cli(['pair']);
  assert.equal(pair.code, 0, pair.stderr);
  const code = pair.stdout.trim();
  assert.match(code, /^\d{6}$/);
  await page.fill('#code', code);
  await page.click('form.pair button');
  await page.locator('[data-status="live"]').waitFor();
  assert.ok(await page.evaluate("localStorage.getItem('voicehub.token')"), 'the token is kept in the browser');
  // The code was good once.
  const reuse = await fetch(`${hub.url}/api/pair`, { method: 'POST', body: JSON.stringify({ code }) });
  assert.equal(reuse.status, 401);
});

test('a device announced over MQTT discovery appears without reload, its hostile name shown as text', { skip: missing }, async () => {
  await device.publishAsync('homeassistant/light/kitchen/config', JSON.stringify(KITCHEN_LIGHT), { retain: true, qos: 1 });
  await device.publishAsync('esphome/kitchen/status', 'online', { qos: 1 });
  await device.publishAsync('esphome/kitchen/light/state', JSON.stringify({ state: 'OFF' }), { qos: 1 });
  const card = page.locator('article[data-device="kitchen_light_1"]');
  await card.waitFor();
  assert.equal(await card.locator('h4.name').textContent(), HOSTILE);
  assert.equal(await card.locator('img, script').count(), 0);
  assert.equal(await page.evaluate('window.__xss'), undefined);
  assert.equal(await page.locator('section.area[aria-label="Kitchen"]').count(), 1, 'grouped under its area');
  assert.equal(await page.locator('.floor', { has: page.locator('section.area[aria-label="Kitchen"]') }).locator('h3.floor-name').textContent(), 'Ground floor');
});

test('toggling it publishes the command at the device, and the state it reports back shows', { skip: missing }, async () => {
  const since = received.length;
  const toggle = page.locator('article[data-device="kitchen_light_1"] button.toggle');
  assert.equal(await toggle.getAttribute('aria-checked'), 'false');
  await toggle.click();
  const command = JSON.parse(await nextMessage('esphome/kitchen/light/set', since)) as { state: string };
  assert.equal(command.state, 'ON');
  await device.publishAsync('esphome/kitchen/light/state', JSON.stringify({ state: 'ON', brightness: 128 }), { qos: 1 });
  await page.locator('article[data-device="kitchen_light_1"] button.toggle[aria-checked="true"]').waitFor();
});

test('a typed command is answered with reply, intent and actions, and reaches the device', { skip: missing }, async () => {
  await device.publishAsync('homeassistant/switch/hall_lamp/config', JSON.stringify(HALL_LAMP), { retain: true, qos: 1 });
  await device.publishAsync('hall/lamp/status', 'online', { qos: 1 });
  await device.publishAsync('hall/lamp/state', 'OFF', { qos: 1 });
  await page.locator('article[data-device="hall_lamp"]').waitFor();
  const since = received.length;
  await page.fill('input[name="utterance"]', 'turn on the hall lamp');
  await page.click('form.ask button');
  await page.locator('.exchanges li .reply').first().waitFor();
  assert.equal(await page.locator('.exchanges li .intent').first().textContent(), 'HassTurnOn (voicehub.devices)');
  assert.match(await page.locator('.exchanges li .actions').first().textContent() ?? '', /hall_lamp: turn_on/);
  assert.equal(await nextMessage('hall/lamp/set', since), 'ON');
  if (process.env.VOICEHUB_PAGE_SCREENSHOT) {
    await device.publishAsync('hall/lamp/state', 'ON', { qos: 1 });
    await page.locator('article[data-device="hall_lamp"] button.toggle[aria-checked="true"]').waitFor();
    for (const [topic, config, states] of SCREENSHOT_DEVICES) {
      await device.publishAsync(topic, JSON.stringify(config), { retain: true, qos: 1 });
      for (const [t, v] of states) await device.publishAsync(t, v, { qos: 1 });
      await page.locator(`article[data-device="${String(config.uniq_id ?? config.unique_id)}"]`).waitFor();
    }
    await new Promise((r) => setTimeout(r, 300)); // the last state batch
    await page.screenshot({ path: process.env.VOICEHUB_PAGE_SCREENSHOT });
  }
});

test('a device that goes unavailable has its controls disabled, with the reason', { skip: missing }, async () => {
  await device.publishAsync('hall/lamp/status', 'offline', { qos: 1 });
  const card = page.locator('article[data-device="hall_lamp"]');
  await card.locator('button.toggle[disabled]').waitFor();
  await card.locator('.reason').waitFor();
  await device.publishAsync('hall/lamp/status', 'online', { qos: 1 });
  await card.locator('button.toggle:not([disabled])').waitFor();
});

test('hold to talk streams 16 kHz s16le audio frames from the fake microphone to the hub', { skip: missing || (!espeak && 'espeak-ng is not installed (apt-get install espeak-ng)') }, async (t) => {
  const from = sentFrames.length;
  const since = received.length;
  const talk = page.locator('button.talk');
  await talk.hover();
  await page.mouse.down();
  const binary = (): Buffer[] => sentFrames.slice(from).filter((f): f is Buffer => Buffer.isBuffer(f));
  // Held for the whole file (100 ms a frame), so the command is heard once from its start.
  const frames = Math.max(15, Math.ceil(wavSeconds * 10));
  for (let i = 0; i < 1000 && binary().length < frames; i++) await new Promise((r) => setTimeout(r, 20));
  await page.mouse.up();
  const texts = (): Array<{ type: string; id: string; rate?: number; format?: string }> => sentFrames.slice(from)
    .filter((f): f is string => typeof f === 'string').map((f) => JSON.parse(f) as { type: string; id: string; rate?: number; format?: string });
  const start = texts().find((f) => f.type === 'audio.start');
  assert.ok(start, 'audio.start was sent');
  assert.equal(start.rate, 16000);
  assert.equal(start.format, 's16le');
  // The hub answers a stream at its audio.end: an answer for this id means the whole stream reached it.
  await page.locator(`.exchanges li[data-id="${start.id}"] .error, .exchanges li[data-id="${start.id}"] .reply`).first().waitFor();
  assert.ok(texts().some((f) => f.type === 'audio.end' && f.id === start.id), 'audio.end closes the stream');
  const chunks = binary();
  assert.ok(chunks.length >= 15, `audio frames sent: ${chunks.length}`);
  for (const c of chunks) assert.ok(c.length % 2 === 0 && c.length <= 3200, `a chunk of ${c.length} bytes`);
  // The WAV is speech, not silence: the samples the worklet wrote carry energy.
  const pcm = Buffer.concat(chunks);
  if (process.env.VOICEHUB_PAGE_PCM) await import('node:fs/promises').then((fs) => fs.writeFile(process.env.VOICEHUB_PAGE_PCM!, pcm));
  let sum = 0;
  for (let i = 0; i + 1 < pcm.length; i += 2) sum += pcm.readInt16LE(i) ** 2;
  assert.ok(Math.sqrt(sum / (pcm.length / 2)) > 100, 'the captured audio is not silent');
  // The hub took the whole stream: it answered the stream's id (NO_STT until speech-to-text lands), not a
  // BAD_REQUEST about binary frames outside a stream.
  const error = page.locator(`.exchanges li[data-id="${start.id}"] .error`);
  const code = await error.count() > 0 ? await error.getAttribute('data-code') : null;
  assert.notEqual(code, 'BAD_REQUEST');
  if (code === 'NO_STT') {
    assert.match(await error.textContent() ?? '', /speech-to-text/);
    t.skip('the hub answers NO_STT: speech-to-text is not in this build yet, so the spoken command cannot publish');
    return;
  }
  const shown = await page.locator(`.exchanges li[data-id="${start.id}"]`).first().textContent();
  const command = await nextMessage('esphome/kitchen/light/set', since)
    .catch((err: Error) => `${err.message}; the page showed: ${shown}; the hub's speech log: ${JSON.stringify(hub.lines.filter((l) => /speech|grammar|stt|transcript/i.test(l.msg)).slice(-6))}`);
  // What the recogniser heard goes with a failure: a command other than ON says more with its transcript beside it.
  const heard = JSON.stringify(hub.lines.filter((l) => /speech|grammar|stt|transcript/i.test(l.msg)).slice(-6));
  assert.equal((JSON.parse(command.startsWith('{') ? command : '{}') as { state?: string }).state, 'ON', `${command}; the hub's speech log: ${heard}`);
});

test('the talk button works from the keyboard: Space held down streams audio, Space let go ends the stream', { skip: missing || (!espeak && 'espeak-ng is not installed (apt-get install espeak-ng)') }, async () => {
  const from = sentFrames.length;
  await page.locator('button.talk').focus();
  await page.keyboard.down('Space');
  const binary = (): number => sentFrames.slice(from).filter((f) => Buffer.isBuffer(f)).length;
  for (let i = 0; i < 1000 && binary() < 5; i++) await new Promise((r) => setTimeout(r, 20));
  await page.keyboard.up('Space');
  const texts = (): Array<{ type: string; id: string }> => sentFrames.slice(from)
    .filter((f): f is string => typeof f === 'string').map((f) => JSON.parse(f) as { type: string; id: string });
  const start = texts().find((f) => f.type === 'audio.start');
  assert.ok(start, 'audio.start was sent');
  assert.ok(binary() >= 5, 'audio frames were streamed while Space was held');
  await page.locator(`.exchanges li[data-id="${start.id}"] .error, .exchanges li[data-id="${start.id}"] .reply`).first().waitFor();
  assert.ok(texts().some((f) => f.type === 'audio.end' && f.id === start.id), 'letting go of Space ends the stream');
});

test('the page reconnects by itself when the hub restarts, and says so', { skip: missing }, async () => {
  await hub.stop();
  await page.locator('[data-status="reconnecting"]').waitFor();
  await page.locator('.banner[role="alert"]').waitFor();
  hub = await startHub();
  await page.locator('[data-status="live"]').waitFor({ timeout: 20_000 });
  await page.locator('.banner.ok').waitFor();
});

test('`keys rotate` signs the page out: its socket closes 1008 and it asks to sign in again', { skip: missing }, async () => {
  const rotate = await cli(['keys', 'rotate']);
  assert.equal(rotate.code, 0, rotate.stderr);
  await page.locator('.signin .notice').waitFor();
  assert.equal(await page.evaluate("localStorage.getItem('voicehub.token')"), null, 'signing out forgets the token');
});

test('a token the hub no longer takes, found at load, goes back to sign-in with a message', { skip: missing }, async () => {
  await page.evaluate(`localStorage.setItem('voicehub.token', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.bm90LWEtc2lnbmF0dXJl')`);
  await page.reload();
  await page.locator('.signin .notice').waitFor();
});

test('an admin token pasted in signs in; the hub panel shows health checks, plugins and redacted logs; Chinese is one switch away', { skip: missing }, async () => {
  const made = await cli(['token', 'create', '--sub', 'page-admin', '--scope', 'admin']);
  assert.equal(made.code, 0, made.stderr);
  const admin = made.stdout.trim();
  await page.fill('#token', admin);
  await page.click('form.paste button');
  await page.locator('[data-status="live"]').waitFor();
  // A log line carrying markup from MQTT: a discovery topic (any UTF-8 is a valid topic) with a bad payload.
  const hostileTopic = 'homeassistant/switch/<img src=x onerror="window.__xss=3">/config';
  const sender = await connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, { reconnectPeriod: 0 });
  await sender.publishAsync(hostileTopic, '{not json', { qos: 1 });
  await sender.endAsync();
  await page.click('nav [role="tab"]:nth-child(2)');
  await page.locator('.checks li strong', { hasText: 'db' }).waitFor();
  await page.locator('.plugins li strong', { hasText: 'voicehub.devices' }).waitFor();
  await page.waitForFunction(`(document.querySelector('pre.logs')?.textContent ?? '').includes('listening')`);
  await page.waitForFunction(`(document.querySelector('pre.logs')?.textContent ?? '').includes('onerror')`);
  assert.equal(await page.locator('pre.logs img').count(), 0, 'a log line is text');
  assert.equal(await page.evaluate('window.__xss'), undefined);
  assert.ok(!(await page.locator('pre.logs').textContent() ?? '').includes(admin), 'no token in the log view');
  await page.selectOption('select[aria-label="Language"]', 'zh-CN');
  await page.locator('h2#hub-title', { hasText: '集线器' }).waitFor();
  assert.equal(await page.evaluate('document.documentElement.lang'), 'zh-CN');
  await page.click('button.signout');
  await page.locator('.signin').waitFor();
  assert.equal(await page.evaluate("localStorage.getItem('voicehub.token')"), null);
});

test('a token without devices:read says why no devices are shown', { skip: missing }, async () => {
  const made = await cli(['token', 'create', '--sub', 'page-voice', '--scope', 'voice']);
  assert.equal(made.code, 0, made.stderr);
  await page.fill('#token', made.stdout.trim());
  await page.click('form.paste button');
  await page.locator('main.home .notice[role="status"]').waitFor();
  assert.equal(await page.locator('article.device').count(), 0);
});

test('the page follows the browser\'s language: a browser set to Chinese gets the Chinese page', { skip: missing }, async () => {
  const zh = await browser.context.newPage();
  try {
    await zh.addInitScript(`Object.defineProperty(navigator, 'languages', { get: () => ['zh-CN', 'zh'] }); localStorage.removeItem('voicehub.lang');`);
    await zh.goto(hub.url);
    await zh.waitForFunction(`document.documentElement.lang === 'zh-CN'`);
    assert.equal(await zh.locator('select[aria-label="语言"]').count(), 1);
  } finally {
    await zh.close();
  }
});
