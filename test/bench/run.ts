import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connectAsync } from 'mqtt';
import { benchStartup, startFlags } from './startup.js';
import { benchMqtt, benchBridgeDevices } from './mqtt.js';
import { startInProcessHub } from './hubTarget.js';
import { benchVoice, formatTable } from './voice.js';
import { benchVoicePipeline } from './voicePipeline.js';
import { BENCH_AREAS, BENCH_HOME, BENCH_UTTERANCES } from './voiceHome.js';
import { benchIntents } from './intents.js';
import { benchPage } from './page.js';
import { benchAssistant } from './assistant.js';
import { benchCorpus } from './corpus.js';
import { benchSpeech } from './speech.js';
import { benchLinkEvents, benchPool } from './cloud.js';
import { benchSatellite, p as percentile } from './satellite.js';

/**
 * `npm run bench`: every benchmark, each printing its figures beside a baseline measured in the same run.
 * Benchmarks never fail the build; they print what they measured against the targets in the issues.
 */
// The in-process benches (mqtt, voice) measure the hub as `npm start` runs it, node flags included: the
// young generation's size alone moves voice throughput by a third. Without them, run again with them.
const flags = await startFlags();
if (!flags.every((flag) => process.execArgv.includes(flag))) {
  const child = spawn(process.execPath, [...process.execArgv, ...flags, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(await new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1))));
}

const only = process.argv.slice(2);
const want = (name: string) => only.length === 0 || only.includes(name);
const fmt = (n: number, digits = 1) => n.toFixed(digits);

if (want('startup')) {
  const r = await benchStartup(7, Number(process.env.BENCH_IDLE_SECONDS ?? 60));
  console.log('\n## Cold start and idle memory');
  console.log(`node -e 0 (baseline, median of ${r.runs}): ${fmt(r.nodeBaselineMs)} ms`);
  console.log(`hub start → listening (median of ${r.runs}): ${fmt(r.hubListeningMs)} ms  (${fmt(r.ratio, 2)}× baseline; target ≤ 300 ms)`);
  console.log(`idle RSS after start: ${fmt(r.idleRssMB)} MB  (target ≤ 60 MB)`);
  if (r.idleSeconds > 0) console.log(`idle CPU over ${r.idleSeconds} s after that (one system sample included): ${fmt(r.idleCpuPct, 2)} % of one core`);
}

if (want('mqtt')) {
  const clients = Number(process.env.BENCH_MQTT_CLIENTS ?? 200);
  let writes = 0;
  const r = await benchMqtt({
    clients,
    seconds: Number(process.env.BENCH_SECONDS ?? 5),
    hubFactory: async () => {
      const target = await startInProcessHub();
      // Tell the hub about the bench devices the way Zigbee2MQTT would: a retained bridge/devices list.
      const c = await connectAsync(target.mqttUrl);
      await c.publishAsync('zigbee2mqtt/bridge/devices', benchBridgeDevices(clients), { retain: true, qos: 1 });
      await c.endAsync();
      while (target.hub.devices.count() < clients) await new Promise((res) => setTimeout(res, 20));
      const writesBefore = target.writes();
      return { url: target.mqttUrl, applied: target.applied, stop: async () => { writes = target.writes() - writesBefore; await target.stop(); } };
    },
  });
  console.log(`\n## MQTT: ${clients} device clients publishing QoS 1 state, closed loop, ${r.bare.seconds} s each`);
  console.log('| broker | msgs/s | ratio to bare aedes |');
  console.log('|---|---|---|');
  console.log(`| ${r.bare.name} | ${r.bare.msgsPerSec} | 1.00 |`);
  if (r.mosquitto) console.log(`| ${r.mosquitto.name} | ${r.mosquitto.msgsPerSec} | ${fmt(r.mosquitto.msgsPerSec / r.bare.msgsPerSec, 2)} |`);
  console.log(`| voicehub | ${r.target.msgsPerSec} | ${fmt(r.ratio, 2)} (target ≥ 0.7) |`);
  const applied = r.target.applied ?? 0;
  console.log(`applied to the registry: ${applied} of ${r.target.messages} acknowledged (${fmt((100 * applied) / Math.max(1, r.target.messages))} %, target ≥ 95 %); storage file writes during the run: ${writes}`);
}

