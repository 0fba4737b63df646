/**
 * A thermostat's HVAC modes and presets by voice (issue 14): matched by the real engine, resolved, and turned into each
 * thermostat's command by its kind, as the hub's engine adapter does (slotsPerDevice, then the kind's commandFor); the
 * refusal names the device's own modes; "what mode is it in" answers from state.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IntentEngine, isResolveError, slotsPerDevice, commandReply, errorReply, queryReply } from '../../../daemon/intents/index.js';
import type { IntentDevice } from '../../../daemon/intents/index.js';
import { intentCommand } from '../../../devices/kinds/index.js';
import { climateModeFor, modeWords } from '../../../daemon/intents/deviceModes.js';
import { hvacModeOf, modeLabel } from '../../../devices/kinds/modeWords.js';
import { addBundledPluginSentences } from '../../helpers/builtinSentences.js';

const AC: IntentDevice = {
  id: 'lounge_ac', name: 'Lounge AC', aliases: ['客厅空调'], area: 'lounge', type: 'climate', capabilities: ['target_temperature', 'hvac_mode', 'preset_mode'],
  hvacModes: ['off', 'cool', 'heat', 'auto', 'dry', 'fan_only'], modes: ['eco', 'sleep'],
  state: { hvac_mode: 'cool', preset_mode: 'sleep' },
};
const TRV: IntentDevice = {
  id: 'study_trv', name: 'Study Radiator', aliases: ['书房暖气'], area: 'study', type: 'climate', capabilities: ['target_temperature', 'hvac_mode', 'preset_mode'],
  hvacModes: ['off', 'heat'], modes: ['Manual', 'Boost', 'Frost Protection'], state: { hvac_mode: 'heat', preset_mode: 'none' },
};
// Modes but no way to set them: a thermostat that only reports.
const READ_ONLY: IntentDevice = { id: 'attic', name: 'Attic Thermostat', aliases: [], area: 'attic', type: 'climate', capabilities: ['current_temperature'] };
const FAN: IntentDevice = { id: 'fan', name: 'Desk Fan', aliases: [], area: 'study', type: 'fan', capabilities: ['onoff', 'fan_speed', 'mode'], modes: ['breeze'] };

function engine(devices = [AC, TRV, READ_ONLY, FAN]): IntentEngine {
  const e = addBundledPluginSentences(new IntentEngine());
  e.setLists({ devices, areas: [{ name: 'lounge' }, { name: 'study' }, { name: 'attic' }] });
  return e;
}

function act(e: IntentEngine, text: string, lang = 'en'): { commands: unknown[]; ids: string[]; reply: string } | { error: string; reason: string; reply: string } | null {
  const match = e.match(text, { lang });
  if (!match) return null;
  const r = e.resolve(match);
  if (isResolveError(r)) return { error: r.error, reason: r.reason, reply: errorReply(r, match, e.deviceLists) };
  const per = slotsPerDevice(match, r.devices);
  const commands = r.devices.map((d, i) => intentCommand(d.type, match.intent, per ? per[i] : match.slots));
  return { commands, ids: r.devices.map((d) => d.id), reply: commandReply(per ? { ...match, slots: per[0] } : match, r, e.deviceLists) };
}

describe('the words', () => {
  test('HVAC modes have fixed words in both languages; other words are none', () => {
    for (const [word, mode] of [['cooling', 'cool'], ['制冷', 'cool'], ['heating', 'heat'], ['dehumidify', 'dry'], ['抽湿', 'dry'], ['fan only', 'fan_only'], ['送风', 'fan_only'], ['auto', 'auto']] as const) {
      assert.equal(hvacModeOf(word), mode, word);
    }
    for (const word of ['eco', 'off', 'boost', '节能']) assert.equal(hvacModeOf(word), undefined, word);
    assert.equal(modeLabel('fan_only', 'en'), 'fan only');
    assert.equal(modeLabel('cool', 'zh'), '制冷');
  });

  test('a thermostat\'s presets join the live list of device modes; its HVAC modes do not', () => {
    const words = modeWords([AC, TRV]).map((w) => w.value);
    assert.deepEqual(words, ['eco', 'sleep', 'Manual', 'Boost', 'Frost Protection']);
  });

  test('an HVAC mode the device lists comes first, then a preset of its own, in its spelling', () => {
    assert.deepEqual(climateModeFor(AC, 'cool'), { hvac_mode: 'cool' });
    assert.deepEqual(climateModeFor(AC, 'eco'), { preset_mode: 'eco' });
    assert.deepEqual(climateModeFor(TRV, 'boost'), { preset_mode: 'Boost' });
    assert.deepEqual(climateModeFor(TRV, 'frost protection'), { preset_mode: 'Frost Protection' });
    assert.equal(climateModeFor(TRV, 'cool'), undefined);
    assert.equal(climateModeFor(TRV, 'eco'), undefined);
    assert.equal(climateModeFor(READ_ONLY, 'heat'), undefined);
  });
});

describe('by voice', () => {
  const e = engine();

  test('HVAC modes: set_hvac_mode with the mode, and the reply names it in the user\'s language', () => {
    assert.deepEqual(act(e, 'switch the lounge ac to cooling mode'), { commands: [{ command: 'set_hvac_mode', params: { mode: 'cool' } }], ids: ['lounge_ac'], reply: 'Set the lounge AC to cool mode.' });
    assert.deepEqual(act(e, '客厅空调切换到送风', 'zh'), { commands: [{ command: 'set_hvac_mode', params: { mode: 'fan_only' } }], ids: ['lounge_ac'], reply: '已将客厅空调切换到送风模式。' });
    assert.deepEqual(act(e, 'set the study radiator to heat'), { commands: [{ command: 'set_hvac_mode', params: { mode: 'heat' } }], ids: ['study_trv'], reply: 'Set the study radiator to heat mode.' });
  });

  test('presets: set_preset_mode in the device\'s own spelling', () => {
    assert.deepEqual(act(e, 'turn on boost on the study radiator'), { commands: [{ command: 'set_preset_mode', params: { preset_mode: 'Boost' } }], ids: ['study_trv'], reply: 'Set the study radiator to boost mode.' });
    assert.deepEqual(act(e, '把客厅空调调到节能模式', 'zh'), { commands: [{ command: 'set_preset_mode', params: { preset_mode: 'eco' } }], ids: ['lounge_ac'], reply: '已将客厅空调切换到节能模式。' });
  });

  test('a mode the device lacks is refused naming what it has; a fan or a read-only thermostat is never sent one', () => {
    assert.deepEqual(act(e, 'set the study radiator to cool'), { error: 'DEVICE_UNSUPPORTED', reason: 'mode', reply: 'The study radiator has no cool mode; it has heat, manual, boost and frost protection.' });
    assert.deepEqual(act(e, '书房暖气调到除湿模式', 'zh'), { error: 'DEVICE_UNSUPPORTED', reason: 'mode', reply: '书房暖气没有除湿模式，它有制热、手动、强力和防冻。' });
    const attic = act(e, 'set the attic thermostat to heat');
    assert.ok(attic && 'error' in attic, JSON.stringify(attic));
    assert.match(attic.reply, /attic thermostat has no heat mode\./);
    const fan = act(e, 'set the desk fan to cool');
    assert.ok(fan === null || 'error' in fan, JSON.stringify(fan));
  });

  test('"what mode is it in" answers from state, with the preset when one is on', () => {
    const ask = (text: string, lang = 'en') => {
      const match = e.match(text, { lang });
      assert.ok(match, text);
      assert.equal(match.intent, 'HassGetState');
      const r = e.resolve(match);
      assert.ok(!isResolveError(r), JSON.stringify(r));
      return queryReply(match, r, e.deviceLists);
    };
    assert.equal(ask('what mode is the lounge ac in'), 'The lounge AC is in cool mode, preset sleep.');
    assert.equal(ask('what mode is the study radiator in'), 'The study radiator is in heat mode.');
    assert.equal(ask('客厅空调现在是什么模式', 'zh'), '客厅空调现在是制冷模式，预设为睡眠。');
    assert.equal(ask('what mode is the attic thermostat in'), 'I don\'t know the state of the attic thermostat.');
  });
});
