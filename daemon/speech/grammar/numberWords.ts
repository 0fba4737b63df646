/**
 * English number words for the grammar: a recogniser with a closed vocabulary can only hear numbers that
 * are spelled out in it. The intent engine reads these back (daemon/intents/numbers.ts), so "fifty percent"
 * and "twenty one degrees" become 50 and 21.
 */
const ONES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve',
  'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

/** 0 ≤ n ≤ 100 in words: 21 → "twenty one", 100 → "one hundred". */
export function numberWords(n: number): string {
  if (n === 100) return 'one hundred';
  if (n < 20) return ONES[n];
  const tens = TENS[Math.floor(n / 10)];
  return n % 10 === 0 ? tens : `${tens} ${ONES[n % 10]}`;
}

/**
 * The JSGF rule bodies for the numbers a command says: percentages in steps of 5 and temperatures from 5
 * to 35 degrees. Every number is a path through the recogniser's search: all 101 of 0..100 in every
 * sentence that takes one doubled the grammar's states.
 */
export function percentNumbers(): string {
  const out: string[] = [];
  for (let n = 0; n <= 100; n += 5) out.push(numberWords(n));
  return out.join(' | ');
}

export function temperatureNumbers(): string {
  const out: string[] = [];
  for (let n = 5; n <= 35; n++) out.push(numberWords(n));
  return out.join(' | ');
}
