import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkTimerDoc } from '../../../plugins/builtin/timers/storedTimers.js';

const good = (id: number) => ({ id, durationS: 60, endsAt: 1_000_000, lang: 'en', target: { sessionId: 's' } });

test('stored timers are checked one by one: bad ones dropped and named, good ones kept, nextId above them', () => {
  const { doc, dropped, reshaped } = checkTimerDoc({
    nextId: 2,
    timers: [good(1), 'nope', { ...good(2), durationS: 'ten' }, good(7), { ...good(8), lang: 'fr' }, good(7), { ...good(9), target: null }],
  });
  assert.equal(reshaped, false);
  assert.deepEqual(doc.timers.map((t) => t.id), [1, 7]);
  assert.equal(doc.nextId, 8);
  assert.equal(dropped.length, 5);
  assert.match(dropped[0]!, /timers\[1\]: not an object/);
  assert.match(dropped.join('\n'), /duplicate id 7/);
});

for (const data of [null, [], { timers: 'x' }, { nextId: 'a' }, 42]) {
  test(`a stored timers document of the wrong shape (${JSON.stringify(data)}) starts empty`, () => {
    const { doc, reshaped } = checkTimerDoc(data);
    assert.equal(reshaped, true);
    assert.deepEqual(doc, { nextId: 1, timers: [] });
  });
}
