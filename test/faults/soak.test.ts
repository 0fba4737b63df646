import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectAsync, type MqttClient } from 'mqtt';
import { readKey } from '../../daemon/auth/keys.js';
import { signToken } from '../../daemon/auth/tokens.js';
import { FakeCloud } from '../helpers/fakeCloud.js';
import { makeTempDir, startDaemon, SHIPPED_NODE_FLAGS } from '../helpers/daemon.js';
import { until } from '../helpers/until.js';
import { VoiceClient } from '../helpers/voiceClient.js';
import { LONG, crashLines, rssMB } from './fuzz.js';

/**
 * Issue 18, soak: the combined load — voice clients saying commands and questions at a steady rate, device
 * clients reporting state over MQTT, the cloud link carrying every change — against one real daemon under the
 * unit's heap flags. The long variant (`VOICEHUB_FAULTS_LONG=1`) runs 10 minutes and asks that resident memory
 * stay flat within 5 % after the warm-up; the CI-sized run goes 20 s and checks only that nothing failed, with
 * the figures printed. Every utterance must be answered with a reply, every publish acknowledged, and every
 * event the hub recorded must reach the cloud, in order.
 */

const VOICE_CLIENTS = 40;
const UTTERANCES_PER_SECOND = 4; // each: 160 a second in all
const DEVICES = 200; // each reports once a second
const TEXTS = ['turn on the hall lamp', 'turn off the hall lamp', 'what time is it', 'is the hall lamp on', '打开门厅灯', 'set the hall lamp to 40 percent'];

