import { readdir, readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { parseProcStat } from '../../daemon/plugins/isolated/cpuWindow.js';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeTempDir, startDaemon, SHIPPED_NODE_FLAGS } from '../helpers/daemon.js';
import { firePlugins, GOOD_TEXTS, HOSTILE, latency, voiceLoad, type Answer } from '../helpers/firePlugins.js';

/**
 * Plugins under fire (issue 18): the well-behaved clients' latency (a third-party plugin in its own process, a
 * built-in, the device path) alone, then while six hostile plugins (throw, reject, hang, leak timers, 320 MB,
 * a synchronous spin) are driven by their own closed-loop clients — the same daemon (the bundle, the unit's
 * heap flags). Twice over: with the isolated plugins' CPU limits as shipped (plugins.nice 5, plugins.cpuQuota
 * 50 % of a core over 10 s) and with them off (nice 0, no quota: the hub before issue 18's quota), the two
 * alternated round by round so a busy machine weighs on both. Each round is a fresh daemon: timers the leaker
 * leaked keep burning after its phase, which would otherwise leak into the next round's "alone" figure. The
 * fault suite proves nothing good fails; this measures what the fire costs the others.
 */
/** CPU seconds used during the fire phases: the hub's own process, and every plugin process it started (live or reaped). */
export interface FireCpu { seconds: number; hubS: number; pluginsS: number }
export interface FirePhase { alone: ReturnType<typeof latency>; crowd: ReturnType<typeof latency> | null; fire: ReturnType<typeof latency>; hostile: number; crowdRequests: number; cpuStops: number; memoryStops: number; cpu: FireCpu }
export interface FireResult { seconds: number; rounds: number; limited: FirePhase; unlimited: FirePhase; load: { before: number; after: number } }

const GOOD = ['good-0', 'good-1', 'good-2', 'good-3'];
/** The hub before the quota: plugin processes at its priority, no CPU budget. */
const UNLIMITED = ['nice: 0', 'cpuQuota: { percent: 0 }'];

interface Collected { alone: Answer[]; crowd: Answer[]; fire: Answer[]; hostile: number; crowdRequests: number; cpuStops: number; memoryStops: number; cpu: FireCpu }

/**
 * CPU time so far of the hub and of its plugin processes, from /proc (load-independent, unlike latency): a
 * plugin process is the hub's child, and one that exited was waited for, so its time is in the hub's cutime.
 */
async function cpuNow(hubPid: number): Promise<{ hubMs: number; pluginsMs: number }> {
  const hub = parseProcStat(await readFile(`/proc/${hubPid}/stat`, 'utf8'));
  let live = 0;
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = parseProcStat(await readFile(`/proc/${name}/stat`, 'utf8').catch(() => ''));
    if (stat?.ppid === hubPid) live += stat.cpuMs;
  }
  return { hubMs: hub?.cpuMs ?? 0, pluginsMs: (hub?.childrenCpuMs ?? 0) + live };
}

/**
 * One daemon: the good clients alone; then (`crowd`) beside the same 12 extra clients as the fire, saying what a
 * built-in answers at once — the cost of the extra voice traffic alone, which no plugin limit can take away;
 * then beside the 12 clients driving the hostile plugins.
 */
async function round(seconds: number, pluginKeys: readonly string[], into: Collected, crowd: boolean): Promise<void> {
  const dir = await makeTempDir('voicehub-bench-fire-');
  const d = await startDaemon({ dir, nodeArgs: SHIPPED_NODE_FLAGS, config: await firePlugins(join(dir, 'plugins'), pluginKeys) });
  try {
    // A short warm-up: every good plugin process started and the intent cache filled.
    const warm = Date.now() + 1000;
    await voiceLoad(d, GOOD, GOOD_TEXTS, () => Date.now() > warm);
    const quietEnd = Date.now() + seconds * 1000;
    into.alone.push(...await voiceLoad(d, GOOD, GOOD_TEXTS, () => Date.now() > quietEnd));
    if (crowd) {
      const crowdEnd = Date.now() + seconds * 1000;
      const [g, ...others] = await Promise.all([
        voiceLoad(d, GOOD, GOOD_TEXTS, () => Date.now() > crowdEnd),
        ...HOSTILE.map((p) => voiceLoad(d, [`crowd-${p.name}-a`, `crowd-${p.name}-b`], ['what time is it'], () => Date.now() > crowdEnd)),
      ]);
      into.crowd.push(...g!);
      into.crowdRequests += others.reduce((n, answers) => n + answers.length, 0);
    }
    const before = await cpuNow(d.child.pid!);
    const started = performance.now();
    const end = Date.now() + seconds * 1000;
    const [g, ...h] = await Promise.all([
      voiceLoad(d, GOOD, GOOD_TEXTS, () => Date.now() > end),
      ...HOSTILE.map((p) => voiceLoad(d, [`fire-${p.name}-a`, `fire-${p.name}-b`], [p.sentence], () => Date.now() > end)),
    ]);
    const after = await cpuNow(d.child.pid!);
    into.cpu.seconds += (performance.now() - started) / 1000;
    into.cpu.hubS += (after.hubMs - before.hubMs) / 1000;
    into.cpu.pluginsS += (after.pluginsMs - before.pluginsMs) / 1000;
    into.fire.push(...g!);
    into.hostile += h.reduce((n, answers) => n + answers.length, 0);
    into.cpuStops += d.lines.filter((l) => l.code === 'PLUGIN_CPU_QUOTA').length;
    into.memoryStops += d.lines.filter((l) => l.code === 'PLUGIN_MEMORY_LIMIT').length;
  } finally {
    await d.cleanup();
  }
}

