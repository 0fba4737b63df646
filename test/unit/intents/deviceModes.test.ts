/**
 * Named fan speeds, presets and modes a device announces itself, and a humidifier's own lowest and highest
 * (issue 14): matched by the real engine, resolved, and turned into each device's command by its kind, as the
 * hub's engine adapter does (slotsPerDevice, then the kind's commandFor).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IntentEngine, isResolveError, slotsPerDevice, commandReply } from '../../../daemon/intents/index.js';
import type { IntentDevice } from '../../../daemon/intents/index.js';
import { intentCommand } from '../../../devices/kinds/index.js';
import { MAX_MODE_WORDS, modeKey, modeWords, ownMode } from '../../../daemon/intents/deviceModes.js';
import { addBundledPluginSentences } from '../../helpers/builtinSentences.js';

const DEVICES: IntentDevice[] = [
  // A fan with a percentage and no presets; a fan whose presets are its speeds and a breeze; a fan with only presets.
  { id: 'office_fan', name: 'Office Fan', aliases: ['书房风扇'], area: 'office', type: 'fan', capabilities: ['onoff', 'fan_speed'] },
  { id: 'bedroom_fan', name: 'Bedroom Fan', aliases: ['卧室风扇'], area: 'bedroom', type: 'fan', capabilities: ['onoff', 'fan_speed', 'mode'], modes: ['Low', 'Medium', 'High', 'Breeze'] },
  { id: 'tower_fan', name: 'Tower Fan', aliases: ['塔扇'], area: 'living room', type: 'fan', capabilities: ['onoff', 'mode'], modes: ['auto', 'sleep', 'nature'] },
  { id: 'plain_fan', name: 'Attic Fan', aliases: [], area: 'attic', type: 'fan', capabilities: ['onoff'] },
  { id: 'humidifier', name: 'Nursery Humidifier', aliases: ['加湿器'], area: 'nursery', type: 'humidifier', capabilities: ['onoff', 'target_humidity', 'mode'], minHumidity: 35, maxHumidity: 65, modes: ['normal', 'baby', 'Night_Mode', '睡眠'] },
  { id: 'dehumidifier', name: 'Dehumidifier', aliases: ['除湿机'], area: 'basement', type: 'humidifier', capabilities: ['onoff', 'target_humidity', 'mode'], modes: ['normal', 'eco'] },
  { id: 'boiler', name: 'Boiler', aliases: ['热水器'], area: 'laundry', type: 'water_heater', capabilities: ['onoff', 'target_temperature', 'mode'], minTemp: 40, maxTemp: 70, modes: ['eco', 'performance'] },
];

function engine(devices = DEVICES): IntentEngine {
  const e = addBundledPluginSentences(new IntentEngine());
  e.setLists({ devices, areas: [{ name: 'office' }, { name: 'bedroom' }, { name: 'living room' }, { name: 'nursery' }, { name: 'basement' }] });
  return e;
}

/** What the hub sends each device for `text`, and its reply; or the refusal's code. */
function act(e: IntentEngine, text: string, lang = 'en'): { intent: string; commands: unknown[]; ids: string[]; reply: string } | { error: string; reason: string } {
  const match = e.match(text, { lang });
  assert.ok(match, `no match for "${text}"`);
  const r = e.resolve(match);
  if (isResolveError(r)) return { error: r.error, reason: r.reason };
  const per = slotsPerDevice(match, r.devices);
  const commands = r.devices.map((d, i) => intentCommand(d.type, match.intent, per ? per[i] : match.slots));
  const reply = commandReply(per ? { ...match, slots: per[0] } : match, r, e.deviceLists);
  return { intent: match.intent, commands, ids: r.devices.map((d) => d.id), reply };
}

describe('named fan speeds', () => {
  const e = engine();
  test('a fan without presets gets the documented percentage (low 33, medium 66, high 100), and the reply says so', () => {
    for (const [text, pct, word] of [
      ['set the office fan to low', 33, 'low'], ['turn the office fan up to high', 100, 'high'], ['office fan on medium', 66, 'medium'],
      ['set the office fan speed to medium', 66, 'medium'], ['put the office fan on high speed', 100, 'high'], ['run the office fan on low', 33, 'low'],
    ] as const) {
      const got = act(e, text);
      assert.ok(!('error' in got), `${text}: ${JSON.stringify(got)}`);
      assert.equal(got.intent, 'HassFanSetSpeed', text);
      assert.deepEqual(got.commands, [{ command: 'set_fan_speed', params: { percentage: pct } }], text);
      assert.equal(got.reply, `Set the office fan to ${word} (${pct}%).`, text);
    }
  });
  test('a fan whose presets have the word gets that preset, in its own spelling', () => {
    const got = act(e, 'set the bedroom fan to low');
    assert.ok(!('error' in got));
    assert.deepEqual(got.commands, [{ command: 'set_mode', params: { mode: 'Low' } }]);
    assert.equal(got.reply, 'Set the bedroom fan to low.');
  });
  test('Chinese and Traditional Chinese', () => {
    const hi = act(e, '书房风扇调到高档', 'zh');
    assert.ok(!('error' in hi));
    assert.deepEqual(hi.commands, [{ command: 'set_fan_speed', params: { percentage: 100 } }]);
    assert.equal(hi.reply, '已将书房风扇调到高速（100%）。');
    const low = act(e, '卧室风扇调到低速', 'zh');
    assert.ok(!('error' in low));
    assert.deepEqual(low.commands, [{ command: 'set_mode', params: { mode: 'Low' } }]);
    const hant = act(e, '書房風扇調到中檔', 'zh-Hant');
    assert.ok(!('error' in hant));
    assert.deepEqual(hant.commands, [{ command: 'set_fan_speed', params: { percentage: 66 } }]);
  });
  test('a fan with presets but no speeds and none of that name, or with neither, is refused and nothing is sent', () => {
    assert.deepEqual(act(e, 'set the tower fan to high'), { error: 'DEVICE_UNSUPPORTED', reason: 'mode' });
    assert.deepEqual(act(e, 'set the attic fan to high'), { error: 'DEVICE_UNSUPPORTED', reason: 'capability' });
  });
});

