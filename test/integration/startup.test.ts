/**
 * Start-up does only what `listening` needs; the rest (the built-in sentences, the speech grammar and its
 * warm recogniser, the Traditional-Chinese tables, the first system sample) comes right after it or at first
 * use. These tests hold the hub to what users see: a command spoken the moment the hub says `listening` is
 * heard and acted on, the first Traditional-Chinese utterance is understood, and a bad config still stops
 * start-up at once with its exit code. The real bundle, with the unit's node flags.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { startDaemon, runCli, makeTempDir, SHIPPED_NODE_FLAGS } from '../helpers/daemon.js';
import { VoiceClient } from '../helpers/voiceClient.js';
import { silence, speakRaw } from '../helpers/speechAudio.js';
import { until } from '../helpers/until.js';

const CONFIG = `devices:
  - { id: kitchen_light, name: Kitchen light, area: kitchen, type: light, commandTopic: home/kitchen/light/set, stateTopic: home/kitchen/light }
speech: { vad: { silenceMs: 400 } }
`;

test('a command spoken the moment the hub is listening, and a Traditional-Chinese first utterance, are acted on', { timeout: 90_000 }, async () => {
  const dir = await makeTempDir();
  const env = { VOICEHUB_DATA_DIR: join(dir, 'data') };
  // Everything the client needs is ready before the hub starts, so the first words come right at `listening`.
  const token = await runCli(['token', 'create', '--sub', 'kitchen-satellite'], { cwd: dir, env });
  assert.equal(token.code, 0, token.stderr);
  const pcm = Buffer.concat([silence(300), await speakRaw('turn on the kitchen light'), silence(800)]);
  const d = await startDaemon({ dir, config: CONFIG, nodeArgs: SHIPPED_NODE_FLAGS });
  const client = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, token.stdout.trim());
  const device = await connectAsync(`mqtt://127.0.0.1:${d.mqttPort}`, { reconnectPeriod: 0 });
  try {
    const commands: string[] = [];
    device.on('message', (topic, payload) => commands.push(`${topic} ${payload.toString()}`));
    await device.subscribeAsync('home/#');
    // Spoken before the grammar exists (it is built after `listening`): recognised once it is.
    client.send({ type: 'audio.start', id: 's1', rate: 16000, format: 's16le' });
    for (let at = 0; at < pcm.length; at += 3200) client.ws.send(pcm.subarray(at, at + 3200));
    client.send({ type: 'audio.end', id: 's1' });
    const spoken = await client.waitFor((f) => (f.type === 'reply' || f.type === 'error') && f.id === 's1', 60_000);
    assert.equal(spoken.type, 'reply', JSON.stringify(spoken));
    assert.deepEqual(spoken.actions, [{ device: 'kitchen_light', command: 'turn_on' }]);
    const transcript = client.frames.find((f) => f.type === 'transcript' && f.id === 's1');
    assert.equal(transcript?.text, 'turn on the kitchen light');

    // The first Chinese the hub hears is Traditional: the folding tables are built for it, there and then.
    const tw = await client.say('t1', '關閉廚房的燈');
    assert.equal(tw.type, 'reply', JSON.stringify(tw));
    assert.deepEqual(tw.actions, [{ device: 'kitchen_light', command: 'turn_off' }]);
    assert.match(String(tw.text), /關/, `a Traditional reply: ${tw.text}`);
    assert.doesNotMatch(String(tw.text), /关|厨房|灯/, `no Simplified left: ${tw.text}`);

    const sent = () => commands.filter((c) => c.startsWith('home/kitchen/light/set'));
    await until(() => (sent().length >= 2 ? true : undefined), 'both MQTT commands', 15_000);
    assert.deepEqual(sent(), ['home/kitchen/light/set ON', 'home/kitchen/light/set OFF']);
    // The speech grammar was built after `listening`, not before it.
    const order = d.lines.map((l) => l.msg);
    assert.ok(order.indexOf('speech grammar built') > order.indexOf('listening'), order.join(' | '));
  } finally {
    client.close();
    await device.endAsync();
    await d.cleanup();
  }
});

test('a bad config still stops start-up at once, with exit code 2 and the key it names', { timeout: 30_000 }, async () => {
  // (Not http.port: the test's environment sets VOICEHUB_HTTP_PORT, which wins over the file.)
  const d = await startDaemon({ config: 'voice: { maxTextLength: many }\n', nodeArgs: SHIPPED_NODE_FLAGS, noWait: true });
  try {
    const listening = d.waitForLine((l) => l.msg === 'listening', 25_000).then(() => 'listening', () => 'not listening');
    const outcome = await Promise.race([d.exited().then(({ code }) => code), listening]);
    assert.equal(outcome, 2, d.stderr);
    assert.match(d.stderr, /config error: voice\.maxTextLength/);
  } finally {
    await d.cleanup();
  }
});
