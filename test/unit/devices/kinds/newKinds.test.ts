import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HubError } from '../../../../daemon/core/errors.js';
import { translateCommand } from '../../../../devices/commands.js';
import { parseDiscovery } from '../../../../devices/haDiscovery.js';
import { decodePayload } from '../../../../devices/payload.js';
import { parseDeviceMessage } from '../../../../devices/stateParser.js';
import { readConfigDevices } from '../../../../devices/configDevices.js';
import { commandTopicsOf, topicsOf } from '../../../../devices/registryIndex.js';
import type { Device, DeviceCommand } from '../../../../devices/model.js';
import type { DeviceConfig } from '../../../../daemon/config/schema.js';

/**
 * The kinds added for issue 14 (valve, vacuum, media_player, scene, button, script), each read from a discovery
 * config shaped like the firmware that sends it, its state parsed, and its commands as MQTT.
 */

function discover(topic: string, config: Record<string, unknown>): Device {
  const r = parseDiscovery(topic, Buffer.from(JSON.stringify(config)), 'homeassistant');
  assert.equal(r.kind, 'config', JSON.stringify(r));
  if (r.kind !== 'config') throw new Error('not a config');
  assert.deepEqual(r.problems ?? [], []);
  return r.entities[0]!.device;
}

function refused(topic: string, config: Record<string, unknown>): string {
  const r = parseDiscovery(topic, Buffer.from(JSON.stringify(config)), 'homeassistant');
  if (r.kind === 'invalid' || r.kind === 'ignored') return r.kind === 'invalid' ? r.code : 'ignored';
  return r.kind === 'config' && r.problems.length > 0 ? r.problems[0]!.code : 'accepted';
}

function sent(d: Device, c: DeviceCommand): Array<[string, string]> {
  const out = translateCommand(d, c);
  for (const p of out) assert.deepEqual([p.qos, p.retain], [1, false]);
  return out.map((p) => [p.topic, p.payload]);
}

function rejects(d: Device, c: DeviceCommand, code = 'DEVICE_UNSUPPORTED'): void {
  assert.throws(() => translateCommand(d, c), (err: unknown) => err instanceof HubError && err.code === code, JSON.stringify(c));
}

function state(d: Device, topic: string, payload: string): Record<string, unknown> | null {
  const msg = decodePayload(topic, Buffer.from(payload));
  if (!msg.ok) throw new Error(`undecodable: ${msg.reason}`);
  return parseDeviceMessage(d, msg).patch;
}

