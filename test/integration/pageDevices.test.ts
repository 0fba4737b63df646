import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import type { Locator, Page } from 'playwright-core';
import { runCli, startDaemon, type DaemonProcess } from '../helpers/daemon.js';
import { chromiumMissing, launchChromium } from '../helpers/browser.js';
import { until } from '../helpers/until.js';

/**
 * The page's device cards beyond on/off, in Debian's Chromium against the daemon bundle, a real embedded
 * broker and a real MQTT device client: renaming a device, its aliases and area from the page (then saying
 * the new name in the voice box reaches the device), moving a device with no area to a floor of its own, colour and colour temperature, media player and
 * vacuum controls. Every control goes through `POST /api/command` (the device path voice uses) and is
 * asserted at the device's own command topic.
 */
const missing = await chromiumMissing();

let hub: DaemonProcess;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
let device: MqttClient;
const received: Array<{ topic: string; payload: string }> = [];

const CONFIG = `storage:
  flushIntervalMs: 50
floors:
  Ground floor: { level: 0 }
  First floor: { level: 1 }
  Attic: { aliases: [loft], level: 2 }
areas:
  hall: { floor: Ground floor }
  study: { floor: First floor }
`;
const HALL_LAMP = {
  name: null, uniq_id: 'hall_lamp', cmd_t: 'hall/lamp/set', stat_t: 'hall/lamp/state',
  dev: { ids: ['hall-lamp'], name: 'Hall lamp', sa: 'Hall' },
};
const BULB = {
  '~': 'esphome/study', name: null, uniq_id: 'study_bulb', schema: 'json', cmd_t: '~/light/set', stat_t: '~/light/state', brightness: true,
  sup_clrm: ['rgb', 'color_temp'], min_mirs: 153, max_mirs: 370, dev: { ids: ['esp-study'], name: 'Desk bulb', sa: 'Study' },
};
const HOSTILE_TITLE = '<img src=x onerror="window.__xss=1">Song';
const SPEAKER = {
  name: 'Lounge speaker', unique_id: 'lounge_speaker',
  state_state_topic: 'lnxlink/lounge/state', state_volume_topic: 'lnxlink/lounge/volume', state_title_topic: 'lnxlink/lounge/title',
  command_play_topic: 'lnxlink/lounge/play', command_play_payload: 'play', command_pause_topic: 'lnxlink/lounge/pause', command_pause_payload: 'pause',
  command_next_topic: 'lnxlink/lounge/next', command_next_payload: 'next', command_previous_topic: 'lnxlink/lounge/previous',
  command_volume_topic: 'lnxlink/lounge/set_volume',
};
const VACUUM = {
  name: 'Robbie', unique_id: 'robbie_vacuum', command_topic: 'valetudo/robbie/set', state_topic: 'valetudo/robbie/state',
  supported_features: ['start', 'pause', 'stop', 'return_home', 'status'],
};

const GARAGE_LOCK = {
  name: null, uniq_id: 'garage_lock', cmd_t: 'garage/lock/set', stat_t: 'garage/lock/state', dev: { ids: ['garage-lock'], name: 'Garage door', sa: 'Hall' },
};
const BLINDS = {
  name: null, uniq_id: 'study_blinds', cmd_t: 'study/blinds/set', stat_t: 'study/blinds/state', pos_t: 'study/blinds/position',
  set_pos_t: 'study/blinds/position/set', dev: { ids: ['blinds'], name: 'Study blinds', sa: 'Study' },
};
const THERMOSTAT = {
  name: null, uniq_id: 'hall_thermostat', temperature_command_topic: 'hall/trv/set', temperature_state_topic: 'hall/trv/target',
  mode_command_topic: 'hall/trv/mode/set', modes: ['off', 'heat'], min_temp: 7, max_temp: 30, temp_step: 0.5,
  dev: { ids: ['trv'], name: 'Hall thermostat', sa: 'Hall' },
};
const MOVIE_SCENE = { name: 'Movie time', uniq_id: 'movie_scene', cmd_t: 'scenes/movie/set', payload_on: 'ON' };

const card = (id: string): Locator => page.locator(`article[data-device="${id}"]`);

/** The next message the device client gets on `topic` after the first `since` it had. */
const nextMessage = (topic: string, since: number): Promise<string> =>
  until(() => received.slice(since).find((m) => m.topic === topic)?.payload, `a message on ${topic}`);

