import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { connectAsync } from 'mqtt';
import { startDaemon, makeTempDir, runCli } from '../helpers/daemon.js';
import { VoiceClient } from '../helpers/voiceClient.js';
import { WyomingAsrStandIn, WyomingTtsStandIn } from '../helpers/wyomingStandIn.js';
import { WyomingSatelliteStandIn, type Received } from '../helpers/wyomingSatellite.js';

/**
 * The Wyoming satellite door against the `/voice` door (issue 16), both on one real daemon (the bundle) with
 * the same Wyoming ASR and TTS stand-ins (which answer at once, so what is measured is the hub): the same
 * 0.6 s of audio, ended by the client (`audio-stop` / `audio.end`), alternately from the satellite stand-in
 * and a `/voice` client with `tts: true`. From the end of the audio: the transcript, the MQTT command at a
 * subscribed device client, and the end of the reply's audio. The ratio is satellite over `/voice`.
 */
export interface DoorTimes {
  transcript: number[];
  command: number[];
  audioEnd: number[];
}

export interface SatelliteBenchResult {
  n: number;
  satellite: DoorTimes;
  voice: DoorTimes;
}

function speech(): Buffer {
  const n = Math.round(0.6 * 16000);
  const out = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) out.writeInt16LE(Math.round(9000 * Math.sin((2 * Math.PI * 300 * i) / 16000)), i * 2);
  return Buffer.concat([Buffer.alloc(6400), out]);
}

/** The q-quantile (nearest rank). */
export function p(xs: readonly number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

export async function benchSatellite(n: number): Promise<SatelliteBenchResult> {
  const asr = new WyomingAsrStandIn();
  const tts = new WyomingTtsStandIn();
  const satellite = new WyomingSatelliteStandIn('kitchen');
  const [asrPort, ttsPort, satPort] = [await asr.start(), await tts.start(), await satellite.start()];
  const dir = await makeTempDir();
  const d = await startDaemon({
    dir, config: `devices:
  - { id: kitchen_light, name: Kitchen light, area: kitchen, type: light, commandTopic: home/kitchen/light/set, stateTopic: home/kitchen/light }
voice:
  rateLimit: { perSecond: 1000, burst: 1000 }
  satellites: [ { name: bench, host: 127.0.0.1, port: ${satPort}, area: kitchen } ]
speech:
  stt: { provider: wyoming, url: "tcp://127.0.0.1:${asrPort}" }
  tts: { provider: wyoming, url: "tcp://127.0.0.1:${ttsPort}" }
log: { level: warn }
`,
  });
  const device = await connectAsync(`mqtt://127.0.0.1:${d.mqttPort}`, { reconnectPeriod: 0 });
  let onCommand: (() => void) | null = null;
  device.on('message', () => onCommand?.());
  await device.subscribeAsync('home/kitchen/light/set');
  const token = (await runCli(['token', 'create', '--sub', 'bench', '--scope', 'voice'], { cwd: dir, env: { VOICEHUB_DATA_DIR: join(dir, 'data') } })).stdout.trim();
  const client = await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, token);
  const result: SatelliteBenchResult = { n, satellite: { transcript: [], command: [], audioEnd: [] }, voice: { transcript: [], command: [], audioEnd: [] } };
  const pcm = speech();
  try {
    await satellite.running(1);
    for (let i = 0; i < 2 * n + 4; i++) {
      asr.text = i % 4 < 2 ? 'turn on the kitchen light' : 'turn off the kitchen light';
      const viaSatellite = i % 2 === 0;
      const times: Partial<Record<keyof DoorTimes, number>> = {};
      let t0 = 0;
      const done = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`utterance ${i} not answered`)), 20_000);
        const mark = (what: keyof DoorTimes): void => {
          times[what] ??= performance.now() - t0;
          if (times.transcript !== undefined && times.command !== undefined && times.audioEnd !== undefined) {
            clearTimeout(timer);
            resolve();
          }
        };
        onCommand = () => mark('command');
        if (viaSatellite) {
          const listener = (e: Received): void => {
            if (e.type === 'transcript') mark('transcript');
            if (e.type === 'audio-stop') { satellite.listeners.delete(listener); mark('audioEnd'); }
          };
          satellite.listeners.add(listener);
        } else {
          void client.waitFor((f) => f.type === 'transcript' && f.id === `b${i}`, 20_000).then(() => mark('transcript'));
          void client.waitFor((f) => f.type === 'audio.end' && f.id === `b${i}`, 20_000).then(() => mark('audioEnd'));
        }
      });
      if (viaSatellite) {
        satellite.say(pcm, { chunkBytes: 3200 });
      } else {
        client.send({ type: 'audio.start', id: `b${i}`, rate: 16000, format: 's16le', tts: true });
        for (let at = 0; at < pcm.length; at += 3200) client.ws.send(pcm.subarray(at, at + 3200));
        client.send({ type: 'audio.end', id: `b${i}` });
      }
      t0 = performance.now();
      await done;
      if (i < 4) continue; // warm-up: the first of each door
      const into = viaSatellite ? result.satellite : result.voice;
      into.transcript.push(times.transcript!);
      into.command.push(times.command!);
      into.audioEnd.push(times.audioEnd!);
    }
  } finally {
    client.close();
    await device.endAsync();
    await d.cleanup();
    await satellite.stop();
    await asr.stop();
    await tts.stop();
  }
  return result;
}
