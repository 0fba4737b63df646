/**
 * The modes of humidifiers, water heaters and thermostats (HVAC modes and presets), and fan speeds, as people say
 * them (data). Home Assistant names the modes:
 * a humidifier's `modes` are free text, commonly normal, eco, away, boost, comfort, home, sleep, auto and
 * baby (the MQTT humidifier page lists these, with built-in translations); a water heater's are a subset
 * of off, eco, electric, gas, heat_pump, high_demand and performance (the MQTT water heater page). Each
 * entry: the mode's value, how replies name it in English and Chinese, and the other words that say it.
 * A device's own mode outside these tables is still set from the page or the API, and named as written.
 */

export interface ModeWord {
  readonly value: string;
  readonly en: string;
  readonly zh: string;
  readonly say: readonly string[];
}

export const HUMIDIFIER_MODES: readonly ModeWord[] = [
  { value: 'normal', en: 'normal', zh: '正常', say: ['standard', 'regular', '普通', '标准'] },
  { value: 'eco', en: 'eco', zh: '节能', say: ['economy', 'energy saving', 'power saving', '经济', '省电'] },
  { value: 'away', en: 'away', zh: '离家', say: ['vacation', 'holiday', '外出', '度假'] },
  { value: 'boost', en: 'boost', zh: '强力', say: ['turbo', 'powerful', '增强', '急速', '快速'] },
  { value: 'comfort', en: 'comfort', zh: '舒适', say: ['comfortable'] },
  { value: 'home', en: 'home', zh: '在家', say: ['居家'] },
  { value: 'sleep', en: 'sleep', zh: '睡眠', say: ['night', 'sleeping', 'quiet', 'silent', '夜间', '静音'] },
  { value: 'auto', en: 'auto', zh: '自动', say: ['automatic', 'smart', '智能'] },
  { value: 'baby', en: 'baby', zh: '婴儿', say: ['nursery', 'child', '宝宝', '母婴'] },
];

export const WATER_HEATER_MODES: readonly ModeWord[] = [
  { value: 'eco', en: 'eco', zh: '节能', say: ['economy', 'energy saving', 'economical', '经济', '省电'] },
  { value: 'electric', en: 'electric', zh: '电加热', say: ['electric only', 'electricity', 'electric heating', '电热'] },
  { value: 'gas', en: 'gas', zh: '燃气', say: ['gas only', 'gas heating', '燃气加热', '煤气'] },
  { value: 'heat_pump', en: 'heat pump', zh: '热泵', say: ['heatpump', 'heat pump only', '空气能'] },
  { value: 'high_demand', en: 'high demand', zh: '大水量', say: ['high usage', 'lots of hot water', '高需求', '多人'] },
  { value: 'performance', en: 'performance', zh: '高性能', say: ['fast', 'quick heat', 'fast heating', 'boost', '速热', '快速加热', '强力'] },
];

/**
 * A thermostat's HVAC modes (HA climate `modes`, Zigbee2MQTT `system_mode`): fixed values, so fixed words. "off" is
 * only named in replies ("it has off, heat and auto"): turning a thermostat off is "turn off the thermostat".
 */
export const HVAC_MODES: readonly ModeWord[] = [
  { value: 'heat', en: 'heat', zh: '制热', say: ['heating', 'warm', 'warming', '加热', '制暖', '暖风', '热风', '供暖', '采暖', '取暖'] },
  { value: 'cool', en: 'cool', zh: '制冷', say: ['cooling', 'cold', 'chill', '冷风', '降温', '凉风'] },
  { value: 'auto', en: 'auto', zh: '自动', say: ['automatic', 'automatically'] },
  { value: 'dry', en: 'dry', zh: '除湿', say: ['dehumidify', 'dehumidifying', 'dehumidification', 'drying', '抽湿', '干燥', '去湿', '祛湿', '除湿'] },
  { value: 'fan_only', en: 'fan only', zh: '送风', say: ['fan', 'fan mode', 'ventilation', 'ventilate', 'air circulation', 'blow', '通风', '吹风', '换气', '仅送风'] },
  { value: 'heat_cool', en: 'heat/cool', zh: '冷暖', say: ['heat cool', 'heat and cool', 'heat or cool', 'heating and cooling', 'dual', '自动冷暖', '冷暖自动'] },
];

/** Named in replies only (never a spoken mode: see HVAC_MODES). */
const HVAC_OFF: ModeWord = { value: 'off', en: 'off', zh: '关闭', say: [] };

