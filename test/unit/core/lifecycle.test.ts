import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lifecycle } from '../../../daemon/core/lifecycle.js';
import { HealthRegistry } from '../../../daemon/health/healthChecks.js';
import { silentLogger } from '../../../daemon/core/log.js';
import type { Subsystem } from '../../../daemon/core/context.js';

function recorder(events: string[], name: string, failStart = false): Subsystem {
  return {
    name,
    start: async () => { if (failStart) throw new Error(`${name} failed`); events.push(`start ${name}`); },
    stop: async () => { events.push(`stop ${name}`); },
  };
}

test('subsystems start in order and stop in reverse', async () => {
  const events: string[] = [];
  const lc = new Lifecycle(['a', 'b', 'c'].map((n) => recorder(events, n)), silentLogger());
  await lc.start();
  await lc.stop();
  assert.deepEqual(events, ['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
});

test('the drain phase: every front door drains before any subsystem stops', async () => {
  const events: string[] = [];
  const door = (name: string): Subsystem => ({ ...recorder(events, name), drain: async () => { events.push(`drain ${name}`); } });
  const lc = new Lifecycle([recorder(events, 'plugins'), door('voice'), door('page')], silentLogger());
  await lc.start();
  await lc.stop();
  assert.deepEqual(events, ['start plugins', 'start voice', 'start page', 'drain page', 'drain voice', 'stop page', 'stop voice', 'stop plugins']);
});

test('a subsystem that fails to start stops the ones already started and passes the error on', async () => {
  const events: string[] = [];
  const lc = new Lifecycle([recorder(events, 'a'), recorder(events, 'b'), recorder(events, 'c', true), recorder(events, 'd')], silentLogger());
  await assert.rejects(lc.start(), /c failed/);
  assert.deepEqual(events, ['start a', 'start b', 'stop b', 'stop a']);
});

test('a stop that hangs is bounded and the others still stop', async () => {
  const events: string[] = [];
  const hang: Subsystem = { name: 'hang', start: async () => {}, stop: () => new Promise(() => {}) };
  const lc = new Lifecycle([recorder(events, 'a'), hang], silentLogger(), 50);
  await lc.start();
  await lc.stop();
  assert.deepEqual(events, ['start a', 'stop a']);
});

test('health: a failing critical check is down, any other failing check is degraded', () => {
  const h = new HealthRegistry();
  h.register('db', () => ({ ok: true }), { critical: true });
  h.register('cloud', () => ({ ok: true }));
  assert.equal(h.evaluate().status, 'ok');
  h.register('cloud', () => ({ ok: false, error: 'offline' }));
  assert.equal(h.evaluate().status, 'degraded');
  h.register('db', () => { throw new Error('probe crashed'); }, { critical: true });
  const { status, checks } = h.evaluate();
  assert.equal(status, 'down');
  assert.equal(checks.db?.ok, false);
});
