import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchStartup, startFlags } from './startup.js';
import { BARE_TARGET, benchOpenLoop, openLoopSummary, type OpenLoopRun } from './openLoop.js';
import { benchEdge } from './edge.js';
import { benchDiscovery } from './discovery.js';
import { machineFacts } from './machine.js';
import { addSection, ms, newReport, renderJson, renderMarkdown, resultBaseName, type SectionWriter } from './report.js';
import { REPO_ROOT, SHIPPED_NODE_FLAGS } from '../helpers/daemon.js';
import { benchMqtt } from './mqtt.js';
import { benchIngestApply } from './ingestApply.js';
import { startInProcessHub } from './hubTarget.js';
import { benchVoice, formatTable } from './voice.js';
import { benchVoicePipeline } from './voicePipeline.js';
import { BENCH_AREAS, BENCH_HOME, BENCH_UTTERANCES } from './voiceHome.js';
import { benchIntents } from './intents.js';
import { benchPage } from './page.js';
import { median } from './stats.js';
import { benchAssistant } from './assistant.js';
import { benchCorpus } from './corpus.js';
import { benchSpeech } from './speech.js';
import { benchLinkEvents, benchPool } from './cloud.js';
import { benchSatellite, p as percentile } from './satellite.js';

/**
 * `npm run bench [name…]`: every benchmark (or the named ones), into ONE report: machine facts first, each
 * figure beside its anchor measured in the same run, each target marked met or MISSED. The report is printed
 * at the end and kept as Markdown and JSON under test/bench/results/ (git-ignored). Progress goes to stderr.
 * Benchmarks never fail the build (no timed assertion in `npm test`); a bench that throws is reported as
 * failed and the others still run.
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
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const progress = (line: string) => process.stderr.write(`${line}\n`);

const report = newReport(`npm run bench${only.length > 0 ? ` ${only.join(' ')}` : ''}`, machineFacts(), new Date());

/** Runs one bench into its section; a bench that fails says so in the report and the others still run. */
async function section(id: string, title: string, run: (s: SectionWriter) => Promise<void> | void): Promise<void> {
  if (!want(id)) return;
  progress(`bench ${id}: ${title}`);
  const s = addSection(report, id, title);
  try {
    await run(s);
  } catch (err) {
    s.line(`**failed**: ${(err as Error).stack ?? String(err)}`);
    progress(`bench ${id} failed: ${(err as Error).message}`);
  }
}

await section('startup', 'Edge fitness: cold start and idle memory (the bundle with the unit\'s node flags)', async (s) => {
  const r = await benchStartup(7, env('BENCH_IDLE_SECONDS', 60));
  s.figure({ what: `start → \`listening\` (median of ${r.runs})`, measured: ms(r.hubListeningMs, 0), anchor: `node -e 0: ${ms(r.nodeBaselineMs, 0)}`, ratio: r.ratio, target: '≤ 300 ms', met: r.hubListeningMs <= 300 });
  s.figure({ what: 'CPU time to `listening` (all threads, median)', measured: ms(r.hubCpuToListeningMs, 0), anchor: `node -e 0: ${ms(r.nodeBaselineCpuMs, 0)}`, ratio: r.hubCpuToListeningMs / r.nodeBaselineCpuMs });
  s.figure({ what: `later start → \`listening\` (the data dir of an earlier start with its code cache, as a restart finds it; median of ${r.runs})`, measured: ms(r.laterListeningMs, 0), anchor: `node -e 0: ${ms(r.nodeBaselineMs, 0)}`, ratio: r.laterListeningMs / r.nodeBaselineMs, target: '≤ 300 ms', met: r.laterListeningMs <= 300 });
  s.figure({ what: 'CPU time to `listening`, later start (all threads, median)', measured: ms(r.laterCpuToListeningMs, 0), anchor: `node -e 0: ${ms(r.nodeBaselineCpuMs, 0)}`, ratio: r.laterCpuToListeningMs / r.nodeBaselineCpuMs });
  s.figure({ what: 'RSS idle after start (empty config)', measured: `${fmt(r.idleRssMB)} MB (anonymous ${fmt(r.idleAnonMB)}, file-backed ${fmt(r.idleFileMB)})`, anchor: `bare node: ${fmt(r.nodeIdle.rssMB)} MB (anonymous ${fmt(r.nodeIdle.anonMB)}, file-backed ${fmt(r.nodeIdle.fileMB)})`, ratio: r.idleRssMB / r.nodeIdle.rssMB, target: '≤ 60 MB', met: r.idleRssMB <= 60 });
  s.figure({ what: 'RSS idle after a later start (empty config; the data dir and code cache a restart finds)', measured: `${fmt(r.laterIdleRssMB)} MB (anonymous ${fmt(r.laterIdleAnonMB)}, file-backed ${fmt(r.laterIdleFileMB)})`, anchor: `bare node: ${fmt(r.nodeIdle.rssMB)} MB`, ratio: r.laterIdleRssMB / r.nodeIdle.rssMB });
  if (r.idleSeconds > 0) s.figure({ what: `CPU idle over ${r.idleSeconds} s`, measured: `${fmt(r.idleCpuPct, 2)} % of one core`, anchor: '' });
});

