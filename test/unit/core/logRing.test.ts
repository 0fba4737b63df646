import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogRing, scrub, teeToRing } from '../../../daemon/core/logRing.js';
import { createLogger } from '../../../daemon/core/log.js';

test('keeps the last lines, oldest first, bounded in count and length', () => {
  const ring = new LogRing(3, 10);
  for (const n of [1, 2, 3, 4, 5]) ring.push(`line ${n}\n`);
  assert.deepEqual(ring.snapshot(), ['line 3', 'line 4', 'line 5']);
  ring.push('x'.repeat(100));
  assert.equal(ring.snapshot().at(-1), `${'x'.repeat(10)}…`);
});

test('tokens and passwords in free text are scrubbed', () => {
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtZSJ9.c2lnbmF0dXJlc2ln';
  assert.equal(scrub(`name ${jwt} end`), 'name [redacted] end');
  assert.equal(scrub('GET /voice?token=abc123&x=1'), 'GET /voice?token=[redacted]&x=1');
  assert.equal(scrub('password=hunter2 rest'), 'password=[redacted] rest');
});

test('the logger passes every line on and keeps a redacted copy', () => {
  const written: string[] = [];
  const ring = new LogRing();
  const log = createLogger({ destination: { write: (l: string) => { written.push(l); } }, ring });
  log.info({ token: 'secret-token', name: 'eyJaaaaaaa.bbbbbbbbbb.cccccccccc' }, 'hello');
  assert.equal(written.length, 1);
  const [kept] = ring.snapshot();
  assert.ok(kept!.includes('hello'));
  assert.ok(!kept!.includes('secret-token') && !kept!.includes('eyJaaaaaaa'));
  assert.equal(typeof teeToRing({ write: () => true }, ring).flushSync, 'function');
});