export async function benchPluginsUnderFire(seconds: number, rounds = 2): Promise<FireResult> {
  const before = loadavg()[0]!;
  const empty = (): Collected => ({ alone: [], crowd: [], fire: [], hostile: 0, crowdRequests: 0, cpuStops: 0, memoryStops: 0, cpu: { seconds: 0, hubS: 0, pluginsS: 0 } });
  const limited = empty();
  const unlimited = empty();
  for (let r = 0; r < rounds; r++) {
    // Alternated, and which goes first alternates too.
    for (const [keys, into] of (r % 2 === 0 ? [[UNLIMITED, unlimited], [[], limited]] : [[[], limited], [UNLIMITED, unlimited]]) as Array<[string[], Collected]>) {
      await round(seconds, keys, into, into === limited);
    }
  }
  const phase = (c: Collected): FirePhase => ({
    alone: latency(c.alone), crowd: c.crowd.length > 0 ? latency(c.crowd) : null, fire: latency(c.fire),
    hostile: c.hostile, crowdRequests: c.crowdRequests, cpuStops: c.cpuStops, memoryStops: c.memoryStops, cpu: c.cpu,
  });
  return { seconds, rounds, limited: phase(limited), unlimited: phase(unlimited), load: { before, after: loadavg()[0]! } };
}

export function formatFire(r: FireResult): string {
  const row = (name: string, l: FirePhase['alone']) => `| ${name} | ${l.answered} | ${l.errors} | ${l.p50.toFixed(1)} | ${l.p99.toFixed(1)} |`;
  const ratio = (p: FirePhase) => (p.fire.p99 / p.alone.p99).toFixed(2);
  const share = (c: FireCpu) => `${((c.hubS / c.seconds) * 100).toFixed(0)} % / ${((c.pluginsS / c.seconds) * 100).toFixed(0)} %`;
  return [
    `\n## Plugins under fire: 4 closed-loop clients asking a good isolated plugin, a built-in and the device path, ${r.rounds} × ${r.seconds} s alone and ${r.rounds} × ${r.seconds} s beside 12 clients driving six hostile plugins, a fresh daemon per round; CPU limits as shipped (nice 5, quota 50 % of a core over 10 s) and off, alternated. Load average ${r.load.before.toFixed(1)} → ${r.load.after.toFixed(1)}`,
    '| good clients | answered | errors | p50 ms | p99 ms |',
    '|---|---|---|---|---|',
    row('limits off, alone (baseline)', r.unlimited.alone),
    row('limits off, under fire', r.unlimited.fire),
    row('limits on, alone (baseline)', r.limited.alone),
    ...(r.limited.crowd ? [row('limits on, beside 12 clients asking a built-in (no hostile plugin)', r.limited.crowd)] : []),
    row('limits on, under fire', r.limited.fire),
    `p99 under fire / alone: limits off ${ratio(r.unlimited)}×, limits on ${ratio(r.limited)}× (issue 18: unchanged within noise); errors under fire: ${r.unlimited.fire.errors} / ${r.limited.fire.errors} (must be 0)`,
    ...(r.limited.crowd ? [`the 12 extra clients alone (${r.limited.crowdRequests} requests to a built-in): p99 ${(r.limited.crowd.p99 / r.limited.alone.p99).toFixed(2)}× alone; under fire / beside them: ${(r.limited.fire.p99 / r.limited.crowd.p99).toFixed(2)}× (what the hostile plugins add beyond their clients' traffic)`] : []),
    `CPU under fire, share of one core (hub / plugin processes): limits off ${share(r.unlimited.cpu)}, limits on ${share(r.limited.cpu)}`,
    `hostile requests ${r.unlimited.hostile} / ${r.limited.hostile}; plugin processes stopped over their CPU quota: ${r.unlimited.cpuStops} / ${r.limited.cpuStops}, over their memory limit: ${r.unlimited.memoryStops} / ${r.limited.memoryStops} (limits off / on)`,
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(formatFire(await benchPluginsUnderFire(Number(process.env.BENCH_SECONDS ?? 5), Number(process.env.BENCH_ROUNDS ?? 2))));
}