await section('voice', 'Capacity: voice round trip, closed-loop clients', async (s) => {
  s.line(`Clients say ${BENCH_UTTERANCES.length} commands in English and Chinese round a small home (intent lookup, the devices plugin, one QoS 1 MQTT command each), each sending its next utterance when the last is answered. The hub runs in this process with the shipped node flags; the load in a worker thread.`);
  const r = await benchVoice({
    seconds: env('BENCH_SECONDS', 3),
    rounds: env('BENCH_ROUNDS', 3),
    // BENCH_VOICE_CLIENTS=500: only that count (to compare builds or changes at the target's count).
    clients: (process.env.BENCH_VOICE_CLIENTS ?? '100,300,500').split(',').map(Number),
    texts: BENCH_UTTERANCES,
    floor: env('BENCH_VOICE_FLOOR', 1) > 0,
    hub: async (maxClients) => {
      const target = await startInProcessHub({
        voice: { rateLimit: { perSecond: 1_000_000, burst: 1_000_000 }, maxClients: maxClients + 10, maxClientsPerSubject: 10 },
        devices: BENCH_HOME,
        areas: BENCH_AREAS,
      });
      return {
        url: target.httpUrl.replace('http:', 'ws:') + '/voice',
        mqttUrl: target.mqttUrl,
        token: (sub) => target.hub.auth.create({ sub, scopes: ['voice'], ttl: '1h' }),
        stop: () => target.stop(),
      };
    },
  });
  for (const clients of [100, 300, 500]) {
    const hub = r.rows.find((x) => x.target === 'hub' && x.clients === clients);
    const bare = r.rows.find((x) => x.target === 'bare' && x.clients === clients);
    if (!hub || !bare) continue;
    const top = clients === 500;
    s.figure({
      what: `${clients} clients: msgs/s`, measured: `${hub.msgsPerSec} (p50 ${hub.p50Ms} ms, p99 ${hub.p99Ms} ms)`,
      anchor: `bare ws: ${bare.msgsPerSec} (p50 ${bare.p50Ms} ms, p99 ${bare.p99Ms} ms)`, ratio: r.ratio[clients],
      ...(top && { target: '≥ 0.7× bare', met: (r.ratio[clients] ?? 0) >= 0.7 }),
    });
    s.figure({ what: `${clients} clients: errors`, measured: `${(hub.errorRate * 100).toFixed(2)} %`, anchor: `bare ws: ${(bare.errorRate * 100).toFixed(2)} %`, target: '0', met: hub.errorRate === 0 });
  }
  const f = r.floor;
  const floorRow = r.rows.find((x) => x.target === 'floor');
  if (f && floorRow) {
    // The contract floor (contractFloor.ts): what PROTOCOL §3 alone makes an answer cost, beside the bare server.
    s.figure({ what: `${f.clients} clients: contract floor msgs/s (the hub's frames and command, nothing else)`, measured: `${floorRow.msgsPerSec} (CPU ${floorRow.serverCpuUsPerMsg} µs/msg)`, anchor: `bare ws (same rounds): ${f.floorToBare}×`, ratio: f.floorToBare });
    s.figure({ what: `${f.clients} clients: hub / contract floor msgs/s`, measured: `${f.hubToFloor}× (${f.hubToFloorRange[0]}–${f.hubToFloorRange[1]})`, anchor: `floor: ${floorRow.msgsPerSec}`, ratio: f.hubToFloor });
    if (f.floorToBare < 0.7) s.line('', `0.7× bare is out of reach under PROTOCOL §3's frames: the contract floor itself is ${f.floorToBare}× bare.`);
  }
  s.line('', formatTable(r));
  const p = await benchVoicePipeline();
  s.line('', `The hub's own work per utterance, without sockets (${p.sessions} sessions, ${p.utterances} utterances, lowest / median of 7 blocks): real handler ${fmt(p.realMinUs, 2)} / ${fmt(p.realMedianUs, 2)} µs; trivial handler ${fmt(p.trivialMinUs, 2)} / ${fmt(p.trivialMedianUs, 2)} µs; heap allocated per utterance: real ${fmt(p.realBytes / 1024, 1)} KB, trivial ${fmt(p.trivialBytes / 1024, 1)} KB.`);
});

