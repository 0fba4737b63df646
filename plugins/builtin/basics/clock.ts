/**
 * The time and date as spoken, in a time zone (the hub's `location.timezone`, else the machine's). Node ships
 * full ICU, so Intl knows every IANA zone; a zone it does not know falls back to the machine's.
 */
const WEEKDAYS_ZH = ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六'];
const WEEKDAY_INDEX: Readonly<Record<string, number>> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

interface Parts { year: number; month: number; day: number; weekday: number; hour: number; minute: number }

function validZone(zone: string | null | undefined): string | undefined {
  if (!zone) return undefined;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    return undefined;
  }
}

function partsAt(ms: number, zone: string | undefined): Parts {
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, year: 'numeric', month: 'numeric', day: 'numeric', weekday: 'short', hour: 'numeric', minute: 'numeric', hourCycle: 'h23',
  });
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(new Date(ms))) p[part.type] = part.value;
  return {
    year: Number(p.year), month: Number(p.month), day: Number(p.day), weekday: WEEKDAY_INDEX[p.weekday] ?? 0,
    hour: Number(p.hour) % 24, minute: Number(p.minute),
  };
}

/** "2:05 PM" / "下午2点05分" (12 o'clock noon is 中午12点, midnight 凌晨0点 as Chinese clocks say it). */
export function spokenTime(ms: number, zone: string | null | undefined, lang: 'en' | 'zh'): string {
  const { hour, minute } = partsAt(ms, validZone(zone));
  const mm = String(minute).padStart(2, '0');
  if (lang === 'zh') {
    const period = hour < 6 ? '凌晨' : hour < 12 ? '上午' : hour < 13 ? '中午' : hour < 18 ? '下午' : '晚上';
    const h = hour <= 12 ? hour : hour - 12;
    return minute === 0 ? `${period}${h}点整` : `${period}${h}点${mm}分`;
  }
  const h = hour % 12 === 0 ? 12 : hour % 12;
  return `${h}:${mm} ${hour < 12 ? 'AM' : 'PM'}`;
}

/** "Saturday, December 5, 2026" / "2026年12月5日星期六". */
export function spokenDate(ms: number, zone: string | null | undefined, lang: 'en' | 'zh'): string {
  const tz = validZone(zone);
  if (lang === 'zh') {
    const { year, month, day, weekday } = partsAt(ms, tz);
    return `${year}年${month}月${day}日${WEEKDAYS_ZH[weekday]}`;
  }
  return new Intl.DateTimeFormat('en-US', { timeZone: tz, weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' }).format(new Date(ms));
}
