import { WHITES, cssNames } from './color.js';

/**
 * The spoken colour words of the `{color}` sentence list: every CSS colour keyword, also as the words people
 * say ("light blue" for lightblue, "dark sea green" for darkseagreen), the named whites, and the Chinese
 * names. Each stands for a canonical name: a CSS keyword or a key of WHITES (devices/color.ts).
 */

/** Words CSS keywords are glued from, so "lightgoldenrodyellow" is also heard as "light goldenrod yellow". */
const PARTS = new Set([
  'light', 'dark', 'medium', 'pale', 'deep', 'hot', 'dim', 'lawn', 'sky', 'sea', 'forest', 'spring', 'midnight', 'royal', 'steel',
  'dodger', 'powder', 'cadet', 'slate', 'rosy', 'sandy', 'saddle', 'indian', 'ghost', 'floral', 'antique', 'blanched', 'lemon', 'alice',
  'misty', 'navajo', 'old', 'papaya', 'peach', 'olive', 'drab', 'cornflower', 'lime', 'blue', 'green', 'red', 'yellow', 'white', 'pink',
  'orange', 'violet', 'purple', 'brown', 'gray', 'grey', 'cyan', 'magenta', 'gold', 'goldenrod', 'turquoise', 'salmon', 'orchid', 'khaki',
  'aqua', 'marine', 'aquamarine', 'coral', 'rod', 'chiffon', 'whip', 'puff', 'cream', 'mint', 'rose', 'smoke', 'wood', 'burly', 'lace',
  'linen', 'sienna', 'almond', 'blush', 'lavender', 'seashell', 'snow', 'honeydew', 'azure', 'beige', 'bisque', 'wheat', 'tan', 'moccasin',
  'navy', 'teal', 'maroon', 'fuchsia', 'silver', 'black', 'chocolate', 'tomato', 'crimson', 'plum', 'thistle', 'firebrick', 'indigo',
  'chartreuse', 'gainsboro', 'ivory', 'linen', 'oldlace', 'rebecca', 'spring', 'yellowgreen', 'blanched',
]);

/** "darkseagreen" → "dark sea green": the split into known parts using the fewest words, or null. */
function spoken(name: string): string | null {
  const best: Array<string[] | null> = new Array(name.length + 1).fill(null);
  best[0] = [];
  for (let i = 0; i < name.length; i++) {
    const here = best[i];
    if (!here) continue;
    for (let j = i + 2; j <= name.length; j++) {
      const part = name.slice(i, j);
      if (!PARTS.has(part)) continue;
      const next = [...here, part];
      if (!best[j] || best[j]!.length > next.length) best[j] = next;
    }
  }
  const words = best[name.length];
  return words && words.length > 1 ? words.join(' ') : null;
}

const CHINESE: ReadonlyArray<[string, readonly string[]]> = [
  ['red', ['红色', '红', '大红']], ['orange', ['橙色', '橙', '橘色', '橘黄色']], ['yellow', ['黄色', '黄']], ['green', ['绿色', '绿']],
  ['cyan', ['青色', '青']], ['blue', ['蓝色', '蓝']], ['purple', ['紫色', '紫']], ['pink', ['粉色', '粉红色', '粉红', '粉']],
  ['white', ['白色', '白']], ['gold', ['金色', '金黄色']], ['silver', ['银色']], ['brown', ['棕色', '咖啡色']], ['skyblue', ['天蓝色', '天蓝']],
  ['magenta', ['洋红色', '品红', '品红色']], ['violet', ['紫罗兰色']], ['lightblue', ['浅蓝色', '淡蓝色']], ['darkblue', ['深蓝色']],
  ['lightgreen', ['浅绿色', '淡绿色']], ['darkgreen', ['深绿色', '墨绿色']], ['turquoise', ['青绿色', '松石绿']], ['gray', ['灰色']],
  ['warm_white', ['暖白', '暖白色', '暖光', '暖色', '暖黄光', '暖色光']], ['cool_white', ['冷白', '冷白色', '冷光', '白光', '冷色光']],
  ['neutral_white', ['自然光', '中性光', '正白光']], ['daylight', ['日光', '日光色']],
];

const WHITE_WORDS: ReadonlyArray<[string, readonly string[]]> = [
  ['warm_white', ['warm white', 'warm', 'warm light', 'warm glow', 'warm yellow']], ['soft_white', ['soft white', 'soft light']],
  ['neutral_white', ['neutral white', 'natural white', 'neutral', 'natural light']],
  ['cool_white', ['cool white', 'cold white', 'cool', 'cold', 'cool light', 'bright white']], ['daylight', ['daylight', 'day light', 'daylight white']],
];

export function colorWords(): Array<readonly [string, string]> {
  const out: Array<readonly [string, string]> = [];
  for (const name of cssNames()) {
    out.push([name, name]);
    const s = spoken(name);
    if (s) out.push([s, name]);
  }
  for (const [name, words] of [...WHITE_WORDS, ...CHINESE]) {
    if (!Object.hasOwn(WHITES, name) && !cssNames().includes(name)) throw new Error(`colour word for unknown colour ${name}`);
    for (const w of words) out.push([w, name]);
  }
  return out;
}

/** How a reply names a colour: "dark orange", "warm white", "红色" (the English words when Chinese has none). */
export function colorLabel(name: string, lang: 'en' | 'zh'): string {
  if (lang === 'zh') {
    const zh = CHINESE.find(([n]) => n === name);
    if (zh) return zh[1][0]!;
  }
  return spoken(name) ?? name.replace(/_/g, ' ');
}