await section('latency', 'Latency at a real load: open loop, fixed arrival rates', async (s) => {
  // One round is one target at one rate for this long (the first second not counted); BENCH_OPENLOOP_ROUNDS
  // rounds per rate, the hubs and the bare server taking turns.
  const seconds = env('BENCH_OPENLOOP_SECONDS', 4);
  const rounds = env('BENCH_OPENLOOP_ROUNDS', 3);
  const variants: Array<{ label: string; nodeArgs: string[]; cli?: string }> = [{ label: 'hub', nodeArgs: SHIPPED_NODE_FLAGS }];
  // The issue blames young-generation scavenges for the tail: the same load with a larger young generation.
  // BENCH_OPENLOOP_SEMI=4,16: the young-generation sizes (MB a semi-space) measured beside the shipped one.
  const semis = (process.env.BENCH_OPENLOOP_SEMI ?? '32').split(',').map(Number).filter((n) => n > 0);
  if (env('BENCH_OPENLOOP_VARIANTS', 1) > 0) for (const mb of semis) variants.push({ label: `hub, --max-semi-space-size=${mb} (not shipped)`, nodeArgs: SHIPPED_NODE_FLAGS.map((f) => (f.startsWith('--max-semi-space-size=') ? `--max-semi-space-size=${mb}` : f)) });
  // BENCH_OPENLOOP_NODE_ARGS='--a --b;--c': other node flag sets for this build, each a hub beside the shipped one.
  for (const set of (process.env.BENCH_OPENLOOP_NODE_ARGS ?? '').split(';').map((x) => x.trim()).filter(Boolean)) variants.push({ label: `hub, ${set} (not shipped)`, nodeArgs: set.split(/\s+/) });
  // Another build's dist/bundle/cli.js (a copy of dist made before a change), run beside this one.
  const baseline = process.env.BENCH_OPENLOOP_BASELINE;
  if (baseline) variants.push({ label: `hub, baseline build (${baseline})`, nodeArgs: SHIPPED_NODE_FLAGS, cli: baseline });
  // BENCH_OPENLOOP_RATES=1000,400: other arrival rates (default 200 and 2,000/s).
  const rates = (process.env.BENCH_OPENLOOP_RATES ?? '').split(',').map(Number).filter((r) => r > 0);
  const runs = await benchOpenLoop({ seconds, rounds, hubFlags: variants, progress, ...(rates.length > 0 && { rates }) });
  s.line(`Utterances sent at a fixed rate over 100 voice clients, each naming one of 100 devices (\`hundredDeviceHome\` in test/bench/voiceHome.ts), in ${rounds} rounds per rate of ${seconds} s per target (the first second of each not counted): every hub and the bare server take turns, the order rotating each round; each hub is one process kept through its rounds. Send times are fixed in advance and latency taken from the scheduled time (no coordinated omission). A ratio is the median of the rounds' own ratios (the hub's p99 over the bare server's p99 in the same round), its range beside it; errors and lost commands are counted over all rounds. The hub is the bundle in its own process with the unit's flags (${SHIPPED_NODE_FLAGS.join(' ')}); the bare ws server is its own process with the same flags. Device commands are counted at 100 MQTT device clients per hub, one subscribed to each device's command topic.`);
  const list = (xs: number[]) => xs.map((x) => fmt(x, 2)).join(', ');
  for (const sum of openLoopSummary(runs)) {
    const shipped = sum.target === 'hub';
    const tag = shipped ? '' : ` (${sum.target})`;
    const rows = runs.filter((r) => r.rate === sum.rate && r.target === sum.target);
    const bares = runs.filter((r) => r.rate === sum.rate && r.target === BARE_TARGET);
    const p99s = (xs: OpenLoopRun[], f: (r: OpenLoopRun) => number) => xs.map((r) => ms(f(r))).join(', ');
    const anchor = `bare ws p99 per round: ${p99s(bares, (r) => r.p99Ms)}`;
    s.figure({ what: `${sum.rate}/s: reply p99, median of ${sum.rounds} rounds' ratios (each round: ${list(sum.replyRatios)})${tag}`, measured: `${fmt(sum.replyRatio, 2)}× (${fmt(sum.replyRange[0], 2)}–${fmt(sum.replyRange[1], 2)}); hub p99 per round ${p99s(rows, (r) => r.p99Ms)}`, anchor, ratio: sum.replyRatio, ...(shipped && { target: '≤ 1.5× bare p99', met: sum.replyRatio <= 1.5 }) });
    if (sum.commandRatios.length > 0) {
      s.figure({ what: `${sum.rate}/s: utterance → MQTT command p99, median of ${sum.rounds} rounds' ratios (each round: ${list(sum.commandRatios)})${tag}`, measured: `${fmt(sum.commandRatio, 2)}× (${fmt(sum.commandRange[0], 2)}–${fmt(sum.commandRange[1], 2)}); hub p99 per round ${p99s(rows, (r) => r.commands?.p99Ms ?? NaN)}`, anchor, ratio: sum.commandRatio, ...(shipped && { target: '≤ 1.5× bare p99', met: sum.commandRatio <= 1.5 }) });
      s.figure({ what: `${sum.rate}/s: errors, commands lost, all ${sum.rounds} rounds${tag}`, measured: `${sum.errors + sum.unanswered} errors or unanswered of ${sum.sent}; ${sum.commandsLost} of ${sum.commandsOwed} commands owed (one per reply) lost`, anchor: `bare ws: ${sum.bareFailures} of ${bares.reduce((a, r) => a + r.sent, 0)}`, ...(shipped && { target: '0 and 0', met: sum.errors + sum.unanswered === 0 && sum.commandsLost === 0 }) });
    }
    s.figure({ what: `${sum.rate}/s: the slowest 1 % a GC pause of the hub overlapped (a major one), all rounds${tag}`, measured: `${sum.slowWithGc} (${sum.slowWithMajorGc}) of ${sum.slow}`, anchor: '' });
  }
  s.line('', 'Every round:', '', '| target | rate/s | round | sent | errors | unanswered | reply p50 / p99 / max ms | command p50 / p99 / max ms | commands lost | scavenges (total pause ms) | load generator lag p99 ms | server CPU µs / syscalls per measured utterance; setup CPU ms | slowest 1 %: with a GC pause (major) / sent late; all with a GC pause; GC pauses minor / major (longest major ms) | inputs held | RSS after MB |', '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of runs) {
    const c = r.commands;
    const t = r.tail;
    const codes = Object.entries(r.errorCodes).map(([code, n]) => `${code} ${n}`).join(', ');
    s.line(`| ${r.target} | ${r.rate} | ${(r.round ?? 0) + 1} | ${r.sent} | ${r.errors}${codes ? ` (${codes})` : ''} | ${r.unanswered} | ${fmt(r.p50Ms, 2)} / ${fmt(r.p99Ms, 2)} / ${fmt(r.maxMs, 1)} | ${c ? `${fmt(c.p50Ms, 2)} / ${fmt(c.p99Ms, 2)} / ${fmt(c.maxMs, 1)}` : ''} | ${c ? c.lost : ''} | ${r.scavenges ? `${r.scavenges.count} (${fmt(r.scavenges.totalMs, 1)})` : ''} | ${fmt(r.sendLagP99Ms, 2)} | ${r.perUtterance ? `${fmt(r.perUtterance.cpuUs, 0)} / ${fmt(r.perUtterance.syscalls, 2)}; ${fmt(r.perUtterance.setupCpuMs, 0)}` : ''} | ${t ? `${t.slowWithGc} (${t.slowWithMajorGc}) / ${t.slowSentLate} of ${t.slow}; ${fmt(t.allWithGcShare * 100, 1)} %; ${t.gc.minor} / ${t.gc.major} (${fmt(t.gc.majorMaxMs, 1)})` : ''} | ${r.inputsHeld ?? ''} | ${r.rssMB !== undefined ? fmt(r.rssMB, 1) : ''} |`);
  }
  s.line('', 'The load generator\'s own lateness counts in every latency, the bare server\'s included: on a shared machine it is part of the anchor. CPU and system calls are counted over the measured utterances (end of the warm-up to the end of the drain); the setup (WebSocket upgrades with their token checks, warm-up, closes) is its own column. The slowest 1 % are the replies above the round\'s p99: how many of them a GC pause of the hub overlapped (test/bench/gcProbe.ts, preloaded), of those a major one, and how many the load generator sent late (over half their latency), beside the share of all measured utterances a pause overlapped (what chance gives). Inputs held: socket inputs the loop phase budget (daemon/core/turnBudget.ts) held for a later phase during the round.');
});

