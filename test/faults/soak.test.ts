import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { FakeCloud } from '../helpers/fakeCloud.js';
import { SHIPPED_NODE_FLAGS } from '../helpers/daemon.js';
import { announceBridgeDevices, startLoadWorker, type LoadTick } from '../helpers/combinedLoad.js';
import { metricValue, startBenchDaemon } from '../bench/daemonTarget.js';
import { openLoopConfig } from '../bench/openLoop.js';
import { LONG, crashLines } from './fuzz.js';

/**
 * Issue 18, soak: the combined load as the issue defines it (edge fitness) — 500 closed-loop voice clients
 * (each sends its next utterance when the last is answered; the load the edge bench drives, from
 * test/helpers/combinedLoad.ts), 1,000 device clients each reporting Zigbee2MQTT state once a second (QoS 1),
 * 1,100 devices (100 configured, 1,000 announced by a bridge/devices list) — with the cloud link carrying every
 * change (each device report and each voice interaction is an event for a local stand-in cloud), against one
 * real daemon under the unit's heap flags. The long variant (`VOICEHUB_FAULTS_LONG=1`) runs 10 minutes and asks
 * that resident memory stay flat within 5 %: the first minute is the warm-up; the peak of the minute after it is
 * compared with the peak of the last minute, and the curve is printed. The CI-sized run is the same load for
 * 20 s, with the figures printed and RSS not judged (20 s is all warm-up).
 * Asserted in both: 0 error answers, no utterance unanswered, every publish acknowledged, every acknowledged
 * report applied to the registry (voicehub_device_updates_total counts exactly those), every event the hub
 * recorded at the cloud in order with no seq missing, no error line, no crash, stderr empty.
 */

const VOICE_CLIENTS = 500;
const DEVICE_CLIENTS = 1000;
const CONFIGURED = 100; // openLoopConfig's hundred-device home
const SECONDS = LONG ? 600 : 20;
const WARMUP = LONG ? 60 : 5;
const WINDOW = LONG ? 60 : 5;
const SAMPLE_MS = 2000;

/**
 * Follows the seqs the cloud receives, a batch at a time, so a run of hundreds of thousands of events keeps
 * none of them: each new seq must be the one after the last (a resend after a reconnect repeats old ones).
 */
class SeqFollower {
  last: number | null = null;
  events = 0;
  resent = 0;
  gaps: string[] = [];
  take(cloud: FakeCloud): void {
    for (const e of cloud.received.splice(0)) {
      if (this.last !== null && e.seq <= this.last) { this.resent++; continue; }
      if (this.last !== null && e.seq !== this.last + 1 && this.gaps.length < 5) this.gaps.push(`${this.last} → ${e.seq}`);
      this.last = e.seq;
      this.events++;
    }
    cloud.frames.splice(0);
  }
}

/** One scrape of the hub's /metrics: every unlabelled sample by name. */
async function scrape(httpUrl: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const space = line.indexOf(' ');
    if (line.startsWith('voicehub_') && space > 0 && !line.includes('{')) out.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return out;
}

