import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { buildConfig } from '../../../daemon/config/load.js';
import { configJsonSchema } from '../../../daemon/config/writeSchema.js';
import { ConfigError } from '../../../daemon/core/errors.js';
import { REPO_ROOT } from '../../helpers/daemon.js';

function problems(raw: unknown, env: Record<string, string> = {}): string[] {
  try {
    buildConfig(raw, env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.code, 'CONFIG_INVALID');
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

test('an empty config gets every default from the one schema', () => {
  const c = buildConfig({}, {}, '/srv');
  assert.equal(c.http.port, 8080);
  assert.equal(c.http.host, '0.0.0.0');
  assert.equal(c.mqtt.port, 1883);
  assert.deepEqual(c.mqtt.anonymousFrom, ['127.0.0.0/8', '::1']);
  assert.equal(c.mqtt.url, null);
  assert.equal(c.mqtt.discoveryPrefix, 'homeassistant');
  assert.equal(c.voice.maxTextLength, 500);
  assert.equal(c.voice.maxFrameBytes, 65536);
  assert.equal(c.voice.maxAudioBytes, 1048576);
  assert.equal(c.voice.sessionQueue, 16);
  assert.deepEqual(c.voice.rateLimit, { perSecond: 20, burst: 40 });
  assert.equal(c.voice.idempotencyTtlSeconds, 600);
  assert.equal(c.storage.flushIntervalMs, 1000);
  assert.equal(c.plugins.timeoutMs, 5000);
  assert.equal(c.cloud.url, null);
  assert.equal(c.dataDir, '/srv/data');
});

test('the config is frozen after validation', () => {
  const c = buildConfig({});
  assert.ok(Object.isFrozen(c));
  assert.ok(Object.isFrozen(c.voice.rateLimit));
  assert.throws(() => { (c.http as { port: number }).port = 1; }, TypeError);
});

test('env overrides win over the file and are converted', () => {
  const c = buildConfig({ http: { port: 1234 } }, { VOICEHUB_HTTP_PORT: '0', VOICEHUB_MQTT_URL: 'mqtt://127.0.0.1:1884', VOICEHUB_DATA_DIR: '/tmp/x', VOICEHUB_LOG_LEVEL: 'debug', VOICEHUB_CLOUD_TOKEN: '12345' });
  assert.equal(c.http.port, 0);
  assert.equal(c.mqtt.url, 'mqtt://127.0.0.1:1884');
  assert.equal(c.dataDir, '/tmp/x');
  assert.equal(c.log.level, 'debug');
  assert.equal(c.cloud.token, '12345', 'a numeric-looking token stays a string');
});

test('each problem names the key path, the value and what is allowed', () => {
  assert.deepEqual(problems({ http: { port: 'seventy' } }), ['http.port: "seventy" is not an integer 0–65535']);
  assert.deepEqual(problems({ http: { port: 70000 } }), ['http.port: 70000 is not an integer 0–65535']);
  assert.match(problems({ mqtt: { url: 'http://x' } })[0]!, /^mqtt\.url: "http:\/\/x" does not match/);
  assert.match(problems({ voice: { rateLimit: { perSecond: 0 } } })[0]!, /^voice\.rateLimit\.perSecond: 0 is not a number above 0/);
  assert.match(problems({ devices: [{ name: 'lamp' }] })[0]!, /^devices\.0\.id: is required/);
  assert.match(problems({ plugins: { 'com.example.weather': { grant: ['root'] } } })[0]!, /^plugins\.com\.example\.weather\.grant\.0: "root" is not "devices:read" or/);
});

test('unknown keys are errors with a did-you-mean where one is close', () => {
  assert.match(problems({ htpp: {} })[0]!, /^htpp: unknown key \(did you mean "http"\?\)/);
  assert.match(problems({ voice: { maxTextLenght: 10 } })[0]!, /did you mean "maxTextLength"/);
  assert.match(problems({ plugins: { timeotMs: 10 } })[0]!, /did you mean "timeoutMs"/);
  assert.doesNotMatch(problems({ log: {}, zzzzzz: 1 })[0]!, /did you mean/);
});

test('all errors are reported at once, and an env override is named as the source', () => {
  const list = problems({ http: { port: -1 }, mqtt: { port: 'x' } }, { VOICEHUB_LOG_LEVEL: 'loud' });
  assert.equal(list.length, 3);
  assert.ok(list.some((p) => p.startsWith('log.level (from VOICEHUB_LOG_LEVEL)')));
});

test('plugin entries are validated under their dotted id', () => {
  const c = buildConfig({ plugins: { 'com.example.weather': { grant: ['geo:read', 'cloud:request'] } } });
  const entry = (c.plugins as Record<string, unknown>)['com.example.weather'] as { enabled: boolean; grant: string[] };
  assert.equal(entry.enabled, true);
  assert.deepEqual(entry.grant, ['geo:read', 'cloud:request']);
});

test('the published voicehub.schema.json matches the schema in code', async () => {
  const published = await readFile(new URL('voicehub.schema.json', `file://${REPO_ROOT}`), 'utf8');
  assert.equal(published, configJsonSchema(), 'run `npm run schema` to refresh it');
});
