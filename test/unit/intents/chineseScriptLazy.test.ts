/**
 * Folding to Simplified builds OpenCC's tables (1.6 MB of heap) only for text that can change: the hub's own
 * words and sentences never build them, so an English-speaking home never holds them. This file runs in its
 * own process (node --test), so nothing else has built them first.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import HKVariantsRevPhrases from 'opencc-js/dict/HKVariantsRevPhrases';
import HKVariantsRev from 'opencc-js/dict/HKVariantsRev';
import TWVariantsRevPhrases from 'opencc-js/dict/TWVariantsRevPhrases';
import TWVariantsRev from 'opencc-js/dict/TWVariantsRev';
import TSPhrases from 'opencc-js/dict/TSPhrases';
import TSCharacters from 'opencc-js/dict/TSCharacters';
import { foldAlways, simplifierBuilt, toSimplified } from '../../../daemon/intents/chineseScript.js';
import { homeEngine } from './fixture.js';

test('the built-in sentences, word lists and Simplified utterances never build the folding tables', () => {
  const engine = homeEngine(); // the static lists (台灯 among them), every built-in and bundled plugin sentence
  assert.equal(engine.match('turn on the kitchen light')?.intent, 'HassTurnOn');
  assert.equal(engine.match('打开厨房的灯')?.intent, 'HassTurnOn');
  assert.equal(engine.match('打开台灯')?.intent, 'HassTurnOn');
  assert.equal(simplifierBuilt(), false);
  // The first Traditional utterance builds them, and is understood.
  assert.equal(engine.match('打開廚房的燈')?.intent, 'HassTurnOn');
  assert.equal(simplifierBuilt(), true);
});

test('the scan never skips a text that folding would change: every entry of every folding table', () => {
  const texts = new Set<string>();
  for (const table of [HKVariantsRevPhrases, HKVariantsRev, TWVariantsRevPhrases, TWVariantsRev, TSPhrases, TSCharacters]) {
    for (const entry of table.split('|')) {
      for (const word of entry.split(' ')) {
        texts.add(word);
        texts.add(`打开${word}的灯`);
      }
    }
  }
  let changed = 0;
  for (const text of texts) {
    const folded = foldAlways(text);
    if (folded !== text) changed++;
    assert.equal(toSimplified(text), folded, text);
  }
  assert.ok(changed > 1000, `the tables change many texts (${changed})`);
});