if (want('voice')) {
  console.log(`\n## Voice: closed-loop clients saying ${BENCH_UTTERANCES.length} commands in English and Chinese round a small home (intent lookup + plugin + one MQTT command each)`);
  const r = await benchVoice({
    seconds: Number(process.env.BENCH_SECONDS ?? 3),
    rounds: Number(process.env.BENCH_ROUNDS ?? 3),
    texts: BENCH_UTTERANCES,
    hub: async (maxClients) => {
      const target = await startInProcessHub({
        voice: { rateLimit: { perSecond: 1_000_000, burst: 1_000_000 }, maxClients: maxClients + 10, maxClientsPerSubject: 10 },
        devices: BENCH_HOME,
        areas: BENCH_AREAS,
      });
      return {
        url: target.httpUrl.replace('http:', 'ws:') + '/voice',
        token: (sub) => target.hub.auth.create({ sub, scopes: ['voice'], ttl: '1h' }),
        stop: () => target.stop(),
      };
    },
  });
  console.log(formatTable(r));
  const p = await benchVoicePipeline();
  console.log(`\nthe hub's own work per utterance, without sockets (${p.sessions} sessions, ${p.utterances} utterances, lowest / median of 7 blocks):`);
  console.log(`real handler ${fmt(p.realMinUs, 2)} / ${fmt(p.realMedianUs, 2)} µs; trivial handler ${fmt(p.trivialMinUs, 2)} / ${fmt(p.trivialMedianUs, 2)} µs`);
  console.log(`heap allocated per utterance: real handler ${fmt(p.realBytes / 1024, 1)} KB; trivial handler ${fmt(p.trivialBytes / 1024, 1)} KB`);
}

if (want('corpus')) {
  const c = benchCorpus();
  console.log(`\n## Sentence corpus: ${c.sentences} sentences (test/fixtures/corpus), right per intent and language`);
  console.log(c.table);
}

if (want('intents')) {
  const r = await benchIntents();
  console.log(`\n## Intents: match + resolve with ${r.devices} devices, ${r.utterances} English and Chinese utterances`);
  console.log(`matched afresh: median ${fmt(r.medianMs, 3)} ms, p99 ${fmt(r.p99Ms, 3)} ms (target: median ≤ 0.05 ms, p99 ≤ 0.5 ms; least disturbed of 7 blocks)`);
  console.log(`every corpus sentence (${r.corpusSentences}) afresh: median ${fmt(r.corpusMedianMs, 3)} ms, p99 ${fmt(r.corpusP99Ms, 3)} ms`);
  console.log(`hostile 500-character texts (${r.adversarialTexts}): worst ${fmt(r.adversarialWorstMs, 3)} ms, ${fmt(r.adversarialWorstRatio, 1)}× the ordinary median`);
  console.log(`heard before (recent-match cache): median ${fmt(r.cachedMedianMs, 4)} ms, p99 ${fmt(r.cachedP99Ms, 4)} ms`);
}

