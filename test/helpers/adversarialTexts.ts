/** Hostile utterances for the intent engine: the attack test checks the step budget, the bench times them. */
/** Texts built to make a backtracking matcher work hard: repeated optional words, lists, numbers, fillers. */
export function adversarialTexts(): string[] {
  const fill = (unit: string) => unit.repeat(Math.ceil(500 / unit.length)).slice(0, 500);
  return [
    fill('the '), fill('turn on '), fill('turn on the light '), fill('and '), fill('all '), fill('every single '),
    fill('light '), fill('lights in the living room '), fill('set the timer for 5 minutes '), fill('1 '), fill('one hundred and '),
    fill('kitchen '), fill('living room '), fill('to 50% '), fill('please '), fill('is the '), fill('how many '),
    `turn on ${fill('kitchen light ').slice(0, 480)}`, `${fill('a bit ').slice(0, 480)} brighter`,
    fill('灯'), fill('打开'), fill('的'), fill('把灯打开'), fill('客厅'), fill('一二三四五六七八九十百千'), fill('打開燈'), fill('閂咗'),
    fill('半'), fill('几个'), fill('所有的'), fill('厨房灯调到百分之'),
    fill('😀'), fill('\u0301'), fill('a\u0301'), fill('\u200b'), fill('\u202e'), fill('𠀀'), fill('ﾃｽﾄ'), fill('Ω≈ç√∫'),
    fill('0.'), fill('-1'), fill('1/2 '), fill("what's "), fill('\u00b0'), fill('%'), fill('?'), fill(' '),
    'x'.repeat(500), 'turn on the ' + 'x'.repeat(488),
  ].map((t) => t.slice(0, 500));
}
