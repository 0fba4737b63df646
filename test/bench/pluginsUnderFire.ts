import { readdir, readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { parseProcStat } from '../../daemon/plugins/isolated/cpuWindow.js';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeTempDir, startDaemon, SHIPPED_NODE_FLAGS, type DaemonProcess } from '../helpers/daemon.js';
import { firePlugins, GOOD_TEXTS, HOSTILE, latency, voiceLoad, writePlugin, type Answer } from '../helpers/firePlugins.js';
import { median } from './stats.js';

/**
 * Plugins under fire (issue 18): do hostile isolated plugins (throw, reject, hang, leak timers, 320 MB, a
 * synchronous spin), each driven by two closed-loop clients, change the latency of the well-behaved clients (a
 * third-party plugin in its own process, a built-in, the device path)? Each round is a fresh daemon (the bundle,
 * the unit's heap flags) running four phases of the same length, in this order:
 *   alone A, alone B  — the good clients only: A against B is the noise of the measurement itself;
 *   crowd             — beside 12 extra clients asking a calm isolated plugin (the same traffic, no hostility);
 *   fire              — beside the 12 clients driving the hostile plugins.
 * Per phase it records what decides the result and does not depend on the machine's load: the CPU time of the
 * hub and of its plugin processes (from /proc), how often a plugin was stopped for a limit and restarted.
 * The noise band is the widest alone-vs-alone p99 ratio of the run; "unchanged within noise" means the fire's
 * p99 over the crowd's is inside it: the same traffic with and without hostility, so what is judged is what the
 * hostile plugins do, not what twelve more clients on two cores cost (fire over alone is printed beside it). With `BENCH_FIRE_BEFORE=<dir of another build>` the rounds alternate between
 * that build and this one (which goes first alternates too), so a busy machine weighs on both alike.
 */

export interface PhaseFigures {
  answers: Answer[];
  /** Seconds the phase lasted; CPU seconds of the hub and of its plugin processes meanwhile. */
  seconds: number;
  hubCpuS: number;
  pluginsCpuS: number;
  /** Requests of the extra clients (crowd, fire). */
  extra: number;
  /** Limit stops by code and restarts seen in the hub's log during the phase. */
  stops: Record<string, number>;
  restarts: number;
}
export type PhaseName = 'aloneA' | 'aloneB' | 'crowd' | 'fire';
export interface FireRound { build: string; phases: Record<PhaseName, PhaseFigures> }
export interface FireResult { seconds: number; rounds: FireRound[]; builds: string[]; load: { before: number; after: number } }

const GOOD = ['good-0', 'good-1', 'good-2', 'good-3'];
const WARM_UP_MS = 5000;
const CALM = 'fire the calm plugin';
const LIMIT_CODES = ['PLUGIN_STUCK', 'PLUGIN_CPU_QUOTA', 'PLUGIN_MEMORY_LIMIT'];

/**
 * CPU time so far of the hub and of its plugin processes, from /proc (load-independent, unlike latency): a
 * plugin process is the hub's child (through /bin/sh's exec: the same pid), and one that exited was waited for,
 * so its time is in the hub's cutime.
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

/** One phase: the good clients for `seconds`, beside `extra` (clients per hostile plugin, saying `sentence(p)`). */
async function phase(d: DaemonProcess, seconds: number, extra: ((p: typeof HOSTILE[number]) => string) | null, tag: string): Promise<PhaseFigures> {
  const firstLine = d.lines.length;
  const before = await cpuNow(d.child.pid!);
  const started = performance.now();
  const end = Date.now() + seconds * 1000;
  const [good, ...others] = await Promise.all([
    voiceLoad(d, GOOD, GOOD_TEXTS, () => Date.now() > end),
    ...(extra ? HOSTILE.map((p) => voiceLoad(d, [`${tag}-${p.name}-a`, `${tag}-${p.name}-b`], [extra(p)], () => Date.now() > end)) : []),
  ]);
  const after = await cpuNow(d.child.pid!);
  const lines = d.lines.slice(firstLine);
  const stops: Record<string, number> = {};
  for (const l of lines) if (typeof l.code === 'string' && LIMIT_CODES.includes(l.code) && /killing it$/.test(l.msg)) stops[l.code] = (stops[l.code] ?? 0) + 1;
  return {
    answers: good!, seconds: (performance.now() - started) / 1000,
    hubCpuS: (after.hubMs - before.hubMs) / 1000, pluginsCpuS: (after.pluginsMs - before.pluginsMs) / 1000,
    extra: others.reduce((n, a) => n + a.length, 0), stops, restarts: lines.filter((l) => l.msg === 'plugin process restarted').length,
  };
}

