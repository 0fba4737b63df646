import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, HubError, toVoiceErrorCode, VOICE_ERROR_CODES } from '../../../daemon/errors.js';
import { REPO_ROOT } from '../../helpers/daemon.js';

test('docs/ERRORS.md lists every code of the one error table', async () => {
  const doc = await readFile(join(REPO_ROOT, 'docs/ERRORS.md'), 'utf8');
  const missing = Object.keys(ErrorCodes).filter((code) => !doc.includes(`\`${code}\``));
  assert.deepEqual(missing, []);
});

test('internal errors map to the voice codes a client may see', () => {
  assert.equal(toVoiceErrorCode(new HubError('PLUGIN_TIMEOUT', 'x')), 'TIMEOUT');
  assert.equal(toVoiceErrorCode(new HubError('DEVICE_AMBIGUOUS', 'x')), 'NO_MATCH');
  assert.equal(toVoiceErrorCode(new HubError('RATE_LIMITED', 'x')), 'RATE_LIMITED');
  assert.equal(toVoiceErrorCode(new Error('plain')), 'INTERNAL');
  for (const code of VOICE_ERROR_CODES) assert.ok(code in ErrorCodes);
});
