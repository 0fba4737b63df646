import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { detectLang, normalize, tokenize } from '../../../daemon/intents/index.js';

describe('normalize', () => {
  const cases: [string, string][] = [
    ['Turn on the Kitchen Light!', 'turn on kitchen light'],
    ['  TURN   ON  the  kitchen-light  ', 'turn on kitchen light'],
    ['turn on kitchen_light', 'turn on kitchen light'],
    ['ｔｕｒｎ　ｏｎ　ＴＨＥ　ｌａｍｐ！', 'turn on lamp'],
    ["What's the weather?", 'what is weather'],
    ['whats the weather', 'what is weather'],
    ["it's 21°C", 'it is 21 degrees'],
    ['Could you please turn on the lamp for me?', 'turn on lamp'],
    ["don't turn it off", 'do not turn it off'],
    ['set to 40%', 'set to 40 %'],
    ['set to ４０％', 'set to 40 %'],
    ['请把客厅的灯打开。', '客厅灯打开'],
    ['打开 厨房 的 灯！', '打开厨房灯'],
    ['能不能帮我打开厨房灯吗？', '打开厨房灯'],
    ['turn on 厨房的灯', 'turn on 厨房灯'],
    ['把灯关了吧', '灯关'],
    ['22度', '22度'],
    ['“打开”、『灯』', '打开灯'],
    ['?!...', ''],
    ['', ''],
  ];
  for (const [input, expected] of cases) test(JSON.stringify(input), () => assert.equal(normalize(input), expected));

  test('Han characters are single tokens; numbers keep their decimals', () => {
    assert.deepEqual(tokenize('把空调调到22.5度'), ['空', '调', '调', '到', '22.5', '度']);
  });
  test('a trailing question particle stays unless the request was polite', () => {
    assert.deepEqual(tokenize('前门锁了吗'), ['前', '门', '锁', '吗']);
  });
  test('language from script', () => {
    assert.equal(detectLang('turn on the light'), 'en');
    assert.equal(detectLang('打开灯'), 'zh');
    assert.equal(detectLang('turn on 厨房灯'), 'zh');
  });
});