await section('mqtt', 'Device ingest: QoS 1 device clients, closed loop', async (s) => {
  const clients = env('BENCH_MQTT_CLIENTS', 200);
  const r = await benchMqtt({ clients, seconds: env('BENCH_SECONDS', 5), rounds: env('BENCH_MQTT_ROUNDS', env('BENCH_ROUNDS', 3)) });
  const applied = r.target.applied ?? 0;
  const anchor = `bare aedes: ${r.bare.msgsPerSec} msgs/s${r.mosquitto ? `; Mosquitto: ${r.mosquitto.msgsPerSec} (${fmt(r.mosquitto.msgsPerSec / r.bare.msgsPerSec, 2)}×)` : ''}`;
  s.line(`${clients} device clients each publishing QoS 1 state closed loop for ${r.bare.seconds} s to the hub (the bundle in its own process with the unit's flags, ${SHIPPED_NODE_FLAGS.join(' ')}), bare aedes as npm ships it (its own process, the same flags) and Mosquitto (when installed), in ${r.rounds} rounds (a fresh broker each run; each target goes first in turn${r.baseline ? ', BENCH_MQTT_BASELINE\'s build the third' : ''}). msgs/s are medians over the rounds; the ratio is the median of each round's own hub / bare ratio, its range beside it. Per round, hub / bare aedes msgs/s: ${r.perRound.map((x) => `${x.target.msgsPerSec} / ${x.bare.msgsPerSec}`).join(', ')}.`);
  s.figure({ what: `${clients} clients: msgs/s (median of ${r.rounds} rounds)`, measured: `${r.target.msgsPerSec}`, anchor, ratio: r.ratio, target: '≥ 1.0× bare aedes', met: r.ratio >= 1.0 });
  s.figure({ what: 'hub / bare aedes, the rounds\' ratios: lowest–highest', measured: `${fmt(r.ratioRange[0], 2)}–${fmt(r.ratioRange[1], 2)}×`, anchor: '' });
  const perMsg = (us?: number) => (us === undefined ? '?' : `${fmt(us, 1)} µs`);
  if (r.target.cpuUsPerMsg !== undefined && r.bare.cpuUsPerMsg !== undefined) {
    s.figure({ what: 'the broker\'s CPU per acknowledged message (its main thread; median of rounds)', measured: perMsg(r.target.cpuUsPerMsg), anchor: `bare aedes: ${perMsg(r.bare.cpuUsPerMsg)}${r.mosquitto ? `; Mosquitto (its process): ${perMsg(r.mosquitto.cpuUsPerMsg)}` : ''}`, ratio: r.target.cpuUsPerMsg / r.bare.cpuUsPerMsg });
  }
  if (r.target.processCpuUsPerMsg !== undefined && r.bare.processCpuUsPerMsg !== undefined) {
    s.figure({ what: 'the same, the whole process (V8\'s GC helper threads included)', measured: perMsg(r.target.processCpuUsPerMsg), anchor: `bare aedes: ${perMsg(r.bare.processCpuUsPerMsg)}`, ratio: r.target.processCpuUsPerMsg / r.bare.processCpuUsPerMsg });
  }
  if (r.target.scavengesPer1k !== undefined) {
    s.figure({ what: 'the hub\'s young-generation collections per 1,000 messages (its /metrics; median of rounds)', measured: fmt(r.target.scavengesPer1k, 2), anchor: r.baseline?.scavengesPer1k !== undefined ? `BENCH_MQTT_BASELINE's build: ${fmt(r.baseline.scavengesPer1k, 2)}` : '', ...(r.baseline?.scavengesPer1k && { ratio: r.target.scavengesPer1k / r.baseline.scavengesPer1k }) });
  }
  if (r.baseline) {
    s.figure({ what: 'BENCH_MQTT_BASELINE\'s build in the same rounds: msgs/s, CPU per message (main thread)', measured: `${r.baseline.msgsPerSec} (${fmt(r.baseline.ratio, 2)}× bare aedes, rounds ${fmt(r.baseline.ratioRange[0], 2)}-${fmt(r.baseline.ratioRange[1], 2)}×); ${perMsg(r.baseline.cpuUsPerMsg)}`, anchor: `this build: ${r.target.msgsPerSec}; ${perMsg(r.target.cpuUsPerMsg)}` });
  }
  s.figure({ what: 'applied to the registry', measured: `${applied} of ${r.target.messages} acknowledged (${fmt((100 * applied) / Math.max(1, r.target.messages))} %)`, anchor: '', target: '100 %', met: applied >= r.target.messages });
  const writes = r.target.writes ?? 0;
  const windowSeconds = r.target.writeWindowSeconds ?? NaN;
  s.figure({ what: 'storage file writes/s under ingest', measured: `${fmt(writes / windowSeconds, 2)} (${writes} in ${fmt(windowSeconds, 1)} s)`, anchor: '', target: '≤ 1', met: writes / windowSeconds <= 1 });
  const apply = await benchIngestApply({ baselineDist: process.env.BENCH_INGEST_BASELINE });
  s.figure({ what: `the device registry's own work per state message, no sockets (${apply.devices} lights, ${apply.messages / 1000}k messages; heap bytes over batches no GC ran in; µs the median batch)`, measured: `${fmt(apply.target.bytesPerMsg, 0)} B, ${fmt(apply.target.usPerMsg, 2)} µs`, anchor: apply.baseline ? `BENCH_INGEST_BASELINE's build: ${fmt(apply.baseline.bytesPerMsg, 0)} B, ${fmt(apply.baseline.usPerMsg, 2)} µs` : '', ...(apply.baseline && { ratio: apply.target.bytesPerMsg / apply.baseline.bytesPerMsg }) });
  const d = await benchDiscovery(env('BENCH_DISCOVERY_DEVICES', 2000));
  s.figure({ what: `${d.devices} devices announced by discovery at once: time until all known`, measured: `${ms(d.hubMs, 0)} (listed ${d.listed})`, anchor: `the same messages through bare aedes to one subscriber: ${ms(d.bareMs, 0)}`, ratio: d.hubMs / d.bareMs, target: `all ${d.devices} known`, met: d.listed >= d.devices });
});

