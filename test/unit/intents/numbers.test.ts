import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseDuration, parseNumber, parsePercent, parseTemperature, tokenize } from '../../../daemon/intents/index.js';
import {
  extremeAt, mayStartNumber, parseDurationAt, parseNumberAt, parsePercentAt, parseTemperatureAt,
} from '../../../daemon/intents/numbers.js';
import { loadCorpus } from '../../helpers/corpus.js';
import { adversarialTexts } from '../../helpers/adversarialTexts.js';

describe('numbers', () => {
  const cases: [string, number][] = [
    ['0', 0], ['22', 22], ['22.5', 22.5], ['１２', 12], ['1,000', 1000], ['-5', -5],
    ['zero', 0], ['seven', 7], ['fifteen', 15], ['forty', 40], ['twenty two', 22], ['twenty-two', 22], ['ninety-nine', 99],
    ['a hundred', 100], ['one hundred', 100], ['one hundred and five', 105], ['two hundred fifty', 250],
    ['twenty two point five', 22.5], ['point five', 0.5], ['twenty point 5', 20.5], ['minus three', -3], ['a thousand', 1000],
    ['零', 0], ['三', 3], ['两', 2], ['十', 10], ['十五', 15], ['三十', 30], ['二十二', 22], ['九十九', 99],
    ['一百', 100], ['一百零五', 105], ['一百五', 150], ['一百五十', 150], ['两千', 2000], ['两千三', 2300],
    ['二十二点五', 22.5], ['负五', -5], ['零下五', -5],
  ];
  for (const [text, value] of cases) test(text, () => assert.equal(parseNumber(text), value));
  for (const text of ['', 'twenty twenty', 'two three', 'hundred hundred', 'abc', '二三']) {
    test(`not a number: ${JSON.stringify(text)}`, () => assert.equal(parseNumber(text), null));
  }
});

describe('percent', () => {
  const cases: [string, number][] = [
    ['40%', 40], ['40 %', 40], ['４０％', 40], ['forty percent', 40], ['40 per cent', 40], ['百分之四十', 40],
    ['百分之百', 100], ['half', 50], ['halfway', 50], ['half way', 50], ['一半', 50], ['full', 100], ['250 percent', 250],
  ];
  for (const [text, value] of cases) test(text, () => assert.equal(parsePercent(text), value));
});

describe('temperature', () => {
  const cases: [string, number][] = [
    ['21', 21], ['21 degrees', 21], ['21.5 °C', 21.5], ['21.5℃', 21.5], ['22度', 22], ['二十二度', 22],
    ['二十二度半', 22.5], ['二十二点五度', 22.5], ['twenty one degrees celsius', 21], ['零下五度', -5], ['摄氏二十度', NaN],
    ['70 fahrenheit', 70],
  ];
  for (const [text, value] of cases) {
    test(text, () => assert.equal(parseTemperature(text), Number.isNaN(value) ? null : value));
  }
});

describe('durations in seconds', () => {
  const cases: [string, number][] = [
    ['5 minutes', 300], ['five minutes', 300], ['1 minute', 60], ['a minute', 60], ['an hour', 3600], ['90 seconds', 90],
    ['10 secs', 10], ['5 min', 300], ['half an hour', 1800], ['an hour and a half', 5400], ['one and a half hours', 5400],
    ['1 hour 30 minutes', 5400], ['2 hours and 15 minutes', 8100], ['a quarter of an hour', 900], ['1.5 hours', 5400],
    ['五分钟', 300], ['5分钟', 300], ['十秒', 10], ['十秒钟', 10], ['一个小时', 3600], ['两小时', 7200], ['两个钟头', 7200],
    ['半小时', 1800], ['半个小时', 1800], ['一个半小时', 5400], ['一小时三十分钟', 5400], ['一小时零五分', 3900],
    ['一分半', 90], ['1分30秒', 90], ['一刻钟', 900], ['二十五分钟', 1500],
  ];
  for (const [text, value] of cases) test(text, () => assert.equal(parseDuration(text), value));
  for (const text of ['5', 'minutes', '五', 'half', 'five apples']) {
    test(`not a duration: ${text}`, () => assert.equal(parseDuration(text), null));
  }
});

describe('mayStartNumber (the engine skips number parsing where it says no)', () => {
  const parsers = [parseNumberAt, parsePercentAt, parseTemperatureAt, parseDurationAt] as const;
  const texts = [
    ...loadCorpus().flatMap((f) => f.cases.map((c) => c.text)), ...adversarialTexts(),
    'a hundred', 'an hour and a half', 'a quarter of an hour', 'three quarters of an hour', 'half an hour', 'halfway',
    'point five', 'minus three', 'negative two', '零下五度', '负五', '万', '百分之四十', '一半', '半小时', '一刻钟', '最亮', '最低档',
    'its lowest setting', 'their highest', 'full', 'max', 'lowest', '40%', '22.5 degrees', '十五', '两千', 'twenty two',
  ];

  test('every token where some number, percent, temperature, duration or setting reading starts is one it says yes to', () => {
    let readings = 0;
    for (const text of texts) {
      const tokens = tokenize(text);
      for (let i = 0; i < tokens.length; i++) {
        const starts = parsers.some((p) => p(tokens, i).length > 0) || extremeAt(tokens, i) !== null;
        if (starts) {
          readings++;
          assert.ok(mayStartNumber(tokens[i]), `"${tokens[i]}" starts a reading in "${text}"`);
        }
      }
    }
    assert.ok(readings > 500, `only ${readings} readings checked`);
  });

  test('ordinary words start none', () => {
    for (const word of ['turn', 'on', 'kitchen', 'light', '打', '开', '灯', 'timer', undefined]) assert.equal(mayStartNumber(word), false, String(word));
  });
});
