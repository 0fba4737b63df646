/**
 * Numbers as people say them, read from normalised tokens (normalize.ts): digits ("22", "22.5"), English
 * words ("forty", "twenty-two point five", "one hundred and five", "a hundred") and Chinese numerals (each
 * character its own token: 十五, 二十二, 一百零五, 一百五 = 150, 二十二点五, 两千), with the units of the
 * slots that carry them: percent (%, percent, 百分之四十), temperature (degrees, °C, 度, 摄氏度) and
 * durations (minutes, 分钟, 半小时, "an hour and a half", 一个半小时).
 *
 * Every parser looks at tokens from a position and returns the readings it finds there, longest first
 * (`end` is the index after the last token used), so the matcher can backtrack into shorter ones.
 */
import { rawTokens } from './normalize.js';

export interface NumberReading {
  end: number;
  value: number;
}

export interface UnitReading extends NumberReading {
  /** Whether a unit word was said ("40%" yes, "40" no). */
  unit: boolean;
  /** Said as the lowest or highest setting ("min", "its highest setting", 最低档) rather than a number. */
  extreme?: 'min' | 'max';
}

export interface TemperatureReading extends UnitReading {
  scale: 'C' | 'F';
}

const ONES: Readonly<Record<string, number>> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9,
  ten: 10, eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17,
  eighteen: 18, nineteen: 19,
};
const TENS: Readonly<Record<string, number>> = {
  twenty: 20, thirty: 30, forty: 40, fourty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90,
};
const ZH_DIGITS: Readonly<Record<string, number>> = {
  零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9,
};
const ZH_UNITS: Readonly<Record<string, number>> = { 十: 10, 百: 100, 千: 1000 };

const DIGITS = /^\d+(?:\.\d+)?$/;

function has(table: Readonly<Record<string, number>>, key: string | undefined): key is string {
  return key !== undefined && Object.prototype.hasOwnProperty.call(table, key);
}

/** A number starting at `i`, in any of the three forms, with an optional sign. Longest reading first. */
export function parseNumberAt(tokens: readonly string[], i: number): NumberReading[] {
  let j = i;
  let sign = 1;
  const t = tokens[j];
  if (t === 'minus' || t === 'negative' || t === '负') { sign = -1; j++; }
  else if (t === '零' && tokens[j + 1] === '下') { sign = -1; j += 2; }
  const out: NumberReading[] = [];
  const first = tokens[j];
  if (first === undefined) return out;
  if (DIGITS.test(first)) out.push({ end: j + 1, value: Number(first) });
  else if (has(ZH_DIGITS, first) || has(ZH_UNITS, first) || first === '万') chineseAt(tokens, j, out);
  else englishAt(tokens, j, out);
  if (sign < 0) for (const r of out) r.value = -r.value;
  out.sort((a, b) => b.end - a.end);
  return out;
}

type Last = 'start' | 'ones' | 'teens' | 'tens' | 'hundred' | 'thousand' | 'and' | 'a';

/** English number words: "twenty two", "one hundred and five", "a thousand", "twenty two point five". */
function englishAt(tokens: readonly string[], i: number, out: NumberReading[]): void {
  let total = 0;
  let current = 0;
  let last: Last = 'start';
  let j = i;
  for (; j < tokens.length; j++) {
    const t = tokens[j];
    if (has(ONES, t)) {
      const v = ONES[t];
      const teen = v === 0 || v >= 10;
      if (teen ? !(last === 'start' || last === 'hundred' || last === 'thousand' || last === 'and')
        : (last === 'ones' || last === 'teens' || last === 'a')) break;
      if (v === 0 && last !== 'start') break;
      current += v;
      last = teen ? 'teens' : 'ones';
    } else if (has(TENS, t)) {
      if (!(last === 'start' || last === 'hundred' || last === 'thousand' || last === 'and')) break;
      current += TENS[t];
      last = 'tens';
    } else if (t === 'hundred') {
      if (!(last === 'start' || last === 'ones' || last === 'teens' || last === 'a') || current >= 100) break;
      current = (current || 1) * 100;
      last = 'hundred';
    } else if (t === 'thousand') {
      if (last === 'thousand' || last === 'and' || total > 0) break;
      total = (current || 1) * 1000;
      current = 0;
      last = 'thousand';
    } else if ((t === 'a' || t === 'an') && last === 'start' && (tokens[j + 1] === 'hundred' || tokens[j + 1] === 'thousand')) {
      last = 'a';
      continue;
    } else if (t === 'and' && (last === 'hundred' || last === 'thousand')) {
      last = 'and';
      continue;
    } else {
      break;
    }
    out.push({ end: j + 1, value: total + current });
  }
  const whole = out.length > 0 ? out[out.length - 1].value : null;
  // "… point five", "point two five", "twenty two point 5".
  const p = out.length > 0 ? out[out.length - 1].end : i;
  if (tokens[p] === 'point' && (whole !== null || p === i)) decimalsAt(tokens, p + 1, whole ?? 0, out);
}