await section('intents', 'Intents with 500 devices', async (s) => {
  const r = await benchIntents();
  const anchor = `sorting 2,000 numbers, timed between the same sentences: ${ms(r.anchorMedianMs, 3)}`;
  s.figure({ what: `match + resolve, ${r.utterances} utterances × 200 afresh: median of the sentences' own medians`, measured: ms(r.sentenceMedianMs, 3), anchor, ratio: r.sentenceMedianMs / r.anchorMedianMs, target: '≤ 0.05 ms', met: r.sentenceMedianMs <= 0.05 });
  s.figure({ what: 'match + resolve afresh: p99 of the sentences\' own medians', measured: ms(r.sentenceP99Ms, 3), anchor, ratio: r.sentenceP99Ms / r.anchorMedianMs, target: '≤ 0.5 ms', met: r.sentenceP99Ms <= 0.5 });
  s.line(`All ${r.samples} samples: median ${fmt(r.medianMs, 3)} ms, p99 ${fmt(r.p99Ms, 3)} ms (least disturbed of 7 blocks: the machine's preemptions included); ${r.samplesInGc} samples overlapped a GC and were left out (GCs inside the timed batches: ${r.gcMinor} minor, ${r.gcMajor} major; gc() runs between batches). Slowest sentences: ${r.slowest.map((x) => `"${x.text}" ${fmt(x.ms, 3)} ms`).join(', ')}.`);
  s.line(`Every corpus sentence (${r.corpusSentences}) × 15 afresh: median ${fmt(r.corpusMedianMs, 3)} ms, p99 of the sentences' medians ${fmt(r.corpusSentenceP99Ms, 3)} ms (samples ${fmt(r.corpusP99Ms, 3)} ms). Hostile 500-character texts (${r.adversarialTexts}): worst ${fmt(r.adversarialWorstMs, 3)} ms, ${fmt(r.adversarialWorstRatio, 1)}× the ordinary median. Heard before (recent-match cache): median ${fmt(r.cachedMedianMs, 4)} ms, p99 ${fmt(r.cachedP99Ms, 4)} ms.`);
});

await section('edge', 'Edge fitness under the combined load (the bundle with the unit\'s node flags)', async (s) => {
  const r = await benchEdge({ loadSeconds: env('BENCH_EDGE_SECONDS', 20), afterSeconds: env('BENCH_EDGE_AFTER_SECONDS', 60), progress });
  s.line(`The daemon with 100 configured devices and ${r.deviceClients} Zigbee2MQTT devices; load: ${r.voiceClients} closed-loop voice clients and ${r.deviceClients} device clients each publishing QoS 1 state once a second, for ${fmt(r.loadSeconds)} s (${r.voiceAnswered} utterances answered, ${r.voiceErrors} errors; ${r.devicePublishes} state messages acknowledged). File writes are counted with inotify on the data dir; the event-loop delay is the hub's own monitor (sampled every 100 ms, read from /metrics).`);
  s.figure({ what: 'RSS idle (before the load)', measured: `${fmt(r.idleRssMB)} MB`, anchor: '' });
  s.figure({ what: 'RSS under the load (peak)', measured: `${fmt(r.peakRssMB)} MB (mean ${fmt(r.meanRssMB)})`, anchor: `idle: ${fmt(r.idleRssMB)} MB`, ratio: r.peakRssMB / r.idleRssMB, target: '≤ 150 MB', met: r.peakRssMB <= 150 });
  s.figure({ what: `RSS ${r.afterSeconds} s after the load`, measured: `${fmt(r.afterRssMB)} MB`, anchor: `idle: ${fmt(r.idleRssMB)} MB`, ratio: r.afterRssMB / r.idleRssMB, target: 'within 10 % of idle', met: r.afterRssMB <= 1.1 * r.idleRssMB });
  s.figure({ what: 'event-loop delay max under the load', measured: `${ms(r.loopDelayMaxMs, 1)} (per second: ${r.loopDelaysMs.map((d) => Math.round(d)).join(', ')})`, anchor: '', target: '≤ 20 ms', met: r.loopDelayMaxMs <= 20 });
  s.figure({ what: 'event-loop delay max while the load\'s 1,500 clients all leave at once (after the load)', measured: ms(r.leaveDelayMaxMs, 1), anchor: '' });
  if (r.loopProbe) s.figure({ what: 'longest stretch without timers under the load, in the hub\'s CPU time (loop probe)', measured: ms(r.loopProbe.maxCpuMs, 1), anchor: `wall time: ${ms(r.loopProbe.maxWallMs, 1)}`, ratio: r.loopProbe.maxCpuMs / Math.max(0.001, r.loopProbe.maxWallMs) });
  if (r.loopProbe?.maxMainCpuMs !== undefined) s.figure({ what: 'the same, the main thread\'s CPU time alone (the process\'s also counts V8\'s GC threads beside the loop)', measured: ms(r.loopProbe.maxMainCpuMs, 1), anchor: `process CPU: ${ms(r.loopProbe.maxCpuMs, 1)}` });
  s.figure({ what: 'file writes/s under the load (ingest)', measured: `${fmt(r.loadWrites / r.loadWriteSeconds, 2)} (${r.loadWrites} in ${fmt(r.loadWriteSeconds)} s)`, anchor: '', target: '≤ 1', met: r.loadWrites / r.loadWriteSeconds <= 1 });
  s.figure({ what: 'file writes/s idle', measured: `${fmt(r.idleWrites / r.idleSeconds, 2)} (${r.idleWrites} in ${r.idleSeconds} s)`, anchor: '', target: '0', met: r.idleWrites === 0 });
  const peak = r.loopProbe?.atPeakRss;
  if (peak) s.line('', `At the highest RSS the probe saw under the load (${fmt(peak.rssMB)} MB): V8 heap ${fmt(peak.heapUsedMB)} MB in use of ${fmt(peak.heapTotalMB)} MB committed, ArrayBuffers and Buffers ${fmt(peak.arrayBuffersMB)} MB (external ${fmt(peak.externalMB)} MB), the rest ${fmt(peak.rssMB - peak.heapTotalMB - peak.externalMB)} MB (code, stacks, sockets' native state, the allocator's slack).`);
  s.line('', `Writes under the load per file: ${Object.entries(r.loadWritesByFile).map(([f, n]) => `${f} ${n}`).join(', ') || 'none'}; the hub's longest flush (tick due → on disk): ${fmt(r.flushMaxMs)} ms. In the ${r.afterSeconds} s after the load: ${r.afterWrites} file writes (the changes of the load flushed).`);
});

