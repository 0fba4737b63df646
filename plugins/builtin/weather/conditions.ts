/**
 * WMO weather interpretation codes (as Open-Meteo returns them in `weather_code`) to words, per language.
 * Codes are grouped the way the WMO 4677 table groups them.
 */
const GROUPS: Array<[codes: number[], en: string, zh: string]> = [
  [[0], 'clear', '晴'],
  [[1, 2], 'partly cloudy', '多云'],
  [[3], 'overcast', '阴'],
  [[45, 48], 'foggy', '有雾'],
  [[51, 53, 55, 56, 57], 'drizzling', '有毛毛雨'],
  [[61, 63, 65, 66, 67, 80, 81, 82], 'raining', '有雨'],
  [[71, 73, 75, 77, 85, 86], 'snowing', '有雪'],
  [[95, 96, 99], 'stormy', '有雷雨'],
];

export function describeCode(code: number | undefined, lang: 'en' | 'zh'): string {
  const group = GROUPS.find(([codes]) => code !== undefined && codes.includes(code));
  if (!group) return lang === 'zh' ? '天气未知' : 'unknown';
  return lang === 'zh' ? group[2] : group[1];
}
