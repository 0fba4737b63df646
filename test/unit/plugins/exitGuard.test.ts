import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HubError } from '../../../daemon/core/errors.js';
import { guardProcessExit } from '../../../daemon/plugins/exitGuard.js';

test('process.exit with a plugin on the stack throws PLUGIN_FAILED; without one it is left alone; uninstalling restores it', () => {
  const original = process.exit;
  const seen: unknown[] = [];
  // Claims stacks that pass through the function below, as the host claims stacks through a plugin's files.
  const release = guardProcessExit((stack, code) => { seen.push(code); return stack.includes('pretendPluginCode') ? 'com.t.exiter' : null; });
  try {
    assert.notEqual(process.exit, original);
    function pretendPluginCode(): never { return process.exit(0); }
    assert.throws(pretendPluginCode, (err: unknown) => err instanceof HubError && err.code === 'PLUGIN_FAILED'
      && /plugin com\.t\.exiter called process\.exit\(0\)/.test(err.message));
    assert.deepEqual(seen, [0]);
  } finally {
    release();
  }
  assert.equal(process.exit, original);
});