await section('corpus', 'Sentence corpus: right per intent and language', (s) => {
  const c = benchCorpus();
  s.line(`${c.sentences} sentences (test/fixtures/corpus).`, '', '```', c.table, '```');
});
await section('page', `The page in Chromium: ${env('BENCH_PAGE_DEVICES', 500)} devices, every one reporting state`, async (s) => {
  const devices = env('BENCH_PAGE_DEVICES', 500);
  const r = await benchPage({
    devices, seconds: env('BENCH_SECONDS', 5), updatesPerSec: env('BENCH_PAGE_UPDATES', 500),
    cpuSlowdown: env('BENCH_PAGE_CPU_SLOWDOWN', 4), rounds: env('BENCH_PAGE_ROUNDS', 5),
  });
  if (typeof r === 'string') {
    s.line(`skipped: ${r}`);
    return;
  }
  const loads = r.rounds.flatMap((x) => [...x.baseline.load1, ...x.loaded.load1]);
  s.line(`Empty page (a second hub with no devices) and loaded page interleaved, ${r.rounds.filter((x) => x.slowdown === 1).length} pairs per CPU setting, the order alternating; the loaded hub gets the same MQTT updates during both, so the machine's work differs only by what the page does. Load average during the runs: ${fmt(Math.min(...loads), 1)}–${fmt(Math.max(...loads), 1)} on ${report.machine.cores} cores.`, '');
  s.line('| pair | page | CPU | devices | state updates/s | first render (ms) | frame p50 / p99 (ms) | long tasks (longest, ms) | script / layout / style ms per s | main-thread CPU ms per s | tasks: p99 / max CPU ms, over 16.7 ms | load1 |');
  s.line('|---|---|---|---|---|---|---|---|---|---|---|---|');
  r.rounds.forEach(({ baseline, loaded }, i) => {
    for (const [name, x] of [['empty', baseline], ['loaded', loaded]] as const) {
      s.line(`| ${i + 1} | ${name} | ${x.cpuSlowdown === 1 ? 'as is' : `${x.cpuSlowdown}× slower`} | ${x.devices} | ${x.updatesPerSec} | ${x.renderMs} | ${x.frameP50Ms} / ${x.frameP99Ms} | ${x.longTasks} (${x.longestTaskMs}) | ${x.scriptMsPerSec} / ${x.layoutMsPerSec} / ${x.styleMsPerSec} | ${x.cpuMsPerSec} | ${x.tasks.p99CpuMs} / ${x.tasks.maxCpuMs}, ${x.tasks.overFrameBudget} of ${x.tasks.count} | ${fmt(x.load1[0])}→${fmt(x.load1[1])} |`);
    }
  });
  for (const slowdown of [...new Set(r.rounds.map((x) => x.slowdown))]) {
    const pairs = r.rounds.filter((x) => x.slowdown === slowdown);
    const cpu = slowdown === 1 ? '' : ` (CPU ${slowdown}× slower)`;
    const ratios = pairs.map((x) => x.loaded.frameP99Ms / Math.max(1, x.baseline.frameP99Ms));
    const ratio = median(ratios);
    s.figure({
      what: `frame p99, loaded page${cpu}, median of ${pairs.length} interleaved pairs (pair ratios ${ratios.map((x) => fmt(x, 2)).join(', ')})`,
      measured: ms(median(pairs.map((x) => x.loaded.frameP99Ms)), 0), anchor: `empty page: ${ms(median(pairs.map((x) => x.baseline.frameP99Ms)), 0)}`,
      ratio, target: '≤ 2× (no visible jank)', met: ratio <= 2,
    });
    s.figure({
      what: `frame p50, loaded page${cpu}`, measured: ms(median(pairs.map((x) => x.loaded.frameP50Ms)), 1),
      anchor: `empty page: ${ms(median(pairs.map((x) => x.baseline.frameP50Ms)), 1)}`, ratio: median(pairs.map((x) => x.loaded.frameP50Ms / Math.max(1, x.baseline.frameP50Ms))),
    });
    if (slowdown === 1) {
      s.figure({
        what: 'longest main-thread task of the loaded page in CPU time (the work a frame must hold; wall-time gaps above add the machine\'s load)',
        measured: ms(median(pairs.map((x) => x.loaded.tasks.maxCpuMs)), 1), anchor: `empty page: ${ms(median(pairs.map((x) => x.baseline.tasks.maxCpuMs)), 1)}`,
        ratio: median(pairs.map((x) => x.loaded.tasks.maxCpuMs / Math.max(0.1, x.baseline.tasks.maxCpuMs))), target: '≤ 16.7 ms (one frame at 60 Hz)',
        met: median(pairs.map((x) => x.loaded.tasks.maxCpuMs)) <= 1000 / 60,
      });
      s.figure({
        what: 'main-thread CPU, loaded page (CPU time, not wall time: the load moves it least)', measured: `${fmt(median(pairs.map((x) => x.loaded.cpuMsPerSec)), 0)} ms a second`,
        anchor: `empty page: ${fmt(median(pairs.map((x) => x.baseline.cpuMsPerSec)), 0)} ms a second`, ratio: median(pairs.map((x) => x.loaded.cpuMsPerSec / Math.max(1, x.baseline.cpuMsPerSec))),
      });
    }
  }
});