async function round(seconds: number, build: string, cli: string | undefined): Promise<FireRound> {
  const dir = await makeTempDir('voicehub-bench-fire-');
  // No speech engines: building the recogniser's grammar after `listening` is start-up work that would land in
  // the first phase (alone A ran 2-10x slower than alone B at p50 with it, which is bias, not noise).
  const config = `${await firePlugins(join(dir, 'plugins'))}speech: { stt: { provider: none }, tts: { provider: none } }\n`;
  // What the crowd asks: a well-behaved plugin in its own process, so crowd and fire carry the same traffic over
  // the same kind of channel (an isolated call costs the hub ~50x an in-process one) and differ only in hostility.
  await writePlugin(join(dir, 'plugins'), 'calm', 'com.fire.calm', 'FireCalm', CALM, '() => ({ text: "calm" })');
  const d = await startDaemon({ dir, nodeArgs: SHIPPED_NODE_FLAGS, config, ...(cli ? { cli } : {}) });
  try {
    // A warm-up: every good plugin process started, the work the hub defers past `listening` done, the intent
    // cache filled and the code paths compiled.
    const warm = Date.now() + WARM_UP_MS;
    await voiceLoad(d, GOOD, GOOD_TEXTS, () => Date.now() > warm);
    const aloneA = await phase(d, seconds, null, 'a');
    const aloneB = await phase(d, seconds, null, 'b');
    const crowd = await phase(d, seconds, () => CALM, 'crowd');
    const fire = await phase(d, seconds, (p) => p.sentence, 'fire');
    return { build, phases: { aloneA, aloneB, crowd, fire } };
  } finally {
    await d.cleanup();
  }
}

export async function benchPluginsUnderFire(seconds: number, rounds = 3, before = process.env.BENCH_FIRE_BEFORE): Promise<FireResult> {
  const load = loadavg()[0]!;
  const builds: Array<[string, string | undefined]> = before ? [['before', join(before, 'dist/bundle/cli.js')], ['after', undefined]] : [['this build', undefined]];
  const out: FireRound[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const [name, cli] of r % 2 === 0 ? builds : [...builds].reverse()) {
      process.stderr.write(`  fire round ${r + 1}/${rounds}: ${name}\n`);
      out.push(await round(seconds, name, cli));
    }
  }
  return { seconds, rounds: out, builds: builds.map(([n]) => n), load: { before: load, after: loadavg()[0]! } };
}

const p99 = (a: Answer[]) => latency(a).p99;
const pooled = (rs: FireRound[], ...names: PhaseName[]) => rs.flatMap((r) => names.flatMap((n) => r.phases[n].answers));
/** The widest disagreement of two alone phases of one daemon: max(B/A, A/B) of their p99. */
const noiseOf = (r: FireRound) => { const a = p99(r.phases.aloneA.answers); const b = p99(r.phases.aloneB.answers); return Math.max(a / b, b / a); };
/** The fire's (or crowd's) p99 over the same daemon's two alone phases together. */
const ratioOf = (r: FireRound, n: PhaseName) => p99(r.phases[n].answers) / p99(pooled([r], 'aloneA', 'aloneB'));

export interface FireVerdict { build: string; fireRatio: number; crowdRatio: number; fireOverCrowd: number; noise: number; met: boolean; errors: number }

