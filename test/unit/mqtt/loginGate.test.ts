import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LOGIN_GATE, LoginGate } from '../../../daemon/mqtt/loginGate.js';
import { ManualClock } from '../../helpers/manualClock.js';

/** A check the test finishes by hand, to see who runs in which order. */
function manualCheck(order: string[], name: string, outcome: 'ok' | 'denied' = 'denied'): { run: () => Promise<'ok' | 'denied'>; finish: () => void } {
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => { finish = resolve; });
  return { run: async () => { order.push(name); await done; return outcome; }, finish: () => finish() };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('waiting logins are served round-robin per address: a newcomer waits one turn per busy address, not the whole queue', async () => {
  const gate = new LoginGate(new ManualClock(), { ...DEFAULT_LOGIN_GATE, concurrency: 1, freeFailures: 1000, freeFailuresPerAddress: 1000 });
  const order: string[] = [];
  const checks: Array<{ finish: () => void }> = [];
  const runs: Array<Promise<unknown>> = [];
  const start = (address: string, name: string): void => {
    assert.equal(gate.refusal('u', address), null);
    const check = manualCheck(order, name, 'ok'); // no failures: round-robin alone decides the order
    checks.push(check);
    runs.push(gate.run('u', address, check.run));
  };
  // Two guessers queue up six each, then a real user arrives.
  for (let i = 0; i < 6; i++) start('10.0.0.1', `a${i}`);
  for (let i = 0; i < 6; i++) start('10.0.0.2', `b${i}`);
  start('10.0.0.3', 'user');
  // One slot: each finished check lets the next in line start; the order they start in is the queue's.
  for (let i = 0; order.length < 13 && i < 100; i++) {
    for (const c of checks) c.finish();
    await tick();
  }
  await Promise.all(runs);
  assert.ok(order.indexOf('user') <= 3, `the user ran ${order.indexOf('user') + 1}th: ${order.join(' ')}`);
});

test('an address with no recent failed login is served before addresses that have failed', async () => {
  const gate = new LoginGate(new ManualClock(), { ...DEFAULT_LOGIN_GATE, concurrency: 1, freeFailures: 1000, freeFailuresPerAddress: 1000 });
  await gate.run('u', '10.0.0.1', async () => 'denied' as const); // a guesser, known to have failed
  const order: string[] = [];
  const first = manualCheck(order, 'holding');
  const runs = [gate.run('u', '10.0.0.9', first.run)];
  const guesses = Array.from({ length: 5 }, (_, i) => manualCheck(order, `guess${i}`));
  for (const g of guesses) runs.push(gate.run('u', '10.0.0.1', g.run));
  const user = manualCheck(order, 'user', 'ok');
  runs.push(gate.run('alice', '10.0.0.2', user.run));
  first.finish();
  await tick();
  assert.deepEqual(order, ['holding', 'user']);
  user.finish();
  for (const g of guesses) g.finish();
  await Promise.all(runs);
});

test('per-address and global waiting limits answer busy at once', async () => {
  const gate = new LoginGate(new ManualClock(), { ...DEFAULT_LOGIN_GATE, concurrency: 1, maxWaiting: 3, maxWaitingPerAddress: 2 });
  const order: string[] = [];
  const held = manualCheck(order, 'first');
  const runs = [gate.run('u', '10.0.0.1', held.run)];
  for (let i = 0; i < 2; i++) runs.push(gate.run('u', '10.0.0.1', manualCheck(order, `a${i}`).run));
  assert.deepEqual(gate.refusal('u', '10.0.0.1'), { refused: 'busy' }); // this address has 2 waiting
  assert.equal(gate.refusal('u', '10.0.0.2'), null); // another address still gets in line
  runs.push(gate.run('u', '10.0.0.2', manualCheck(order, 'b').run));
  assert.deepEqual(gate.refusal('u', '10.0.0.3'), { refused: 'busy' }); // 3 waiting in all
  assert.equal(gate.waiting, 3);
});

test('failed logins back off per user@address and per address, doubling, and a success forgets', async () => {
  const clock = new ManualClock();
  const gate = new LoginGate(clock, { ...DEFAULT_LOGIN_GATE, freeFailures: 3, freeFailuresPerAddress: 5, baseBackoffMs: 1000, maxBackoffMs: 4000 });
  const fail = () => gate.run('alice', '10.0.0.1', async () => 'denied' as const);
  for (let i = 0; i < 2; i++) {
    await fail();
    assert.equal(gate.refusal('alice', '10.0.0.1'), null);
  }
  await fail();
  assert.deepEqual(gate.refusal('alice', '10.0.0.1'), { refused: 'backoff', retryInMs: 1000 });
  assert.equal(gate.refusal('alice', '10.0.0.2'), null, 'another address is not held back');
  assert.equal(gate.refusal('bob', '10.0.0.1'), null, 'another user from the address is not held back yet');
  await clock.advance(1000);
  await fail();
  assert.deepEqual(gate.refusal('alice', '10.0.0.1'), { refused: 'backoff', retryInMs: 2000 });
  await clock.advance(2000);
  // The 5th failure from the address holds back every user name from it.
  await fail();
  assert.equal(gate.refusal('bob', '10.0.0.1')?.refused, 'backoff');
  await clock.advance(4000);
  await gate.run('alice', '10.0.0.1', async () => 'ok' as const);
  assert.equal(gate.refusal('alice', '10.0.0.2'), null);
});

test('failure records are bounded and forgotten after a quiet spell', async () => {
  const clock = new ManualClock();
  const gate = new LoginGate(clock, { ...DEFAULT_LOGIN_GATE, freeFailures: 1, maxTracked: 4, forgetAfterMs: 60_000 });
  for (let i = 0; i < 10; i++) await gate.run('u', `10.0.0.${i}`, async () => 'denied' as const);
  assert.equal(gate.refusal('u', '10.0.0.9')?.refused, 'backoff'); // the newest is remembered
  assert.equal(gate.refusal('u', '10.0.0.0'), null); // the oldest was let go (bounded memory)
  await clock.advance(61_000);
  assert.equal(gate.refusal('u', '10.0.0.9'), null);
});
