/**
 * Issue 18's combined load, shared by the edge bench (test/bench/edge.ts) and the soak
 * (test/faults/soak.test.ts): closed-loop voice clients (each sends its next utterance when the last is
 * answered), each naming one of the hundred-device home's devices, and device clients each publishing QoS 1
 * Zigbee2MQTT state once a second at its own phase within the second. It runs in a worker thread, so the
 * load's 1,500 clients take a core of their own rather than the test's or the bench's main thread.
 *
 * The worker speaks to its parent in messages: `'loaded'` once every client is connected, a `LoadTick`
 * every `tickMs` (when asked), the `LoadResult` when the load has run `loadSeconds` (and drained, when
 * asked), then it waits for `'leave'`, closes every client at once and answers `'left'`.
 */
import { performance } from 'node:perf_hooks';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { connectAsync, type MqttClient } from 'mqtt';
import { WebSocket } from 'ws';
import { benchBridgeDevices, benchTopic } from '../bench/mqtt.js';
import { hundredDeviceHome } from '../bench/voiceHome.js';

export interface LoadParams {
  wsUrl: string;
  mqttUrl: string;
  /** One voice client per token. */
  tokens: string[];
  deviceClients: number;
  loadSeconds: number;
  /**
   * After the load's end, wait up to this long for every utterance still unanswered and every publish still
   * unacknowledged (default 0: the result is sent at once, as the edge bench wants it).
   */
  drainMs?: number;
  /** Send a LoadTick this often (default: never). */
  tickMs?: number;
}

export interface LoadResult {
  answered: number;
  errors: number;
  publishes: number;
  /** From the first utterance to the load's end (the drain is not counted). */
  elapsedMs: number;
  /** Utterances sent. */
  sent: number;
  /** Utterances with no answer by the end of the drain. */
  unanswered: number;
  /** Error frames by code. */
  errorCodes: Record<string, number>;
  /** The first few error frames, as received. */
  errorSamples: string[];
  /** Publishes the broker refused or never acknowledged (the client gave up), and those still unacknowledged. */
  publishFailures: number;
  unacked: number;
}

/** Counts so far, for a curve over a long run. */
export interface LoadTick { tick: true; atMs: number; answered: number; errors: number; publishes: number }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The worker's side: connects the clients, runs the load, reports, and leaves when told. */
export async function runLoad(p: LoadParams): Promise<void> {
  const devices: MqttClient[] = [];
  for (let i = 0; i < p.deviceClients; i += 50) {
    devices.push(...await Promise.all(Array.from({ length: Math.min(50, p.deviceClients - i) }, (_, k) =>
      connectAsync(p.mqttUrl, { clientId: `bench_${i + k}`, reconnectPeriod: 0, connectTimeout: 20_000 }))));
  }
  const sockets = await Promise.all(p.tokens.map((token) => new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(p.wsUrl, { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  })));
  parentPort!.postMessage('loaded');
  const names = hundredDeviceHome().names;
  let stopped = false;
  let sent = 0;
  let answered = 0;
  let errors = 0;
  const errorCodes: Record<string, number> = {};
  const errorSamples: string[] = [];
  let publishes = 0;
  let published = 0;
  let publishFailures = 0;
  sockets.forEach((ws, i) => {
    let seq = 0;
    const next = () => {
      if (stopped) return;
      const d = (i + seq) % names.length;
      ws.send(`{"type":"utterance","id":"e${i}-${seq}","text":"turn ${seq % 2 ? 'off' : 'on'} the ${names[d]}"}`);
      sent++;
      seq++;
    };
    ws.on('message', (data: Buffer) => {
      const kind = data[9]; // r(eply) or e(rror): the answers; state frames are not
      if (kind !== 0x72 && kind !== 0x65) return;
      if (kind === 0x65) {
        errors++;
        // Rare, so parsed: which code, and a few whole frames to report.
        const code = String((JSON.parse(data.toString()) as { code?: unknown }).code);
        errorCodes[code] = (errorCodes[code] ?? 0) + 1;
        if (errorSamples.length < 5) errorSamples.push(data.toString().slice(0, 300));
      } else answered++;
      next();
    });
    next();
  });
  // Each device reports once a second, at its own phase within the second.
  const timers = devices.map((c, i) => {
    let n = 0;
    const publish = () => {
      if (stopped) return;
      published++;
      void c.publishAsync(benchTopic(i), `{"state":"${n++ % 2 ? 'ON' : 'OFF'}","brightness":${n % 255}}`, { qos: 1 }).then(() => { publishes++; }, () => { publishFailures++; });
    };
    const start = setTimeout(publish, (i * 1000) / devices.length);
    const timer = setInterval(publish, 1000);
    return [start, timer] as const;
  });
  const t0 = performance.now();
  const ticker = p.tickMs ? setInterval(() => parentPort!.postMessage({ tick: true, atMs: performance.now() - t0, answered, errors, publishes } satisfies LoadTick), p.tickMs) : null;
  if (process.env.BENCH_EDGE_DEBUG) {
    const tick = setInterval(() => process.stderr.write(`load: ${answered} answered, ${errors} errors, ${publishes} publishes\n`), 1000);
    setTimeout(() => clearInterval(tick), p.loadSeconds * 1000);
  }
  await sleep(p.loadSeconds * 1000);
  stopped = true;
  const elapsedMs = performance.now() - t0;
  for (const [a, b] of timers) { clearTimeout(a); clearInterval(b); }
  if (ticker) clearInterval(ticker);
  // Closed loop: at most one utterance per client is out when the load stops, and at most one publish per device.
  for (const end = performance.now() + (p.drainMs ?? 0); performance.now() < end && (answered + errors < sent || publishes + publishFailures < published);) await sleep(50);
  parentPort!.postMessage({
    answered, errors, publishes, elapsedMs, sent, unanswered: sent - answered - errors, errorCodes, errorSamples,
    publishFailures, unacked: published - publishes - publishFailures,
  } satisfies LoadResult);
  // The clients stay until the main thread has read the load's figures: their leaving is measured apart.
  await new Promise<void>((resolve) => parentPort!.on('message', (m) => { if (m === 'leave') resolve(); }));
  for (const ws of sockets) ws.terminate();
  await Promise.all(devices.map((c) => c.endAsync(true)));
  parentPort!.postMessage('left');
}