describe('vacuum (HA state schema, as Valetudo announces it)', () => {
  const valetudo = {
    name: 'Robot', object_id: 'valetudo_rockrobo_vacuum', unique_id: 'rockrobo_vacuum',
    availability_topic: 'valetudo/rockrobo/$state', payload_available: 'ready', payload_not_available: 'lost',
    command_topic: 'valetudo/rockrobo/BasicControlCapability/operation/set',
    payload_start: 'START', payload_pause: 'PAUSE', payload_stop: 'STOP', payload_return_to_base: 'HOME',
    set_fan_speed_topic: 'valetudo/rockrobo/FanSpeedControlCapability/preset/set', fan_speed_list: ['low', 'medium', 'high', 'max'],
    state_topic: 'valetudo/rockrobo/hass/rockrobo_vacuum/state',
    supported_features: ['start', 'pause', 'stop', 'return_home', 'battery', 'status', 'locate', 'clean_spot', 'fan_speed', 'send_command'],
    device: { identifiers: ['rockrobo'], manufacturer: 'Roborock', model: 'S5', name: 'Robot', sw_version: 'Valetudo 2024.02.0' },
  };
  const t = valetudo.command_topic;

  test('discovery: its payloads and features; commands on its command topic', () => {
    const v = discover('homeassistant/vacuum/rockrobo/vacuum/config', valetudo);
    assert.equal(v.type, 'vacuum');
    assert.deepEqual(v.capabilities, ['start', 'pause', 'stop', 'return_home']);
    assert.deepEqual(sent(v, { command: 'start' }), [[t, 'START']]);
    assert.deepEqual(sent(v, { command: 'pause' }), [[t, 'PAUSE']]);
    assert.deepEqual(sent(v, { command: 'stop' }), [[t, 'STOP']]);
    assert.deepEqual(sent(v, { command: 'return_to_base' }), [[t, 'HOME']]);
    rejects(v, { command: 'turn_on' });
  });

  test('HA defaults: lower-case payloads, and no pause unless supported_features lists it', () => {
    const v = discover('homeassistant/vacuum/x/config', { name: 'Vac', uniq_id: 'vac1', cmd_t: 'vac/cmd', stat_t: 'vac/state' });
    assert.deepEqual(sent(v, { command: 'start' }), [['vac/cmd', 'start']]);
    assert.deepEqual(sent(v, { command: 'return_to_base' }), [['vac/cmd', 'return_to_base']]);
    rejects(v, { command: 'pause' });
    assert.equal(refused('homeassistant/vacuum/y/config', { name: 'Old', uniq_id: 'v2', schema: 'legacy', cmd_t: 'a' }), 'COMPONENT_UNSUPPORTED');
  });

  test('state: the JSON state, battery and fan speed; an unknown state or bad JSON changes nothing', () => {
    const v = discover('homeassistant/vacuum/rockrobo/vacuum/config', valetudo);
    assert.deepEqual(state(v, valetudo.state_topic, '{"state":"cleaning","battery_level":83,"fan_speed":"max"}'), { state: 'cleaning', battery: 83, fan_speed: 'max' });
    assert.deepEqual(state(v, valetudo.state_topic, '{"state":"docked"}'), { state: 'docked' });
    assert.equal(state(v, valetudo.state_topic, '{"state":"exploding","battery_level":900}'), null);
    assert.equal(state(v, valetudo.state_topic, 'docked'), null);
  });
});

describe('valve (HA MQTT valve)', () => {
  test('open/close payloads; stop only with payload_stop; state words and JSON', () => {
    const v = discover('homeassistant/valve/garden/tap/config', {
      name: 'Garden Tap', uniq_id: 'garden_tap', dev_cla: 'water', cmd_t: 'garden/tap/set', stat_t: 'garden/tap/state',
      dev: { ids: ['garden-node'], name: 'garden-node', sa: 'Garden' },
    });
    assert.equal(v.type, 'valve');
    assert.deepEqual(v.capabilities, ['open_close']);
    assert.deepEqual(sent(v, { command: 'open' }), [['garden/tap/set', 'OPEN']]);
    assert.deepEqual(sent(v, { command: 'close' }), [['garden/tap/set', 'CLOSE']]);
    rejects(v, { command: 'stop' });
    rejects(v, { command: 'set_position', params: { position: 40 } });
    assert.deepEqual(state(v, 'garden/tap/state', 'open'), { state: 'open' });
    assert.deepEqual(state(v, 'garden/tap/state', '{"state":"closing"}'), { state: 'closing' });
    assert.equal(state(v, 'garden/tap/state', 'sideways'), null);
  });

  test('reports_position: open/close/position are numbers between position_closed and position_open', () => {
    const v = discover('homeassistant/valve/heat/config', {
      name: 'Radiator Valve', uniq_id: 'rad1', cmd_t: 'rad/set', stat_t: 'rad/state', reports_position: true, pos_open: 255, pos_clsd: 0,
    });
    assert.deepEqual(v.capabilities, ['open_close', 'position']);
    assert.deepEqual(sent(v, { command: 'open' }), [['rad/set', '255']]);
    assert.deepEqual(sent(v, { command: 'close' }), [['rad/set', '0']]);
    assert.deepEqual(sent(v, { command: 'set_position', params: { position: 50 } }), [['rad/set', '128']]);
    rejects(v, { command: 'set_position', params: { position: 140 } }, 'VALUE_OUT_OF_RANGE');
    assert.deepEqual(state(v, 'rad/state', '51'), { position: 20, state: 'open' });
    assert.deepEqual(state(v, 'rad/state', '0'), { position: 0, state: 'closed' });
    assert.deepEqual(state(v, 'rad/state', '{"position":255,"state":"open"}'), { position: 100, state: 'open' });
  });
});

