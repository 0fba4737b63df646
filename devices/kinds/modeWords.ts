/**
 * The modes of humidifiers and water heaters as people say them (data). Home Assistant names the modes:
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

/** A word list for the sentences (`{humidifier_mode}`): every spoken form → the mode's value. */
export function modeList(modes: readonly ModeWord[]): Array<readonly [string, string]> {
  return modes.flatMap((m) => [m.value.replace(/_/g, ' '), m.en, m.zh, ...m.say].map((w) => [w, m.value] as const));
}

const LABELS = new Map<string, ModeWord>([...WATER_HEATER_MODES, ...HUMIDIFIER_MODES].map((m) => [m.value, m]));

/** How a reply names a mode: "heat pump", "睡眠"; a mode of the device's own as written ("night_mode" → "night mode"). */
export function modeLabel(mode: string, lang: 'en' | 'zh'): string {
  return LABELS.get(mode)?.[lang] ?? mode.replace(/_/g, ' ');
}