await section('assistant', 'Assistant: an unmatched utterance → the Messages-API stand-in → a tool call → MQTT → reply', async (s) => {
  const r = await benchAssistant({ rounds: Number(process.env.BENCH_ASSISTANT_ROUNDS ?? 20) });
  s.line(`Model delay ${r.modelDelayMs} ms per turn (two turns: text and a tool call, then text); medians of ${r.rounds}. Each hub round is followed by the same answers asked of the stand-in directly (the assistant's client over a keep-alive pool, no hub): the anchor, under the same load.`, '');
  s.figure({ what: 'utterance → first `reply.delta` (through the hub)', measured: ms(r.firstDeltaMs, 0), anchor: `stand-in asked directly, first text: ${ms(r.direct.firstTextMs, 0)}`, ratio: r.firstDeltaMs / r.direct.firstTextMs });
  s.figure({ what: 'utterance → first device command at the MQTT device client', measured: ms(r.firstCommandMs, 0), anchor: `direct, the tool call known (first turn's end): ${ms(r.direct.toolCallMs, 0)}`, ratio: r.firstCommandMs / r.direct.toolCallMs });
  s.figure({ what: 'utterance → whole `reply` (two model turns)', measured: ms(r.replyMs, 0), anchor: `direct, both turns: ${ms(r.direct.bothTurnsMs, 0)}`, ratio: r.replyMs / r.direct.bothTurnsMs });
  s.line(`The hub's own share (hub − direct, medians): first word ${fmt(r.firstDeltaMs - r.direct.firstTextMs)} ms, first command ${fmt(r.firstCommandMs - r.direct.toolCallMs)} ms (the tool run, the MQTT publish and its delivery included), whole reply ${fmt(r.replyMs - r.direct.bothTurnsMs)} ms. Its ${r.hubRequests} requests to the model rode ${r.hubConnections} new connection(s) (keep-alive pool).`);
  s.figure({
    what: `one streamed turn, no model delay (median of ${r.keepAlive.requests}, alternating): keep-alive pool`,
    measured: `${ms(r.keepAlive.medianMs, 2)}; ${r.keepAlive.connections} connection(s) opened for ${r.keepAlive.requests + 5} requests`,
    anchor: `a new connection each: ${ms(r.fresh.medianMs, 2)}; ${r.fresh.connections} opened`,
    ratio: r.keepAlive.medianMs / r.fresh.medianMs,
  });
  s.line('(Loopback without TLS, where a handshake costs least: over TLS to a real endpoint the new connection costs a handshake of a round trip or two more.)');
});

await section('speech', 'Speech: commands said by espeak-ng, streamed to /voice; grammar recogniser vs Debian\'s general model', async (s) => {
  const utterances = Number(process.env.BENCH_SPEECH_UTTERANCES ?? 204);
  const realTime = Number(process.env.BENCH_SPEECH_REALTIME ?? 30);
  s.line(`${utterances} commands for the bench home said by espeak-ng (6 voices/speeds).`, '');
  const r = await benchSpeech({ utterances, realTime, generalCount: Number(process.env.BENCH_SPEECH_GENERAL ?? 30) });
  s.figure({ what: `action accuracy over ${r.utterances} utterances`, measured: `${fmt(100 * r.actionAccuracy)} % (word accuracy ${fmt(100 * r.wordAccuracy)} %)`, anchor: r.general ? `general model word accuracy: ${fmt(100 * r.general.wordAccuracy)} %` : '', target: '≥ 90 %', met: r.actionAccuracy >= 0.9 });
  s.figure({ what: 'end of speech → MQTT command p50 (warm)', measured: ms(r.warm.p50, 0), anchor: `cold recogniser: ${ms(r.cold.p50, 0)}`, target: '≤ 400 ms', met: r.warm.p50 <= 400 });
  s.line(`${r.secondPasses} utterances decoded a second time from their own cepstral mean.`);
  if (r.idleRecogniser) s.line(`Idle warm recogniser (pocketsphinx waiting for the next utterance): RSS ${fmt(r.idleRecogniser.rssMb, 1)} MB, PSS ${fmt(r.idleRecogniser.pssMb, 1)} MB.`);
  s.line('| recogniser | end of speech → MQTT command p50 | p99 | tail RTF (engine time after speech / speech length) | n |');
  s.line('|---|---|---|---|---|');
  s.line(`| grammar, warm (streamed as spoken) | ${fmt(r.warm.p50, 0)} ms (target ≤ 400) | ${fmt(r.warm.p99, 0)} ms | ${fmt(r.warm.rtf, 2)} | ${r.warm.n} |`);
  s.line(`| grammar, cold (process per utterance) | ${fmt(r.cold.p50, 0)} ms | ${fmt(r.cold.p99, 0)} ms | ${fmt(r.cold.rtf, 2)} | ${r.cold.n} |`);
  if (r.general) s.line(`| general model (en-us LM, no grammar), batch | word accuracy ${fmt(100 * r.general.wordAccuracy)} % | | RTF ${fmt(r.general.rtf, 2)} (whole run / audio) | ${r.general.n} |`);
});
await section('satellite', `Wyoming satellite door vs /voice: ${env('BENCH_SATELLITE_UTTERANCES', 50)} utterances each, alternating, same Wyoming ASR/TTS stand-ins (answer at once), from the end of the audio`, async (s) => {
  const r = await benchSatellite(env('BENCH_SATELLITE_UTTERANCES', 50));
  s.line('| door | transcript p50 / p99 | MQTT command p50 / p99 | end of reply audio p50 / p99 |', '|---|---|---|---|');
  const row = (name: string, t: { transcript: number[]; command: number[]; audioEnd: number[] }) =>
    s.line(`| ${name} | ${fmt(percentile(t.transcript, 0.5))} / ${fmt(percentile(t.transcript, 0.99))} ms | ${fmt(percentile(t.command, 0.5))} / ${fmt(percentile(t.command, 0.99))} ms | ${fmt(percentile(t.audioEnd, 0.5))} / ${fmt(percentile(t.audioEnd, 0.99))} ms |`);
  row('/voice (baseline)', r.voice);
  row('Wyoming satellite', r.satellite);
  const p50 = (x: number[]) => percentile(x, 0.5);
  s.figure({ what: 'satellite: end of audio → MQTT command p50', measured: ms(p50(r.satellite.command)), anchor: `/voice: ${ms(p50(r.voice.command))}`, ratio: p50(r.satellite.command) / p50(r.voice.command) });
  s.figure({ what: 'satellite: end of audio → end of reply audio p50', measured: ms(p50(r.satellite.audioEnd)), anchor: `/voice: ${ms(p50(r.voice.audioEnd))}`, ratio: p50(r.satellite.audioEnd) / p50(r.voice.audioEnd) });
});
await section('cloud', 'Cloud link and cloud requests', async (s) => {
  const events = Number(process.env.BENCH_CLOUD_EVENTS ?? 20_000);
  s.line(`${events} device state events through the link until every one is acked:`, '');
  s.line('| sender | flush interval | events/s | ratio to bare ws |');
  s.line('|---|---|---|---|');
  for (const flushIntervalMs of [1000, 100]) {
    const r = await benchLinkEvents(events, flushIntervalMs);
    if (flushIntervalMs === 1000) s.line(`| bare ws sender (same frames, batches of 200, 8 unacked) | – | ${Math.round(r.barePerSec)} | 1.00 |`);
    s.line(`| voicehub (outbox persisted, then sent) | ${flushIntervalMs} ms | ${Math.round(r.hubPerSec)} | ${fmt(r.ratio, 2)} |`);
  }
  const seconds = Number(process.env.BENCH_SECONDS ?? 2);
  s.line('', `Cloud requests: keep-alive pool vs a new connection per request, closed loop, ${seconds} s each:`, '');
  s.line('| concurrent | pool req/s | pool p50 / p99 ms | new connection req/s | new p50 / p99 ms | pool speed-up |');
  s.line('|---|---|---|---|---|---|');
  for (const row of await benchPool(seconds)) {
    s.line(`| ${row.concurrency} | ${Math.round(row.pooled.perSec)} | ${fmt(row.pooled.p50Ms, 2)} / ${fmt(row.pooled.p99Ms, 2)} | ${Math.round(row.fresh.perSec)} | ${fmt(row.fresh.p50Ms, 2)} / ${fmt(row.fresh.p99Ms, 2)} | ${fmt(row.pooled.perSec / row.fresh.perSec, 2)}× |`);
  }
});