/** Per build: the median over rounds of fire/crowd (and fire/alone), judged against the run's noise band (all builds' rounds). */
export function verdicts(r: FireResult): FireVerdict[] {
  const noise = Math.max(...r.rounds.map(noiseOf));
  return r.builds.map((build) => {
    const rs = r.rounds.filter((x) => x.build === build);
    const fireRatio = median(rs.map((x) => ratioOf(x, 'fire')));
    const fireOverCrowd = median(rs.map((x) => p99(x.phases.fire.answers) / p99(x.phases.crowd.answers)));
    const errors = rs.reduce((n, x) => n + latency(x.phases.fire.answers).errors, 0);
    return {
      build, fireRatio, crowdRatio: median(rs.map((x) => ratioOf(x, 'crowd'))), fireOverCrowd,
      noise, met: fireOverCrowd <= noise && errors === 0, errors,
    };
  });
}

export function formatFire(r: FireResult): string {
  const pct = (s: number, of: number) => `${((s / of) * 100).toFixed(0)} %`;
  const stops = (f: PhaseFigures) => LIMIT_CODES.map((c) => f.stops[c] ?? 0).join(' / ');
  const lines = [
    `\n## Plugins under fire: 4 closed-loop clients asking a good isolated plugin, a built-in and the device path; per round a fresh daemon runs alone A, alone B, beside 12 clients asking a calm isolated plugin (crowd), beside 12 clients driving six hostile plugins (fire), ${r.seconds} s each; ${r.rounds.length} rounds${r.builds.length > 1 ? `, builds alternated (${r.builds.join(' / ')})` : ''}. Load average ${r.load.before.toFixed(1)} → ${r.load.after.toFixed(1)}`,
    '| round | build | phase | answered | errors | p50 ms | p99 ms | p99 / alone | hub CPU | plugins CPU | extra requests | stopped (stuck / CPU / memory) | restarts |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  r.rounds.forEach((x, i) => {
    const alone = p99(pooled([x], 'aloneA', 'aloneB'));
    for (const n of ['aloneA', 'aloneB', 'crowd', 'fire'] as const) {
      const f = x.phases[n];
      const l = latency(f.answers);
      lines.push(`| ${i + 1} | ${x.build} | ${n} | ${l.answered} | ${l.errors} | ${l.p50.toFixed(2)} | ${l.p99.toFixed(2)} | ${(l.p99 / alone).toFixed(2)}× | ${pct(f.hubCpuS, f.seconds)} | ${pct(f.pluginsCpuS, f.seconds)} | ${f.extra} | ${stops(f)} | ${f.restarts} |`);
    }
  });
  const v = verdicts(r);
  lines.push(`noise band (widest alone A vs alone B p99 ratio of the run, ${r.rounds.length} rounds): ${v[0]!.noise.toFixed(2)}× (per round: ${r.rounds.map((x) => noiseOf(x).toFixed(2)).join(', ')})`);
  for (const b of v) {
    const rs = r.rounds.filter((x) => x.build === b.build);
    const cpu = (n: PhaseName) => { const s = rs.reduce((a, x) => a + x.phases[n].seconds, 0); return `hub ${pct(rs.reduce((a, x) => a + x.phases[n].hubCpuS, 0), s)}, plugins ${pct(rs.reduce((a, x) => a + x.phases[n].pluginsCpuS, 0), s)}`; };
    lines.push(`${b.build}: good clients' p99 under fire / alone ${b.fireRatio.toFixed(2)}× (median of rounds; per round ${rs.map((x) => ratioOf(x, 'fire').toFixed(2)).join(', ')}), beside the crowd ${b.crowdRatio.toFixed(2)}×, fire / crowd ${b.fireOverCrowd.toFixed(2)}×; errors under fire ${b.errors}; CPU of one core alone: ${cpu('aloneA')}; crowd: ${cpu('crowd')}; fire: ${cpu('fire')} — target "unchanged within noise": fire / crowd ≤ ${b.noise.toFixed(2)}×, 0 errors: **${b.met ? 'met' : 'MISSED'}**`);
  }
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(formatFire(await benchPluginsUnderFire(Number(process.env.BENCH_SECONDS ?? 10), Number(process.env.BENCH_ROUNDS ?? 3))));
  console.log(formatSpinCost(await benchSpinCost(Number(process.env.BENCH_SPIN_SECONDS ?? 30))));
}

