/**
 * toSimplified's scan (issue 18): one pass over the text's UTF-16 units that allocates nothing, instead of a
 * string per character. It must answer exactly as the scan it replaced on any text: Simplified, Traditional,
 * ASCII, characters outside the BMP, lone surrogates, and mixes of them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { foldableCharacters, foldAlways, toSimplified } from '../../../daemon/intents/chineseScript.js';

const HAN = /\p{Script=Han}/u;
const FOLDABLE = foldableCharacters();

/** The scan as it was before issue 18's fix: a regular expression, then a string per character. */
function previousToSimplified(text: string): string {
  if (!HAN.test(text)) return text;
  let any = false;
  for (const c of text) {
    if (FOLDABLE.has(c)) {
      any = true;
      break;
    }
  }
  return any ? foldAlways(text) : text;
}

const foldable = [...FOLDABLE];
const character = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...'打开厨房的灯台灯什么么嗰喎卧室里的窗帘干燥关闭客厅') }, // Simplified, the kept ones
  { weight: 3, arbitrary: fc.constantFrom(...foldable) }, // every character folding changes, astral ones too
  { weight: 3, arbitrary: fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.constantFrom('𠮷', '𩸽', '😀', '\uD842', '\uDFB7', '\uD800', '\uDFFF', '々', '〇', '⺀', '\u2E7F', 'é', '。', '，') },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
);

test('every character folding can change is at U+2E80 or above (the scan passes lower units over without a lookup)', () => {
  for (const c of FOLDABLE) assert.ok(c.codePointAt(0)! >= 0x2e80, `U+${c.codePointAt(0)!.toString(16)}`);
});

test('toSimplified answers as the scan it replaced on random CJK, ASCII, astral and lone-surrogate text', () => {
  fc.assert(fc.property(fc.array(character, { maxLength: 40 }), (chars) => {
    const text = chars.join('');
    assert.equal(toSimplified(text), previousToSimplified(text), JSON.stringify(text));
  }), { numRuns: 5000 });
});

test('text folding leaves alone comes back as the same string; text it changes is folded', () => {
  for (const text of ['turn on the light', '打开厨房的灯', '𠮷野家', '', '\uD842']) assert.equal(toSimplified(text), text);
  assert.equal(toSimplified('打開客廳的燈'), '打开客厅的灯');
  assert.equal(toSimplified('light 燈'), 'light 灯');
});