describe('media player (the mqtt_media_player convention)', () => {
  const lnx = {
    name: 'Desk Speaker', unique_id: 'desk_speaker',
    availability: { topic: 'lnxlink/desk/available', payload_available: 'ON', payload_not_available: 'OFF' },
    state_state_topic: 'lnxlink/desk/state', state_volume_topic: 'lnxlink/desk/volume', state_title_topic: 'lnxlink/desk/title',
    state_artist_topic: 'lnxlink/desk/artist',
    command_play_topic: 'lnxlink/desk/play', command_play_payload: 'play', command_pause_topic: 'lnxlink/desk/pause', command_pause_payload: 'pause',
    command_playpause_topic: 'lnxlink/desk/playpause', command_next_topic: 'lnxlink/desk/next', command_next_payload: 'next',
    command_previous_topic: 'lnxlink/desk/previous', command_volume_topic: 'lnxlink/desk/set_volume',
  };

  test('discovery: one topic per command, its payloads or the convention\'s; every topic subscribed or guarded', () => {
    const p = discover('homeassistant/media_player/desk/config', lnx);
    assert.equal(p.type, 'media_player');
    assert.deepEqual(p.capabilities, ['play_pause', 'next_previous', 'volume']);
    assert.deepEqual(sent(p, { command: 'media_play' }), [['lnxlink/desk/play', 'play']]);
    assert.deepEqual(sent(p, { command: 'media_pause' }), [['lnxlink/desk/pause', 'pause']]);
    assert.deepEqual(sent(p, { command: 'media_next' }), [['lnxlink/desk/next', 'next']]);
    assert.deepEqual(sent(p, { command: 'media_previous' }), [['lnxlink/desk/previous', 'Previous']]);
    assert.deepEqual(sent(p, { command: 'volume_set', params: { volume: 35 } }), [['lnxlink/desk/set_volume', '0.35']]);
    rejects(p, { command: 'volume_set', params: { volume: 101 } }, 'VALUE_OUT_OF_RANGE');
    rejects(p, { command: 'volume_mute' });
    assert.deepEqual(topicsOf(p).sort(), ['lnxlink/desk/artist', 'lnxlink/desk/available', 'lnxlink/desk/state', 'lnxlink/desk/title', 'lnxlink/desk/volume']);
    assert.ok(commandTopicsOf(p).includes('lnxlink/desk/set_volume'));
  });

  test('state: play state, volume 0–1 as percent, title; a relative change needs a known volume', () => {
    const p = discover('homeassistant/media_player/desk/config', lnx);
    assert.deepEqual(state(p, 'lnxlink/desk/state', 'Playing'), { state: 'playing' });
    assert.deepEqual(state(p, 'lnxlink/desk/volume', '0.42'), { volume: 42 });
    assert.deepEqual(state(p, 'lnxlink/desk/volume', '65'), { volume: 65 });
    assert.equal(state(p, 'lnxlink/desk/volume', '-3'), null);
    assert.deepEqual(state(p, 'lnxlink/desk/title', 'So What'), { media_title: 'So What' });
    rejects(p, { command: 'volume_step', params: { step: 10 } });
    p.state.volume = 95;
    assert.deepEqual(sent(p, { command: 'volume_step', params: { step: 10 } }), [['lnxlink/desk/set_volume', '1']]);
    p.state.volume = 30;
    assert.deepEqual(sent(p, { command: 'volume_step', params: { step: -10 } }), [['lnxlink/desk/set_volume', '0.2']]);
  });

  test('a player with only a play/pause toggle toggles only when the state says it must', () => {
    const p = discover('homeassistant/media_player/tv/config', { name: 'TV', unique_id: 'tv1', state_state_topic: 'tv/state', command_playpause_topic: 'tv/pp' });
    rejects(p, { command: 'media_pause' });
    p.state.state = 'playing';
    assert.deepEqual(sent(p, { command: 'media_pause' }), [['tv/pp', 'PlayPause']]);
    rejects(p, { command: 'media_play' });
    assert.equal(refused('homeassistant/media_player/none/config', { name: 'Nothing', unique_id: 'n1' }), 'DISCOVERY_INVALID');
  });

  test('a devices: entry takes commandTopic as the base of the convention\'s layout', () => {
    const { devices, problems } = readConfigDevices([{ id: 'kitchen_radio', type: 'media_player', commandTopic: 'radio' }] as DeviceConfig[]);
    assert.deepEqual(problems, []);
    const r = devices[0]!;
    assert.deepEqual(r.capabilities, ['play_pause', 'next_previous', 'volume', 'mute']);
    assert.deepEqual(sent(r, { command: 'media_pause' }), [['radio/pause', 'Pause']]);
    assert.deepEqual(sent(r, { command: 'volume_mute' }), [['radio/mute', 'true']]);
    assert.deepEqual(sent(r, { command: 'volume_unmute' }), [['radio/mute', 'false']]);
    assert.ok(topicsOf(r).includes('radio/state'));
    assert.ok(!commandTopicsOf(r).includes('radio'));
  });
});

