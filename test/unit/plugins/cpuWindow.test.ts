import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { CpuWindow, parseProcStat } from '../../../daemon/plugins/isolated/cpuWindow.js';

test('a process above its share for a whole window is an overrun; below it, or for less than the window, it is not', () => {
  const w = new CpuWindow(2000, 50);
  // 90 % of a core from t=0: nothing until a full 2 s window lies behind the newest sample.
  assert.equal(w.add({ at: 0, cpuMs: 0 }), null);
  assert.equal(w.add({ at: 1000, cpuMs: 900 }), null);
  const over = w.add({ at: 2000, cpuMs: 1800 });
  assert.ok(over);
  assert.equal(over.spanMs, 2000);
  assert.equal(over.cpuMs, 1800);
  assert.equal(over.percent, 90);

  const idle = new CpuWindow(2000, 50);
  for (let t = 0; t <= 10_000; t += 500) assert.equal(idle.add({ at: t, cpuMs: t * 0.4 }), null, `40 % at ${t} ms`);
});

test('a burst shorter than the window passes when the window around it averages under the budget', () => {
  const w = new CpuWindow(4000, 50);
  const at = [0, 1000, 2000, 3000, 4000, 5000, 6000];
  // One second at 100 % among idle ones.
  const cpu = [0, 0, 1000, 1000, 1000, 1000, 1000];
  assert.deepEqual(at.map((t, i) => w.add({ at: t, cpuMs: cpu[i]! })), at.map(() => null));
});

test('the window slides: an old busy spell ages out, a new one is caught', () => {
  const w = new CpuWindow(2000, 50);
  let cpu = 0;
  const results: boolean[] = [];
  for (let t = 0; t <= 8000; t += 500) {
    cpu += t >= 5000 ? 500 : 50; // 10 % until 5 s, then a whole core
    results.push(w.add({ at: t, cpuMs: cpu }) !== null);
  }
  assert.equal(results.slice(0, 11).some(Boolean), false, 'quiet through 5 s');
  assert.equal(results[results.length - 1], true, 'caught by 8 s');
});

test('a late sample widens the span instead of inflating the share; a sample going backwards starts over; 0 % is no budget', () => {
  const w = new CpuWindow(1000, 50);
  w.add({ at: 0, cpuMs: 0 });
  // 5 s late (the hub was busy) with 1.2 s of CPU: 24 %, not 120 %.
  assert.equal(w.add({ at: 5000, cpuMs: 1200 }), null);
  // CPU time went down: another process; no overrun from the difference.
  assert.equal(w.add({ at: 6000, cpuMs: 0 }), null);
  assert.equal(w.add({ at: 7000, cpuMs: 100 }), null);
  const none = new CpuWindow(1000, 0);
  none.add({ at: 0, cpuMs: 0 });
  assert.equal(none.add({ at: 2000, cpuMs: 2000 }), null);
});

test('parseProcStat reads CPU time and niceness past a command name with spaces and parentheses; refuses other text', () => {
  // proc(5): pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime priority nice …
  const line = '4242 (node (a) b) R 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 7 3 30 10 11 0 123 456 789';
  assert.deepEqual(parseProcStat(line), { cpuMs: 3000, childrenCpuMs: 100, nice: 10, ppid: 1 });
  assert.equal(parseProcStat('garbage'), null);
  assert.equal(parseProcStat('1 (x) R 1 2'), null);
  if (process.platform === 'linux') {
    const own = parseProcStat(readFileSync('/proc/self/stat', 'utf8'));
    assert.ok(own && own.cpuMs >= 0);
    assert.equal(own.nice, getPriority());
    assert.equal(own.ppid, process.ppid);
  }
});

test('before a whole window has passed, using more CPU than the whole window allows is an overrun at once; less is not', () => {
  // 50 % of 4 s: a budget of 2 s of CPU. A spinning process has used 2.1 s after 2.1 s: stopped then, not at 4 s.
  const w = new CpuWindow(4000, 50);
  assert.equal(w.add({ at: 0, cpuMs: 0 }), null);
  assert.equal(w.add({ at: 1000, cpuMs: 1000 }), null);
  assert.equal(w.add({ at: 2000, cpuMs: 2000 }), null, 'exactly the budget is not over it');
  const over = w.add({ at: 2100, cpuMs: 2100 });
  assert.ok(over);
  assert.deepEqual(over, { percent: 52.5, spanMs: 4000, cpuMs: 2100 });
  // A busy start-up second (1.5 s of CPU, two threads) within a budget of 2 s passes.
  const busyStart = new CpuWindow(4000, 50);
  assert.equal(busyStart.add({ at: 0, cpuMs: 0 }), null);
  assert.equal(busyStart.add({ at: 1000, cpuMs: 1500 }), null);
  assert.equal(busyStart.add({ at: 4000, cpuMs: 1600 }), null);
  // No budget (0 %): never.
  const none = new CpuWindow(4000, 0);
  none.add({ at: 0, cpuMs: 0 });
  assert.equal(none.add({ at: 1000, cpuMs: 5000 }), null);
});