if (want('page')) {
  const devices = Number(process.env.BENCH_PAGE_DEVICES ?? 500);
  const r = await benchPage({
    devices, seconds: Number(process.env.BENCH_SECONDS ?? 5), updatesPerSec: Number(process.env.BENCH_PAGE_UPDATES ?? 500),
    cpuSlowdown: Number(process.env.BENCH_PAGE_CPU_SLOWDOWN ?? 4),
  });
  console.log(`\n## The page in Chromium: ${devices} devices, every one reporting state`);
  if (typeof r === 'string') console.log(`skipped: ${r}`);
  else {
    console.log('| page | CPU | devices | state updates/s | first render (ms) | frame p50 / p99 (ms) | long tasks (longest, ms) | script / layout / style ms per s | main-thread CPU ms per s |');
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const { baseline, loaded } of r.runs) {
      for (const [name, x] of [['empty (baseline)', baseline], ['loaded', loaded]] as const) {
        console.log(`| ${name} | ${x.cpuSlowdown === 1 ? "as is" : `${x.cpuSlowdown}× slower`} | ${x.devices} | ${x.updatesPerSec} | ${x.renderMs} | ${x.frameP50Ms} / ${x.frameP99Ms} | ${x.longTasks} (${x.longestTaskMs}) | ${x.scriptMsPerSec} / ${x.layoutMsPerSec} / ${x.styleMsPerSec} | ${x.cpuMsPerSec} |`);
      }
    }
    for (const { baseline, loaded } of r.runs) {
      console.log(`CPU ${loaded.cpuSlowdown}×: frame p99 ratio to baseline ${fmt(loaded.frameP99Ms / Math.max(1, baseline.frameP99Ms), 2)} (target: no visible jank, ≤ 2×)${loaded.cpuSlowdown === 1 ? `; main-thread CPU ${fmt(loaded.cpuMsPerSec, 0)} ms a second, ${fmt(loaded.cpuMsPerSec - baseline.cpuMsPerSec, 0)} ms over the empty page` : ''}`);
    }
  }
}

if (want('assistant')) {
  const r = await benchAssistant({ rounds: Number(process.env.BENCH_ASSISTANT_ROUNDS ?? 20) });
  console.log(`\n## Assistant: an unmatched utterance → the Messages-API stand-in (model delay ${r.modelDelayMs} ms per turn) → a tool call → MQTT → reply; median of ${r.rounds}`);
  console.log(`first reply.delta: ${fmt(r.firstDeltaMs)} ms (${fmt(r.firstDeltaMs / r.modelDelayMs, 2)}× the model's delay, the floor)`);
  console.log(`first device command at the device client: ${fmt(r.firstCommandMs)} ms (${fmt(r.firstCommandMs / r.modelDelayMs, 2)}× the model's delay)`);
  console.log(`whole reply (two model turns): ${fmt(r.replyMs)} ms (${fmt(r.replyMs / (2 * r.modelDelayMs), 2)}× the two turns' delay)`);
  console.log(`one streamed turn, no model delay, median of ${r.keepAlive.requests}: keep-alive ${fmt(r.keepAlive.medianMs, 2)} ms over ${r.keepAlive.connections} connection(s); new connection each ${fmt(r.fresh.medianMs, 2)} ms over ${r.fresh.connections} (${fmt(r.fresh.medianMs / r.keepAlive.medianMs, 2)}× keep-alive; loopback, no TLS)`);
}

