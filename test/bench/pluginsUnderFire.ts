import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeTempDir, startDaemon, SHIPPED_NODE_FLAGS } from '../helpers/daemon.js';
import { firePlugins, GOOD_TEXTS, HOSTILE, latency, voiceLoad } from '../helpers/firePlugins.js';

/**
 * Plugins under fire (issue 18): the well-behaved clients' latency (a third-party plugin in its own process, a
 * built-in, the device path) alone, then while six hostile plugins (throw, reject, hang, leak timers, 320 MB,
 * a synchronous spin) are driven by their own closed-loop clients — the same daemon (the bundle, the unit's
 * heap flags), phases alternated so a busy machine weighs on both. The fault suite proves nothing good fails;
 * this measures what the fire costs the others.
 */
export interface FireResult { seconds: number; rounds: number; alone: ReturnType<typeof latency>; fire: ReturnType<typeof latency>; hostile: number }

export async function benchPluginsUnderFire(seconds: number, rounds = 2): Promise<FireResult> {
  const dir = await makeTempDir('voicehub-bench-fire-');
  const d = await startDaemon({ dir, nodeArgs: SHIPPED_NODE_FLAGS, config: await firePlugins(join(dir, 'plugins')) });
  const good = ['good-0', 'good-1', 'good-2', 'good-3'];
  const alone = [];
  const fire = [];
  let hostile = 0;
  try {
    // A short warm-up: every plugin process started and the intent cache filled.
    const warm = Date.now() + 1000;
    await voiceLoad(d, good, GOOD_TEXTS, () => Date.now() > warm);
    for (let round = 0; round < rounds; round++) {
      const quietEnd = Date.now() + seconds * 1000;
      alone.push(...await voiceLoad(d, good, GOOD_TEXTS, () => Date.now() > quietEnd));
      const end = Date.now() + seconds * 1000;
      const [g, ...h] = await Promise.all([
        voiceLoad(d, good, GOOD_TEXTS, () => Date.now() > end),
        ...HOSTILE.map((p) => voiceLoad(d, [`fire-${p.name}-a`, `fire-${p.name}-b`], [p.sentence], () => Date.now() > end)),
      ]);
      fire.push(...g!);
      hostile += h.reduce((n, answers) => n + answers.length, 0);
    }
  } finally {
    await d.cleanup();
  }
  return { seconds, rounds, alone: latency(alone), fire: latency(fire), hostile };
}

export function formatFire(r: FireResult): string {
  const row = (name: string, l: FireResult['alone']) => `| ${name} | ${l.answered} | ${l.errors} | ${l.p50.toFixed(1)} | ${l.p99.toFixed(1)} |`;
  return [
    `\n## Plugins under fire: 4 closed-loop clients asking a good isolated plugin, a built-in and the device path, ${r.rounds} × ${r.seconds} s alone and ${r.rounds} × ${r.seconds} s beside 12 clients driving six hostile plugins (${r.hostile} hostile requests)`,
    '| good clients | answered | errors | p50 ms | p99 ms |',
    '|---|---|---|---|---|',
    row('alone (baseline)', r.alone),
    row('under fire', r.fire),
    `p99 under fire / alone: ${(r.fire.p99 / r.alone.p99).toFixed(2)}× (issue 18: unchanged within noise); errors under fire: ${r.fire.errors} (must be 0)`,
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(formatFire(await benchPluginsUnderFire(Number(process.env.BENCH_SECONDS ?? 5))));
}
