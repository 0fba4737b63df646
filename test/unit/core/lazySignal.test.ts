import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LazySignal } from '../../../daemon/core/lazySignal.js';

test('a signal read before the abort is aborted with its reason', () => {
  const lazy = new LazySignal();
  const signal = lazy.signal;
  assert.equal(signal.aborted, false);
  const reason = new Error('timed out');
  lazy.abort(reason);
  assert.equal(signal.aborted, true);
  assert.equal(signal.reason, reason);
  assert.equal(lazy.signal, signal, 'one signal per call');
});

test('a signal first read after the abort is already aborted, with the first reason', () => {
  const lazy = new LazySignal();
  lazy.abort('first');
  lazy.abort('second');
  assert.equal(lazy.aborted, true);
  assert.equal(lazy.signal.aborted, true);
  assert.equal(lazy.signal.reason, 'first');
});

test('never aborted, never read: nothing aborts', () => {
  const lazy = new LazySignal();
  assert.equal(lazy.aborted, false);
  assert.equal(lazy.signal.aborted, false);
});
