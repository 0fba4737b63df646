import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import type { MqttClient } from 'mqtt';
import { ErrorCodes } from '../../daemon/core/errors.js';

/**
 * Shared settings of the fault suite's properties. A CI-sized run by default (the whole suite in a few
 * minutes on 2 cores); `VOICEHUB_FAULTS_LONG=1` multiplies the runs. fast-check prints the seed and the
 * shrunk counterexample of a failure; `VOICEHUB_FAULTS_SEED=<n>` replays a run.
 */
export const LONG = process.env.VOICEHUB_FAULTS_LONG === '1';
/** A fuzz test's time limit: the long variant runs ten times as many cases (each may start a daemon). */
export const FUZZ_TIMEOUT = LONG ? 7_200_000 : 600_000;
const seedEnv = process.env.VOICEHUB_FAULTS_SEED;

/** fast-check parameters for a property: `ci` runs by default, `ci × 10` in the long variant. */
export function params<T>(ci: number): fc.Parameters<T> {
  return {
    numRuns: LONG ? ci * 10 : ci,
    // The failing assertion's message in the report itself (node's runner does not print an error's cause).
    includeErrorInReport: true,
    ...(seedEnv !== undefined && { seed: Number(seedEnv) }),
  };
}

/** Every code of the one error table: a fuzzed surface may answer only with these. */
export const DOCUMENTED_CODES = new Set(Object.keys(ErrorCodes));

/** Resident memory of a process in MB, from /proc (Linux). */
export function rssMB(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}

/**
 * Issue 18, fuzzing: "memory back near baseline after". A hub's memory is its resident set (from /proc) and
 * its JS heap in use (`voicehub_nodejs_heap_size_used_bytes`, from its own /metrics). After the runs both must
 * come back within this tolerance of the figures taken before them:
 * - RSS at most 1.25 × the baseline + 16 MB: the young generation the unit's flags allow (two 8 MB semi-spaces,
 *   committed once a load grows it and given back only by the hub's settle when it is quiet), malloc's arenas
 *   that keep freed buffers, and machine code compiled for the inputs;
 * - heap in use at most the baseline + 24 MB: garbage the young generation still holds (up to 16 MB) and the
 *   bounded caches the runs filled (answered ids, rate-limit buckets, sessions' traces).
 * A leak of a few KB per run grows past either over a long variant's thousands of runs. The hub has up to
 * 30 s to come back (it settles its heap once quiet: daemon/core/memorySettle.ts): a bound on waiting, not a
 * timing.
 */
export const MEMORY_TOLERANCE = { rssRatio: 1.25, rssSlackMB: 16, heapSlackMB: 24, settleMs: 30_000 } as const;

export interface HubMemory { rssMB: number; heapMB: number }

/** A hub's memory now: RSS from /proc, heap in use from its /metrics. */
export async function hubMemory(d: { child: { pid?: number }; url: string }): Promise<HubMemory> {
  const text = await (await fetch(`${d.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('voicehub_nodejs_heap_size_used_bytes '));
  return { rssMB: rssMB(d.child.pid!), heapMB: Number(line?.slice(line.lastIndexOf(' ') + 1)) / 2 ** 20 };
}

const nearBaseline = (m: HubMemory, base: HubMemory) =>
  m.rssMB <= base.rssMB * MEMORY_TOLERANCE.rssRatio + MEMORY_TOLERANCE.rssSlackMB && m.heapMB <= base.heapMB + MEMORY_TOLERANCE.heapSlackMB;

/**
 * Asserts the hub's memory is back within MEMORY_TOLERANCE of `base`, waiting up to its settle time; returns
 * the figures (`RSS a → b MB, heap c → d MB`) for the test's log line.
 */
export async function assertMemoryBack(d: { child: { pid?: number }; url: string }, base: HubMemory, what: string): Promise<string> {
  let now = await hubMemory(d);
  for (const end = Date.now() + MEMORY_TOLERANCE.settleMs; !nearBaseline(now, base) && Date.now() < end; now = await hubMemory(d)) {
    await new Promise((r) => setTimeout(r, 1000));
  }
  const figures = `RSS ${base.rssMB.toFixed(0)} → ${now.rssMB.toFixed(0)} MB, heap in use ${base.heapMB.toFixed(1)} → ${now.heapMB.toFixed(1)} MB`;
  if (!nearBaseline(now, base)) {
    throw new Error(`${what}: memory not back near its baseline (${figures}; tolerance RSS × ${MEMORY_TOLERANCE.rssRatio} + ${MEMORY_TOLERANCE.rssSlackMB} MB, heap + ${MEMORY_TOLERANCE.heapSlackMB} MB)`);
  }
  return figures;
}

/**
 * This process's JS heap in use after two full collections (MB): the baseline and the "after" of properties
 * run in process, where nothing else allocates meanwhile. `gc` is exposed for a fresh context only, as the
 * hub's settle does.
 */
export function heapAfterGcMB(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

/** In process: the heap may keep the properties' bounded caches (compiled templates, the normaliser's tables). */
export const IN_PROCESS_HEAP_SLACK_MB = 16;

/** Arbitrary JSON of any shape, from small to a few KB, with the keys a handler might look for mixed in. */
export function jsonValue(keys: readonly string[] = []): fc.Arbitrary<unknown> {
  // Keys JavaScript gives a meaning to: an object holding {"toString": 0} cannot even be turned into text.
  const special = fc.constantFrom('toString', 'valueOf', '__proto__', 'constructor', 'toJSON');
  const key = keys.length ? fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 12 }), special) : fc.oneof(fc.string({ maxLength: 12 }), special);
  return fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constant(null), fc.boolean(), fc.integer(), fc.double(), fc.string({ maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.array(tie('value'), { maxLength: 6 }),
      fc.dictionary(key, tie('value'), { maxKeys: 8 }),
    ),
  })).value;
}

/** A JSON object deeply nested `depth` levels (bounded-depth parsers must refuse, not overflow). */
export const deepJson = fc.integer({ min: 1, max: 5000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth));

/** Lines of the hub's stdout at error/fatal level that mention a crash (an uncaught exception or rejection). */
export function crashLines(lines: ReadonlyArray<{ level: string; msg: string }>): string[] {
  return lines.filter((l) => l.level === 'fatal' || /uncaught|unhandled/i.test(l.msg)).map((l) => JSON.stringify(l));
}

/** The `code` of every log line that is not in the error table (a hub must log only documented codes). */
export function undocumentedCodes(lines: ReadonlyArray<{ level: string; msg: string; code?: unknown }>): string[] {
  return lines.filter((l) => typeof l.code === 'string' && !DOCUMENTED_CODES.has(l.code)).map((l) => JSON.stringify(l).slice(0, 300));
}

/** The same bytes in pieces cut at `cuts` (each taken modulo the length): a stream as a peer may deliver it. */
export function splitAt(bytes: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const c of at) { out.push(bytes.subarray(from, c)); from = c; }
  out.push(bytes.subarray(from));
  return out;
}

/**
 * A well-behaved client's message through the broker and back: `client` (subscribed to `check/+`) publishes
 * `check/<n>` at QoS 1 and waits for it. Rejects after 20 s: the broker stopped serving others.
 */
export async function brokerRoundTrip(client: MqttClient, n: number): Promise<void> {
  const got = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the well-behaved client got no answer from the broker')), 20_000);
    const onMessage = (topic: string): void => {
      if (topic === `check/${n}`) { clearTimeout(timer); client.off('message', onMessage); resolve(); }
    };
    client.on('message', onMessage);
  });
  await client.publishAsync(`check/${n}`, 'ping', { qos: 1 });
  await got;
}
