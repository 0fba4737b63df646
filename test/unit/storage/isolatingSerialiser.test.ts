import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { serialiseInSlices, serialiseIsolating } from '../../../daemon/storage/isolatingSerialiser.js';

/** The sliced text, with a turn after every piece (a clock that is always past the slice). */
async function sliced(data: unknown, skipped: string[] = [], batchChars = 16): Promise<{ text: string; writes: number; pauses: number }> {
  let text = '';
  let writes = 0;
  let pauses = 0;
  let clock = 0;
  await serialiseInSlices(data, skipped, (t) => { text += t; writes++; }, {
    batchChars, sliceMs: 1, now: () => (clock += 1), pause: async () => { pauses++; },
  });
  return { text, writes, pauses };
}

// Documents shaped like the stored ones (objects of collections of entries) and anything else JSON can hold,
// with members that have no JSON form (undefined, functions) in objects and arrays alike.
const entry = fc.oneof(fc.jsonValue(), fc.constant(undefined), fc.constant(() => 1), fc.dictionary(fc.string(), fc.oneof(fc.jsonValue(), fc.constant(undefined))));
const collection = fc.oneof(fc.dictionary(fc.string(), entry), fc.array(entry), entry);
const documentArb = fc.oneof(fc.dictionary(fc.string(), collection), fc.array(collection), fc.jsonValue());

test('for good data both serialisers give exactly JSON.stringify\'s text', async () => {
  await fc.assert(fc.asyncProperty(documentArb, async (doc) => {
    const expected = JSON.stringify(doc);
    if (expected === undefined) return;
    const skipped: string[] = [];
    assert.equal(serialiseIsolating(doc, skipped), expected);
    assert.equal((await sliced(doc, skipped)).text, expected);
    assert.deepEqual(skipped, []);
  }), { numRuns: 300 });
});

test('objects with toJSON, class instances and null-prototype objects are written as JSON.stringify writes them', async () => {
  class Thing { a = 1; b = [new Date(0)]; }
  const bare = Object.assign(Object.create(null) as Record<string, unknown>, { x: 1, y: { z: 2 } });
  const doc = { version: 1, when: new Date(5), things: { t: new Thing(), bare }, list: [new Thing(), { toJSON: () => 'j' }], bare };
  assert.equal(serialiseIsolating(doc, []), JSON.stringify(doc));
  assert.equal((await sliced(doc)).text, JSON.stringify(doc));
});

/** An array nested so deep that JSON.stringify overflows the stack on it. */
function tooDeep(levels = 200_000): unknown {
  let v: unknown = 0;
  for (let i = 0; i < levels; i++) v = [v];
  return v;
}

test('sliced: one entry that cannot be serialised is left out and named, the rest written', async () => {
  const skipped: string[] = [];
  const doc = { version: 1, devices: { good: { n: 1 }, bad: { deep: tooDeep() }, big: 10n, also: { n: 2 } }, list: [1, 2n, 3] };
  const { text } = await sliced(doc, skipped);
  assert.deepEqual(JSON.parse(text), { version: 1, devices: { good: { n: 1 }, also: { n: 2 } }, list: [1, 3] });
  assert.deepEqual(skipped.map((s) => s.split(':')[0]), ['devices.bad', 'devices.big', 'list[1]']);
});

test('a document with no JSON form at all is refused by both', async () => {
  for (const doc of [undefined, 10n, () => 1]) {
    assert.throws(() => serialiseIsolating(doc, []), /cannot be serialised/);
    await assert.rejects(sliced(doc), /cannot be serialised/);
  }
});

test('sliced: a large document is handed out in batches with turns in between; a small one in one go, without a turn', async () => {
  const devices = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`d${i}`, { state: { on: i % 2 === 0, level: i } }]));
  const large = await sliced({ version: 1, devices }, [], 4096);
  assert.ok(large.pauses > 10, `turns given: ${large.pauses}`);
  assert.ok(large.writes > 1 && large.writes < 500, `writes: ${large.writes}`);
  // The real clock: a tiny document takes far less than the default slice, so nothing yields.
  let pauses = 0;
  let text = '';
  await serialiseInSlices({ n: 1, list: [1, 2] }, [], (t) => { text += t; }, { pause: async () => { pauses++; } });
  assert.equal(text, '{"n":1,"list":[1,2]}');
  assert.equal(pauses, 0);
});

test('sliced: which entries are written is fixed when it starts; an entry changed in place before its turn is written as it is then', async () => {
  const doc = { version: 1, devices: { a: { v: 1 }, b: { v: 1 }, c: { v: 1 } } as Record<string, { v: number }> };
  let text = '';
  let clock = 0;
  let turn = 0;
  await serialiseInSlices(doc, [], (t) => { text += t; }, {
    sliceMs: 1, now: () => (clock += 1),
    pause: async () => {
      if (++turn !== 1) return;
      // After the walk began: one entry added, one removed, one changed in place.
      doc.devices.d = { v: 1 };
      delete doc.devices.a;
      doc.devices.c!.v = 2;
      doc.version = 2;
    },
  });
  assert.deepEqual(JSON.parse(text), { version: 1, devices: { a: { v: 1 }, b: { v: 1 }, c: { v: 2 } } });
});