describe('scene, button, script', () => {
  test('scene: payload_on (default ON) on command_topic, for activate or turn_on', () => {
    const s = discover('homeassistant/scene/movie/config', { name: 'Movie Night', uniq_id: 'scene_movie', cmd_t: 'hue/scene/movie/set' });
    assert.equal(s.type, 'scene');
    assert.deepEqual(sent(s, { command: 'activate' }), [['hue/scene/movie/set', 'ON']]);
    assert.deepEqual(sent(s, { command: 'turn_on' }), [['hue/scene/movie/set', 'ON']]);
    rejects(s, { command: 'turn_off' });
    const own = discover('homeassistant/scene/relax/config', { name: 'Relax', uniq_id: 'scene_relax', cmd_t: 'scenes/relax', pl_on: 'GO' });
    assert.deepEqual(sent(own, { command: 'activate' }), [['scenes/relax', 'GO']]);
    assert.equal(refused('homeassistant/scene/x/config', { name: 'No topic', uniq_id: 's3' }), 'DISCOVERY_INVALID');
  });

  test('button: payload_press (default PRESS) through command_template, as ESPHome\'s restart button', () => {
    const b = discover('homeassistant/button/office-node/restart/config', {
      name: 'Restart', uniq_id: 'officenode_restart', dev_cla: 'restart', cmd_t: 'office-node/button/restart/command', pl_prs: 'PRESS',
      dev: { ids: 'aabbccddeeff', name: 'office-node' },
    });
    assert.equal(b.type, 'button');
    assert.deepEqual(sent(b, { command: 'press' }), [['office-node/button/restart/command', 'PRESS']]);
    const tpl = discover('homeassistant/button/bell/config', { name: 'Chime', uniq_id: 'chime', cmd_t: 'bell/cmd', cmd_tpl: '{"ring": "{{ value }}"}', pl_prs: 'once' });
    assert.deepEqual(sent(tpl, { command: 'press' }), [['bell/cmd', '{"ring": "once"}']]);
    rejects(tpl, { command: 'activate' });
  });

  test('script: a devices: entry only; HA has no MQTT script platform', () => {
    const { devices } = readConfigDevices([{ id: 'bedtime', name: 'Bedtime', type: 'script', commandTopic: 'nodered/bedtime', payloadOn: 'run' }] as DeviceConfig[]);
    assert.deepEqual(sent(devices[0]!, { command: 'activate' }), [['nodered/bedtime', 'run']]);
    assert.equal(refused('homeassistant/script/x/config', { name: 'S', uniq_id: 'sc1', cmd_t: 'a' }), 'COMPONENT_UNSUPPORTED');
  });
});
