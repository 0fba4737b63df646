import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, HubError, isRefusal, toVoiceErrorCode, VOICE_ERROR_CODES, type ErrorCode } from '../../../daemon/core/errors.js';
import { REPO_ROOT } from '../../helpers/daemon.js';

const readDoc = () => readFile(join(REPO_ROOT, 'docs/ERRORS.md'), 'utf8');

/** The codes the document defines: the first cell of each table row. */
function documentedCodes(doc: string): string[] {
  return [...doc.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((m) => m[1]!);
}

test('docs/ERRORS.md lists every code of the one error table', async () => {
  const doc = await readDoc();
  const listed = new Set(documentedCodes(doc));
  const missing = Object.keys(ErrorCodes).filter((code) => !listed.has(code));
  assert.deepEqual(missing, []);
});

test('every code docs/ERRORS.md lists is in the error table, once', async () => {
  const codes = documentedCodes(await readDoc());
  assert.deepEqual(codes.filter((code) => !(code in ErrorCodes)), []);
  assert.deepEqual(codes.filter((code, i) => codes.indexOf(code) !== i), []);
});

test('the refusals docs/ERRORS.md names are exactly the codes isRefusal answers true for', async () => {
  const doc = await readDoc();
  const paragraph = doc.slice(doc.indexOf('the refusals are:'));
  const documented = [...paragraph.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]!).sort();
  const refusals = (Object.keys(ErrorCodes) as ErrorCode[]).filter(isRefusal).sort();
  assert.deepEqual(documented, refusals);
});

test('every code literal in the source is in the error table', async () => {
  // `code: 'X'` results and bodies, `new HubError('X'` (and its subclasses), `errorCode = 'X'`.
  const pattern = /(?:\bcode: |\bnew (?:HubError|ConfigError|EnvironmentError|TemplateRunError)\(|\berrorCode = )'([A-Z][A-Z0-9_]+)'/g;
  const unknown: string[] = [];
  for (const dir of ['daemon', 'devices', 'plugins']) {
    const files = (await readdir(join(REPO_ROOT, dir), { recursive: true })).filter((f) => f.endsWith('.ts'));
    for (const file of files) {
      const text = await readFile(join(REPO_ROOT, dir, file), 'utf8');
      for (const m of text.matchAll(pattern)) if (!(m[1]! in ErrorCodes)) unknown.push(`${dir}/${file}: ${m[1]}`);
    }
  }
  assert.deepEqual(unknown, []);
});

test('internal errors map to the voice codes a client may see', () => {
  assert.equal(toVoiceErrorCode(new HubError('PLUGIN_TIMEOUT', 'x')), 'TIMEOUT');
  assert.equal(toVoiceErrorCode(new HubError('DEVICE_AMBIGUOUS', 'x')), 'NO_MATCH');
  assert.equal(toVoiceErrorCode(new HubError('RATE_LIMITED', 'x')), 'RATE_LIMITED');
  assert.equal(toVoiceErrorCode(new Error('plain')), 'INTERNAL');
  for (const code of VOICE_ERROR_CODES) assert.ok(code in ErrorCodes);
});

test('of the voice codes only INTERNAL, PLUGIN_FAILED and STT_FAILED (an engine that crashed or hung) are faults (what the voice session warns about)', () => {
  assert.deepEqual(VOICE_ERROR_CODES.filter((code) => !isRefusal(code)), ['PLUGIN_FAILED', 'INTERNAL', 'STT_FAILED']);
});
