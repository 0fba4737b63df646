import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HubError } from '../../daemon/core/errors.js';
import { translateCommand } from '../../devices/commands.js';
import { parseDiscovery } from '../../devices/haDiscovery.js';
import { decodePayload } from '../../devices/payload.js';
import { parseDeviceMessage } from '../../devices/stateParser.js';
import { commandTopicsOf, topicsOf } from '../../devices/registryIndex.js';
import { IntentEngine, isResolveError } from '../../daemon/intents/index.js';
import type { Device, DeviceCommand } from '../../devices/model.js';

/**
 * Hostile input to the new kinds: discovery configs with wrong types, wildcards and junk; state payloads that
 * are huge, non-numeric or out of range; commands with bad values; and long text in the new sentence lists.
 * Nothing throws past a clear refusal, nothing bad is stored, no wildcard is subscribed or guarded.
 */

function discover(topic: string, config: unknown): Device | string {
  const r = parseDiscovery(topic, Buffer.from(JSON.stringify(config)), 'homeassistant');
  if (r.kind === 'config') return r.entities[0]?.device ?? 'none';
  return r.kind === 'invalid' ? r.code : 'ignored';
}

function state(d: Device, topic: string, payload: string) {
  const msg = decodePayload(topic, Buffer.from(payload));
  if (!msg.ok) return { patch: null, failure: msg.code };
  return parseDeviceMessage(d, msg);
}

test('media player: junk topics and payloads are dropped or refused, never stored or subscribed as wildcards', () => {
  const d = discover('homeassistant/media_player/evil/config', {
    name: 'Evil', unique_id: 'evil', state_state_topic: 'evil/#', state_volume_topic: 'evil/volume', command_volume_topic: { not: 'a topic' },
    command_play_topic: 'evil/+/play', command_pause_topic: ['x'], command_next_topic: 42, availability: { topic: 7 },
  });
  assert.ok(typeof d !== 'string', String(d));
  assert.ok(!topicsOf(d).some((t) => t.includes('#') || t.includes('+')));
  assert.ok(!commandTopicsOf(d).some((t) => t.includes('#') || t.includes('+')));
  rejects(d, { command: 'volume_set', params: { volume: 50 } }, 'DEVICE_UNSUPPORTED');
  for (const v of ['NaN', '1e309', '-0.5', '101', 'loud', '0x10', '']) assert.equal(state(d, 'evil/volume', v).patch?.volume, undefined, v);
  assert.equal(state(d, 'evil/volume', '0.'.padEnd(100_000, '5')).patch, null, 'an oversized state payload is refused whole');
  rejects(d, { command: 'volume_set', params: { volume: Number.NaN } }, 'VALUE_OUT_OF_RANGE');
  rejects(d, { command: 'volume_step', params: { step: Number.POSITIVE_INFINITY } }, 'DEVICE_UNSUPPORTED');
});

test('vacuum and valve: a state that is not theirs changes nothing; bad positions and colours are refused', () => {
  const v = discover('homeassistant/vacuum/v/config', { name: 'V', uniq_id: 'v', cmd_t: 'v/cmd', stat_t: 'v/state', sup_feat: 'start' }) as Device;
  assert.deepEqual(v.capabilities, ['start', 'stop', 'return_home'], 'a non-list supported_features is HA\'s default');
  for (const p of ['{"state":{"nested":true}}', '{"battery_level":"full"}', '{"state":"__proto__"}', '[1,2,3]', '{"state":"' + 'x'.repeat(5000) + '"}']) {
    assert.equal(state(v, 'v/state', p).patch?.state, undefined, p.slice(0, 30));
  }
  const valve = discover('homeassistant/valve/w/config', { name: 'W', uniq_id: 'w', cmd_t: 'w/set', stat_t: 'w/state', reports_position: true }) as Device;
  for (const p of ['{"position":"50"}', '{"position":1e400}', '{not json', 'Infinity']) assert.equal(state(valve, 'w/state', p).patch?.position, undefined, p);
  rejects(valve, { command: 'set_position', params: { position: -1 } }, 'VALUE_OUT_OF_RANGE');
  const light = discover('homeassistant/light/l/config', { name: 'L', uniq_id: 'l', schema: 'json', cmd_t: 'l/set', sup_clrm: ['rgb', 'color_temp'], min_mirs: 900, max_mirs: 100 }) as Device;
  for (const rgb of [[256, 0, 0], [1.5, 0, 0], [0, 0], ['ff', 0, 0], null]) rejects(light, { command: 'set_color', params: { rgb: rgb as [number, number, number] } }, 'VALUE_OUT_OF_RANGE');
  rejects(light, { command: 'set_color_temp', params: { kelvin: 0 } }, 'VALUE_OUT_OF_RANGE');
  // min_mireds above max_mireds is ignored: HA's defaults apply.
  assert.deepEqual(JSON.parse(translateCommand(light, { command: 'set_color_temp', params: { kelvin: 1000 } })[0]!.payload).color_temp, 500);
});

