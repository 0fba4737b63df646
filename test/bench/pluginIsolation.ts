import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, hostFor, makeContext, request } from '../unit/plugins/harness.js';
import { median } from './stats.js';

/**
 * `node dist/test/bench/pluginIsolation.js`: what `isolation: process` costs. The same trivial intent
 * handler runs in the hub and in a child process; each is called one at a time (a voice request waits for
 * its answer), and the median per call is printed, with the child's resident memory.
 */
const CALLS = Number(process.env.BENCH_CALLS ?? 3000);
const WARMUP = 300;

const source = (intent: string) => `export function onRegister(api) { api.intents.handle('${intent}', (req) => ({ text: 'ok ' + req.text })); }\n`;
const manifest = (id: string, intent: string) => JSON.stringify({ id, version: '1.0.0', capabilities: [], requiredScopes: [], intents: [intent] });

const dir = await mkdtemp(join(tmpdir(), 'voicehub-bench-isolation-'));
const plugins = join(dir, 'plugins');
await mkdir(plugins);
await writeFile(join(plugins, 'inproc.mjs'), source('InAct'));
await writeFile(join(plugins, 'inproc.voicehub.json'), manifest('com.bench.inproc', 'InAct'));
await writeFile(join(plugins, 'iso.mjs'), source('IsoAct'));
await writeFile(join(plugins, 'iso.voicehub.json'), manifest('com.bench.iso', 'IsoAct'));
// process is the default for a plugin that is not built in; the in-process one opts out.
const h = await makeContext({ plugins: { dir: plugins, 'com.bench.inproc': { isolation: 'none' } } }, { dir });
const host = hostFor(h, {});
const t0 = process.hrtime.bigint();
await host.start(); // the in-process plugin is ready at once; this waits for the child to fork, load and register
const startMs = Number(process.hrtime.bigint() - t0) / 1e6;

async function perCallUs(intent: string): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < WARMUP + CALLS; i++) {
    const t0 = process.hrtime.bigint();
    await host.handleIntent(request(intent, {}, `call ${i}`), call());
    if (i >= WARMUP) samples.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  return median(samples);
}

const inProcess = await perCallUs('InAct');
const isolated = await perCallUs('IsoAct');
const record = (host as unknown as { records: Array<{ manifest: { id: string } | null; isolated: { pid: number | null } | null }> }).records
  .find((r) => r.manifest?.id === 'com.bench.iso');
const pid = record?.isolated?.pid;
const rss = pid ? /VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8').catch(() => ''))?.[1] : undefined;
console.log(`## Plugin isolation: one intent call at a time, median of ${CALLS}`);
console.log(`in-process: ${inProcess.toFixed(1)} µs per call`);
console.log(`isolation: process: ${isolated.toFixed(1)} µs per call (+${(isolated - inProcess).toFixed(1)} µs for the channel round trip)`);
console.log(`plugin host start with one isolated plugin (fork, load, register, start): ${startMs.toFixed(0)} ms`);
if (rss) console.log(`isolated plugin's process: ${(Number(rss) / 1024).toFixed(1)} MB resident`);
await host.stop();
await h.close();
await rm(dir, { recursive: true, force: true });