async function token(scope: string): Promise<string> {
  const made = await runCli(['token', 'create', '--sub', `page-${scope.split(' ')[0]}`, '--scope', scope], { cwd: hub.dir, env: { VOICEHUB_DATA_DIR: join(hub.dir, 'data') } });
  assert.equal(made.code, 0, made.stderr);
  return made.stdout.trim();
}

/** Types a command into the voice box and waits for the hub's answer to it. */
async function say(text: string): Promise<void> {
  const before = await page.locator('.exchanges li').count();
  await page.fill('input[name="utterance"]', text);
  await page.click('form.ask button');
  await page.waitForFunction(`document.querySelectorAll('.exchanges li').length > ${before}`);
  await page.locator('.exchanges li').first().locator('.reply, .error').first().waitFor();
}

before(async () => {
  if (missing) return;
  hub = await startDaemon({ config: CONFIG });
  device = await connectAsync(`mqtt://127.0.0.1:${hub.mqttPort}`, { reconnectPeriod: 0 });
  device.on('message', (topic, payload) => received.push({ topic, payload: payload.toString() }));
  await device.subscribeAsync(['hall/lamp/set', 'esphome/study/light/set', 'lnxlink/lounge/+', 'valetudo/robbie/set', 'garage/lock/set', 'scenes/movie/set', 'study/blinds/position/set', 'hall/trv/set'], { qos: 1 });
  for (const [topic, config] of [
    ['homeassistant/switch/hall_lamp/config', HALL_LAMP], ['homeassistant/light/study_bulb/config', BULB],
    ['homeassistant/media_player/lounge_speaker/config', SPEAKER], ['homeassistant/vacuum/robbie/config', VACUUM],
    ['homeassistant/lock/garage_lock/config', GARAGE_LOCK], ['homeassistant/scene/movie_scene/config', MOVIE_SCENE],
    ['homeassistant/cover/study_blinds/config', BLINDS], ['homeassistant/climate/hall_thermostat/config', THERMOSTAT],
  ] as const) await device.publishAsync(topic, JSON.stringify(config), { retain: true, qos: 1 });
  await device.publishAsync('hall/lamp/state', 'OFF', { qos: 1 });
  await device.publishAsync('garage/lock/state', 'LOCKED', { qos: 1 });
  const admin = await token('admin');
  browser = await launchChromium();
  page = browser.context.pages()[0] ?? await browser.context.newPage();
  await page.addInitScript(`if (!localStorage.getItem('voicehub.token')) localStorage.setItem('voicehub.token', ${JSON.stringify(admin)})`);
  await page.goto(hub.url);
  await page.locator('[data-status="live"]').waitFor();
  for (const id of ['hall_lamp', 'study_bulb', 'lounge_speaker', 'robbie_vacuum']) await card(id).waitFor();
});

after(async () => {
  await device?.endAsync().catch(() => {});
  await browser?.close();
  await hub?.cleanup();
});

test('rename a device, give it aliases and move it to an area from the page; the voice then knows it by the new names', { skip: missing }, async () => {
  const lamp = card('hall_lamp');
  await lamp.locator('details.edit summary').click();
  await lamp.locator('input[name="name"]').fill('Reading light');
  await lamp.locator('input[name="aliases"]').fill('book lamp, 书灯');
  await lamp.locator('input[name="area"]').fill('study');
  await lamp.locator('form.edit-form button[type="submit"]').click();
  // The feed pushes the device as it now is: its new name, under its new area and that area's floor.
  await page.locator('section.area[aria-label="study"] article[data-device="hall_lamp"] h4.name', { hasText: 'Reading light' }).waitFor();
  assert.equal(await page.locator('.floor', { has: page.locator('article[data-device="hall_lamp"]') }).locator('h3.floor-name').textContent(), 'First floor');
  const listed = await fetch(`${hub.url}/api/devices`, { headers: { authorization: `Bearer ${await token('devices:read')}` } });
  const lampNow = ((await listed.json()) as { devices: Array<{ id: string; name: string; aliases: string[]; area: string }> }).devices.find((d) => d.id === 'hall_lamp');
  assert.equal(lampNow?.name, 'Reading light');
  assert.deepEqual(lampNow?.aliases.slice().sort(), ['book lamp', '书灯'].sort());
  assert.equal(lampNow?.area, 'study');

  let since = received.length;
  await say('turn on the reading light');
  assert.equal(await nextMessage('hall/lamp/set', since), 'ON');
  assert.match(await page.locator('.exchanges li .actions').first().textContent() ?? '', /hall_lamp: turn_on/);
  since = received.length;
  await say('turn off the book lamp');
  assert.equal(await nextMessage('hall/lamp/set', since), 'OFF');
});

