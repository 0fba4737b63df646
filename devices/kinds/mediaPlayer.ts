import type { Capability, Device, DeviceCommand, MediaBinding, MqttPublish } from '../model.js';
import { str } from '../discoveryFields.js';
import { toNumber } from '../scaling.js';
import { read, type StatePatch } from '../stateReading.js';
import { percent, publish, unsupported } from '../commandParts.js';
import type { DeviceKind, IntentSlots } from './kind.js';
import { PERCENT, type CommandSpecs } from './commandSpec.js';

/**
 * A media player (speaker, TV, stereo): play/pause, next/previous, volume, mute. Home Assistant has no MQTT
 * media_player platform; the convention real bridges speak is the `mqtt_media_player` custom integration's
 * (bkbilly/hass-mqtt-mediaplayer, used by LNXlink and others): discovery on `homeassistant/media_player/<id>/config`
 * with one topic per field — `state_state_topic` (playing, paused, idle, stopped, off), `state_volume_topic`
 * (0–1), `state_title_topic`, `state_artist_topic`, and `command_play_topic`, `command_pause_topic`,
 * `command_playpause_topic`, `command_next_topic`, `command_previous_topic` each with a `…_payload`
 * ("Play", "Pause", "PlayPause", "Next", "Previous" when not given), `command_volume_topic` (0–1).
 * voicehub adds `command_mute_topic` (`true`/`false`), which that integration lacks.
 * A `devices:` entry (`type: media_player`) takes `commandTopic` as the player's base topic and the
 * convention's example layout below it: `<base>/state`, `/volume`, `/title`, `/artist`, `/play`, `/pause`,
 * `/playpause`, `/next`, `/previous`, `/volumeset`, `/mute`.
 * State: { state: 'playing'|'paused'|'idle'|'stopped'|'off'|'on', volume (0–100), media_title, media_artist }.
 */

const STATES = new Set(['playing', 'paused', 'idle', 'stopped', 'off', 'on', 'standby', 'buffering']);
const DEFAULT_STEP = 10;
const SOUND = '(sound|audio|volume|music|tv|radio|speaker|speakers)';
const MEDIA = '(music|song|track|movie|film|video|show|tv|playback|media|podcast|audio|radio|episode)';

function mediaOf(device: Device): MediaBinding {
  return device.mqtt.media ?? {};
}

function capsOf(m: MediaBinding): Capability[] {
  const caps: Capability[] = [];
  if (m.commandPlayTopic || m.commandPauseTopic || m.commandPlayPauseTopic) caps.push('play_pause');
  if (m.commandNextTopic || m.commandPreviousTopic) caps.push('next_previous');
  if (m.commandVolumeTopic) caps.push('volume');
  if (m.commandMuteTopic) caps.push('mute');
  return caps;
}

/** A volume as a player reports it: 0–1 (HA's volume_level), or 0–100 from players that speak percent. */
function volumePercent(raw: number): number | null {
  if (!Number.isFinite(raw) || raw < 0 || raw > 100) return null;
  return Math.round(raw <= 1 ? raw * 100 : raw);
}

function readMedia(device: Device, topic: string, value: string | null, out: StatePatch): void {
  if (value === null) return;
  const m = mediaOf(device);
  if (topic === m.stateStateTopic) {
    const s = value.trim().toLowerCase();
    if (STATES.has(s)) out.set('state', s);
    else out.fail('VALUE_INVALID', `unexpected media player state "${value.slice(0, 40)}"`);
  }
  if (topic === m.stateVolumeTopic) {
    const n = toNumber(value);
    const pct = n === null ? null : volumePercent(n);
    if (pct === null) out.fail('VALUE_INVALID', `volume "${value.slice(0, 40)}" is not 0–1 or 0–100`);
    else out.set('volume', pct);
  }
  if (topic === m.stateTitleTopic) out.set('media_title', value);
  if (topic === m.stateArtistTopic) out.set('media_artist', value);
}

function send(device: Device, t: string | undefined, payload: string, what: string): MqttPublish[] {
  if (!t) throw unsupported(device, what, 'no topic for it');
  return [publish(t, payload)];
}

function setVolume(device: Device, pct: number): MqttPublish[] {
  const m = mediaOf(device);
  const scale = m.volumeScale === 100 ? 100 : 1;
  const value = scale === 100 ? String(Math.round(pct)) : String(Math.round(pct) / 100);
  return send(device, m.commandVolumeTopic, value, 'volume');
}

