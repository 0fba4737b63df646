import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import WebSocket from 'ws';
import { startDaemon, runCli, makeTempDir } from '../helpers/daemon.js';
import { VoiceClient } from '../helpers/voiceClient.js';

/**
 * Runs the hub at debug level through the paths that handle secrets (config secrets, token creation and
 * use in header and query, a forged token, MQTT users with right and wrong passwords, key rotation) and
 * greps every byte it and the CLI printed for each secret. Nothing secret may ever reach the journal.
 */
test('no token, password, API key or signing key ever appears in any output', { timeout: 60_000 }, async () => {
  const dir = await makeTempDir();
  const secrets = {
    cloudToken: 'cloud-secret-token-5f0c1d',
    assistKey: 'sk-assist-secret-91aa7e',
    mqttPassword: 'mqtt-user-password-77ce21',
    wrongPassword: 'wrong-password-0b9d44',
  };
  const env = { VOICEHUB_DATA_DIR: join(dir, 'data') };
  const outputs: string[] = [];
  const cli = async (args: string[], input?: string) => {
    const r = await runCli(args, { cwd: dir, env, input });
    outputs.push(r.stderr);
    return r;
  };
  const added = await cli(['mqtt-user', 'add', 'sensor1', '--password-stdin', '--allow', 'sensors/#'], secrets.mqttPassword);
  assert.equal(added.code, 0, added.stderr);

  const config = [
    'log: { level: debug }',
    'mqtt: { anonymousFrom: [] }',
    `cloud: { token: ${secrets.cloudToken}, assist: { apiKey: ${secrets.assistKey} } }`,
  ].join('\n');
  const d = await startDaemon({ dir, config, env: { VOICEHUB_LOG_LEVEL: 'debug' } });
  try {
    const created = await cli(['token', 'create', '--sub', 'satellite', '--scope', 'voice devices:read']);
    const token = created.stdout.trim();
    assert.ok(token.split('.').length === 3);

    const header = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, token);
    await header.say('s1', 'turn on the kitchen light');
    header.close();
    const query = new WebSocket(`ws://127.0.0.1:${d.httpPort}/voice?token=${token}`);
    await new Promise((resolve, reject) => { query.once('open', resolve); query.once('error', reject); });
    query.close();
    const forged = `${token.slice(0, -4)}AAAA`;
    await assert.rejects(VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, forged));
    assert.equal((await fetch(`${d.url}/api/devices`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
    assert.equal((await fetch(`${d.url}/api/devices?token=${forged}`)).status, 401);

    const good = await connectAsync(`mqtt://127.0.0.1:${d.mqttPort}`, { username: 'sensor1', password: secrets.mqttPassword, reconnectPeriod: 0 });
    await good.publishAsync('sensors/t', '21');
    await good.endAsync();
    await assert.rejects(connectAsync(`mqtt://127.0.0.1:${d.mqttPort}`, { username: 'sensor1', password: secrets.wrongPassword, reconnectPeriod: 0 }));

    const keyFile = join(dir, 'data', 'signing-key.json');
    const keyMaterial = [(JSON.parse(await readFile(keyFile, 'utf8')) as { k: string }).k];
    const rotated = await cli(['keys', 'rotate']);
    assert.equal(rotated.code, 0);
    outputs.push(rotated.stdout);
    assert.equal((await d.stop()).code, 0);

    keyMaterial.push((JSON.parse(await readFile(keyFile, 'utf8')) as { k: string }).k);
    assert.ok(keyMaterial.every((k) => k.length >= 32), 'the key file holds key material to look for');

    const everything = [...d.rawStdout, d.stderr, ...outputs].join('\n');
    assert.ok(everything.length > 1000, 'the hub did log at debug level');
    for (const [name, secret] of Object.entries({ ...secrets, token, forged, ...Object.fromEntries(keyMaterial.map((k, i) => [`key${i}`, k])) })) {
      assert.equal(everything.includes(secret), false, `${name} appeared in the output`);
    }
    assert.equal(everything.includes(token.split('.')[2]!), false, 'no token signature either');
  } finally {
    await d.cleanup();
  }
});
