import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionStateMachine, TRANSITIONS, type SessionState } from '../../../daemon/voice/sessionStateMachine.js';
import { HubError } from '../../../daemon/core/errors.js';

const ALL: SessionState[] = ['idle', 'listening', 'processing', 'replying', 'retrying', 'failed'];

test('the happy paths of the table report every change in order', () => {
  const seen: string[] = [];
  const m = new SessionStateMachine((state, previous) => seen.push(`${previous}>${state}`));
  for (const s of ['processing', 'replying', 'idle', 'listening', 'processing', 'retrying', 'processing', 'failed', 'idle'] as const) m.to(s);
  assert.deepEqual(seen, [
    'idle>processing', 'processing>replying', 'replying>idle', 'idle>listening', 'listening>processing',
    'processing>retrying', 'retrying>processing', 'processing>failed', 'failed>idle',
  ]);
  assert.equal(m.state, 'idle');
});

test('every transition not in the table throws STATE_TRANSITION_INVALID and leaves the state unchanged', () => {
  let checked = 0;
  for (const from of ALL) {
    for (const to of ALL) {
      if (TRANSITIONS[from].includes(to)) continue;
      const m = new SessionStateMachine();
      // Walk to `from` along legal moves.
      const path: Record<SessionState, SessionState[]> = {
        idle: [], listening: ['listening'], processing: ['processing'], replying: ['processing', 'replying'],
        retrying: ['processing', 'retrying'], failed: ['processing', 'failed'],
      };
      for (const step of path[from]) m.to(step);
      const changes: string[] = [];
      const probe = new SessionStateMachine((s) => changes.push(s));
      for (const step of path[from]) probe.to(step);
      changes.length = 0;
      assert.throws(() => probe.to(to), (err: unknown) => err instanceof HubError && err.code === 'STATE_TRANSITION_INVALID' && err.details?.from === from);
      assert.equal(probe.state, from);
      assert.deepEqual(changes, []);
      assert.equal(m.can(to), false);
      checked++;
    }
  }
  assert.ok(checked >= 20, `checked ${checked} illegal transitions`);
});

test('idle cannot jump to replying: a reply without processing is a bug', () => {
  const m = new SessionStateMachine();
  assert.throws(() => m.to('replying'), { code: 'STATE_TRANSITION_INVALID' });
});

test('reset returns to idle from anywhere and reports it once', () => {
  const seen: string[] = [];
  const m = new SessionStateMachine((s) => seen.push(s));
  m.to('processing');
  m.reset();
  m.reset();
  assert.deepEqual(seen, ['processing', 'idle']);
});