test(`soak: the combined load (${VOICE_CLIENTS} closed-loop voice clients, ${DEVICE_CLIENTS} device clients reporting every second, ${CONFIGURED + DEVICE_CLIENTS} devices, the cloud link carrying every change) for ${LONG ? '10 minutes' : '20 s'}: 0 errors, nothing unanswered or unapplied${LONG ? ', RSS flat within 5 % after the warm-up' : ''}`, { timeout: LONG ? 1_200_000 : 240_000 }, async () => {
  const cloud = await FakeCloud.start();
  const base = openLoopConfig();
  const hub = await startBenchDaemon({
    ...base,
    voice: { ...(base.voice as object), maxClients: VOICE_CLIENTS + 100 },
    // Zigbee2MQTT's bridge/devices list for 1,000 devices is about 0.4 MB, past the default packet cap.
    mqtt: { ...(base.mqtt as object), maxPacketBytes: 4 * 1024 * 1024 },
    // Sized for the load: it records 5,000-10,000 events a second (a device report and an utterance are one
    // each), and an event is sent only once a write of the outbox holds it, so the default cap (10,000) is
    // reached whenever a write takes a second or two on a busy disk. With the default, the 10-minute run on the
    // shared machine dropped 113,513 of 3.3 million events (outbox at 9,997, the longest flush 2.3 s).
    cloud: { url: cloud.url, token: 'soak', hubId: 'soak-hub', heartbeatMs: 5000, backoffMaxMs: 500, outboxMax: 100_000 },
  }, SHIPPED_NODE_FLAGS);
  const d = hub.daemon;
  const seqs = new SeqFollower();
  let load: ReturnType<typeof startLoadWorker> | null = null;
  try {
    await cloud.waitFor(() => cloud.hellos.length === 1, 15_000, 'hello');
    await announceBridgeDevices(hub.mqttUrl, DEVICE_CLIENTS, CONFIGURED);
    const tokens = await hub.tokens(VOICE_CLIENTS, 'soak');
    const ticks: LoadTick[] = [];
    load = startLoadWorker({ wsUrl: hub.wsUrl, mqttUrl: hub.mqttUrl, tokens, deviceClients: DEVICE_CLIENTS, loadSeconds: SECONDS, drainMs: 30_000, tickMs: 10_000 }, (t) => ticks.push(t));
    await load.loaded;
    const updatesBefore = await metricValue(hub.httpUrl, 'voicehub_device_updates_total');

    const start = Date.now();
    const rss: Array<{ at: number; mb: number }> = [];
    const heap: Array<{ at: number; mb: number }> = [];
    // Beside the heap, every 10 s: what the cloud outbox holds and has dropped, and the longest flush so far.
    const outboxHeld: Array<{ at: number; mb: number }> = [];
    const droppedSoFar: Array<{ at: number; mb: number }> = [];
    const flushMax: Array<{ at: number; mb: number }> = [];
    let sampling = true;
    // A hub that died meanwhile is reported by the checks below, not by a throw in a sampler.
    const alive = () => d.child.exitCode === null && d.child.signalCode === null;
    const sampler = (async () => {
      for (let n = 0; sampling; n++) {
        if (alive()) rss.push({ at: (Date.now() - start) / 1000, mb: await hub.rssMB() });
        if (alive() && n % 5 === 0) {
          const at = (Date.now() - start) / 1000;
          const m = await scrape(hub.httpUrl).catch(() => new Map<string, number>());
          heap.push({ at, mb: (m.get('voicehub_nodejs_heap_size_used_bytes') ?? NaN) / 2 ** 20 });
          outboxHeld.push({ at, mb: m.get('voicehub_cloud_outbox_events') ?? NaN });
          droppedSoFar.push({ at, mb: (m.get('voicehub_cloud_outbox_dropped_total') ?? NaN) + (m.get('voicehub_cloud_outbox_folded_total') ?? NaN) });
          flushMax.push({ at, mb: m.get('voicehub_storage_flush_max_seconds') ?? NaN });
        }
        seqs.take(cloud);
        await sleep(SAMPLE_MS);
      }
    })();
    const r = await load.done;
    sampling = false;
    await sampler;

    // Every acknowledged report applied: the registry's counter catches up with the acks (it may trail them).
    let updates = 0;
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(200)) {
      updates = await metricValue(hub.httpUrl, 'voicehub_device_updates_total') - updatesBefore;
      if (updates >= r.publishes) break;
    }
    // The cloud has every event the hub recorded, in order, with no gaps: the outbox drains to empty.
    const outbox = async () => ((await (await fetch(`${hub.httpUrl}/health`)).json()) as { checks: { cloud: { outbox: number } } }).checks.cloud.outbox;
    let left = await outbox();
    for (const deadline = Date.now() + 60_000; left > 0 && Date.now() < deadline; left = await outbox()) await sleep(200);
    seqs.take(cloud);
    const dropped = await metricValue(hub.httpUrl, 'voicehub_cloud_outbox_dropped_total');
    const folded = await metricValue(hub.httpUrl, 'voicehub_cloud_outbox_folded_total');

    const within = (xs: typeof rss, from: number, to: number) => xs.filter((s) => s.at >= from && s.at < to);
    const peak = (xs: typeof rss) => Math.max(...xs.map((s) => s.mb));
    const mean = (xs: typeof rss) => xs.reduce((a, s) => a + s.mb, 0) / xs.length;
    const warm = within(rss, WARMUP, WARMUP + WINDOW);
    const last = within(rss, SECONDS - WINDOW, Infinity);
    const growth = warm.length && last.length ? (peak(last) - peak(warm)) / peak(warm) : Number.NaN;
    // The curve: the peak of every 10 s (30 s in the long run), and the heap in use beside it.
    const step = LONG ? 30 : 10;
    const curve = (xs: typeof rss, digits = 0) => Array.from({ length: Math.ceil(SECONDS / step) }, (_, i) => within(xs, i * step, (i + 1) * step))
      .map((w) => (w.length ? peak(w).toFixed(digits) : '-')).join(' ');
    const perSecond = (key: 'answered' | 'publishes') => ticks.map((t, i) => Math.round((t[key] - (ticks[i - 1]?.[key] ?? 0)) / ((t.atMs - (ticks[i - 1]?.atMs ?? 0)) / 1000))).join(' ');
    console.log(`soak ${SECONDS} s (${VOICE_CLIENTS} voice clients closed-loop, ${DEVICE_CLIENTS} devices at 1/s): ${r.sent} utterances, ${r.answered} answered `
      + `(${Math.round(r.answered / (r.elapsedMs / 1000))}/s; each 10 s: ${perSecond('answered')}), ${r.errors} errors ${JSON.stringify(r.errorCodes)}, ${r.unanswered} unanswered; `
      + `${r.publishes} state publishes acknowledged (/s each 10 s: ${perSecond('publishes')}; ${r.publishFailures} failed, ${r.unacked} unacknowledged), ${updates} applied; `
      + `cloud: ${seqs.events} events in order (${seqs.resent} resent, ${dropped} dropped, ${folded} folded, ${left} left in the outbox; outbox held per ${step} s, peak: ${curve(outboxHeld)}; `
      + `dropped + folded so far: ${curve(droppedSoFar)}; storage flush max so far (s): ${curve(flushMax, 1)}); `
      + `RSS per ${step} s (peak, MB): ${curve(rss)}; heap used per ${step} s (MB): ${curve(heap)}; `
      + `minute after the warm-up peak ${peak(warm).toFixed(1)} (mean ${mean(warm).toFixed(1)}) → last minute peak ${peak(last).toFixed(1)} (mean ${mean(last).toFixed(1)}) MB (${(growth * 100).toFixed(1)} %)`);

    assert.deepEqual(r.errorSamples, [], `${r.errors} utterances answered with an error: ${JSON.stringify(r.errorCodes)}`);
    assert.equal(r.unanswered, 0, 'utterances with no answer 30 s after the load');
    assert.ok(r.answered > VOICE_CLIENTS, `the voice clients were answered (${r.answered})`);
    assert.equal(r.publishFailures, 0, 'state publishes refused');
    assert.equal(r.unacked, 0, 'state publishes never acknowledged');
    assert.equal(updates, r.publishes, 'every acknowledged report applied to the registry, none twice');
    assert.equal(left, 0, 'the outbox drained');
    assert.deepEqual(seqs.gaps, [], 'the cloud saw every seq, in order');
    assert.equal(dropped + folded, 0, 'no event dropped or folded in the outbox');
    assert.ok(seqs.events >= r.publishes + r.answered, `an event per report and per utterance (${seqs.events} events)`);
    if (LONG) assert.ok(growth <= 0.05, `RSS grew ${(growth * 100).toFixed(1)} % after the warm-up`);
    assert.deepEqual(crashLines(d.lines), []);
    assert.deepEqual(d.lines.filter((l) => l.level === 'error').map((l) => JSON.stringify(l).slice(0, 300)).slice(0, 5), [], 'error lines in the hub log');
    assert.equal(d.stderr, '');
    assert.ok(alive(), 'the hub ran throughout');
  } finally {
    await load?.leave();
    await hub.stop();
    await cloud.close();
  }
});