test('a rename the hub refuses is shown on the card with its reason; a hostile name is shown as text; reset gives the announced name back', { skip: missing }, async () => {
  const lamp = card('hall_lamp');
  await lamp.locator('details.edit summary').click(); // the card moved to another area: a new, closed form
  const many = Array.from({ length: 21 }, (_, i) => `lamp ${i}`).join(', ');
  await lamp.locator('input[name="aliases"]').fill(many);
  await lamp.locator('form.edit-form button[type="submit"]').click();
  const error = lamp.locator('form.edit-form .error[role="alert"]');
  await error.waitFor();
  assert.match(await error.textContent() ?? '', /DEVICE_OVERRIDE_INVALID/);
  assert.match(await error.textContent() ?? '', /more than 20/);

  const hostile = '<img src=x onerror="window.__xss=1">Lamp';
  await lamp.locator('input[name="aliases"]').fill('book lamp');
  await lamp.locator('input[name="name"]').fill(hostile);
  await lamp.locator('form.edit-form button[type="submit"]').click();
  await lamp.locator('h4.name', { hasText: hostile }).waitFor();
  await lamp.locator('.saved[role="status"]').waitFor();
  assert.equal(await lamp.locator('h4.name img').count(), 0);
  assert.equal(await page.evaluate('window.__xss'), undefined);

  await lamp.locator('form.edit-form button.reset').click();
  await page.locator('section.area[aria-label="Hall"] article[data-device="hall_lamp"] h4.name', { hasText: 'Hall lamp' }).waitFor();
});

test('move a device with no area to a floor from the page: it is listed under that floor; "its area\'s floor" gives that back', { skip: missing }, async () => {
  const speaker = card('lounge_speaker');
  assert.equal(await page.locator('.floor', { has: speaker }).locator('h3.floor-name').textContent(), 'No floor');
  await speaker.locator('details.edit summary').click();
  // The picker lists the configured floors, lowest first, each with its aliases.
  const picker = speaker.locator('select[name="floor"]');
  await picker.locator('option[value="Attic"]').waitFor({ state: 'attached' });
  assert.deepEqual(await picker.locator('option').allTextContents(), ['Its area\'s floor', 'Ground floor', 'First floor', 'Attic (loft)']);
  await picker.selectOption('Attic');
  await speaker.locator('form.edit-form button[type="submit"]').click();
  await page.locator('.floor', { has: page.locator('h3.floor-name', { hasText: 'Attic' }) }).locator('article[data-device="lounge_speaker"]').waitFor();
  const listed = await fetch(`${hub.url}/api/devices`, { headers: { authorization: `Bearer ${await token('devices:read')}` } });
  const speakerNow = ((await listed.json()) as { devices: Array<{ id: string; floor?: string; area?: string }> }).devices.find((d) => d.id === 'lounge_speaker');
  assert.equal(speakerNow?.floor, 'Attic');
  assert.equal(speakerNow?.area, undefined, 'a floor of its own, no area');

  // "Its area's floor" gives the floor back: with no area, the speaker is on no floor again.
  await card('lounge_speaker').locator('details.edit summary').click();
  await card('lounge_speaker').locator('select[name="floor"]').selectOption('');
  await card('lounge_speaker').locator('form.edit-form button[type="submit"]').click();
  await page.locator('.floor', { has: page.locator('h3.floor-name', { hasText: 'No floor' }) }).locator('article[data-device="lounge_speaker"]').waitFor();
});

