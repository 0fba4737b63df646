import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildConfig, loadConfig } from '../../../daemon/config/load.js';

/** systemd/voicehub.example.yaml, installed as /etc/voicehub/voicehub.yaml: every key must fit the schema. */
const EXAMPLE = resolve(fileURLToPath(import.meta.url), '../../../../../systemd/voicehub.example.yaml');
/** The file's convention: "#key: …" and the "#  …" lines under it are examples; "# …" is prose. */
const uncomment = (text: string) => text.replace(/^(\s*)#(?=\S|  +\S)/gm, '$1');

test('the example config as shipped is valid and changes no default', async () => {
  const { config, file } = await loadConfig({ env: { VOICEHUB_CONFIG: EXAMPLE } });
  assert.equal(file, EXAMPLE);
  assert.deepEqual(config, buildConfig({}));
});

test('with the service environment the data dir is /var/lib/voicehub', async () => {
  const { config } = await loadConfig({ env: { VOICEHUB_CONFIG: EXAMPLE, VOICEHUB_DATA_DIR: '/var/lib/voicehub' } });
  assert.equal(config.dataDir, '/var/lib/voicehub');
});

test('every commented-out example is valid too, once uncommented', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'voicehub-example-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const text = await readFile(EXAMPLE, 'utf8');
  const file = join(dir, 'voicehub.yaml');
  await writeFile(file, uncomment(text));
  const { config } = await loadConfig({ configPath: file });
  // The examples really were uncommented: each section they cover now differs from its default.
  assert.equal(config.dataDir, '/var/lib/voicehub');
  assert.equal(config.mqtt.url, 'mqtt://192.168.1.10:1883');
  assert.deepEqual(config.devices.map((d) => d.id), ['kitchen_light']);
  assert.deepEqual(config.areas['living room']?.aliases, ['lounge', 'front room']);
  assert.equal(config.location.timezone, 'Europe/Berlin');
  assert.equal(config.cloud.assist.model, 'small');
  assert.deepEqual((config.plugins['com.example.weather'] as { grant: string[] }).grant, ['geo:read', 'cloud:request']);
});
