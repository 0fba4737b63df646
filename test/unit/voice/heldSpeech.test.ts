import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HeldSpeech } from '../../../daemon/voice/heldSpeech.js';

test('held speech is given once to its subject, oldest first, and only while fresh', () => {
  let now = 0;
  const held = new HeldSpeech<string>(() => now, 60_000);
  held.hold('kitchen', 'a');
  now = 30_000;
  held.hold('kitchen', 'b');
  held.hold('bedroom', 'c');
  now = 70_000; // 'a' is 70 s old, 'b' 40 s
  assert.deepEqual(held.take('kitchen'), ['b']);
  assert.deepEqual(held.take('kitchen'), [], 'given once');
  assert.deepEqual(held.take('bedroom'), ['c']);
  assert.deepEqual(held.take('nobody'), []);
});

test('held speech is bounded per subject and in subjects', () => {
  const held = new HeldSpeech<number>(() => 0, 60_000, 3, 2);
  for (let i = 0; i < 10; i++) held.hold('a', i);
  held.hold('b', 100);
  held.hold('c', 200); // a third subject: the one held longest ('a') goes
  assert.deepEqual(held.take('a'), []);
  assert.deepEqual(held.take('b'), [100]);
  assert.deepEqual(held.take('c'), [200]);
  for (let i = 0; i < 10; i++) held.hold('d', i);
  assert.deepEqual(held.take('d'), [7, 8, 9], 'the newest maxPerSubject');
});