test('colour and colour temperature go to the light through the device path, and the white it reports shows', { skip: missing }, async () => {
  const bulb = card('study_bulb');
  let since = received.length;
  await bulb.locator('input[type="color"]').fill('#ff8000');
  const colour = JSON.parse(await nextMessage('esphome/study/light/set', since)) as { state: string; color: Record<string, number> };
  assert.equal(colour.state, 'ON');
  assert.deepEqual(colour.color, { r: 255, g: 128, b: 0 });

  // The slider offers the bulb's own range (153–370 mireds: about 2703–6536 K) and sends kelvin.
  const white = bulb.locator('input[type="range"][aria-label$="White (K)"]');
  assert.equal(await white.getAttribute('min'), '2703');
  assert.equal(await white.getAttribute('max'), '6536');
  since = received.length;
  await white.fill('4000');
  const kelvin = Number(await white.inputValue());
  const temp = JSON.parse(await nextMessage('esphome/study/light/set', since)) as { color_temp: number };
  assert.equal(temp.color_temp, Math.round(1_000_000 / kelvin));
  await device.publishAsync('esphome/study/light/state', JSON.stringify({ state: 'ON', brightness: 200, color_temp: 250 }), { qos: 1 });
  await bulb.locator('.state', { hasText: '4000 K' }).waitFor();
});

test('media player: play, pause, next and volume reach the player; its state, volume and title show as text', { skip: missing }, async () => {
  const speaker = card('lounge_speaker');
  await device.publishAsync('lnxlink/lounge/state', 'paused', { qos: 1 });
  await device.publishAsync('lnxlink/lounge/volume', '0.3', { qos: 1 });
  await device.publishAsync('lnxlink/lounge/title', HOSTILE_TITLE, { qos: 1 });
  await speaker.locator('.state', { hasText: '30 %' }).waitFor();
  await speaker.locator('.state', { hasText: HOSTILE_TITLE }).waitFor();
  assert.equal(await speaker.locator('img').count(), 0);
  assert.equal(await speaker.locator('button.toggle').count(), 0, 'a player has no on/off the hub could send');

  let since = received.length;
  await speaker.locator('button.playpause', { hasText: 'Play' }).click();
  assert.equal(await nextMessage('lnxlink/lounge/play', since), 'play');
  await device.publishAsync('lnxlink/lounge/state', 'playing', { qos: 1 });
  since = received.length;
  await speaker.locator('button.playpause', { hasText: 'Pause' }).click();
  assert.equal(await nextMessage('lnxlink/lounge/pause', since), 'pause');
  since = received.length;
  await speaker.locator('button[aria-label="Lounge speaker: Next"]').click();
  assert.equal(await nextMessage('lnxlink/lounge/next', since), 'next');
  since = received.length;
  await speaker.locator('input[type="range"][aria-label="Lounge speaker: Volume"]').fill('70');
  assert.equal(await nextMessage('lnxlink/lounge/set_volume', since), '0.7');
  assert.equal(await speaker.locator('button[aria-label="Lounge speaker: Mute"]').count(), 0, 'no mute topic, no mute button');
});

test('vacuum: its own buttons (start, pause, stop, return to base) send its payloads', { skip: missing }, async () => {
  const robbie = card('robbie_vacuum');
  let since = received.length;
  await robbie.locator('button[aria-label="Robbie: Return to base"]').click();
  assert.equal(await nextMessage('valetudo/robbie/set', since), 'return_to_base');
  since = received.length;
  await robbie.locator('button[aria-label="Robbie: Start"]').click();
  assert.equal(await nextMessage('valetudo/robbie/set', since), 'start');
});