function decimalsAt(tokens: readonly string[], j: number, whole: number, out: NumberReading[]): void {
  const t = tokens[j];
  if (t !== undefined && /^\d+$/.test(t)) {
    out.push({ end: j + 1, value: Number(`${whole}.${t}`) });
    return;
  }
  let digits = '';
  for (; j < tokens.length && has(ONES, tokens[j]) && ONES[tokens[j]] < 10; j++) {
    digits += String(ONES[tokens[j]]);
    out.push({ end: j + 1, value: Number(`${whole}.${digits}`) });
  }
}

/**
 * Chinese numerals, read the usual way: 十五 = 15 (a leading 十 is 一十), 二十二 = 22, 一百零五 = 105,
 * 一百五 = 150 (a bare digit after 百/千 counts in the next lower place), 两千 = 2000, 二十二点五 = 22.5.
 */
function chineseAt(tokens: readonly string[], i: number, out: NumberReading[]): void {
  let total = 0;
  let section = 0;
  let digit = -1;
  let lastUnit = 0;
  let zeroSeen = false;
  let j = i;
  for (; j < tokens.length; j++) {
    const t = tokens[j];
    if (has(ZH_DIGITS, t)) {
      if (digit >= 0) break; // two digits in a row ("二三") is not a number we read
      digit = ZH_DIGITS[t];
      if (digit === 0) { zeroSeen = true; digit = -1; }
    } else if (has(ZH_UNITS, t)) {
      const unit = ZH_UNITS[t];
      if (lastUnit !== 0 && unit >= lastUnit && digit < 0) break;
      section += (digit < 0 ? 1 : digit) * unit;
      digit = -1;
      lastUnit = unit;
      zeroSeen = false;
    } else if (t === '万') {
      total += (section + Math.max(digit, 0)) * 10000;
      section = 0;
      digit = -1;
      lastUnit = 0;
    } else {
      break;
    }
  }
  if (j === i) return;
  let tail = Math.max(digit, 0);
  // 一百五 = 150, 两千三 = 2300 (not after 零: 一百零五 = 105).
  if (digit > 0 && lastUnit >= 100 && !zeroSeen && has(ZH_UNITS, tokens[j - 2])) tail = digit * (lastUnit / 10);
  const whole = total + section + tail;
  out.push({ end: j, value: whole });
  if (tokens[j] === '点') {
    let digits = '';
    let k = j + 1;
    for (; k < tokens.length && has(ZH_DIGITS, tokens[k]); k++) digits += String(ZH_DIGITS[tokens[k]]);
    if (digits) out.push({ end: k, value: Number(`${whole}.${digits}`) });
  }
}