test(`soak: voice, device state and the cloud link together for ${LONG ? '10 minutes' : '20 s'}: 0 errors${LONG ? ', RSS flat within 5 % after the warm-up' : ''}`, { timeout: LONG ? 900_000 : 180_000 }, async () => {
  const cloud = await FakeCloud.start();
  const dir = await makeTempDir('voicehub-fire-soak-');
  const config = [
    'location: { latitude: 52.37, longitude: 4.89, timezone: Europe/Amsterdam }',
    'voice: { rateLimit: { perSecond: 1000, burst: 1000 } }',
    `cloud: { url: "${cloud.url}", token: soak, hubId: soak-hub, heartbeatMs: 5000, backoffMaxMs: 500 }`,
    'areas: { hall: { aliases: [门厅] } }',
    'devices:',
    '  - { id: hall_lamp, name: Hall lamp, aliases: [门厅灯], area: hall, type: light, brightness: true, schema: json, commandTopic: hall/lamp/set, stateTopic: hall/lamp/state }',
    ...Array.from({ length: DEVICES }, (_, i) => `  - { id: s${i}, name: Sensor ${i}, area: hall, type: sensor, stateTopic: soak/s${i}/state, deviceClass: temperature, unit: "°C" }`),
    '',
  ].join('\n');
  const d = await startDaemon({ dir, config, nodeArgs: SHIPPED_NODE_FLAGS });
  const clients: VoiceClient[] = [];
  const devices: MqttClient[] = [];
  try {
    await cloud.waitFor(() => cloud.hellos.length === 1, 15_000, 'hello');
    const key = (await readKey(join(dir, 'data')))!;
    for (let i = 0; i < VOICE_CLIENTS; i++) {
      clients.push(await VoiceClient.connect(`ws://127.0.0.1:${d.httpPort}/voice`, await signToken(key, { sub: `soak-${i}`, scopes: ['voice'] })));
    }
    for (let i = 0; i < DEVICES; i += 20) devices.push(await connectAsync(`mqtt://127.0.0.1:${d.mqttPort}`, { reconnectPeriod: 0 }));

    const seconds = LONG ? 600 : 20;
    const warmup = LONG ? 60 : 5;
    const start = Date.now();
    const end = start + seconds * 1000;
    const counts = { utterances: 0, replies: 0, errors: [] as string[], publishes: 0, publishFailures: 0 };
    const rss: Array<{ at: number; mb: number }> = [];
    // A hub that died meanwhile is reported by the checks below, not by a throw in this timer.
    const sampler = setInterval(() => { if (d.child.exitCode === null && d.child.signalCode === null) rss.push({ at: (Date.now() - start) / 1000, mb: rssMB(d.child.pid!) }); }, 5000);

    // Open loop: every client speaks at its rate whether or not the last answer came (at most 8 in flight each).
    const voice = clients.map(async (c, ci) => {
      const inFlight = new Set<Promise<void>>();
      for (let n = 0; Date.now() < end; n++) {
        const id = `v${ci}-${n}`;
        counts.utterances++;
        const p = c.say(id, TEXTS[(n + ci) % TEXTS.length]!, TEXTS[(n + ci) % TEXTS.length]!.startsWith('打') ? 'zh' : undefined).then(
          (f) => { if (f.type === 'reply') counts.replies++; else counts.errors.push(JSON.stringify(f)); },
          (err: Error) => { counts.errors.push(`no answer to ${id}: ${err.message}`); },
        ).finally(() => inFlight.delete(p));
        inFlight.add(p);
        if (inFlight.size >= 8) await Promise.race(inFlight);
        await sleep(1000 / UTTERANCES_PER_SECOND);
      }
      await Promise.all(inFlight);
    });
    const state = devices.map(async (m, mi) => {
      for (let n = 0; Date.now() < end; n++) {
        await Promise.all(Array.from({ length: 20 }, (_, k) => m.publishAsync(`soak/s${mi * 20 + k}/state`, String(15 + ((n + k) % 100) / 10), { qos: 1 }).then(
          () => { counts.publishes++; },
          () => { counts.publishFailures++; },
        )));
        await sleep(1000);
      }
    });
    await Promise.all([...voice, ...state]);
    clearInterval(sampler);

    // The cloud has every event the hub recorded, in order, with no gaps.
    await until(() => (cloud.received.length > 0 && cloud.uniqueSeqs().at(-1)! >= 1 ? true : undefined), 'events at the cloud', 30_000);
    const healthy = async () => ((await (await fetch(`${d.url}/health`)).json()) as { checks: { cloud: { outbox: number } } }).checks.cloud.outbox === 0;
    for (const deadline = Date.now() + 60_000; !(await healthy()) && Date.now() < deadline;) await sleep(200);
    const seqs = cloud.uniqueSeqs();
    assert.deepEqual(seqs, seqs.map((_, i) => seqs[0]! + i), 'the cloud saw every seq, in order');

    const warm = rss.filter((s) => s.at >= warmup && s.at < warmup + (LONG ? 60 : 5));
    const last = rss.filter((s) => s.at >= seconds - (LONG ? 60 : 5));
    const peak = (xs: typeof rss) => Math.max(...xs.map((s) => s.mb));
    const growth = warm.length && last.length ? (peak(last) - peak(warm)) / peak(warm) : Number.NaN;
    console.log(`soak ${seconds} s: ${counts.utterances} utterances (${counts.replies} replies, ${counts.errors.length} errors), ${counts.publishes} state publishes (${counts.publishFailures} failed), ${seqs.length} cloud events; RSS samples ${rss.map((s) => s.mb.toFixed(0)).join(' ')} MB; after warm-up ${peak(warm).toFixed(1)} → ${peak(last).toFixed(1)} MB (${(growth * 100).toFixed(1)} %)`);
    assert.deepEqual(counts.errors.slice(0, 5), [], `${counts.errors.length} utterances failed`);
    assert.equal(counts.replies, counts.utterances);
    assert.equal(counts.publishFailures, 0);
    if (LONG) assert.ok(growth <= 0.05, `RSS grew ${(growth * 100).toFixed(1)} % after the warm-up`);
    assert.deepEqual(crashLines(d.lines), []);
    assert.equal(d.stderr, '');
    assert.equal(d.child.exitCode, null, 'the hub ran throughout');
  } finally {
    for (const c of clients) c.ws.terminate();
    await Promise.all(devices.map((m) => m.endAsync(true)));
    await d.cleanup();
    await cloud.close();
  }
});
