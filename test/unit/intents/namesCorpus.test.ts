import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IntentEngine, intentLists, isResolveError } from '../../../daemon/intents/index.js';
import { readConfigDevices } from '../../../devices/configDevices.js';
import type { DeviceConfig } from '../../../daemon/config/schema.js';
import { addBundledPluginSentences } from '../../helpers/builtinSentences.js';
import { REPO_ROOT } from '../../helpers/daemon.js';

/**
 * The names and small-intents corpus files (test/fixtures/corpus/{names,small}.json, the shared corpus
 * shape) against the real engine with every bundled plugin's sentences: each case's intent and the devices
 * it acts on or asks about; `intent: null` must act on nothing. The shared runner (corpus.test.ts) reads
 * every corpus file; this one proves these two on their own.
 */
interface Case { text: string; lang: string; intent: string | null; targets?: string[]; slots?: Record<string, unknown>; area?: string }
interface Corpus { home: { devices: DeviceConfig[]; areas?: Record<string, { aliases?: string[] }> }; cases: Case[] }

function run(file: string): string[] {
  const corpus = JSON.parse(readFileSync(join(REPO_ROOT, 'test/fixtures/corpus', file), 'utf8')) as Corpus;
  const engine = addBundledPluginSentences(new IntentEngine());
  const devices = readConfigDevices(corpus.home.devices).devices;
  engine.setLists(intentLists(devices, corpus.home.areas));
  const failures: string[] = [];
  for (const c of corpus.cases) {
    const lang = c.lang.startsWith('zh') ? 'zh' : 'en';
    const match = engine.match(c.text, { lang, ...(c.area ? { area: c.area } : {}) });
    const resolution = match ? engine.resolve(match) : null;
    const acted = resolution && !isResolveError(resolution) ? resolution.devices.map((d) => d.id).sort() : [];
    if (c.intent === null) {
      if (match && !match.partial && acted.length > 0) failures.push(`${c.text}: acted on ${acted.join(', ')} (${match.intent})`);
      continue;
    }
    if (!match || match.intent !== c.intent) { failures.push(`${c.text}: ${match?.intent ?? 'no match'} instead of ${c.intent}`); continue; }
    if (c.targets && JSON.stringify(acted) !== JSON.stringify([...c.targets].sort())) {
      failures.push(`${c.text}: targets ${JSON.stringify(acted)} instead of ${JSON.stringify(c.targets)}${resolution && isResolveError(resolution) ? ` (${resolution.error})` : ''}`);
    }
    for (const [slot, value] of Object.entries(c.slots ?? {})) {
      if (JSON.stringify(match.slots[slot]) !== JSON.stringify(value)) failures.push(`${c.text}: slot ${slot} = ${JSON.stringify(match.slots[slot])} instead of ${JSON.stringify(value)}`);
    }
  }
  return failures;
}

for (const file of ['names.json', 'small.json']) {
  test(`corpus ${file}: every case's intent and targets`, () => {
    const failures = run(file);
    assert.deepEqual(failures, []);
  });
}