const MAX_WORDS = new Set(['full', 'max', 'maximum', 'highest', 'brightest', 'top', 'fastest', 'strongest', 'hottest']);
const MIN_WORDS = new Set(['min', 'minimum', 'lowest', 'dimmest', 'slowest', 'weakest', 'coldest']);
/** What may follow "lowest"/"highest": "its lowest setting", "the maximum speed", "full power". */
const SETTING_WORDS = new Set(['setting', 'settings', 'level', 'speed', 'position', 'brightness', 'power', 'value', 'possible', 'temperature', 'temp', 'heat']);
/** 最低档, 最大风速, 最高的位置: what may follow 最低/最高 in Chinese (one character each). */
const ZH_SETTING = new Set(['档', '挡', '位', '速', '度', '亮', '风', '量', '值', '温']);

/**
 * "min", "lowest", "its highest setting", "the maximum speed", "full", 最暗, 最低档, 最大风速: the lowest or highest
 * setting a device has, with the words said around it. Each kind decides what that is (devices/kinds): a light's
 * 1 % (still on) and 100 %, a fan's slowest and fastest speed, a cover closed or open, a thermostat's own range.
 */
export function extremeAt(tokens: readonly string[], i: number): { ends: number[]; extreme: 'min' | 'max' } | null {
  let j = i;
  if (tokens[j] === 'its' || tokens[j] === 'their') j++;
  const t = tokens[j];
  let extreme: 'min' | 'max' | null = MAX_WORDS.has(t) ? 'max' : MIN_WORDS.has(t) ? 'min' : null;
  let more: ReadonlySet<string> = SETTING_WORDS;
  if (extreme) j++;
  else if (j === i && t === '最') {
    const next = tokens[i + 1];
    extreme = next === '大' || next === '亮' || next === '高' || next === '强' || next === '快' ? 'max'
      : next === '暗' || next === '小' || next === '低' || next === '弱' || next === '慢' ? 'min' : null;
    more = ZH_SETTING;
    j = i + 2;
  }
  if (!extreme) return null;
  // The words after it are optional: a sentence may say them itself ("… to max brightness").
  const ends = [j];
  while (j < tokens.length && ends.length < 4 && more.has(tokens[j])) ends.push(++j);
  return { ends: ends.reverse(), extreme };
}

/**
 * Percent: "40", "40%", "forty percent", "百分之四十", "half"/"一半" (50), "full"/"max"/"highest"/最亮 (100),
 * "min"/"lowest"/最暗 (1: the lowest level that is still on, as Home Assistant's brightness minimum).
 */
export function parsePercentAt(tokens: readonly string[], i: number): UnitReading[] {
  const t = tokens[i];
  if (t === '百' && tokens[i + 1] === '分' && tokens[i + 2] === '之') {
    return parseNumberAt(tokens, i + 3).map((r) => ({ end: r.end, value: r.value, unit: true }));
  }
  if (t === 'half' || t === 'halfway') {
    return [{ end: tokens[i + 1] === 'way' ? i + 2 : i + 1, value: 50, unit: true }];
  }
  const extreme = extremeAt(tokens, i);
  if (extreme) return extreme.ends.map((end) => ({ end, value: extreme.extreme === 'max' ? 100 : 1, unit: true, extreme: extreme.extreme }));
  if (t === '一' && tokens[i + 1] === '半') return [{ end: i + 2, value: 50, unit: true }];
  const out: UnitReading[] = [];
  for (const r of parseNumberAt(tokens, i)) {
    const u = tokens[r.end];
    if (u === '%' || u === 'percent' || u === 'pc') out.push({ end: r.end + 1, value: r.value, unit: true });
    else if (u === 'per' && tokens[r.end + 1] === 'cent') out.push({ end: r.end + 2, value: r.value, unit: true });
    out.push({ end: r.end, value: r.value, unit: false });
  }
  return out;
}