test('long and odd text in the new lists and floors answers quickly with a match or nothing', () => {
  const e = new IntentEngine({ recentMatches: 0 });
  e.setLists({
    devices: [
      { id: 'l', name: 'Lamp', aliases: [], area: 'kitchen', type: 'light', capabilities: ['onoff', 'color'], state: {} },
      { id: 'p', name: 'Speaker', aliases: [], area: 'kitchen', type: 'media_player', capabilities: ['play_pause', 'volume'], state: {} },
    ],
    areas: [{ name: 'kitchen', floor: 'ground' }],
    floors: [{ name: 'ground', level: 0 }, { name: 'up', level: 1 }],
  });
  const texts = [
    'make the lamp ' + 'dark '.repeat(99) + 'red', 'turn the lamp ' + 'red and blue '.repeat(40), '下一首'.repeat(160),
    'turn off the lights ' + 'upstairs '.repeat(60), 'set the volume to ' + '9'.repeat(400), '把灯调成' + '红色'.repeat(200),
    'pause '.repeat(80), 'louder '.repeat(70), '楼上楼下'.repeat(120),
  ];
  for (const t of texts) {
    const m = e.match(t.slice(0, 500));
    if (m) e.resolve(m);
  }
  const loud = e.match('set the volume to 150');
  assert.equal(loud?.intent, 'HassSetVolume');
  const r = e.resolve(loud!);
  assert.ok(isResolveError(r) && r.error === 'VALUE_OUT_OF_RANGE', 'refused before any device is chosen');
});

function rejects(d: Device, c: DeviceCommand, code: string): void {
  assert.throws(() => translateCommand(d, c), (err: unknown) => err instanceof HubError && err.code === code, JSON.stringify(c));
}

test('humidifier and water heater: junk modes, ranges, templates and state are refused or dropped, never stored as given', () => {
  const h = discover('homeassistant/humidifier/h/config', {
    name: 'H', uniq_id: 'h', cmd_t: 'h/set', hum_cmd_t: 'h/+/hum', hum_stat_t: 'h/hum', curr_hum_t: 'h/#', act_t: 'h/act', mode_cmd_t: 'h/mode',
    modes: ['eco', 42, { x: 1 }, ...Array.from({ length: 100 }, (_, i) => `m${i}`)], min_hum: 'low', max_hum: 1e400,
  });
  assert.ok(typeof h !== 'string', String(h));
  assert.ok(!topicsOf(h).some((t) => t.includes('#') || t.includes('+')));
  assert.ok((h.mqtt.modes ?? []).length <= 32 && (h.mqtt.modes ?? []).every((m) => typeof m === 'string'), 'modes: strings only, bounded');
  for (const v of ['NaN', 'damp', '1e309', '']) assert.equal(state(h, 'h/hum', v).patch?.target_humidity, undefined, v);
  assert.equal(state(h, 'h/act', '__proto__').patch, null);
  for (const v of [Number.NaN, Number.POSITIVE_INFINITY, -1, 101, '50' as unknown as number]) rejects(h, { command: 'set_humidity', params: { humidity: v } }, 'VALUE_OUT_OF_RANGE');
  for (const m of ['__proto__', 'constructor', 'x'.repeat(5000), 42 as unknown as string]) rejects(h, { command: 'set_mode', params: { mode: m } }, 'VALUE_OUT_OF_RANGE');
  // A template outside the hub's evaluator refuses the whole entity at discovery.
  assert.equal(discover('homeassistant/humidifier/t/config', { name: 'T', uniq_id: 't', cmd_t: 't/set', hum_cmd_t: 't/h', hum_cmd_tpl: '{% for x in range(9) %}{% endfor %}' }), 'TEMPLATE_FORBIDDEN');
  const w = discover('homeassistant/water_heater/w/config', {
    name: 'W', uniq_id: 'w', temp_cmd_t: 'w/t', mode_cmd_t: 'w/m', mode_stat_t: 'w/mode', modes: ['eco', 'rocket', 'off'], min_temp: 90, max_temp: 10,
  }) as Device;
  assert.deepEqual(w.mqtt.modes, ['eco', 'off'], 'only HA\'s water heater modes');
  assert.equal(state(w, 'w/mode', 'rocket').patch, null);
  for (const t of [Number.NaN, 50, 95]) rejects(w, { command: 'set_temperature', params: { temperature: t } }, 'VALUE_OUT_OF_RANGE');
  rejects(w, { command: 'set_mode', params: { mode: 'rocket' } }, 'VALUE_OUT_OF_RANGE');
});