function translate(device: Device, command: DeviceCommand): MqttPublish[] {
  const m = mediaOf(device);
  switch (command.command) {
    case 'media_play':
      if (m.commandPlayTopic) return send(device, m.commandPlayTopic, m.commandPlayPayload ?? 'Play', 'play');
      // Only a play/pause toggle: send it when the player is known not to be playing already.
      if (m.commandPlayPauseTopic && device.state.state !== 'playing') return send(device, m.commandPlayPauseTopic, m.commandPlayPausePayload ?? 'PlayPause', 'play');
      throw unsupported(device, 'play');
    case 'media_pause':
      if (m.commandPauseTopic) return send(device, m.commandPauseTopic, m.commandPausePayload ?? 'Pause', 'pause');
      if (m.commandPlayPauseTopic && device.state.state === 'playing') return send(device, m.commandPlayPauseTopic, m.commandPlayPausePayload ?? 'PlayPause', 'pause');
      throw unsupported(device, 'pause');
    case 'media_next': return send(device, m.commandNextTopic, m.commandNextPayload ?? 'Next', 'next track');
    case 'media_previous': return send(device, m.commandPreviousTopic, m.commandPreviousPayload ?? 'Previous', 'previous track');
    case 'volume_set': return setVolume(device, percent(device, command.params?.volume, 'volume'));
    case 'volume_step': {
      const step = command.params?.step;
      if (typeof step !== 'number' || !Number.isFinite(step) || step < -100 || step > 100) throw unsupported(device, 'volume step', 'not a step between -100 and 100');
      const now = device.state.volume;
      // A relative change needs the level it is relative to; guessing one could blast the speaker.
      if (typeof now !== 'number') throw unsupported(device, 'a relative volume change', 'its volume is not known yet');
      return setVolume(device, Math.min(100, Math.max(0, now + step)));
    }
    case 'volume_mute': return send(device, m.commandMuteTopic, 'true', 'mute');
    case 'volume_unmute': return send(device, m.commandMuteTopic, 'false', 'unmute');
    default: throw unsupported(device, command.command);
  }
}

/** HA's volume_step is "up", "down" or a signed number of percent; "by 20" with `volume_direction: down` is -20. */
function stepOf(s: IntentSlots): number | null {
  const v = s.volume_step;
  if (v === 'up') return DEFAULT_STEP;
  if (v === 'down') return -DEFAULT_STEP;
  if (typeof v === 'number') return s.volume_direction === 'down' ? -Math.abs(v) : v;
  return null;
}

export const MEDIA_PLAYER_COMMANDS = {
  media_play: { needs: 'play_pause', description: 'Play (resume) a media player.' },
  media_pause: { needs: 'play_pause', description: 'Pause a media player.' },
  media_next: { needs: 'next_previous', description: 'Skip to the next track.' },
  media_previous: { needs: 'next_previous', description: 'Go back to the previous track.' },
  volume_set: { needs: 'volume', description: 'Set a media player\'s volume in percent (0-100).', param: { name: 'volume', kind: 'number', schema: PERCENT } },
  volume_step: {
    needs: 'volume', description: 'Turn a media player\'s volume up or down by percentage points.', tool: false,
    param: { name: 'step', kind: 'number', schema: { type: 'number', minimum: -100, maximum: 100 } },
  },
  volume_mute: { needs: 'mute', description: 'Mute a media player.' },
  volume_unmute: { needs: 'mute', description: 'Unmute a media player.' },
} as const satisfies CommandSpecs;