/** Temperature: "21", "21 degrees", "21.5 °C", "70 fahrenheit", "二十二度", "22度半", "零下五度". */
export function parseTemperatureAt(tokens: readonly string[], i: number): TemperatureReading[] {
  const out: TemperatureReading[] = [];
  for (const r of parseNumberAt(tokens, i)) {
    let j = r.end;
    let scale: 'C' | 'F' = 'C';
    let unit = false;
    let value = r.value;
    const t = tokens[j];
    if (t === 'degrees' || t === 'degree' || t === 'deg') {
      unit = true;
      j++;
      if (tokens[j] === 'celsius' || tokens[j] === 'centigrade' || tokens[j] === 'c') j++;
      else if (tokens[j] === 'fahrenheit' || tokens[j] === 'f') { scale = 'F'; j++; }
    } else if (t === 'celsius' || t === 'centigrade') { unit = true; j++; }
    else if (t === 'fahrenheit') { unit = true; scale = 'F'; j++; }
    else if (t === '度') {
      unit = true;
      j++;
      if (tokens[j] === '半') { value += value < 0 ? -0.5 : 0.5; j++; }
    } else if ((t === '摄' || t === '华') && tokens[j + 1] === '氏' && tokens[j + 2] === '度') {
      unit = true;
      scale = t === '华' ? 'F' : 'C';
      j += 3;
    }
    if (unit) out.push({ end: j, value, unit, scale });
    out.push({ end: r.end, value: r.value, unit: false, scale: 'C' });
  }
  return out;
}

const EN_UNITS: Readonly<Record<string, number>> = {
  second: 1, seconds: 1, sec: 1, secs: 1,
  minute: 60, minutes: 60, min: 60, mins: 60,
  hour: 3600, hours: 3600, hr: 3600, hrs: 3600,
};

/** One duration part at `j`: "5 minutes", "an hour and a half", "一个半小时", "半小时", "十秒钟". */
function durationPartAt(tokens: readonly string[], j: number, out: NumberReading[]): void {
  const t = tokens[j];
  const push = (end: number, value: number) => out.push({ end, value });
  // English
  if ((t === 'a' || t === 'an') && has(EN_UNITS, tokens[j + 1])) withHalf(tokens, j + 2, EN_UNITS[tokens[j + 1]], 1, push);
  if (t === 'half') {
    const k = tokens[j + 1] === 'a' || tokens[j + 1] === 'an' ? j + 2 : j + 1;
    if (has(EN_UNITS, tokens[k])) push(k + 1, EN_UNITS[tokens[k]] / 2);
  }
  if (t === 'quarter' || (t === 'a' && tokens[j + 1] === 'quarter')) {
    let k = t === 'a' ? j + 2 : j + 1;
    if (tokens[k] === 'of') k++;
    if (tokens[k] === 'an' || tokens[k] === 'a') k++;
    if (tokens[k] === 'hour') push(k + 1, 900);
  }
  if (t === 'three' && tokens[j + 1] === 'quarters') {
    let k = j + 2;
    if (tokens[k] === 'of') k++;
    if (tokens[k] === 'an' || tokens[k] === 'a') k++;
    if (tokens[k] === 'hour') push(k + 1, 2700);
  }
  // Chinese
  if (t === '半') {
    const k = tokens[j + 1] === '个' ? j + 2 : j + 1;
    if (isHourZh(tokens, k)) push(k + 2, 1800);
    // 半分钟, 半分 (half a minute)
    if (tokens[k] === '分') push(tokens[k + 1] === '钟' ? k + 2 : k + 1, 30);
  }
  if (t === '一' && tokens[j + 1] === '刻' && tokens[j + 2] === '钟') push(j + 3, 900);
  for (const r of parseNumberAt(tokens, j)) {
    if (r.value < 0) continue;
    let k = r.end;
    const u = tokens[k];
    if (has(EN_UNITS, u)) {
      withHalf(tokens, k + 1, EN_UNITS[u], r.value, push);
    } else if (u === 'and' && tokens[k + 1] === 'a' && tokens[k + 2] === 'half' && has(EN_UNITS, tokens[k + 3])) {
      push(k + 4, EN_UNITS[tokens[k + 3]] * (r.value + 0.5));
    } else {
      let half = 0;
      if (tokens[k] === '个') k++;
      if (tokens[k] === '半') { half = 0.5; k++; }
      if (isHourZh(tokens, k)) {
        let v = (r.value + half) * 3600;
        let e = k + 2;
        if (!half && tokens[e] === '半') { v += 1800; e++; }
        push(e, v);
      } else if (tokens[k] === '分' && half) {
        // 一个半分钟: a minute and a half
        push(tokens[k + 1] === '钟' ? k + 2 : k + 1, (r.value + half) * 60);
      } else if (tokens[k] === '分' && !half) {
        let e = k + 1;
        let v = r.value * 60;
        if (tokens[e] === '半') { v += 30; e++; }
        if (tokens[e] === '钟') e++;
        push(e, v);
      } else if (tokens[k] === '秒' && !half) {
        push(tokens[k + 1] === '钟' ? k + 2 : k + 1, r.value);
      }
    }
  }
}

