import type { SlotValue } from '../../sdk/index.js';

/** Longest timer accepted: a kitchen timer, not a calendar. */
export const MAX_TIMER_S = 24 * 3600;

/**
 * Seconds from the slots the intent engine filled: `duration` (seconds) when it gives one, else
 * `hours` + `minutes` + `seconds`. null when the sentence named no duration; NaN for an unreadable number.
 */
export function durationFromSlots(slots: Readonly<Record<string, SlotValue>>): number | null {
  if (slots.duration !== undefined) return toNumber(slots.duration);
  const parts: Array<[string, number]> = [['hours', 3600], ['minutes', 60], ['seconds', 1]];
  let total = 0;
  let any = false;
  for (const [name, factor] of parts) {
    if (slots[name] === undefined) continue;
    any = true;
    total += toNumber(slots[name]) * factor;
  }
  return any ? total : null;
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return Number.NaN;
}

/** "1 hour 30 minutes" / "1小时30分钟": how the duration is spoken back. */
export function formatDuration(totalS: number, lang: 'en' | 'zh'): string {
  const s = Math.max(0, Math.round(totalS));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (lang === 'zh') {
    const out = `${h ? `${h}小时` : ''}${m ? `${m}分钟` : ''}${sec ? `${sec}秒` : ''}`;
    return out || '0秒';
  }
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const out = [h ? unit(h, 'hour') : '', m ? unit(m, 'minute') : '', sec ? unit(sec, 'second') : ''].filter(Boolean).join(' ');
  return out || '0 seconds';
}

/** The languages this plugin answers in; anything else is answered in English. */
export function shortLang(lang: string | undefined): 'en' | 'zh' {
  return lang?.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

/** A timer's name from the `name` slot: plain text, or the engine's `{ text }` name object. */
export function timerName(slot: unknown): string | undefined {
  const text = typeof slot === 'string' ? slot : slot && typeof slot === 'object' && typeof (slot as { text?: unknown }).text === 'string' ? (slot as { text: string }).text : '';
  return text.trim() || undefined;
}
