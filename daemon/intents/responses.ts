/**
 * Replies in the language of the utterance, from the per-language response data (responses/en.ts,
 * responses/zh.ts): "Turned on the kitchen light." / "已打开厨房灯。", the answers to state questions,
 * and the errors of resolution ("Which lamp do you mean: bedroom lamp or office lamp?").
 */
import type { DeviceCommand } from '../../devices/model.js';
import { intentCommand, kindNoun, kindReply } from '../../devices/kinds/index.js';
import { colorLabel } from '../../devices/colorWords.js';
import { modeLabel } from '../../devices/kinds/modeWords.js';
import type { DeviceLists } from './lists.js';
import { EN_RESPONSES, EN_WORDS } from './responses/en.js';
import { ZH_RESPONSES, ZH_WORDS } from './responses/zh.js';
import type { IntentDevice, IntentMatch, Lang, ResolveError, ResolveSuccess } from './types.js';
import { fillResponse } from './fillResponse.js';

export type ResponseKey = keyof typeof EN_RESPONSES;
type Words = typeof EN_WORDS | typeof ZH_WORDS;

const RESPONSES: Readonly<Record<Lang, Readonly<Record<ResponseKey, string>>>> = { en: EN_RESPONSES, zh: ZH_RESPONSES };
const WORDS: Readonly<Record<Lang, Words>> = { en: EN_WORDS, zh: ZH_WORDS };

function langOf(lang: string): Lang {
  return lang === 'zh' ? 'zh' : 'en';
}

/** Fills a response template. `{Target}` is `target` with its first letter in capitals. */
export function render(lang: string, key: ResponseKey, vars: Readonly<Record<string, string | number>> = {}): string {
  return fillResponse(RESPONSES[langOf(lang)][key], vars);
}


/** 21 → "21", 21.456 → "21.5". */
export function formatNumber(n: number): string {
  return String(Math.round(n * 10) / 10);
}

/** "a, b and c" / "a、b和c". */
export function joinList(items: readonly string[], lang: string, joiner: 'and' | 'or' = 'and'): string {
  const w = WORDS[langOf(lang)];
  if (items.length <= 1) return items[0] ?? '';
  return items.slice(0, -1).join(w.list) + w[joiner] + items[items.length - 1];
}

/** "5 minutes", "1 hour and 30 minutes" / "5分钟", "1小时30分钟". */
export function formatDuration(seconds: number, lang: string): string {
  const l = langOf(lang);
  const w = WORDS[l];
  const total = Math.max(0, Math.round(seconds));
  const parts: string[] = [];
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  for (const [n, unit] of [[h, w.units.h], [m, w.units.min], [s, w.units.s]] as const) {
    if (n > 0) parts.push(l === 'zh' ? `${n}${unit[0]}` : `${n} ${n === 1 ? unit[0] : unit[1]}`);
  }
  if (parts.length === 0) parts.push(l === 'zh' ? `0${w.units.s[0]}` : `0 ${w.units.s[1]}`);
  return l === 'zh' ? parts.join('') : joinList(parts, 'en');
}

/**
 * How a device is named in a reply. English: its name in running text ("Kitchen Light" → "the kitchen
 * light"; acronyms such as "TV" kept). Chinese: a Chinese alias, or one derived from the English name.
 */
export function displayName(device: IntentDevice, lists: DeviceLists | null, lang: string, article = true): string {
  if (langOf(lang) === 'zh') return lists?.zhName(device.id) ?? device.name;
  const words = device.name.replace(/[_]+/g, ' ').trim().split(/\s+/).map((w) => (/^[A-Z][a-z]+$/.test(w) ? w.toLowerCase() : w));
  const name = words.join(' ');
  return article && !/^(the|my|a|an) /i.test(name) ? `the ${name}` : name;
}

function areaDisplay(area: string | undefined, lists: DeviceLists, lang: string): string | undefined {
  if (!area) return undefined;
  const id = lists.areaId(area);
  const name = id ? lists.areaName(id, langOf(lang)) : area;
  return langOf(lang) === 'en' ? name.replace(/_/g, ' ').replace(/\b([A-Z])([a-z]+)\b/g, (w) => w.toLowerCase()) : name;
}