/** The parent's side: the load in a worker thread of this module. */
export interface LoadWorker {
  /** Resolves when every client is connected; rejects if the worker fails first. */
  loaded: Promise<void>;
  /** The load's figures; rejects if the worker fails first. */
  done: Promise<LoadResult>;
  /** Closes every client at once and ends the worker. */
  leave(): Promise<void>;
}

export function startLoadWorker(p: LoadParams, onTick?: (t: LoadTick) => void): LoadWorker {
  const worker = new Worker(new URL(import.meta.url), { workerData: { role: 'combined-load', ...p } });
  const failed = new Promise<never>((_, reject) => worker.once('error', reject));
  failed.catch(() => {}); // seen through loaded/done
  const loaded = new Promise<void>((resolve) => worker.on('message', (m) => { if (m === 'loaded') resolve(); }));
  const done = new Promise<LoadResult>((resolve) => worker.on('message', (m: unknown) => {
    if (typeof m !== 'object' || m === null) return;
    if ('tick' in m) onTick?.(m as LoadTick);
    else resolve(m as LoadResult);
  }));
  return {
    loaded: Promise.race([loaded, failed]),
    done: Promise.race([done, failed]),
    async leave() {
      const left = new Promise<void>((resolve) => worker.on('message', (m) => { if (m === 'left') resolve(); }));
      worker.postMessage('leave');
      // A worker that never answers is ended anyway; the timer must not hold the test's process open.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([left, failed, new Promise((r) => { timer = setTimeout(r, 30_000); })]).catch(() => {});
      clearTimeout(timer);
      await worker.terminate();
    },
  };
}

/**
 * The Zigbee2MQTT devices of the combined load, told the way Zigbee2MQTT would: a retained `bridge/devices`
 * list of `deviceClients` lights. Resolves once the hub lists `configured + deviceClients` devices on
 * `voicehub/bridge/devices`; throws with how many it listed after a minute.
 */
export async function announceBridgeDevices(mqttUrl: string, deviceClients: number, configured: number): Promise<number> {
  const known = configured + deviceClients;
  const c = await connectAsync(mqttUrl, { reconnectPeriod: 0 });
  let listed = 0;
  c.on('message', (_t, payload) => { listed = (JSON.parse(payload.toString()) as unknown[]).length; });
  await c.subscribeAsync('voicehub/bridge/devices');
  await c.publishAsync('zigbee2mqtt/bridge/devices', benchBridgeDevices(deviceClients), { retain: true, qos: 1 });
  for (const until = Date.now() + 60_000; listed < known && Date.now() < until;) await sleep(100);
  await c.endAsync();
  if (listed < known) throw new Error(`the hub listed ${listed} of ${known} devices`);
  return listed;
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'combined-load') {
  await runLoad(workerData as LoadParams);
}