test('a sign-in without admin may not rename: the card says why, and the hub refuses the route too', { skip: missing }, async () => {
  const control = await token('voice devices:read devices:control');
  await page.evaluate(`localStorage.setItem('voicehub.token', ${JSON.stringify(control)})`);
  await page.reload();
  await page.locator('[data-status="live"]').waitFor();
  const lamp = card('hall_lamp');
  await lamp.locator('details.edit summary').click();
  await lamp.locator('details.edit p.muted', { hasText: 'admin' }).waitFor();
  assert.equal(await lamp.locator('form.edit-form').count(), 0);
  const res = await fetch(`${hub.url}/api/devices/hall_lamp`, {
    method: 'PATCH', headers: { authorization: `Bearer ${control}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Front door' }),
  });
  assert.equal(res.status, 403);
});

test('a card far off screen shows the state its device reported while it was away once it is scrolled to', { skip: missing }, async () => {
  // 60 switches in an area with no floor: grouped last, most of them well below the fold.
  for (let i = 0; i < 60; i++) {
    const config = { name: null, uniq_id: `store_${i}`, cmd_t: `store/${i}/set`, stat_t: `store/${i}/state`, dev: { ids: [`store-${i}`], name: `Store switch ${i}`, sa: 'Store room' } };
    await device.publishAsync(`homeassistant/switch/store_${i}/config`, JSON.stringify(config), { retain: true, qos: 1 });
  }
  const last = card('store_59');
  await last.waitFor({ state: 'attached' });
  assert.equal(await last.evaluate((el) => el.getBoundingClientRect().top < (globalThis as unknown as { innerHeight: number }).innerHeight + 400), false, 'the last card starts off screen, beyond the look-ahead');
  await device.publishAsync('store/59/state', 'ON', { qos: 1 });
  await device.publishAsync('store/0/state', 'ON', { qos: 1 });
  await card('store_0').locator('button.toggle[aria-checked="true"]').waitFor({ state: 'attached' });
  await last.scrollIntoViewIfNeeded();
  await last.locator('button.toggle[aria-checked="true"]').waitFor();
  await page.evaluate('scrollTo(0, 0)');
});

test('in Chinese the cards name their kinds and the new controls in Chinese', { skip: missing }, async () => {
  await page.selectOption('select[aria-label="Language"]', 'zh-CN');
  const bulb = card('study_bulb');
  await bulb.locator('.kind', { hasText: '灯' }).waitFor();
  assert.equal(await card('lounge_speaker').locator('.kind').textContent(), '播放器');
  assert.equal(await bulb.locator('input[type="range"][aria-label$="白光色温（K）"]').count(), 1);
  assert.equal(await bulb.locator('details.edit summary').textContent(), '重命名、别名、区域、楼层');
  await page.selectOption('select[aria-label="语言"]', 'en');
});

test('search filters the cards by name; a lock asks before it sends (cancel sends nothing); a scene has its Activate button', { skip: missing }, async () => {
  await page.fill('input[type="search"]', 'garage');
  await page.waitForFunction(`document.querySelectorAll('article.device').length === 1`);
  assert.equal(await page.locator('article.device').getAttribute('data-device'), 'garage_lock');
  await page.fill('input[type="search"]', 'no such device');
  await page.locator('.devices p.muted', { hasText: 'No device matches.' }).waitFor();
  await page.fill('input[type="search"]', '');
  await card('movie_scene').waitFor();

  const lock = card('garage_lock');
  const unlock = lock.locator('button[aria-label="Garage door: Unlock"]');
  const asked: string[] = [];
  let since = received.length;
  page.once('dialog', (d) => { asked.push(d.message()); void d.dismiss(); });
  await unlock.click();
  assert.deepEqual(asked, ['Unlock Garage door?']);
  page.once('dialog', (d) => { asked.push(d.message()); void d.accept(); });
  await unlock.click();
  assert.equal(await nextMessage('garage/lock/set', since), 'UNLOCK');
  assert.equal(received.slice(since).filter((m) => m.topic === 'garage/lock/set').length, 1, 'the cancelled one sent nothing');

  since = received.length;
  await card('movie_scene').locator('button[aria-label="Movie time: Activate"]').click();
  assert.equal(await nextMessage('scenes/movie/set', since), 'ON');
});

test('a brightness slider, a cover\'s position and a thermostat\'s target send their commands to the device', { skip: missing }, async () => {
  let since = received.length;
  await card('study_bulb').locator('input[type="range"][aria-label="Desk bulb: Brightness"]').fill('50');
  const dim = JSON.parse(await nextMessage('esphome/study/light/set', since)) as { brightness?: number };
  assert.ok(typeof dim.brightness === 'number' && dim.brightness > 100 && dim.brightness < 160, JSON.stringify(dim));

  since = received.length;
  await card('study_blinds').locator('input[type="range"][aria-label="Study blinds: Position"]').fill('30');
  assert.equal(await nextMessage('study/blinds/position/set', since), '30');

  since = received.length;
  const target = card('hall_thermostat').locator('input[type="number"][aria-label="Hall thermostat: Target temperature"]');
  assert.equal(await target.getAttribute('max'), '30', 'the range the thermostat announced');
  await target.fill('21.5');
  await target.press('Tab');
  assert.equal(await nextMessage('hall/trv/set', since), '21.5');
});