/** The group's noun: the plural the user said ("curtains", "窗帘"), else the type's own plural. */
function typeWord(match: IntentMatch, devices: readonly IntentDevice[], lang: string): string {
  const spoken = match.slots.type;
  if (spoken && (langOf(lang) === 'zh' ? spoken.text.split('').every(isHanChar) : spoken.plural)) return spoken.text;
  const domain = spoken?.domains[0] ?? match.slots.domain ?? devices[0]?.type ?? 'light';
  return kindNoun(domain, langOf(lang));
}

function isHanChar(c: string): boolean {
  return /\p{Script=Han}/u.test(c);
}

/** The target of a reply: one device by name, or the group ("the living room lights", "所有灯"). */
export function targetPhrase(match: IntentMatch, resolution: ResolveSuccess, lists: DeviceLists): string {
  const lang = match.lang;
  const w = WORDS[langOf(lang)];
  const devices = resolution.devices;
  if (devices.length === 1 && (resolution.scope === 'name' || !match.slots.type?.plural)) return displayName(devices[0], lists, lang);
  // Two names in one command: each by its name ("the desk lamp and the floor lamp", "台灯和落地灯").
  if (match.slots.name2 && devices.length <= 5) return joinList(devices.map((d) => displayName(d, lists, lang)), lang);
  const type = typeWord(match, devices, lang);
  if (resolution.scope === 'all') return fillResponse(w.all, { type });
  const area = resolution.areas
    ? joinList(resolution.areas.map((a) => areaDisplay(a, lists, lang) ?? a), lang)
    : areaDisplay(resolution.area, lists, lang);
  // fillResponse(), never String.replace with the name as the replacement: names and areas come from discovery, and
  // `$&`, `$'` or a `{type}` in one would be read as part of the template (issue 18).
  if (area) return fillResponse(w.area_group, { area, type });
  return fillResponse(w.group, { type });
}

/** The hub command a device intent means for one device; null for intents that only ask. Decided by the device's kind. */
export function commandFor(match: IntentMatch, device: IntentDevice): DeviceCommand | null {
  return intentCommand(device.type, match.intent, match.slots);
}

const COMMAND_KEYS: Readonly<Partial<Record<string, ResponseKey>>> = {
  turn_on: 'turn_on', turn_off: 'turn_off', toggle: 'toggle', open: 'open', close: 'close', stop: 'stop', lock: 'lock',
  unlock: 'unlock', set_brightness: 'set_brightness', set_position: 'set_position', set_fan_speed: 'set_fan_speed',
  set_temperature: 'set_temperature',
};

/** The reply to a device command that was carried out ("Turned on the kitchen light."). */
export function commandReply(match: IntentMatch, resolution: ResolveSuccess, lists: DeviceLists): string {
  const first = resolution.devices[0];
  const command = first ? commandFor(match, first) : null;
  const key = command ? COMMAND_KEYS[command.command] : 'turn_on';
  const w = WORDS[langOf(match.lang)];
  const s = match.slots;
  // The value as the command sends it (a cover's "lowest" is 0 %), else as said.
  const sent = command && 'params' in command && command.params ? Object.values(command.params).find((v) => typeof v === 'number') : undefined;
  const value = sent ?? s.brightness ?? s.position ?? s.percentage ?? s.temperature ?? s.volume ?? s.humidity ?? s.color_temp;
  const vars = {
    target: targetPhrase(match, resolution, lists),
    value: typeof value === 'number' ? formatNumber(value) : '',
    unit: s.unit === 'F' ? w.degreesF : w.degrees,
    color: typeof s.color === 'string' ? colorLabel(s.color, langOf(match.lang)) : '',
    mode: typeof s.mode === 'string' ? modeLabel(s.mode, langOf(match.lang)) : '',
  };
  // A kind's own command ("Started the vacuum.") is worded by its module (devices/kinds/<kind>.ts `replies`).
  // A fan's lowest or highest setting is a speed step, whatever percentage stands for it.
  if (command?.command === 'set_fan_speed' && (s.setting === 'min' || s.setting === 'max')) return render(match.lang, s.setting === 'min' ? 'set_speed_min' : 'set_speed_max', vars);
  // "Set the fan to medium" on a fan without such a preset: the speed said, and the percentage it became.
  if (command?.command === 'set_fan_speed' && typeof s.speed === 'string') {
    return render(match.lang, 'set_fan_speed_named', { ...vars, speed: modeLabel(s.speed, langOf(match.lang)) });
  }
  const own = !key && command ? kindReply(first.type, command.command, langOf(match.lang)) : undefined;
  return own !== undefined ? fillResponse(own, vars) : render(match.lang, key ?? 'turn_on', vars);
}

