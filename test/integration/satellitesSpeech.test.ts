import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { connectAsync } from 'mqtt';
import { startDaemon, makeTempDir, type DaemonProcess } from '../helpers/daemon.js';
import { WyomingSatelliteStandIn } from '../helpers/wyomingSatellite.js';
import { silence, speakRaw, speakWav } from '../helpers/speechAudio.js';
import { parseWav } from '../../daemon/speech/espeakTts.js';
import { until } from '../helpers/until.js';

/**
 * A Wyoming satellite with the hub's own engines (CI installs espeak-ng, pocketsphinx, pocketsphinx-en-us,
 * sox): espeak-ng speaks "turn on the kitchen light", the satellite stand-in streams it after run-pipeline
 * and never sends audio-stop, the grammar recogniser hears it, the kitchen light's MQTT command is published,
 * and the reply comes back to the satellite as the audio espeak-ng makes for it.
 */
let d: DaemonProcess | null = null;
const satellite = new WyomingSatelliteStandIn('kitchen');
after(async () => {
  await d?.cleanup();
  await satellite.stop();
});

test('spoken command from a satellite, no audio-stop: transcript, the MQTT command, the reply spoken by espeak-ng', { timeout: 90_000 }, async () => {
  const port = await satellite.start();
  d = await startDaemon({
    dir: await makeTempDir(), config: `devices:
  - { id: kitchen_light, name: Kitchen light, area: kitchen, type: light, commandTopic: home/kitchen/light/set, stateTopic: home/kitchen/light }
voice:
  satellites: [ { name: kitchen-sat, host: 127.0.0.1, port: ${port}, area: kitchen } ]
speech:
  vad: { silenceMs: 400 }
`,
  });
  await d.waitForLine((l) => l.msg === 'speech grammar built', 30_000);
  const device = await connectAsync(`mqtt://127.0.0.1:${d.mqttPort}`, { reconnectPeriod: 0 });
  const received: string[] = [];
  device.on('message', (_topic, payload) => received.push(payload.toString()));
  await device.subscribeAsync('home/kitchen/light/set');
  try {
    await satellite.running(1);
    const pcm = Buffer.concat([silence(300), await speakRaw('turn on the kitchen light'), silence(900)]);
    satellite.say(pcm, { stop: false, chunkBytes: 3200 });
    const transcript = await satellite.waitFor((e) => e.type === 'transcript', 30_000);
    // The words are the recogniser's (tuned elsewhere, issue 16's accuracy); what must hold is the action.
    assert.match(String(transcript.data.text), /^turn on .*kitchen.*light/);
    assert.equal(await until(() => received[0], 'the MQTT command', 15_000), 'ON');
    const synth = await satellite.waitFor((e) => e.type === 'synthesize', 30_000);
    const text = String(synth.data.text);
    assert.match(text, /kitchen light/i);
    await until(() => satellite.played[0], 'the reply audio', 30_000);
    const { rate, pcm: heard } = satellite.played[0];
    const espeak = parseWav(await speakWav(text, { speed: 175 }));
    assert.equal(rate, espeak.rate);
    assert.ok(heard.equals(espeak.pcm), `the satellite heard what espeak-ng says for "${text}" (${heard.length} vs ${espeak.pcm.length} bytes)`);
  } finally {
    await device.endAsync();
  }
});
