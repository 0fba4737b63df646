import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { isUserPrivateGroup, MAX_CONFIG_BYTES, readConfigFile } from '../../../daemon/config/readConfigFile.js';
import { inspectYaml, MAX_YAML_DEPTH } from '../../../daemon/config/inspectYaml.js';
import { clip } from '../../../daemon/config/clip.js';
import { buildConfig } from '../../../daemon/config/load.js';
import { ConfigError } from '../../../daemon/core/errors.js';

function inspect(text: string) {
  const lines = new LineCounter();
  return inspectYaml(parseDocument(text, { uniqueKeys: false, lineCounter: lines }), lines);
}

async function codeOf(text: string | Buffer): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'voicehub-config-'));
  const file = join(dir, 'voicehub.yaml');
  await writeFile(file, text, { mode: 0o600 });
  try {
    await readConfigFile(file);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.code;
  }
  return 'read';
}

test('hex ids, digit-losing integers and hex keys are found with their line and path; plain numbers are not', () => {
  const { problems, numberSources } = inspect('http:\n  port: 0x1F90\ndevices:\n  - id: 0x00158d0001a2b3c4\n    n: 12345678901234567890\nareas:\n  0x10: {}\n  12: {}\n');
  assert.deepEqual(problems.map((p) => p.path), ['devices.0.id', 'devices.0.n', 'areas.16']);
  assert.match(problems[0]!.message, /^:4: devices\.0\.id: .*quote it: '0x00158d0001a2b3c4'$/);
  assert.match(problems[1]!.message, /^:5: devices\.0\.n: 12345678901234567890 is too large/);
  assert.match(problems[2]!.message, /^:7: areas\.16: the key 0x10 is read as the number 16/);
  assert.equal(numberSources.get('http.port'), '0x1F90', 'a short hex number is kept, but how it was written is remembered');
});

test('a repeated key is found in linear time (a 50k-key mapping took 164 s with yaml\'s own check)', () => {
  const keys = Array.from({ length: 50_000 }, (_, i) => `k${i}: 0`).join(', ');
  const { problems } = inspect(`big: {${keys}, k7: 1}\n`);
  assert.deepEqual(problems.map((p) => p.path), ['big.k7']);
  assert.match(problems[0]!.message, /duplicate key/);
});

test('nesting past the depth limit is reported, and stops the walk', () => {
  const deep = `a: ${'['.repeat(MAX_YAML_DEPTH + 5)}${']'.repeat(MAX_YAML_DEPTH + 5)}\n`;
  assert.equal(inspect(deep).tooDeep, true);
  assert.equal(inspect(`a: ${'['.repeat(10)}${']'.repeat(10)}\n`).tooDeep, false);
});

test('the file reader refuses what is too large, binary or an alias bomb, each with its code', async () => {
  assert.equal(await codeOf(`a: "${'x'.repeat(MAX_CONFIG_BYTES)}"\n`), 'CONFIG_TOO_LARGE');
  assert.equal(await codeOf(Buffer.from([0x68, 0x74, 0x74, 0x70, 0x3a, 0x00, 0x01])), 'CONFIG_UNREADABLE');
  assert.equal(await codeOf(Buffer.from([0x68, 0x3a, 0x20, 0xff, 0xfe])), 'CONFIG_UNREADABLE', 'not UTF-8');
  assert.equal(await codeOf(`a: &a [1, 2]\nb: [${Array(200).fill('*a').join(', ')}]\n`), 'CONFIG_UNREADABLE');
  assert.equal(await codeOf('http:\n  port: 1\n'), 'read');
});

test('a group may write the config only when it is the user\'s own private group with no other member', () => {
  const groups = 'root:x:0:\nusers:x:100:alice,bob\nalice:x:1000:\nbob:x:1001:bob\nshared:x:1002:carol\n';
  assert.equal(isUserPrivateGroup(groups, 1000, 'alice'), true);
  assert.equal(isUserPrivateGroup(groups, 1001, 'bob'), true, 'listing only the user is still private');
  assert.equal(isUserPrivateGroup(groups, 100, 'alice'), false, 'a shared group');
  assert.equal(isUserPrivateGroup(groups, 1002, 'shared'), false, 'named after the user but with another member');
  assert.equal(isUserPrivateGroup(groups, 4242, 'alice'), false, 'an unknown group');
});

test('a file with no voicehub key is refused without naming its keys; a file of typos gets its did-you-mean', () => {
  const refused = (raw: unknown) => {
    try {
      buildConfig(raw, {}, '/srv', '/etc/shadow');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      return err;
    }
    assert.fail('expected a ConfigError');
  };
  const shadow = refused({ 'root:$6$SeCrEt:19000:0:99999:7::': null, 'pi:$6$MoRe:19000': null });
  assert.equal(shadow.code, 'CONFIG_UNRECOGNISED');
  assert.doesNotMatch(shadow.problems.join('\n'), /SeCrEt|MoRe|root|pi:/);
  assert.match(refused('-----BEGIN PRIVATE KEY----- MIIEv').problems[0]!, /must be a mapping .*not a string$/);
  assert.doesNotMatch(refused('-----BEGIN PRIVATE KEY----- MIIEv').problems[0]!, /MIIEv/);
  const typo = refused({ htpp: { port: 1 } });
  assert.equal(typo.code, 'CONFIG_INVALID');
  assert.match(typo.problems[0]!, /^htpp: unknown key \(did you mean "http"\?\)/);
});

test('a number where a string is wanted is told to quote it, as it was written', () => {
  try {
    buildConfig({ devices: [{ id: 12, name: 'lamp' }] });
    assert.fail('expected a ConfigError');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    assert.match(err.problems[0]!, /^devices\.0\.id: 12 is not a string; quote it: '12'$/);
  }
});

test('clip shortens and shows control characters', () => {
  assert.equal(clip('short'), 'short');
  assert.equal(clip('x'.repeat(100), 10), `${'x'.repeat(9)}…`);
  assert.equal(clip('a\nb\u001b'), 'a\\u000ab\\u001b');
});

test('a file with thousands of wrong keys gets the first 50 problems and a count, not thousands of lines', () => {
  const raw = { http: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`bad${i}`, i])) };
  try {
    buildConfig(raw);
    assert.fail('expected a ConfigError');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.problems.length, 51);
    assert.equal(err.problems.at(-1), '… and 4950 more problems');
  }
});
