/**
 * The hub's own work per utterance, without sockets: sessions made by the voice server with no WebSocket
 * (`VoiceServer.detachedSession`) are given the voice benchmark's sentences one at a time, round robin, each
 * answered before the next is given, as the server does when it reads one socket after another. Frame
 * parsing, the session, idempotency, the queue, the intent pipeline, the devices plugin and the MQTT publish
 * through the embedded broker are all in it; the WebSocket read and write are not.
 *
 * The socket benchmark (voice.ts) is what the targets are measured by, but its figures move ±20 % with the
 * machine; this one moves a few per cent, so it shows what a change to the hub's own path is worth.
 */
import { performance, PerformanceObserver } from 'node:perf_hooks';
import type { HandlerStage } from '../../daemon/voice/handlerStage.js';
import { startInProcessHub } from './hubTarget.js';
import { trivialStage } from './voice.js';
import { median } from './stats.js';
import { BENCH_AREAS, BENCH_HOME, BENCH_UTTERANCES } from './voiceHome.js';

export interface PipelineBenchResult {
  sessions: number;
  utterances: number;
  /** µs per utterance with the real handler: the lowest and the median of the blocks. */
  realMinUs: number;
  realMedianUs: number;
  /** The same with a handler that answers at once: what the session path alone costs. */
  trivialMinUs: number;
  trivialMedianUs: number;
  /**
   * Heap allocated per utterance (bytes), real and trivial handler: the garbage the collector has to deal
   * with, which costs the most under load on a small board. Measured over short runs that no GC interrupted,
   * so unlike the times it hardly moves between runs.
   */
  realBytes: number;
  trivialBytes: number;
}

export async function benchVoicePipeline(options: { sessions?: number; perBlock?: number; blocks?: number } = {}): Promise<PipelineBenchResult> {
  const sessions = options.sessions ?? 500;
  const perBlock = options.perBlock ?? 10_000;
  const blocks = options.blocks ?? 7;
  const real = await timeHub(null, sessions, perBlock, blocks);
  const trivial = await timeHub(trivialStage, sessions, perBlock, blocks);
  return {
    sessions, utterances: perBlock * blocks,
    realMinUs: real.us[0]!, realMedianUs: real.us[blocks >> 1]!, trivialMinUs: trivial.us[0]!, trivialMedianUs: trivial.us[blocks >> 1]!,
    realBytes: real.bytes, trivialBytes: trivial.bytes,
  };
}

/** µs per utterance for each block, sorted; bytes allocated per utterance. */
async function timeHub(stage: HandlerStage | null, count: number, perBlock: number, blocks: number): Promise<{ us: number[]; bytes: number }> {
  const target = await startInProcessHub({ devices: BENCH_HOME, areas: BENCH_AREAS, voice: { rateLimit: { perSecond: 1_000_000, burst: 1_000_000 } } }, stage ?? undefined);
  try {
    let answered: (() => void) | null = null;
    let errors = 0;
    const sessions = Array.from({ length: count }, (_, i) => target.hub.voice.detachedSession(
      { id: `bench-${i}`, subject: `bench-${i}`, scopes: ['voice'] },
      (frame) => {
        // Byte 9 is the first letter of the frame type: r(eply), e(rror); state frames are not answers.
        const kind = frame.charCodeAt(9);
        if (kind === 0x65) errors++;
        if (kind === 0x72 || kind === 0x65) answered?.();
      },
    ));
    const texts = BENCH_UTTERANCES.map((t) => JSON.stringify(t));
    let seq = 0;
    const say = (): Promise<void> => new Promise((resolve) => {
      answered = resolve;
      const i = seq % count;
      sessions[i]!.handleText(Buffer.from(`{"type":"utterance","id":"u${seq}","text":${texts[(i + seq) % texts.length]}}`));
      seq++;
    });
    for (let i = 0; i < 2000; i++) await say(); // warm-up: JIT, caches
    const results: number[] = [];
    for (let b = 0; b < blocks; b++) {
      const t0 = performance.now();
      for (let i = 0; i < perBlock; i++) await say();
      results.push(((performance.now() - t0) * 1000) / perBlock);
    }
    const bytes = await bytesPerUtterance(say);
    if (errors > 0) throw new Error(`${errors} utterances were answered with an error`);
    return { us: results.sort((a, b) => a - b).map((us) => Math.round(us * 100) / 100), bytes };
  } finally {
    await target.stop();
  }
}

/**
 * Heap growth over runs of 200 utterances that no garbage collection interrupted (a collection is seen by a
 * PerformanceObserver), median of those; 200 utterances allocate a few MB, well inside the young generation.
 */
async function bytesPerUtterance(say: () => Promise<void>): Promise<number> {
  let collections = 0;
  const observer = new PerformanceObserver((list) => { collections += list.getEntries().length; });
  observer.observe({ entryTypes: ['gc'] });
  const clean: number[] = [];
  try {
    for (let tries = 0; tries < 60 && clean.length < 9; tries++) {
      await new Promise((resolve) => setImmediate(resolve)); // let a pending GC entry arrive first
      const before = collections;
      const heap = process.memoryUsage().heapUsed;
      for (let i = 0; i < 200; i++) await say();
      const grown = process.memoryUsage().heapUsed - heap;
      await new Promise((resolve) => setImmediate(resolve));
      if (collections === before && grown > 0) clean.push(grown / 200);
    }
  } finally {
    observer.disconnect();
  }
  return Math.round(median(clean));
}