describe('modes and presets the devices announce', () => {
  const e = engine();
  test('a fan preset the tables do not know ("breeze", "nature"), matched against that fan\'s own list', () => {
    const got = act(e, 'set the bedroom fan to breeze mode');
    assert.ok(!('error' in got));
    assert.deepEqual(got.commands, [{ command: 'set_mode', params: { mode: 'Breeze' } }]);
    assert.equal(got.reply, 'Set the bedroom fan to Breeze.');
    const nature = act(e, '塔扇切换到nature模式', 'zh');
    assert.ok(!('error' in nature));
    assert.deepEqual(nature.commands, [{ command: 'set_mode', params: { mode: 'nature' } }]);
  });
  test('a table word for a preset of the device\'s own ("quiet" for sleep)', () => {
    const got = act(e, 'put the tower fan in quiet mode');
    assert.ok(!('error' in got), JSON.stringify(got));
    assert.deepEqual(got.commands, [{ command: 'set_mode', params: { mode: 'sleep' } }]);
  });
  test('never acts on a device that has no such mode', () => {
    assert.deepEqual(act(e, 'set the tower fan to breeze mode'), { error: 'DEVICE_UNSUPPORTED', reason: 'mode' });
    assert.deepEqual(act(e, 'set the dehumidifier to baby mode'), { error: 'DEVICE_UNSUPPORTED', reason: 'mode' });
    assert.deepEqual(act(e, 'set the dehumidifier to night mode'), { error: 'DEVICE_UNSUPPORTED', reason: 'mode' });
    assert.equal(engine(DEVICES.filter((d) => d.id !== 'bedroom_fan')).match('set the tower fan to breeze mode'), null, 'no device has breeze: not a word at all');
  });
  test('a humidifier\'s own modes, in English and Chinese, in its own spelling', () => {
    for (const [text, mode, lang] of [
      ['set the humidifier to baby mode', 'baby', 'en'], ['set the nursery humidifier to night mode', 'Night_Mode', 'en'],
      ['把加湿器调到睡眠模式', '睡眠', 'zh'], ['加湿器切换到婴儿模式', 'baby', 'zh'], ['把加濕器調到睡眠模式', '睡眠', 'zh-Hant'],
    ] as const) {
      const got = act(e, text, lang);
      assert.ok(!('error' in got), `${text}: ${JSON.stringify(got)}`);
      assert.deepEqual(got.commands, [{ command: 'set_mode', params: { mode } }], text);
    }
  });
  test('the live word list: keys without "mode", bounded, never "on"/"off" or numbers', () => {
    assert.equal(modeKey('Night_Mode'), 'night');
    assert.equal(modeKey('睡眠模式'), '睡眠');
    assert.equal(ownMode(['Night_Mode'], 'night mode'), 'Night_Mode');
    assert.equal(ownMode(['sleep'], 'night'), 'sleep');
    assert.equal(ownMode(['eco'], 'baby'), undefined);
    const many: IntentDevice[] = Array.from({ length: 40 }, (_, i) => ({
      id: `f${i}`, name: `Fan ${i}`, aliases: [], type: 'fan', modes: [...Array.from({ length: 32 }, (_, j) => `preset ${i} ${j}`), 'on', 'off', '3', 'x'.repeat(200)],
    }));
    const words = modeWords(many);
    assert.equal(words.length, MAX_MODE_WORDS);
    assert.ok(words.every((w) => w.tokens.length <= 4 && !['on', 'off', '3'].includes(w.key)));
  });
});

describe('a humidifier\'s and a water heater\'s own lowest and highest', () => {
  const e = engine();
  test('"the highest" is the humidifier\'s max_humidity, "the lowest" its min_humidity', () => {
    for (const [text, value, lang] of [
      ['set the nursery humidifier to the highest setting', 65, 'en'], ['set the humidifier to its lowest setting', 35, 'en'],
      ['set the nursery humidifier to maximum', 65, 'en'], ['加湿器湿度调到最高', 65, 'zh'], ['把加湿器调到最低', 35, 'zh'],
      ['除湿机调到最高', 100, 'zh'],
    ] as const) {
      const got = act(e, text, lang);
      assert.ok(!('error' in got), `${text}: ${JSON.stringify(got)}`);
      assert.equal(got.intent, 'HassHumidifierSetpoint', text);
      assert.deepEqual(got.commands, [{ command: 'set_humidity', params: { humidity: value } }], text);
    }
    const got = act(e, 'set the humidifier to the highest setting');
    assert.ok(!('error' in got));
    assert.equal(got.reply, 'Set the nursery humidifier to 65% humidity.');
  });
  test('a water heater\'s own min/max temperature', () => {
    for (const [text, value, lang] of [['set the boiler to the highest setting', 70, 'en'], ['热水器调到最低', 40, 'zh']] as const) {
      const got = act(e, text, lang);
      assert.ok(!('error' in got), `${text}: ${JSON.stringify(got)}`);
      assert.deepEqual(got.commands, [{ command: 'set_temperature', params: { temperature: value } }], text);
    }
  });
});