/**
 * What one plugin that spins in its handler costs at the shipped defaults (plugins.timeoutMs 5 s), in CPU time
 * read from /proc (which a busy machine moves far less than latency): one daemon with only that plugin, two
 * closed-loop clients asking it for `seconds`; its process's CPU seconds (live and reaped), the hub's, and how
 * it was stopped each time. Alternated with BENCH_FIRE_BEFORE's build like the rounds above.
 */
export interface SpinCost { build: string; seconds: number; spinnerCpuS: number; hubCpuS: number; stops: string[]; restarts: number }

export async function benchSpinCost(seconds: number, rounds = 2, before = process.env.BENCH_FIRE_BEFORE): Promise<SpinCost[]> {
  const builds: Array<[string, string | undefined]> = before ? [['before', join(before, 'dist/bundle/cli.js')], ['after', undefined]] : [['this build', undefined]];
  const out: SpinCost[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const [build, cli] of r % 2 === 0 ? builds : [...builds].reverse()) {
      const dir = await makeTempDir('voicehub-bench-spin-');
      const plugins = join(dir, 'plugins');
      const spinner = HOSTILE.find((p) => p.name === 'spinner')!;
      await writePlugin(plugins, spinner.name, `com.fire.${spinner.name}`, spinner.intent, spinner.sentence, spinner.body);
      const config = ['voice: { rateLimit: { perSecond: 100000, burst: 100000 } }', 'speech: { stt: { provider: none }, tts: { provider: none } }', 'plugins:', `  dir: ${JSON.stringify(plugins)}`, ''].join('\n');
      const d = await startDaemon({ dir, nodeArgs: SHIPPED_NODE_FLAGS, config, ...(cli ? { cli } : {}) });
      try {
        await d.waitForLine((l) => l.plugin === 'com.fire.spinner' && l.msg === 'plugin running', 60_000);
        const b = await cpuNow(d.child.pid!);
        const started = performance.now();
        const end = Date.now() + seconds * 1000;
        await voiceLoad(d, ['spin-a', 'spin-b'], [spinner.sentence], () => Date.now() > end);
        const a = await cpuNow(d.child.pid!);
        const ours = d.lines.filter((l) => l.plugin === 'com.fire.spinner');
        out.push({
          build, seconds: (performance.now() - started) / 1000, spinnerCpuS: (a.pluginsMs - b.pluginsMs) / 1000, hubCpuS: (a.hubMs - b.hubMs) / 1000,
          stops: ours.filter((l) => /killing it$/.test(l.msg)).map((l) => (typeof l.code === 'string' ? l.code : 'timed-out call, no pong')),
          restarts: ours.filter((l) => l.msg === 'plugin process restarted').length,
        });
      } finally {
        await d.cleanup();
      }
    }
  }
  return out;
}

export function formatSpinCost(rows: SpinCost[]): string {
  return [
    '\n### One spinning plugin at the shipped defaults (timeoutMs 5 s), two clients asking it: CPU from /proc',
    '| build | seconds | spinner process CPU s | share of a core | hub CPU | stops (how) | restarts |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.build} | ${r.seconds.toFixed(1)} | ${r.spinnerCpuS.toFixed(2)} | ${((r.spinnerCpuS / r.seconds) * 100).toFixed(1)} % | ${((r.hubCpuS / r.seconds) * 100).toFixed(0)} % | ${r.stops.length} (${r.stops.join(', ')}) | ${r.restarts} |`),
  ].join('\n');
}