await section('fire', 'Plugins under fire: good clients beside hostile plugins', async (s) => {
  const { benchPluginsUnderFire, benchSpinCost, formatFire, formatSpinCost, verdicts } = await import('./pluginsUnderFire.js');
  // Phases of 10 s: twice the CPU quota's 5 s window, so a busy plugin is stopped within a phase.
  // BENCH_FIRE_BEFORE=<another build's tree> alternates its rounds with this build's (before/after).
  const r = await benchPluginsUnderFire(env('BENCH_FIRE_SECONDS', 10), env('BENCH_FIRE_ROUNDS', 3));
  for (const v of verdicts(r)) {
    // Judged against the same traffic without hostility (crowd): twelve more clients cost the good ones on two
    // cores whatever those clients ask; the hostile plugins' own effect is what must stay within noise.
    s.figure({ what: `good clients' p99 under fire / beside the same traffic to a calm plugin (${v.build}; median of rounds)`, measured: `${fmt(v.fireOverCrowd, 2)}×`, anchor: `noise band ${fmt(v.noise, 2)}× (alone vs alone)`, ratio: v.fireOverCrowd / v.noise, target: 'within the noise band, 0 errors', met: v.met });
    s.figure({ what: `good clients' p99 under fire / alone (${v.build}; median of rounds)`, measured: `${fmt(v.fireRatio, 2)}×`, anchor: `beside the calm traffic: ${fmt(v.crowdRatio, 2)}× alone` });
  }
  s.line('```', formatFire(r), '```');
  const spin = await benchSpinCost(env('BENCH_SPIN_SECONDS', 30));
  const cpuOf = (build: string) => { const rs = spin.filter((x) => x.build === build); return rs.reduce((a, x) => a + x.spinnerCpuS, 0) / rs.length; };
  if (spin.some((x) => x.build === 'before')) s.figure({ what: 'CPU one spinning plugin took in 30 s at the shipped defaults (mean of rounds)', measured: `${fmt(cpuOf('after'), 2)} s`, anchor: `before: ${fmt(cpuOf('before'), 2)} s`, ratio: cpuOf('after') / cpuOf('before') });
  s.line('```', formatSpinCost(spin), '```');
});

report.finishedAt = new Date().toISOString();
const markdown = renderMarkdown(report);
process.stdout.write(`\n${markdown}`);
// Kept under test/bench/results/ (git-ignored): one pair per run, and latest.* for the newest.
const dir = join(REPO_ROOT, 'test/bench/results');
await mkdir(dir, { recursive: true });
const base = resultBaseName(report.startedAt);
for (const [name, text] of [[`${base}.md`, markdown], [`${base}.json`, renderJson(report)], ['latest.md', markdown], ['latest.json', renderJson(report)]] as const) {
  await writeFile(join(dir, name), text);
}
progress(`report written to test/bench/results/${base}.md and .json`);
// The full run (all sections) was seen to stay alive after writing its report: some bench leaves a handle
// open (not found yet; the subsets latency, edge and startup exit by themselves). The report is written,
// so end here rather than hang.
process.exit(0);