/**
 * A thermostat's presets (HA climate `preset_modes`: eco, away, boost, comfort, home, sleep, activity; Zigbee2MQTT
 * TRVs' `preset`: manual, schedule, holiday, boost, comfort, eco, frost protection…). Presets are free text too: a
 * device's own word is heard through the live list (daemon/intents/deviceModes.ts), these add the usual synonyms.
 */
const THERMOSTAT_ONLY_PRESETS: readonly ModeWord[] = [
  { value: 'activity', en: 'activity', zh: '活动', say: ['active', '运动'] },
  { value: 'manual', en: 'manual', zh: '手动', say: ['manually', 'hold', '手控'] },
  { value: 'schedule', en: 'schedule', zh: '日程', say: ['scheduled', 'program', 'programme', '计划', '日程表'] },
  { value: 'frost_protection', en: 'frost protection', zh: '防冻', say: ['anti freeze', 'antifreeze', 'frost', 'frost guard', '防冻保护', '防霜'] },
];
export const CLIMATE_PRESETS: readonly ModeWord[] = [
  ...HUMIDIFIER_MODES.filter((m) => ['eco', 'away', 'boost', 'comfort', 'home', 'sleep'].includes(m.value)),
  ...THERMOSTAT_ONLY_PRESETS,
];

/**
 * A fan's named speeds, slowest first. A fan whose presets (HA's `preset_modes`, Zigbee2MQTT's `fan_mode`) hold the
 * word gets that preset; any other fan a percentage, as Home Assistant maps an ordered list of three speeds onto
 * 1–100 % (`ordered_list_item_to_percentage`: low 33, medium 66, high 100).
 */
export const FAN_SPEEDS: readonly ModeWord[] = [
  { value: 'low', en: 'low', zh: '低速', say: ['slow', 'low speed', 'gentle', '低档', '低挡', '低', '慢速', '慢档', '小风', '弱风', '一档'] },
  { value: 'medium', en: 'medium', zh: '中速', say: ['mid', 'middle', 'med', 'medium speed', 'normal speed', '中档', '中挡', '中', '中风', '二档'] },
  { value: 'high', en: 'high', zh: '高速', say: ['fast', 'high speed', 'full speed', '高档', '高挡', '高', '快速', '快档', '大风', '强风', '三档'] },
];

/** The percentage a named speed stands for on a fan without such a preset (HA's ordered list of three). */
export const FAN_SPEED_PERCENT: Readonly<Record<string, number>> = { low: 33, medium: 66, high: 100 };

/** A word list for the sentences (`{humidifier_mode}`): every spoken form → the mode's value. */
export function modeList(modes: readonly ModeWord[]): Array<readonly [string, string]> {
  return modes.flatMap((m) => [m.value.replace(/_/g, ' '), m.en, m.zh, ...m.say].map((w) => [w, m.value] as const));
}

const LABELS = new Map<string, ModeWord>([HVAC_OFF, ...HVAC_MODES, ...CLIMATE_PRESETS, ...WATER_HEATER_MODES, ...HUMIDIFIER_MODES, ...FAN_SPEEDS].map((m) => [m.value, m]));

/** How a reply names a mode: "heat pump", "睡眠"; a mode of the device's own as written ("night_mode" → "night"). */
export function modeLabel(mode: string, lang: 'en' | 'zh'): string {
  // Without a trailing "mode" of its own: replies say "… to Night mode", not "Night Mode mode".
  // "Frost Protection" is the table's frost_protection.
  return (LABELS.get(mode.toLowerCase()) ?? LABELS.get(mode.trim().toLowerCase().replace(/[\s-]+/g, '_')))?.[lang] ?? mode.replace(/_/g, ' ').replace(/(.)\s*(mode|\u6a21\u5f0f)$/i, '$1');
}

/** The HVAC mode a word says ("cooling", "制冷", "cool" → cool); undefined for a word that is none. */
export function hvacModeOf(word: string): string | undefined {
  const w = word.toLowerCase().replace(/_/g, ' ');
  return HVAC_MODES.find((m) => m.value.replace(/_/g, ' ') === w || m.en === w || m.zh === w || m.say.includes(w))?.value;
}

/** Every word the tables give a mode value ("sleep" → sleep, night, quiet, 睡眠…), lower case; none for a value they lack. */
export function modeSynonyms(value: string): readonly string[] {
  const out: string[] = [];
  for (const table of [HUMIDIFIER_MODES, WATER_HEATER_MODES, FAN_SPEEDS, THERMOSTAT_ONLY_PRESETS]) {
    for (const m of table) if (m.value === value) out.push(m.value.replace(/_/g, ' '), m.en, m.zh, ...m.say);
  }
  return out.map((w) => w.toLowerCase());
}