function isHourZh(tokens: readonly string[], k: number): boolean {
  return (tokens[k] === '小' && tokens[k + 1] === '时') || (tokens[k] === '钟' && tokens[k + 1] === '头');
}

/** "… hours and a half" / "… hour and half". */
function withHalf(tokens: readonly string[], k: number, unit: number, n: number, push: (end: number, v: number) => void): void {
  if (tokens[k] === 'and' && tokens[k + 1] === 'a' && tokens[k + 2] === 'half') push(k + 3, unit * (n + 0.5));
  else if (tokens[k] === 'and' && tokens[k + 1] === 'half') push(k + 2, unit * (n + 0.5));
  push(k, unit * n);
}

const JOINERS = new Set(['and', '零', '又', '和']);

/** A duration in seconds: one part or several ("1 hour 30 minutes", "一小时零五分"). Longest first. */
export function parseDurationAt(tokens: readonly string[], i: number): NumberReading[] {
  const out: NumberReading[] = [];
  const parts: NumberReading[] = [];
  durationPartAt(tokens, i, parts);
  for (const p of parts) {
    out.push(p);
    let j = p.end;
    if (JOINERS.has(tokens[j])) j++;
    const more: NumberReading[] = [];
    durationPartAt(tokens, j, more);
    for (const m of more) out.push({ end: m.end, value: p.value + m.value });
  }
  out.sort((a, b) => b.end - a.end);
  return out;
}

/**
 * Every word a reading of the parsers above can start with (a sign, a digit, a number word, "a"/"an", "point", "half",
 * "quarter", "its", the lowest/highest words, 最, 百, 半); digits are tested apart. The engine asks this before running
 * a parser at a token: most tokens of most sentences start no number, and a parse there is a few objects for nothing.
 */
const NUMBER_STARTS: ReadonlySet<string> = new Set([
  'minus', 'negative', '负', '万', 'hundred', 'thousand', 'a', 'an', 'point', 'half', 'halfway', 'quarter', 'its', 'their',
  '最', '半', ...Object.keys(ONES), ...Object.keys(TENS), ...Object.keys(ZH_DIGITS), ...Object.keys(ZH_UNITS),
  ...MAX_WORDS, ...MIN_WORDS,
]);

/** Whether some number, percentage, temperature, duration or setting reading may start at this token (never false when one does). */
export function mayStartNumber(token: string | undefined): boolean {
  if (token === undefined) return false;
  const c = token.charCodeAt(0);
  return (c >= 48 && c <= 57) || NUMBER_STARTS.has(token);
}

/** Whole-text helpers (tests, config): the text must be exactly one reading. */
export function parseNumber(text: string): number | null {
  return whole(rawTokens(text), parseNumberAt);
}
export function parseDuration(text: string): number | null {
  return whole(rawTokens(text), parseDurationAt);
}
export function parsePercent(text: string): number | null {
  return whole(rawTokens(text), parsePercentAt);
}
export function parseTemperature(text: string): number | null {
  return whole(rawTokens(text), parseTemperatureAt);
}

function whole(tokens: string[], fn: (t: readonly string[], i: number) => NumberReading[]): number | null {
  if (tokens.length === 0) return null;
  const r = fn(tokens, 0).find((x) => x.end === tokens.length);
  return r ? r.value : null;
}
