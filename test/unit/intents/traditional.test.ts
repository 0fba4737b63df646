/** Traditional Chinese and Cantonese (issue 14 item 9): folded to Simplified before matching; replies in the user's script. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inScript, scriptOf, toSimplified, toTraditional } from '../../../daemon/intents/chineseScript.js';
import { langOfTag, tokenize } from '../../../daemon/intents/normalize.js';
import { expectIntent, homeEngine } from './fixture.js';

const engine = homeEngine();
const LIGHTS = ['kitchen_light', 'counter_lights', 'lr_ceiling', 'floor_lamp', 'bedroom_lamp', 'office_lamp', 'hall_light'];

describe('Traditional Chinese', () => {
  test('folds through OpenCC tables, Taiwan and Hong Kong variants included', () => {
    assert.equal(toSimplified('打開客廳的燈'), '打开客厅的灯');
    assert.equal(toSimplified('臥室裡的窗簾'), '卧室里的窗帘');
    assert.equal(toSimplified('turn on the light'), 'turn on the light');
    assert.deepEqual(tokenize('關閉 車庫門。'), tokenize('关闭车库门'));
  });

  test('characters the sentence tables use as written stay as they are: 么 (not 幺), the Cantonese 嗰 and 喎', () => {
    assert.equal(toSimplified('什么'), '什么');
    assert.equal(toSimplified('開嗰盞燈'), '开嗰盏灯');
    assert.equal(toSimplified('甚麼'), '甚么', '麼 folds to 么, not on to 幺');
    // The Cantonese table drops 嗰盏 ("that" + the lamp classifier): it finds it in Traditional text too.
    assert.deepEqual(tokenize('開嗰盞燈'), ['开', '灯']);
    assert.deepEqual(tokenize('开嗰盏灯'), ['开', '灯']);
  });

  test('the same commands as in Simplified, Taiwan and Hong Kong wording', () => {
    expectIntent(engine, '打開廚房的燈', 'HassTurnOn', { ids: ['kitchen_light'] });
    expectIntent(engine, '請把客廳的燈關掉', 'HassTurnOff', { ids: ['lr_ceiling', 'floor_lamp'] });
    expectIntent(engine, '關掉所有的燈', 'HassTurnOff', { ids: LIGHTS });
    expectIntent(engine, '把客廳窗簾調到百分之三十', 'HassSetPosition', { ids: ['lr_blinds'], slots: { position: 30 } });
    expectIntent(engine, '鎖上前門', 'HassTurnOn', { ids: ['front_door'] });
    expectIntent(engine, '前門鎖好了嗎', 'HassGetState', { ids: ['front_door'], slots: { state: 'locked' } });
    expectIntent(engine, '浴室濕度是多少', 'HassGetState', { ids: ['bath_humidity'] });
    expectIntent(engine, '臥室空調調到二十二度', 'HassClimateSetTemperature', { ids: ['bedroom_ac'], slots: { temperature: 22 } });
  });

  test('Cantonese verbs and particles: 開 熄 閂 咗 嘅 未 冇 幾多 較', () => {
    expectIntent(engine, '閂咗廚房盞燈', 'HassTurnOff', { ids: ['kitchen_light'] });
    expectIntent(engine, '熄廚房燈', 'HassTurnOff', { ids: ['kitchen_light'] });
    expectIntent(engine, '唔該開客廳嘅燈', 'HassTurnOn', { ids: ['lr_ceiling', 'floor_lamp'] });
    expectIntent(engine, '客廳嘅燈開咗未', 'HassGetState', { ids: ['lr_ceiling', 'floor_lamp'], slots: { state: 'on' } });
    expectIntent(engine, '前門鎖咗未', 'HassGetState', { ids: ['front_door'], slots: { state: 'locked' } });
    expectIntent(engine, '前門有冇鎖', 'HassGetState', { ids: ['front_door'] });
    expectIntent(engine, '浴室濕度係幾多', 'HassGetState', { ids: ['bath_humidity'] });
    expectIntent(engine, '睡房冷氣較到22度', 'HassClimateSetTemperature', { ids: ['bedroom_ac'], slots: { temperature: 22 } });
    expectIntent(engine, '熄晒啲燈', 'HassTurnOff', { ids: LIGHTS });
  });

  test('Cantonese words that look like Mandarin ones do not change Mandarin sentences', () => {
    // 熄灭 stays a word; 系统 is not 是统; 左边 is not a question.
    expectIntent(engine, '熄灭厨房灯', 'HassTurnOff', { ids: ['kitchen_light'] });
    assert.deepEqual(tokenize('系统状态'), ['系', '统', '状', '态']);
    assert.deepEqual(tokenize('左边'), ['左', '边']);
  });

  test('language tags: zh-CN, zh-TW, zh-HK, zh-Hant, yue are Chinese', () => {
    for (const tag of ['zh', 'zh-CN', 'zh-TW', 'zh-HK', 'zh-Hant', 'zh_Hant_TW', 'yue', 'yue-HK', 'cmn']) assert.equal(langOfTag(tag), 'zh', tag);
    assert.equal(langOfTag('en-GB'), 'en');
    assert.equal(langOfTag('fr'), undefined);
    expectIntent(engine, '打開廚房的燈', 'HassTurnOn', { ids: ['kitchen_light'], lang: 'zh-HK' });
    expectIntent(engine, '熄廚房燈', 'HassTurnOff', { ids: ['kitchen_light'], lang: 'yue' });
  });

  test('replies go back in the script the user wrote', () => {
    assert.equal(scriptOf('打開廚房的燈'), 'tw');
    assert.equal(scriptOf('打开厨房的灯'), 'hans');
    assert.equal(scriptOf('开灯', 'zh-HK'), 'hk');
    assert.equal(scriptOf('開燈', 'zh-CN'), 'hans');
    assert.equal(inScript('已打开厨房的灯。', 'tw'), '已打開廚房的燈。');
    assert.equal(inScript('已打开厨房的灯。', 'hans'), '已打开厨房的灯。');
    assert.equal(toTraditional('卧室里的温度是22度', 'tw'), '臥室裡的溫度是22度');
    assert.equal(inScript('Turned on the light.', 'tw'), 'Turned on the light.');
  });
});