test('climate presets: a flood of presets, junk and overlong names are bounded; an unlisted or overlong preset is refused, never sent', () => {
  const junk = [...Array.from({ length: 10_000 }, (_, i) => `p${i}`), 'x'.repeat(65), 42, null, { eco: true }, '', '  ', 'none'];
  const d = discover('homeassistant/climate/evil/config', {
    name: 'Evil', uniq_id: 'evil_tstat', mode_cmd_t: 'evil/mode/set', modes: ['heat', 'y'.repeat(5000), 7, ...Array.from({ length: 500 }, (_, i) => `m${i}`)],
    pr_mode_cmd_t: 'evil/preset/set', pr_mode_stat_t: 'evil/preset', pr_modes: [...junk.slice(-7), ...junk.slice(0, 100)],
  });
  assert.ok(typeof d !== 'string', String(d));
  assert.equal(d.mqtt.presetModes?.length, 32, 'at most 32 presets');
  assert.ok(d.mqtt.presetModes!.every((p) => typeof p === 'string' && p.trim() !== '' && p.length <= 64 && p !== 'none'));
  assert.equal(d.mqtt.modes?.length, 32, 'at most 32 HVAC modes');
  assert.ok(d.mqtt.modes!.every((m) => m.length <= 64));
  rejects(d, { command: 'set_preset_mode', params: { preset_mode: 'p99' } }, 'VALUE_OUT_OF_RANGE');
  rejects(d, { command: 'set_preset_mode', params: { preset_mode: 'x'.repeat(65) } }, 'VALUE_OUT_OF_RANGE');
  rejects(d, { command: 'set_preset_mode', params: { preset_mode: 'none' } }, 'VALUE_OUT_OF_RANGE');
  rejects(d, { command: 'set_preset_mode', params: { preset_mode: 42 as unknown as string } }, 'VALUE_OUT_OF_RANGE');
  assert.equal(state(d, 'evil/preset', 'z'.repeat(65)).patch?.preset_mode, undefined, 'an overlong preset state is not stored');
  assert.equal(state(d, 'evil/preset', 'p1').patch?.preset_mode, 'p1');
  // A preset named like a command or a device ("turn off the kitchen light") is only ever a preset of that thermostat.
  const e = new IntentEngine();
  e.setLists({ devices: [
    { id: 'evil', name: 'Evil', aliases: [], type: 'climate', capabilities: ['hvac_mode', 'preset_mode'], hvacModes: ['heat'], modes: ['kitchen light', 'off', '12'] },
    { id: 'kitchen', name: 'Kitchen Light', aliases: [], type: 'light', capabilities: ['onoff'] },
  ], areas: [] });
  const m = e.match('turn off the kitchen light', { lang: 'en' });
  assert.equal(m?.intent, 'HassTurnOff');
  const r = m ? e.resolve(m) : null;
  assert.ok(r && !isResolveError(r) && r.devices.map((x) => x.id).join() === 'kitchen');
  for (const text of ['set evil to off', 'set evil to 12', 'off mode']) {
    const x = e.match(text, { lang: 'en' });
    assert.notEqual(x?.intent, 'HassClimateSetMode', `${text}: "off" and numbers are never a preset's spoken name`);
  }
});
