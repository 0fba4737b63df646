/**
 * What the assistant says itself (not the model): failures, limits and confirmations, in the two languages
 * the hub speaks. Each is a whole sentence a speaker can say as it is: the user is never left with silence.
 */
export type Lang = 'en' | 'zh';

const EN = {
  unreachable: "I can't reach the assistant right now, so nothing was changed.",
  busy: 'The assistant is busy right now. Please try again in a minute.',
  over_budget: "You've asked the assistant {n} times this hour, which is the limit. Please try again later.",
  hub_busy: 'The assistant has had too many questions in the last minute. Please try again shortly.',
  timeout: 'The assistant took too long to answer, so I stopped waiting.',
  malformed: "The assistant's answer didn't make sense to me, so I stopped.",
  too_many_steps: 'I stopped after {n} steps.',
  confirm: 'Do you want me to {action} {name}? Say yes or no.',
  confirmed: 'OK: {done}.',
  cancelled: "OK, I won't.",
  no_answer: 'The assistant had nothing to say.',
} as const;

const ZH: Record<keyof typeof EN, string> = {
  unreachable: '现在连接不上助手，所以什么都没有改变。',
  busy: '助手现在很忙，请过一分钟再试。',
  over_budget: '这一小时你已经问了助手 {n} 次，达到上限了，请稍后再试。',
  hub_busy: '最近一分钟助手收到的问题太多了，请稍后再试。',
  timeout: '助手回答得太慢，我不等了。',
  malformed: '助手的回答我看不懂，所以停下了。',
  too_many_steps: '我在 {n} 步之后停下了。',
  confirm: '要我{action}{name}吗？请说“是”或“不”。',
  confirmed: '好的：{done}。',
  cancelled: '好的，不做了。',
  no_answer: '助手没有回答。',
};

export type TextKey = keyof typeof EN;

/** The sentence for `key` in `lang`, with `{name}` placeholders filled. */
export function say(lang: Lang, key: TextKey, vars: Record<string, string | number> = {}): string {
  const template: string = (lang === 'zh' ? ZH : EN)[key];
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? ''));
}

export function langOf(tag: string): Lang {
  return tag.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

/** How a device command is spoken in a confirmation question and its answer. */
export const ACTION_WORDS: Record<Lang, Record<string, [ask: string, done: string]>> = {
  en: {
    unlock: ['unlock', 'unlocked'], lock: ['lock', 'locked'], open: ['open', 'opened'], close: ['close', 'closed'],
    turn_on: ['turn on', 'turned on'], turn_off: ['turn off', 'turned off'], toggle: ['switch', 'switched'],
    set_position: ['move', 'moved'], stop: ['stop', 'stopped'], set_brightness: ['dim', 'dimmed'],
    set_temperature: ['set', 'set'], set_hvac_mode: ['set', 'set'], set_fan_speed: ['set', 'set'],
  },
  zh: {
    unlock: ['解锁', '已解锁'], lock: ['锁上', '已锁上'], open: ['打开', '已打开'], close: ['关上', '已关上'],
    turn_on: ['打开', '已打开'], turn_off: ['关闭', '已关闭'], toggle: ['切换', '已切换'],
    set_position: ['调整', '已调整'], stop: ['停下', '已停下'], set_brightness: ['调暗', '已调整'],
    set_temperature: ['设置', '已设置'], set_hvac_mode: ['设置', '已设置'], set_fan_speed: ['设置', '已设置'],
  },
};