/** The reply to a resolution error ("I don't know a device called moon.", "亮度必须在0到100%之间。"). */
export function errorReply(error: ResolveError, match: IntentMatch, lists: DeviceLists): string {
  const lang = match.lang;
  const w = WORDS[langOf(lang)];
  const area = areaDisplay(error.area, lists, lang);
  const type = error.type ? kindNoun(error.type.domains[0], langOf(lang)) : typeWord(match, error.candidates ?? [], lang);
  switch (error.reason) {
    case 'value': {
      const slot = error.slot ?? 'brightness';
      const key = (`range_${slot}` in EN_RESPONSES ? `range_${slot}` : 'range_brightness') as ResponseKey;
      return render(lang, key, { min: formatNumber(error.min ?? 0), max: formatNumber(error.max ?? 100), unit: (error.unit ?? match.slots.unit) === 'F' ? w.degreesF : w.degrees });
    }
    case 'here': return render(lang, 'not_found_here');
    case 'name':
      if (error.error === 'DEVICE_AMBIGUOUS') return ambiguous(error, error.name ?? type, lists, lang);
      return render(lang, area ? 'not_found_name_area' : 'not_found_name', { name: error.name ?? '', area: area ?? '' });
    case 'area': return render(lang, 'not_found_area', { type, area: area ?? '' });
    case 'type':
      if (error.error === 'DEVICE_AMBIGUOUS') return ambiguous(error, error.name ?? type, lists, lang);
      return render(lang, 'not_found_type', { type });
    case 'room': {
      const areas = (error.areas ?? []).map((a) => areaDisplay(a, lists, lang) ?? a);
      return areas.length > 0 && areas.length <= 5
        ? render(lang, 'ambiguous_room', { areas: joinList(areas, lang, 'or') })
        : render(lang, 'ambiguous_room_open');
    }
    case 'mode': {
      const d = error.candidates?.[0];
      const modes = (error.modes ?? []).map((m) => modeLabel(m, langOf(lang)));
      return render(lang, modes.length > 0 ? 'unsupported_mode' : 'unsupported_modes', {
        target: d ? displayName(d, lists, lang) : '', mode: modeLabel(error.mode ?? '', langOf(lang)), modes: joinList(modes, lang, 'and'),
      });
    }
    case 'capability': {
      const d = error.candidates?.[0];
      return render(lang, 'unsupported', { target: d ? displayName(d, lists, lang) : error.name ?? '' });
    }
  }
}

/** "Which lamp do you mean: bedroom lamp or office lamp?"; too many to list asks for the room instead. */
function ambiguous(error: ResolveError, spoken: string, lists: DeviceLists, lang: string): string {
  const candidates = error.candidates ?? [];
  if (candidates.length > 5) {
    const areas = [...new Set(candidates.map((d) => lists.areaIdOf(d.id)).filter((a): a is string => a !== undefined))]
      .map((a) => lists.areaName(a, langOf(lang)));
    return areas.length > 1 && areas.length <= 5
      ? render(lang, 'ambiguous_room', { areas: joinList(areas.map((a) => areaDisplay(a, lists, lang) ?? a), lang, 'or') })
      : render(lang, 'ambiguous_room_open');
  }
  const names = candidates.map((d) => displayName(d, lists, lang, false));
  const w = WORDS[langOf(lang)];
  // Same names ("lamp", "lamp"): tell them apart by room.
  const labels = candidates.map((d, i) => {
    if (names.filter((n) => n === names[i]).length === 1) return names[i];
    const a = lists.areaIdOf(d.id);
    const area = a ? areaDisplay(lists.areaName(a, 'en'), lists, lang) : undefined;
    return area ? fillResponse(w.in_area, { name: names[i]!, area }) : names[i];
  });
  return render(lang, 'ambiguous', { name: spoken, candidates: joinList(labels, lang, 'or') });
}
