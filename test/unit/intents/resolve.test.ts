/** Target resolution: names, area + type, "in here", ambiguity, value ranges, capabilities. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IntentEngine, checkValues, isResolveError } from '../../../daemon/intents/index.js';
import type { IntentDevice, Resolution } from '../../../daemon/intents/index.js';
import { expectIntent, homeEngine } from './fixture.js';

const engine = homeEngine();

function errorOf(r: Resolution): string | undefined {
  return isResolveError(r) ? r.error : undefined;
}

describe('ambiguity never picks a device', () => {
  test('"lamp" matching Bedroom Lamp and Office Lamp asks which', () => {
    const { resolution } = expectIntent(engine, 'turn on the lamp', 'HassTurnOn', { error: 'DEVICE_AMBIGUOUS' });
    assert.ok(isResolveError(resolution));
    assert.deepEqual(resolution.candidates?.map((d) => d.id).sort(), ['bedroom_lamp', 'office_lamp']);
  });
  test('the session area settles it', () => {
    expectIntent(engine, 'turn on the lamp', 'HassTurnOn', { ids: ['office_lamp'], session: 'office' });
  });
  test('an area said with the name settles it', () => {
    expectIntent(engine, 'turn on the lamp in the office', 'HassTurnOn', { ids: ['office_lamp'] });
  });
  test('two devices with the same name in different rooms', () => {
    const twin = new IntentEngine();
    twin.setLists({
      areas: [{ name: 'bedroom' }, { name: 'office' }],
      devices: [
        { id: 'lamp_a', name: 'Lamp', aliases: [], area: 'bedroom', type: 'light' },
        { id: 'lamp_b', name: 'lamp', aliases: [], area: 'office', type: 'light' },
      ],
    });
    expectIntent(twin, 'turn on the lamp', 'HassTurnOn', { error: 'DEVICE_AMBIGUOUS' });
    expectIntent(twin, 'turn on the bedroom lamp', 'HassTurnOn', { ids: ['lamp_a'] });
    expectIntent(twin, 'turn on the lamp in the office', 'HassTurnOn', { ids: ['lamp_b'] });
    expectIntent(twin, '打开书房的灯', 'HassTurnOn', { error: 'DEVICE_NOT_FOUND' }); // no area called 书房 here
    expectIntent(twin, 'set the lamp to 30%', 'HassLightSet', { error: 'DEVICE_AMBIGUOUS' });
  });
  test('a singular type word with several devices and no room asks', () => {
    expectIntent(engine, 'open the curtain', 'HassTurnOn', { error: 'DEVICE_AMBIGUOUS' });
    expectIntent(engine, 'turn on the switch', 'HassTurnOn', { error: 'DEVICE_AMBIGUOUS' });
  });
  test('a question without a room over several rooms asks which room', () => {
    const { resolution } = expectIntent(engine, "what's the humidity", 'HassGetState', { error: 'DEVICE_AMBIGUOUS' });
    assert.ok(isResolveError(resolution));
    assert.equal(resolution.reason, 'room');
    assert.deepEqual(resolution.areas?.sort(), ['bathroom', 'living_room']);
  });
});

describe('areas and types', () => {
  test('"blinds" never means the garage door', () => {
    expectIntent(engine, 'close all the blinds', 'HassTurnOff', { ids: ['lr_blinds', 'bedroom_curtains'] });
    expectIntent(engine, 'close all the curtains', 'HassTurnOff', { ids: ['lr_blinds', 'bedroom_curtains'] });
    expectIntent(engine, '关上所有窗帘', 'HassTurnOff', { ids: ['lr_blinds', 'bedroom_curtains'] });
  });
  test('a type in a room without it is DEVICE_NOT_FOUND naming the area', () => {
    const { resolution } = expectIntent(engine, 'turn on the fan in the kitchen', 'HassTurnOn', { error: 'DEVICE_NOT_FOUND' });
    assert.ok(isResolveError(resolution));
    assert.equal(resolution.reason, 'area');
    assert.equal(resolution.area, 'kitchen');
  });
  test('"in here" without a session area is a clear error', () => {
    const { resolution } = expectIntent(engine, 'turn on the lights in here', 'HassTurnOn', { error: 'DEVICE_NOT_FOUND' });
    assert.ok(isResolveError(resolution));
    assert.equal(resolution.reason, 'here');
  });
  test('the session area may come with the match', () => {
    const m = engine.match('turn off the lights in here', { area: 'kitchen' })!;
    const r = engine.resolve(m);
    assert.deepEqual(isResolveError(r) ? r : r.devices.map((d) => d.id).sort(), ['counter_lights', 'kitchen_light']);
  });
  test('the session area may be given by alias or in another form', () => {
    expectIntent(engine, 'turn on the lights in here', 'HassTurnOn', { ids: ['lr_ceiling', 'floor_lamp'], session: 'Lounge' });
    expectIntent(engine, 'turn on the lights in here', 'HassTurnOn', { ids: ['lr_ceiling', 'floor_lamp'], session: 'Living Room' });
    expectIntent(engine, '打开这里的灯', 'HassTurnOn', { ids: ['lr_ceiling', 'floor_lamp'], session: '客厅' });
  });
  test('areas named by devices only (not in config) still work, with lexicon Chinese', () => {
    const e = new IntentEngine();
    e.setLists({ devices: [{ id: 'k', name: 'Ceiling', aliases: [], area: 'Kitchen', type: 'light' }] });
    expectIntent(e, 'turn on the kitchen lights', 'HassTurnOn', { ids: ['k'] });
    expectIntent(e, '打开厨房的灯', 'HassTurnOn', { ids: ['k'] });
  });
  test('"the light in the kitchen" with one matching name is that device', () => {
    expectIntent(engine, 'turn on the light in the kitchen', 'HassTurnOn', { ids: ['kitchen_light'] });
  });
});

describe('values', () => {
  for (const [text, intent, slot] of [
    ['set the lamp to 250 percent', 'HassLightSet', 'brightness'],
    ['set the office lamp to 101%', 'HassLightSet', 'brightness'],
    ['把台灯调到百分之两百', 'HassLightSet', 'brightness'],
    ['set the blinds to 150%', 'HassSetPosition', 'position'],
    ['set the thermostat to 80 degrees', 'HassClimateSetTemperature', 'temperature'],
    ['卧室温度设为一百度', 'HassClimateSetTemperature', 'temperature'],
    ['set the fan to 300%', 'HassFanSetSpeed', 'percentage'],
    ['set a timer for 0 minutes', 'HassStartTimer', 'duration'],
    ['set a timer for 48 hours', 'HassStartTimer', 'duration'],
  ] as const) {
    test(text, () => {
      const { resolution } = expectIntent(engine, text, intent, { error: 'VALUE_OUT_OF_RANGE' });
      assert.ok(isResolveError(resolution));
      assert.equal(resolution.slot, slot);
    });
  }
  test('a device\'s own set-point limits apply', () => {
    const { resolution } = expectIntent(engine, 'set the thermostat to 32 degrees', 'HassClimateSetTemperature', { error: 'VALUE_OUT_OF_RANGE' });
    assert.ok(isResolveError(resolution));
    assert.equal(resolution.max, 30);
  });
  test('values at the edges are fine', () => {
    expectIntent(engine, 'set the office lamp to 0%', 'HassLightSet', { ids: ['office_lamp'] });
    expectIntent(engine, 'set the office lamp to 100%', 'HassLightSet', { ids: ['office_lamp'] });
    assert.equal(checkValues({ brightness: 100, position: 0 }), null);
  });
  test('Fahrenheit has its own range', () => {
    assert.equal(checkValues({ temperature: 70, unit: 'F' }), null);
    assert.equal(checkValues({ temperature: 70 })?.error, 'VALUE_OUT_OF_RANGE');
  });
});

describe('capabilities', () => {
  test('brightness on a light that cannot dim is DEVICE_UNSUPPORTED', () => {
    const r = engine.resolve(engine.match('set the counter lights to 50%')!);
    assert.equal(errorOf(r), 'DEVICE_UNSUPPORTED');
  });
  test('a group keeps only the devices that can', () => {
    expectIntent(engine, 'set the kitchen lights to 50%', 'HassLightSet', { ids: ['kitchen_light'] });
  });
  test('devices without a capability list are not filtered', () => {
    const e = new IntentEngine();
    const d: IntentDevice = { id: 'x', name: 'Desk Lamp', aliases: [], type: 'light' };
    e.setLists({ devices: [d] });
    expectIntent(e, 'set the desk lamp to 50%', 'HassLightSet', { ids: ['x'] });
  });
});

describe('non-device intents', () => {
  test('timers resolve to no devices', () => {
    const r = engine.resolve(engine.match('set a timer for 5 minutes')!);
    assert.ok(!isResolveError(r));
    assert.deepEqual(r.devices, []);
    assert.equal(r.scope, 'none');
  });
});
