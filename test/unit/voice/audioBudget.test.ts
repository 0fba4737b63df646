import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AudioBudget, type BudgetedStream } from '../../../daemon/voice/audioBudget.js';

function stream(name: string, evicted: string[]): BudgetedStream {
  return { bytes: 0, lastActivity: 0, evict: (reason) => { evicted.push(`${name}:${reason}`); } };
}

test('chunks are kept while the total fits; past it the stream idle the longest is evicted first', () => {
  const evicted: string[] = [];
  const budget = new AudioBudget(100, 10_000);
  const [a, b, c] = [stream('a', evicted), stream('b', evicted), stream('c', evicted)];
  budget.open(a, 0);
  budget.open(b, 1);
  budget.open(c, 2);
  assert.ok(budget.take(a, 40, 3));
  assert.ok(budget.take(b, 40, 4));
  assert.ok(budget.take(a, 10, 5)); // a spoke last: b is now the stalest
  assert.ok(budget.take(c, 30, 6));
  assert.deepEqual(evicted, ['b:budget']);
  assert.equal(budget.bytes, 80);
  assert.equal(b.bytes, 0);
  assert.equal(budget.take(b, 1, 7), false, 'an evicted stream takes nothing more');
});

test('a chunk larger than the whole budget evicts its own stream (after the others), never overshoots', () => {
  const evicted: string[] = [];
  const budget = new AudioBudget(100, 10_000);
  const [a, b] = [stream('a', evicted), stream('b', evicted)];
  budget.open(a, 0);
  budget.open(b, 0);
  assert.ok(budget.take(a, 50, 1));
  assert.equal(budget.take(b, 101, 2), false);
  assert.deepEqual(evicted, ['a:budget', 'b:budget']);
  assert.equal(budget.bytes, 0);
  assert.equal(budget.openStreams, 0);
});

test('release frees a stream\'s bytes once; sweep ends only the streams idle past idleMs', () => {
  const evicted: string[] = [];
  const budget = new AudioBudget(1000, 500);
  const [a, b] = [stream('a', evicted), stream('b', evicted)];
  budget.open(a, 0);
  budget.open(b, 0);
  budget.take(a, 100, 100);
  budget.take(b, 100, 400);
  budget.sweep(599);
  assert.deepEqual(evicted, []);
  budget.sweep(600);
  assert.deepEqual(evicted, ['a:idle']);
  assert.equal(budget.bytes, 100);
  budget.release(b);
  budget.release(b);
  assert.equal(budget.bytes, 0);
  budget.sweep(10_000);
  assert.deepEqual(evicted, ['a:idle'], 'a released stream is never evicted');
});

test('kept bytes (ended streams waiting for speech-to-text) count until freed and make the open streams give way', () => {
  const evicted: string[] = [];
  const budget = new AudioBudget(100, 10_000);
  const a = stream('a', evicted);
  budget.keep(80);
  budget.open(a, 0);
  assert.ok(budget.take(a, 20, 1));
  assert.equal(budget.take(a, 1, 2), false, 'only open streams can make room: a itself goes');
  assert.deepEqual(evicted, ['a:budget']);
  budget.free(80);
  assert.equal(budget.bytes, 0);
});

test('charge opens a stream on the fly; consume takes parsed bytes off and releases it at 0', () => {
  const evicted: string[] = [];
  const budget = new AudioBudget(1000, 10_000);
  const unparsed = stream('conn', evicted);
  assert.ok(budget.charge(unparsed, 300, 0));
  budget.consume(unparsed, 100);
  assert.equal(budget.bytes, 200);
  budget.consume(unparsed, 500);
  assert.equal(budget.bytes, 0);
  assert.equal(budget.openStreams, 0);
  assert.ok(budget.charge(unparsed, 50, 1), 'charged again after a release');
  budget.sweep(20_000);
  assert.deepEqual(evicted, ['conn:idle']);
});
