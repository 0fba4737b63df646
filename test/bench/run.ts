import { benchStartup } from './startup.js';

/**
 * `npm run bench`: every benchmark, each printing its figures beside a baseline measured in the same run.
 * Benchmarks never fail the build; they print what they measured against the targets in the issues.
 */
const only = process.argv.slice(2);
const want = (name: string) => only.length === 0 || only.includes(name);
const fmt = (n: number, digits = 1) => n.toFixed(digits);

if (want('startup')) {
  const r = await benchStartup();
  console.log('\n## Cold start and idle memory');
  console.log(`node -e 0 (baseline, median of ${r.runs}): ${fmt(r.nodeBaselineMs)} ms`);
  console.log(`hub start → listening (median of ${r.runs}): ${fmt(r.hubListeningMs)} ms  (${fmt(r.ratio, 2)}× baseline; target ≤ 300 ms)`);
  console.log(`idle RSS after start: ${fmt(r.idleRssMB)} MB  (target ≤ 60 MB)`);
}
