/** Replies from the response data, in the language of the utterance. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  commandFor, commandReply, errorReply, formatDuration, isResolveError, joinList, queryReply, render, DEVICE_INTENTS,
} from '../../../daemon/intents/index.js';
import { homeEngine } from './fixture.js';

const engine = homeEngine();

function reply(text: string, sessionArea?: string): string {
  const m = engine.match(text);
  assert.ok(m, `no match for ${text}`);
  const r = engine.resolve(m, sessionArea ? { sessionArea } : {});
  if (isResolveError(r)) return errorReply(r, m, engine.deviceLists);
  if (m.intent === 'HassGetState' || m.intent === 'HassClimateGetTemperature') return queryReply(m, r, engine.deviceLists);
  assert.ok(DEVICE_INTENTS.has(m.intent));
  return commandReply(m, r, engine.deviceLists);
}

describe('english replies', () => {
  const cases: [string, string][] = [
    ['turn on the kitchen light', 'Turned on the kitchen light.'],
    ['turn off the TV plug', 'Turned off the TV plug.'],
    ['set bedroom lights to 40%', 'Set the bedroom lights to 40%.'],
    ['dim the living room lights to forty percent', 'Set the living room lights to 40%.'],
    ['turn off all the lights', 'Turned off all the lights.'],
    ['close the garage door', 'Closed the garage door.'],
    ['lock the front door', 'Locked the front door.'],
    ['unlock the back door', 'Unlocked the back door.'],
    ['open the blinds halfway', 'Set the living room blinds to 50%.'],
    ['set the thermostat to 21.5 degrees', 'Set the thermostat to 21.5 °C.'],
    ['is the front door locked', 'Yes, the front door is locked.'],
    ['is the back door locked', 'No, the back door is unlocked.'],
    ['is the kitchen light on', 'Yes, the kitchen light is on.'],
    ['are the living room lights on', '1 of 2 are on: floor lamp.'],
    ["what's the temperature in the living room", "It's 21.5 °C in the living room."],
    ["what's the humidity in the bathroom", 'The humidity in the bathroom is 71%.'],
    ['turn on the lamp', 'Which lamp do you mean: bedroom lamp or office lamp?'],
    ['turn on the moon', "I don't know a device called moon."],
    ['set the lamp to 250 percent', 'Brightness must be between 0 and 100%.'],
    ['set the thermostat to 80 degrees', 'Temperature must be between 7 and 30 °C.'], // the thermostat's own range
    ['turn on the lights in here', "I don't know which room you're in."],
    ['turn on the fan in the kitchen', 'There are no fans in the kitchen.'],
    ['set the counter lights to 50%', "The counter lights can't do that."],
  ];
  for (const [text, expected] of cases) test(text, () => assert.equal(reply(text), expected));
});

describe('chinese replies', () => {
  const cases: [string, string][] = [
    ['打开厨房的灯', '已打开厨房灯。'],
    ['关掉所有的灯', '已关闭所有灯。'],
    ['把客厅灯调到百分之四十', '已将客厅的灯调到40%。'],
    ['锁上前门', '已锁上前门。'],
    ['卧室温度设为22度', '已将卧室空调设为22°C。'],
    ['前门锁了吗', '是的，前门锁着。'],
    ['后门锁了吗', '没有，后门没锁。'],
    ['客厅温度是多少', '客厅现在21.5°C。'],
    ['客厅的湿度是多少', '客厅的湿度是45%。'],
    ['打开台灯', '你指的是哪个台灯：卧室台灯还是办公室台灯？'],
    ['打开月亮', '我不知道叫月亮的设备。'],
    ['把台灯调到百分之两百五十', '亮度必须在0到100%之间。'],
    ['打开这里的灯', '我不知道你在哪个房间。'],
  ];
  for (const [text, expected] of cases) test(text, () => assert.equal(reply(text), expected));
});

describe('helpers', () => {
  test('durations', () => {
    assert.equal(formatDuration(300, 'en'), '5 minutes');
    assert.equal(formatDuration(5400, 'en'), '1 hour and 30 minutes');
    assert.equal(formatDuration(61, 'en'), '1 minute and 1 second');
    assert.equal(formatDuration(5400, 'zh'), '1小时30分钟');
  });
  test('lists', () => {
    assert.equal(joinList(['a', 'b', 'c'], 'en', 'or'), 'a, b or c');
    assert.equal(joinList(['甲', '乙', '丙'], 'zh'), '甲、乙和丙');
  });
  test('render fills placeholders and capitalises {Target}', () => {
    assert.equal(render('en', 'state_is', { target: 'the lamp', is: 'is', state: 'on' }), 'The lamp is on.');
    assert.equal(render('zh', 'turn_on', { target: '台灯' }), '已打开台灯。');
  });
  test('commands per device type', () => {
    const open = engine.match('open the garage door')!;
    assert.deepEqual(commandFor(open, engine.deviceLists.device('garage_door')!), { command: 'open' });
    const unlock = engine.match('unlock the front door')!;
    assert.deepEqual(commandFor(unlock, engine.deviceLists.device('front_door')!), { command: 'unlock' });
    const dim = engine.match('set the office lamp to 30%')!;
    assert.deepEqual(commandFor(dim, engine.deviceLists.device('office_lamp')!), { command: 'set_brightness', params: { brightness: 30 } });
  });
});
