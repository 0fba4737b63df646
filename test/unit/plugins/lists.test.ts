import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asSaid } from '../../../plugins/builtin/lists/asSaid.js';
import { checkListsDoc, findItem, MAX_ITEMS } from '../../../plugins/builtin/lists/listBook.js';

test('asSaid: the item keeps the words the engine dropped, and falls back to the slot', () => {
  assert.equal(asSaid('add call the plumber to my to do list', 'call plumber'), 'call the plumber');
  assert.equal(asSaid('Add Milk to the list', 'milk'), 'Milk');
  assert.equal(asSaid('牛奶已经买了', '牛奶'), '牛奶');
  assert.equal(asSaid('add ice to the list', 'ice'), 'ice', 'a whole word, not the inside of another');
  assert.equal(asSaid('something else entirely', 'milk'), 'milk');
});

test('findItem: same words first, then an open item containing them; checked-off items are skipped', () => {
  const items = [{ text: 'whole milk', done: false, added: 0 }, { text: 'milk', done: true, added: 0 }, { text: 'Eggs', done: false, added: 0 }];
  assert.equal(findItem(items, 'eggs.'), 2);
  assert.equal(findItem(items, 'milk'), 0);
  assert.equal(findItem(items, 'bread'), -1);
  assert.equal(findItem(items, '  '), -1);
});

test('checkListsDoc: wrong shapes start empty, bad entries are dropped one by one, lists are bounded', () => {
  assert.deepEqual(checkListsDoc(null).doc, { lists: { shopping: [], todo: [] } });
  assert.deepEqual(checkListsDoc({ lists: [] }).doc, { lists: { shopping: [], todo: [] } });
  const many = Array.from({ length: MAX_ITEMS + 5 }, (_, i) => ({ text: `i${i}`, done: false, added: 0 }));
  const r = checkListsDoc({ lists: { shopping: [...many, { text: '', done: false, added: 0 }], todo: [{ text: 'x', done: 'no', added: 0 }] } });
  assert.equal(r.doc.lists.shopping.length, MAX_ITEMS);
  assert.equal(r.doc.lists.todo.length, 0);
  assert.equal(r.dropped, 5 + 1 + 1);
});
