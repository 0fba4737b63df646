/**
 * Sentences added `trusted` (the hub's own plugins') are compiled at the first match or `prepare`, not when
 * added: start-up does not wait for them, and a match that comes first compiles them before it matches, so
 * it is answered as if they had been compiled at once.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HubError } from '../../../daemon/core/errors.js';
import { IntentEngine } from '../../../daemon/intents/index.js';
import { homeEngine } from './fixture.js';

test('trusted sentences wait for the first match, which compiles them and matches as if they were there all along', () => {
  const engine = homeEngine();
  engine.addSentences('en', 'ComExampleRecipe', ['how do i (make|cook) {dish}'], { owner: 'p', trusted: true });
  assert.equal(engine.waitingSentenceSets, 1);
  const m = engine.match('how do i cook pancakes');
  assert.equal(m?.intent, 'ComExampleRecipe');
  assert.equal(m?.slots.dish, 'pancakes');
  assert.equal(engine.waitingSentenceSets, 0);
  // intents() and prepare() compile them too.
  engine.addSentences('en', 'ComExampleSing', ['sing {song}'], { owner: 'q', trusted: true });
  assert.ok(engine.intents('en').includes('ComExampleSing'));
  assert.equal(engine.waitingSentenceSets, 0);
  engine.addSentences('en', 'ComExampleDance', ['dance {style}'], { owner: 'r', trusted: true });
  engine.prepare();
  assert.equal(engine.waitingSentenceSets, 0);
  assert.equal(engine.match('dance tango')?.slots.style, 'tango');
});

test('a trusted set keeps its place among the others: the earlier template still wins a tie', () => {
  for (const firstTrusted of [true, false]) {
    const engine = new IntentEngine();
    engine.addSentences('en', 'ComExampleFirst', ['play {thing}'], { owner: 'a', trusted: firstTrusted });
    engine.addSentences('en', 'ComExampleSecond', ['play {thing}'], { owner: 'b', trusted: !firstTrusted });
    assert.equal(engine.match('play jazz')?.intent, 'ComExampleFirst', `first trusted: ${firstTrusted}`);
  }
});

test('removeOwner drops trusted sets that were never compiled', () => {
  const engine = homeEngine();
  engine.addSentences('en', 'ComExampleRecipe', ['how do i (make|cook) {dish}'], { owner: 'p', trusted: true });
  engine.removeOwner('p');
  assert.equal(engine.waitingSentenceSets, 0);
  assert.equal(engine.match('how do i cook pancakes'), null);
});

test('a trusted set refused at its late compile drops all of its owner\'s sentences and says so; the match goes on', () => {
  const engine = homeEngine();
  const refused: Array<[string, unknown]> = [];
  engine.onLateRefusal = (owner, err) => refused.push([owner, err]);
  engine.addSentences('en', 'ComExampleGood', ['whistle {tune}'], { owner: 'bad', trusted: true });
  engine.addSentences('en', 'ComExampleBroken', ['hum (a|b'], { owner: 'bad', trusted: true });
  engine.addSentences('en', 'ComExampleOther', ['juggle {thing}'], { owner: 'fine', trusted: true });
  // The same template refused at once when not trusted: the late path gives the same error.
  assert.throws(() => new IntentEngine().addSentences('en', 'ComExampleBroken', ['hum (a|b'], { owner: 'x' }), (err: unknown) => err instanceof HubError);
  assert.equal(engine.match('turn on the kitchen light')?.intent, 'HassTurnOn');
  assert.deepEqual(refused.map(([owner]) => owner), ['bad']);
  assert.ok(refused[0][1] instanceof HubError);
  assert.equal(engine.match('whistle dixie'), null, 'the refused owner\'s good set went too');
  assert.equal(engine.match('juggle balls')?.intent, 'ComExampleOther');
});