if (want('speech')) {
  const utterances = Number(process.env.BENCH_SPEECH_UTTERANCES ?? 204);
  const realTime = Number(process.env.BENCH_SPEECH_REALTIME ?? 30);
  console.log(`\n## Speech: ${utterances} commands said by espeak-ng (6 voices/speeds) for the bench home, streamed to /voice; grammar recogniser (pocketsphinx) vs Debian's general model`);
  const r = await benchSpeech({ utterances, realTime, generalCount: Number(process.env.BENCH_SPEECH_GENERAL ?? 30) });
  console.log(`word accuracy ${fmt(100 * r.wordAccuracy)} %, action accuracy ${fmt(100 * r.actionAccuracy)} % (target ≥ 90 %) over ${r.utterances} utterances; ${r.secondPasses} decoded a second time from their own cepstral mean`);
  if (r.idleRecogniser) console.log(`idle warm recogniser (pocketsphinx waiting for the next utterance): RSS ${fmt(r.idleRecogniser.rssMb, 1)} MB, PSS ${fmt(r.idleRecogniser.pssMb, 1)} MB`);
  console.log('| recogniser | end of speech → MQTT command p50 | p99 | tail RTF (engine time after speech / speech length) | n |');
  console.log('|---|---|---|---|---|');
  console.log(`| grammar, warm (streamed as spoken) | ${fmt(r.warm.p50, 0)} ms (target ≤ 400) | ${fmt(r.warm.p99, 0)} ms | ${fmt(r.warm.rtf, 2)} | ${r.warm.n} |`);
  console.log(`| grammar, cold (process per utterance) | ${fmt(r.cold.p50, 0)} ms | ${fmt(r.cold.p99, 0)} ms | ${fmt(r.cold.rtf, 2)} | ${r.cold.n} |`);
  if (r.general) console.log(`| general model (en-us LM, no grammar), batch | word accuracy ${fmt(100 * r.general.wordAccuracy)} % | | RTF ${fmt(r.general.rtf, 2)} (whole run / audio) | ${r.general.n} |`);
}
if (want('satellite')) {
  const n = Number(process.env.BENCH_SATELLITE_UTTERANCES ?? 50);
  console.log(`\n## Wyoming satellite door vs /voice: ${n} utterances each, alternating, same Wyoming ASR/TTS stand-ins (answer at once), from the end of the audio`);
  const r = await benchSatellite(n);
  console.log('| door | transcript p50 / p99 | MQTT command p50 / p99 | end of reply audio p50 / p99 |');
  console.log('|---|---|---|---|');
  const row = (name: string, t: { transcript: number[]; command: number[]; audioEnd: number[] }) =>
    console.log(`| ${name} | ${fmt(percentile(t.transcript, 0.5))} / ${fmt(percentile(t.transcript, 0.99))} ms | ${fmt(percentile(t.command, 0.5))} / ${fmt(percentile(t.command, 0.99))} ms | ${fmt(percentile(t.audioEnd, 0.5))} / ${fmt(percentile(t.audioEnd, 0.99))} ms |`);
  row('/voice (baseline)', r.voice);
  row('Wyoming satellite', r.satellite);
  console.log(`satellite / voice, p50: transcript ${fmt(percentile(r.satellite.transcript, 0.5) / percentile(r.voice.transcript, 0.5), 2)}×, command ${fmt(percentile(r.satellite.command, 0.5) / percentile(r.voice.command, 0.5), 2)}×, reply audio ${fmt(percentile(r.satellite.audioEnd, 0.5) / percentile(r.voice.audioEnd, 0.5), 2)}×`);
}
if (want('cloud')) {
  const events = Number(process.env.BENCH_CLOUD_EVENTS ?? 20_000);
  console.log(`\n## Cloud link: ${events} device state events through the link until every one is acked`);
  console.log('| sender | flush interval | events/s | ratio to bare ws |');
  console.log('|---|---|---|---|');
  for (const flushIntervalMs of [1000, 100]) {
    const r = await benchLinkEvents(events, flushIntervalMs);
    if (flushIntervalMs === 1000) console.log(`| bare ws sender (same frames, batches of 200, 8 unacked) | – | ${Math.round(r.barePerSec)} | 1.00 |`);
    console.log(`| voicehub (outbox persisted, then sent) | ${flushIntervalMs} ms | ${Math.round(r.hubPerSec)} | ${fmt(r.ratio, 2)} |`);
  }
  const seconds = Number(process.env.BENCH_SECONDS ?? 2);
  console.log(`\n## Cloud requests: keep-alive pool vs a new connection per request, closed loop, ${seconds} s each`);
  console.log('| concurrent | pool req/s | pool p50 / p99 ms | new connection req/s | new p50 / p99 ms | pool speed-up |');
  console.log('|---|---|---|---|---|---|');
  for (const row of await benchPool(seconds)) {
    console.log(`| ${row.concurrency} | ${Math.round(row.pooled.perSec)} | ${fmt(row.pooled.p50Ms, 2)} / ${fmt(row.pooled.p99Ms, 2)} | ${Math.round(row.fresh.perSec)} | ${fmt(row.fresh.p50Ms, 2)} / ${fmt(row.fresh.p99Ms, 2)} | ${fmt(row.pooled.perSec / row.fresh.perSec, 2)}× |`);
  }
}
if (want('fire')) {
  const { benchPluginsUnderFire, formatFire } = await import('./pluginsUnderFire.js');
  console.log(formatFire(await benchPluginsUnderFire(Number(process.env.BENCH_SECONDS ?? 5))));
}
