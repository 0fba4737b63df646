import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startCommandLine } from '../../daemon/cliStart.js';

/** The command lines that start the hub without commander, and the ones that must still reach it. */
test('plain start command lines are recognised, with the config file wherever it is given', () => {
  assert.deepEqual(startCommandLine([]), {});
  assert.deepEqual(startCommandLine(['start']), {});
  for (const args of [
    ['-c', 'hub.yaml'], ['--config', 'hub.yaml'], ['--config=hub.yaml'],
    ['-c', 'hub.yaml', 'start'], ['start', '-c', 'hub.yaml'], ['start', '--config', 'hub.yaml'], ['--config=hub.yaml', 'start'],
  ]) {
    assert.deepEqual(startCommandLine(args), { configPath: 'hub.yaml' }, args.join(' '));
  }
  // A file that happens to be called "start" is still a file.
  assert.deepEqual(startCommandLine(['-c', 'start']), { configPath: 'start' });
});

test('everything else goes to commander, which explains it', () => {
  for (const args of [
    ['doctor'], ['token', 'create', '--sub', 'x'], ['--help'], ['-h'], ['--version'], ['-v'], ['strat'], ['start', 'start'],
    ['start', '--verbose'], ['-c'], ['--config'], ['-c', '--help'], ['--config='], ['-c', ''], ['-c', 'a.yaml', '-c', 'b.yaml'],
    ['-chub.yaml'], ['start', 'extra'], ['device', 'list'],
  ]) {
    assert.equal(startCommandLine(args), null, args.join(' '));
  }
});