export const mediaPlayer: DeviceKind<typeof MEDIA_PLAYER_COMMANDS> = {
  commands: MEDIA_PLAYER_COMMANDS,
  readDiscovery(c, b, caps) {
    const m: MediaBinding = {};
    const fields: ReadonlyArray<[keyof MediaBinding, string]> = [
      ['stateStateTopic', 'state_state_topic'], ['stateVolumeTopic', 'state_volume_topic'], ['stateTitleTopic', 'state_title_topic'],
      ['stateArtistTopic', 'state_artist_topic'], ['commandPlayTopic', 'command_play_topic'], ['commandPlayPayload', 'command_play_payload'],
      ['commandPauseTopic', 'command_pause_topic'], ['commandPausePayload', 'command_pause_payload'],
      ['commandPlayPauseTopic', 'command_playpause_topic'], ['commandPlayPausePayload', 'command_playpause_payload'],
      ['commandNextTopic', 'command_next_topic'], ['commandNextPayload', 'command_next_payload'],
      ['commandPreviousTopic', 'command_previous_topic'], ['commandPreviousPayload', 'command_previous_payload'],
      ['commandVolumeTopic', 'command_volume_topic'], ['commandMuteTopic', 'command_mute_topic'],
    ];
    for (const [key, field] of fields) {
      const v = str(c[field]);
      if (v !== undefined) (m as Record<string, string>)[key] = v;
    }
    const topics = capsOf(m);
    if (topics.length === 0 && !m.stateStateTopic) {
      return { code: 'DISCOVERY_INVALID', reason: 'media_player: needs state_state_topic or a command_*_topic (the mqtt_media_player convention)' };
    }
    b.media = m;
    caps.push(...topics);
    return null;
  },

  parseState(device, msg, out) {
    readMedia(device, msg.topic, read(undefined, msg, out), out);
  },
  parseZigbee2Mqtt() {},
  translate,
  translateZigbee2Mqtt(device, command) { throw unsupported(device, command.command); },

  configBinding(_e, b) {
    const base = b.commandTopic;
    if (!base) return;
    b.media = {
      stateStateTopic: b.stateTopic ?? `${base}/state`, stateVolumeTopic: `${base}/volume`, stateTitleTopic: `${base}/title`,
      stateArtistTopic: `${base}/artist`, commandPlayTopic: `${base}/play`, commandPauseTopic: `${base}/pause`,
      commandPlayPauseTopic: `${base}/playpause`, commandNextTopic: `${base}/next`, commandPreviousTopic: `${base}/previous`,
      commandVolumeTopic: `${base}/volumeset`, commandMuteTopic: `${base}/mute`,
    };
    // The player's topics are the media ones; the base itself is neither published nor subscribed.
    delete b.commandTopic;
    delete b.stateTopic;
  },
  configCapabilities: (_e, b) => (b.media ? capsOf(b.media) : []),

  extraTopics(b) {
    const m = b.media ?? {};
    return {
      state: [m.stateStateTopic, m.stateVolumeTopic, m.stateTitleTopic, m.stateArtistTopic],
      command: [m.commandPlayTopic, m.commandPauseTopic, m.commandPlayPauseTopic, m.commandNextTopic, m.commandPreviousTopic, m.commandVolumeTopic, m.commandMuteTopic],
    };
  },

  defaultIntents: [
    'HassMediaPause', 'HassMediaUnpause', 'HassMediaNext', 'HassMediaPrevious', 'HassSetVolume', 'HassSetVolumeRelative',
    'HassMediaPlayerMute', 'HassMediaPlayerUnmute',
  ],
  stateWords: [],
  intents: [
    'HassMediaPause', 'HassMediaUnpause', 'HassMediaNext', 'HassMediaPrevious', 'HassSetVolume', 'HassSetVolumeRelative',
    'HassMediaPlayerMute', 'HassMediaPlayerUnmute',
  ],
  commandFor(intent: string, s: IntentSlots): DeviceCommand | null {
    switch (intent) {
      case 'HassMediaPause': return { command: 'media_pause' };
      case 'HassMediaUnpause': return { command: 'media_play' };
      case 'HassMediaNext': return { command: 'media_next' };
      case 'HassMediaPrevious': return { command: 'media_previous' };
      case 'HassSetVolume': return typeof s.volume === 'number' ? { command: 'volume_set', params: { volume: s.volume } } : null;
      case 'HassSetVolumeRelative': { const step = stepOf(s); return step === null ? null : { command: 'volume_step', params: { step } }; }
      case 'HassMediaPlayerMute': return { command: 'volume_mute' };
      case 'HassMediaPlayerUnmute': return { command: 'volume_unmute' };
      default: return null;
    }
  },
  typeWords: [{
    en: ['media player', 'speaker', 'smart speaker', 'player', 'music player', 'stereo', 'soundbar', 'sound bar', 'radio', 'tv', 'television', 'sonos'],
    enPlural: ['media players', 'speakers', 'smart speakers', 'players', 'stereos', 'soundbars', 'radios', 'tvs', 'televisions'],
    zh: ['音箱', '音响', '播放器', '智能音箱', '收音机', '电视', '电视机', '喇叭'],
  }],
  noun: { en: 'speakers', zh: '音箱' },
  sentences: {
    en: {
      HassMediaPause: [
        { domains: ['media_player'], sentences: ['(pause|stop) <target>', '<target> pause', 'pause [the] ' + MEDIA + ' (on|in) <target>'] },
        { domains: ['media_player'], sentences: ['(pause|stop|hold) [the] ' + MEDIA + ' [<in_area>]', 'pause [<in_area>]', 'pause it'] },
      ],
      HassMediaUnpause: [
        { domains: ['media_player'], sentences: ['(resume|unpause|continue) <target>', '(resume|unpause|continue|play) [the] ' + MEDIA + ' (on|in) <target>'] },
        {
          domains: ['media_player'],
          sentences: ['(resume|unpause|continue) [the] ' + MEDIA + ' [<in_area>]', '(resume|unpause|continue) [playing|playback] [<in_area>]', 'play [the] ' + MEDIA + ' again [<in_area>]', '(keep|start) playing [<in_area>]'],
        },
      ],
      HassMediaNext: [{
        domains: ['media_player'],
        sentences: [
          '(next|skip) [(track|song|episode|one)] [<in_area>]', '(skip|next) [(this|the)] (track|song|episode) [<in_area>]',
          '(play|go to|skip to) [the] next (track|song|episode|one) [<in_area>]', '(next|skip) [(track|song)] on <target>',
          '(play|go to|skip to) [the] next (track|song|episode) on <target>', 'skip <target>',
        ],
      }],
      HassMediaPrevious: [{
        domains: ['media_player'],
        sentences: [
          'previous [(track|song|episode)] [<in_area>]', '(go|skip) back [(a|one)] [(track|song)] [<in_area>]',
          '(play|go to|skip to|go back to) [the] (previous|last) (track|song|episode|one) [<in_area>]', 'replay [the] (last|previous) (track|song)',
          'previous (track|song|episode) on <target>', '(play|go to|go back to) [the] (previous|last) (track|song|episode) on <target>',
        ],
      }],
      HassSetVolume: [{
        domains: ['media_player'],
        sentences: [
          '(set|change|put|turn|bring|adjust) [the] volume [<in_area>] <to> {percentage:volume} [<in_area>]',
          '(set|change|put|turn|adjust) [the] volume (of|on|for) <target> <to> {percentage:volume}',
          '(set|change|put|turn) <target> volume <to> {percentage:volume}', '(set|put|turn) <target> <to> volume {percentage:volume}',
          'volume [<in_area>] <to> {percentage:volume}', 'volume {percentage:volume} [<in_area>]', '<target> volume [<to>] {percentage:volume}',
        ],
      }],
      HassSetVolumeRelative: [
        {
          domains: ['media_player'],
          slots: { volume_step: 'up' },
          sentences: [
            '(turn|crank|pump|bump|bring) up [the] (volume|sound|music) [<in_area>]', '(turn|crank|pump|bump|bring) [the] (volume|sound|music) up [<in_area>]',
            '(increase|raise|boost) [the] volume [<in_area>]', 'volume up [<in_area>]', '[make it|a bit|a little] louder [<in_area>]',
            '(turn|crank) up <target>', '(turn|crank) <target> up', '(increase|raise) [the] volume (of|on) <target>', '<target> louder',
          ],
        },
        {
          domains: ['media_player'],
          slots: { volume_step: 'down' },
          sentences: [
            '(turn|bring) down [the] (volume|sound|music) [<in_area>]', '(turn|bring) [the] (volume|sound|music) down [<in_area>]',
            '(decrease|lower|reduce) [the] volume [<in_area>]', 'volume down [<in_area>]', '[make it|a bit|a little] (quieter|softer) [<in_area>]',
            'turn down <target>', 'turn <target> down', '(decrease|lower|reduce) [the] volume (of|on) <target>', '<target> (quieter|softer)',
          ],
        },
        {
          domains: ['media_player'],
          sentences: ['(turn|raise|increase|put) [the] volume up by {percentage:volume_step} [<in_area>]', '(raise|increase) [the] volume by {percentage:volume_step} [<in_area>]'],
        },
        {
          domains: ['media_player'],
          slots: { volume_direction: 'down' },
          sentences: ['(turn|lower|decrease|put) [the] volume down by {percentage:volume_step} [<in_area>]', '(lower|decrease|reduce) [the] volume by {percentage:volume_step} [<in_area>]'],
        },
      ],
      HassMediaPlayerMute: [
        { domains: ['media_player'], sentences: ['(mute|silence) <target>', '<target> mute'] },
        { domains: ['media_player'], sentences: ['mute [the] ' + SOUND + ' [<in_area>]', 'mute [<in_area>]'] },
      ],
      HassMediaPlayerUnmute: [
        { domains: ['media_player'], sentences: ['unmute <target>', '<target> unmute'] },
        { domains: ['media_player'], sentences: ['unmute [the] ' + SOUND + ' [<in_area>]', 'unmute [<in_area>]', 'turn [the] sound back on [<in_area>]'] },
      ],
    },
    zh: {
      HassMediaPause: [
        { domains: ['media_player'], sentences: ['暂停<target>', '<target>暂停[播放]', '<target>(停止播放|别放了|先停一下)'] },
        { domains: ['media_player'], sentences: ['[<where>]暂停[播放|音乐|歌曲|视频|一下]', '[<where>](停止播放|别放了|先别放了)', '(音乐|歌)暂停'] },
      ],
      HassMediaUnpause: [
        { domains: ['media_player'], sentences: ['(继续|恢复)<target>', '<target>(继续播放|继续|恢复播放)'] },
        { domains: ['media_player'], sentences: ['[<where>](继续|恢复)(播放|放)[音乐|歌曲|视频]', '[<where>]继续放[歌|音乐]', '取消暂停'] },
      ],
      HassMediaNext: [{
        domains: ['media_player'],
        sentences: ['[<where>](下一首|下一曲|下首|下一个|下一集|切歌|换首歌|换一首|跳过这首|播放下一首|放下一首)', '<target>(下一首|下一曲|切歌|下一集)'],
      }],
      HassMediaPrevious: [{
        domains: ['media_player'],
        sentences: ['[<where>](上一首|上一曲|上首|上一个|上一集|播放上一首|放上一首|回到上一首)', '<target>(上一首|上一曲|上一集)'],
      }],
      HassSetVolume: [{
        domains: ['media_player'],
        sentences: ['[<where>](音量|声音)<setto>{percentage:volume}', '<target>(音量|声音)<setto>{percentage:volume}', '(音量|声音)[<setto>]{percentage:volume}'],
      }],
      HassSetVolumeRelative: [
        {
          domains: ['media_player'],
          slots: { volume_step: 'up' },
          sentences: [
            '[<where>](音量|声音)(调大|大一点|大点|加大|调高|高一点|增大|开大|大些)', '[<where>](调大|加大|开大|提高|增大|调高)(音量|声音)',
            '大声[一]点', '(声音|音量)太小了', '<target>[音量|声音](大一点|调大|大点|开大)',
          ],
        },
        {
          domains: ['media_player'],
          slots: { volume_step: 'down' },
          sentences: [
            '[<where>](音量|声音)(调小|小一点|小点|减小|调低|低一点|降低|关小|小些)', '[<where>](调小|关小|降低|减小|调低)(音量|声音)',
            '小声[一]点', '(声音|音量)太大了', '太吵了', '<target>(音量|声音)(小一点|调小|小点|关小)',
          ],
        },
      ],
      HassMediaPlayerMute: [
        { domains: ['media_player'], sentences: ['<target>静音', '(静音|关掉声音)<target>', '[<where>](静音|开启静音|打开静音)'] },
      ],
      HassMediaPlayerUnmute: [
        { domains: ['media_player'], sentences: ['<target>(取消静音|解除静音)', '[<where>](取消静音|解除静音|关闭静音|恢复声音)'] },
      ],
    },
  },
  replies: {
    en: {
      media_pause: 'Paused {target}.', media_play: 'Resumed {target}.', media_next: 'Skipped to the next track on {target}.',
      media_previous: 'Went back a track on {target}.', volume_set: 'Set the volume of {target} to {value}%.',
      volume_step: 'Changed the volume of {target}.', volume_mute: 'Muted {target}.', volume_unmute: 'Unmuted {target}.',
    },
    zh: {
      media_pause: '已暂停{target}。', media_play: '已继续播放{target}。', media_next: '{target}已切到下一首。',
      media_previous: '{target}已回到上一首。', volume_set: '已将{target}的音量调到{value}%。',
      volume_step: '已调整{target}的音量。', volume_mute: '已将{target}静音。', volume_unmute: '已取消{target}的静音。',
    },
  },
};
