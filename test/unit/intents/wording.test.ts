/** Issue 14 items 3, 4, 5 and counting: whole-home words, possessives, name + type word, brightness words and steps, "how many". */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isResolveError, queryReply } from '../../../daemon/intents/index.js';
import { BRIGHTNESS_STEP, steppedBrightness } from '../../../daemon/intents/brightnessStep.js';
import { DEVICES, expectIntent, homeEngine } from './fixture.js';

const engine = homeEngine();
const LIGHTS = DEVICES.filter((d) => d.type === 'light').map((d) => d.id);

describe('whole home and "all" (item 3)', () => {
  for (const text of ['turn off every single light', 'turn off the lights in the whole house', 'switch off all the lights in the entire house',
    'turn off each and every light', '把家里的灯全关了', '整个家的灯都关掉', '所有的灯都关掉', '全屋的灯统统关掉']) {
    test(text, () => { expectIntent(engine, text, 'HassTurnOff', { ids: LIGHTS }); });
  }
  test('"every single" alone is no device', () => { assert.equal(engine.match('every single'), null); });
});

describe('possessives and a name followed by its type word (item 4)', () => {
  test('our / my / 我的 / 我们家', () => {
    expectIntent(engine, 'turn on our kitchen light', 'HassTurnOn', { ids: ['kitchen_light'] });
    expectIntent(engine, 'switch off my floor lamp', 'HassTurnOff', { ids: ['floor_lamp'] });
    expectIntent(engine, '打开我的咖啡机', 'HassTurnOn', { ids: ['coffee'] });
    expectIntent(engine, '关掉我们家走廊的灯', 'HassTurnOff', { ids: ['hall_light'] });
  });
  test('"the coffee machine switch", "the floor lamp light": the type word must fit the device', () => {
    expectIntent(engine, 'turn on the coffee machine switch', 'HassTurnOn', { ids: ['coffee'] });
    expectIntent(engine, 'turn on the floor lamp light', 'HassTurnOn', { ids: ['floor_lamp'] });
    // The coffee machine is a switch, not a fan: no device is both.
    const m = engine.match('turn on the coffee machine fan');
    const r = m ? engine.resolve(m) : null;
    assert.ok(!r || isResolveError(r) || !r.devices.some((d) => d.id === 'coffee'), JSON.stringify(r));
  });
});

describe('brightness words and relative changes (item 5)', () => {
  test('max, min, lowest, 最亮, 最暗', () => {
    expectIntent(engine, 'set the floor lamp to maximum', 'HassLightSet', { ids: ['floor_lamp'], slots: { brightness: 100 } });
    expectIntent(engine, 'set the office lamp to the lowest brightness', 'HassLightSet', { ids: ['office_lamp'], slots: { brightness: 1 } });
    expectIntent(engine, 'turn the bedroom lamp all the way up', 'HassLightSet', { ids: ['bedroom_lamp'], slots: { brightness: 100 } });
    expectIntent(engine, 'kitchen light to full brightness', 'HassLightSet', { ids: ['kitchen_light'], slots: { brightness: 100 } });
    expectIntent(engine, '把落地灯调到最亮', 'HassLightSet', { ids: ['floor_lamp'], slots: { brightness: 100 } });
    expectIntent(engine, '厨房灯亮度调到最暗', 'HassLightSet', { ids: ['kitchen_light'], slots: { brightness: 1 } });
  });
  test('brighter and dimmer, in words', () => {
    expectIntent(engine, 'make the floor lamp a bit brighter', 'HassLightSet', { ids: ['floor_lamp'], slots: { brightness_step: 'up' } });
    expectIntent(engine, 'turn up the kitchen light', 'HassLightSet', { ids: ['kitchen_light'], slots: { brightness_step: 'up' } });
    expectIntent(engine, 'dim the office lamp a little', 'HassLightSet', { ids: ['office_lamp'], slots: { brightness_step: 'down' } });
    expectIntent(engine, 'make it darker in here', 'HassLightSet', { ids: ['bedroom_lamp'], session: 'bedroom', slots: { brightness_step: 'down' } });
    expectIntent(engine, '把落地灯调亮一点', 'HassLightSet', { ids: ['floor_lamp'], slots: { brightness_step: 'up' } });
    expectIntent(engine, '厨房灯再暗一些', 'HassLightSet', { ids: ['kitchen_light'], slots: { brightness_step: 'down' } });
  });
  test(`a step is ${BRIGHTNESS_STEP} points from the current level; off counts as 0; never off, never above 100`, () => {
    assert.equal(steppedBrightness({ state: 'on', brightness: 50 }, 'up'), 50 + BRIGHTNESS_STEP);
    assert.equal(steppedBrightness({ state: 'on', brightness: 50 }, 'down'), 50 - BRIGHTNESS_STEP);
    assert.equal(steppedBrightness({ state: 'on', brightness: 95 }, 'up'), 100);
    assert.equal(steppedBrightness({ state: 'on', brightness: 10 }, 'down'), 1);
    assert.equal(steppedBrightness({ state: 'off', brightness: 80 }, 'up'), BRIGHTNESS_STEP);
    assert.equal(steppedBrightness({ state: 'on' }, 'down'), 100 - BRIGHTNESS_STEP);
    assert.equal(steppedBrightness(undefined, 'down'), 1);
  });
});

describe('counting questions (item 1)', () => {
  test('"how many lights are on" counts, and names the ones that are', () => {
    const { match, resolution } = expectIntent(engine, 'how many lights are on', 'HassGetState', { ids: LIGHTS, slots: { count: true, state: 'on' } });
    assert.ok(!isResolveError(resolution));
    assert.equal(queryReply(match, resolution, engine.deviceLists), '3 of the 7 lights are on: kitchen light, floor lamp and office lamp.');
  });
  test('in a room, in Chinese, and none', () => {
    expectIntent(engine, 'how many lights are on in the kitchen', 'HassGetState', { ids: ['kitchen_light', 'counter_lights'] });
    const { match, resolution } = expectIntent(engine, '有几个门没锁', 'HassGetState', { ids: ['front_door', 'back_door'], slots: { count: true } });
    assert.ok(!isResolveError(resolution));
    assert.match(queryReply(match, resolution, engine.deviceLists), /^2个锁中有1个没锁：/);
    const none = expectIntent(engine, 'how many fans are on', 'HassGetState', { ids: ['office_fan'] });
    assert.ok(!isResolveError(none.resolution));
    assert.equal(queryReply(none.match, none.resolution, engine.deviceLists), 'None of the 1 fans are on.');
  });
});
