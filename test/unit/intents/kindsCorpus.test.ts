import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { IntentEngine, isResolveError } from '../../../daemon/intents/index.js';
import { intentLists } from '../../../daemon/intents/fromDevice.js';
import { readConfigDevices } from '../../../devices/configDevices.js';
import type { DeviceConfig } from '../../../daemon/config/schema.js';
import { addBundledPluginSentences } from '../../helpers/builtinSentences.js';

/**
 * The device-kind sentences of test/fixtures/corpus/kinds.json (media players, vacuums, valves, scenes,
 * buttons, scripts, light colours, floors) against the real engine, en and zh. The shared corpus runner (issue 14, "language") loads
 * every corpus file; this keeps the kinds' own sentences honest until then. Traditional Chinese cases wait for
 * that branch's folding and are only counted here.
 */

interface Case { text: string; lang: 'en' | 'zh' | 'zh-hant'; intent: string | null; targets?: string[]; slots?: Record<string, unknown>; area?: string }
interface Corpus {
  home: { devices: DeviceConfig[]; areas: Record<string, { aliases?: string[]; floor?: string }>; floors: Record<string, { aliases?: string[]; level?: number }> };
  cases: Case[];
}

const FILE = new URL('../../../../test/fixtures/corpus/kinds.json', import.meta.url);

test('kinds corpus: every en and zh sentence gets its intent, targets and slots; out-of-scope ones act on nothing', async () => {
  const corpus = JSON.parse(await readFile(FILE, 'utf8')) as Corpus;
  const { devices, problems } = readConfigDevices(corpus.home.devices);
  assert.deepEqual(problems, []);
  const engine = addBundledPluginSentences(new IntentEngine());
  engine.setLists(intentLists(devices, corpus.home.areas, corpus.home.floors));
  const failures: string[] = [];
  let checked = 0;
  for (const c of corpus.cases) {
    if (c.lang === 'zh-hant') continue;
    checked++;
    const match = engine.match(c.text, { lang: c.lang, ...(c.area ? { area: c.area } : {}) });
    const resolution = match ? engine.resolve(match, c.area ? { sessionArea: c.area } : {}) : null;
    const ids = resolution && !isResolveError(resolution) ? resolution.devices.map((d) => d.id).sort() : [];
    if (c.intent === null) {
      if (match && ids.length > 0 && !match.partial) failures.push(`"${c.text}": should act on nothing, got ${match.intent} → ${ids.join(',')}`);
      continue;
    }
    if (!match) { failures.push(`"${c.text}" [${c.lang}]: no match`); continue; }
    if (match.intent !== c.intent) { failures.push(`"${c.text}": ${match.intent}, want ${c.intent}`); continue; }
    if (c.targets && JSON.stringify(ids) !== JSON.stringify([...c.targets].sort())) {
      failures.push(`"${c.text}": targets ${ids.join(',') || JSON.stringify(resolution)}, want ${c.targets.join(',')}`);
      continue;
    }
    for (const [k, v] of Object.entries(c.slots ?? {})) {
      if (JSON.stringify(match.slots[k]) !== JSON.stringify(v)) failures.push(`"${c.text}": slot ${k}=${JSON.stringify(match.slots[k])}, want ${JSON.stringify(v)}`);
    }
  }
  assert.ok(checked > 400, `only ${checked} cases`);
  assert.deepEqual(failures, []);
});
