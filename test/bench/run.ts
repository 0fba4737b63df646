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
import { benchLinkEvents, benchPool } from './cloud.js';

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

if (want('intents')) {
  const r = await benchIntents();
  console.log(`\n## Intents: match + resolve with ${r.devices} devices, ${r.utterances} English and Chinese utterances`);
  console.log(`matched afresh: median ${fmt(r.medianMs, 3)} ms, p99 ${fmt(r.p99Ms, 3)} ms (target: median ≤ 1 ms)`);
  console.log(`heard before (recent-match cache): median ${fmt(r.cachedMedianMs, 4)} ms, p99 ${fmt(r.cachedP99Ms, 4)} ms`);
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
