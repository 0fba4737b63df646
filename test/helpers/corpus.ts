/**
 * The sentence corpus (issue 14): every `test/fixtures/corpus/*.json` is a home (`devices:` entries as in
 * voicehub.yaml, `areas`, `floors`) and cases (text, lang, the intent meant, the devices acted on or asked
 * about, slot values, the satellite's own area). Each file's home is built the way the hub builds it (config
 * entries → devices → the engine's lists), the bundled plugins' sentences are added, and each case is matched
 * and resolved by the real engine. Used by the test (test/unit/intents/corpus.test.ts) and the bench table.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { IntentEngine, intentLists, isResolveError, slotsPerDevice } from '../../daemon/intents/index.js';
import { intentCommand } from '../../devices/kinds/index.js';
import type { DeviceConfig } from '../../daemon/config/schema.js';
import { readConfigDevices } from '../../devices/configDevices.js';
import { addBundledPluginSentences } from './builtinSentences.js';
import { REPO_ROOT } from './daemon.js';

export const CORPUS_DIR = join(REPO_ROOT, 'test/fixtures/corpus');

export type CorpusLang = 'en' | 'zh' | 'zh-hant';
export const CORPUS_LANGS: readonly CorpusLang[] = ['en', 'zh', 'zh-hant'];

export interface CorpusCase {
  text: string;
  lang: CorpusLang;
  /** null: must not match, or must act on nothing (its resolution fails). */
  intent: string | null;
  targets?: string[];
  slots?: Record<string, unknown>;
  /** The satellite's own area (token `--area`). */
  area?: string;
  /** The device command each target is sent, in the order resolved (as the hub decides it: devices/kinds `commandFor`). */
  commands?: unknown[];
}

export interface CorpusFile {
  file: string;
  home: { devices: DeviceConfig[]; areas?: Record<string, { aliases?: string[]; floor?: string }>; floors?: Record<string, { aliases?: string[]; level?: number }> };
  cases: CorpusCase[];
}

export interface CaseResult {
  file: string;
  case: CorpusCase;
  ok: boolean;
  /** What the engine did, for failure lists: intent, devices or error, slots. */
  got: string;
}

/** Every corpus file, sorted by name; a file that does not parse throws (a broken corpus is a failed test). */
export function loadCorpus(dir = CORPUS_DIR): CorpusFile[] {
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((file) => {
    const data = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Omit<CorpusFile, 'file'>;
    return { file, ...data };
  });
}

/** Problems with a file's shape: unknown languages, target ids that are not devices of its home. */
export function corpusProblems(corpus: CorpusFile): string[] {
  const problems: string[] = [];
  if (!Array.isArray(corpus.home?.devices) || !Array.isArray(corpus.cases)) return [`${corpus.file}: needs home.devices and cases`];
  const ids = new Set(corpus.home.devices.map((d) => d.id));
  for (const c of corpus.cases) {
    if (typeof c.text !== 'string' || c.text.length === 0) problems.push(`${corpus.file}: a case without text`);
    if (!CORPUS_LANGS.includes(c.lang)) problems.push(`${corpus.file}: "${c.text}" has lang ${String(c.lang)}`);
    if (c.intent !== null && typeof c.intent !== 'string') problems.push(`${corpus.file}: "${c.text}" needs an intent or null`);
    for (const t of c.targets ?? []) if (!ids.has(t)) problems.push(`${corpus.file}: "${c.text}" targets ${t}, not a device of the home`);
  }
  return problems;
}

/** The engine for a corpus file's home, as the hub builds it. */
export function corpusEngine(corpus: CorpusFile, options: { recentMatches?: number } = {}): IntentEngine {
  const engine = addBundledPluginSentences(new IntentEngine(options));
  const { devices } = readConfigDevices(corpus.home.devices);
  engine.setLists(intentLists(devices, corpus.home.areas, corpus.home.floors));
  return engine;
}

const TAGS: Readonly<Record<CorpusLang, string>> = { en: 'en', zh: 'zh', 'zh-hant': 'zh-Hant' };

/** Runs one case through match and resolve. */
export function runCase(engine: IntentEngine, file: string, c: CorpusCase): CaseResult {
  const match = engine.match(c.text, { lang: TAGS[c.lang], ...(c.area ? { area: c.area } : {}) });
  const resolution = match ? engine.resolve(match, c.area ? { sessionArea: c.area } : {}) : null;
  const ids = resolution && !isResolveError(resolution) ? resolution.devices.map((d) => d.id).sort() : [];
  const got = !match ? 'NO_MATCH'
    : `${match.intent} ${resolution && isResolveError(resolution) ? resolution.error : `[${ids.join(',')}]`} ${JSON.stringify(match.slots, slotReplacer)}`;
  let ok: boolean;
  if (c.intent === null) {
    ok = !match || (resolution !== null && (isResolveError(resolution) || resolution.devices.length === 0));
  } else {
    ok = match !== null && match.intent === c.intent;
    if (ok && c.targets) ok = resolution !== null && !isResolveError(resolution) && isDeepStrictEqual(ids, [...c.targets].sort());
    if (ok && c.slots) ok = Object.entries(c.slots).every(([k, v]) => slotEquals(match!.slots[k], v));
    if (ok && c.commands) {
      ok = resolution !== null && !isResolveError(resolution);
      if (ok && resolution && !isResolveError(resolution)) {
        const per = slotsPerDevice(match!, resolution.devices);
        const sent = resolution.devices.map((d, i) => intentCommand(d.type, match!.intent, per ? per[i] : match!.slots));
        ok = isDeepStrictEqual(sent, c.commands);
        if (!ok) return { file, case: c, ok, got: `${got} commands ${JSON.stringify(sent)}` };
      }
    }
  }
  return { file, case: c, ok, got };
}

/** A slot compares equal to a plain value: numbers and strings as they are, name and area slots by text, id or name. */
function slotEquals(actual: unknown, expected: unknown): boolean {
  if (isDeepStrictEqual(actual, expected)) return true;
  if (typeof expected === 'string' && actual && typeof actual === 'object') {
    const a = actual as Record<string, unknown>;
    return [a.id, a.name, a.text].some((v) => typeof v === 'string' && v.toLowerCase() === expected.toLowerCase());
  }
  return false;
}

function slotReplacer(key: string, value: unknown): unknown {
  return key === 'ids' || key === 'weakIds' || key === 'typeWord' ? undefined : value;
}

/** Every case of every file. */
export function runCorpus(files: readonly CorpusFile[] = loadCorpus()): CaseResult[] {
  const out: CaseResult[] = [];
  for (const corpus of files) {
    const engine = corpusEngine(corpus);
    for (const c of corpus.cases) out.push(runCase(engine, corpus.file, c));
  }
  return out;
}

export interface ScoreRow { intent: string; total: Record<CorpusLang, number>; right: Record<CorpusLang, number> }

/** Right / total per intent and language ("(none)" for sentences that must match nothing). */
export function scoreTable(results: readonly CaseResult[]): ScoreRow[] {
  const rows = new Map<string, ScoreRow>();
  for (const r of results) {
    const intent = r.case.intent ?? '(none)';
    let row = rows.get(intent);
    if (!row) { row = { intent, total: { en: 0, zh: 0, 'zh-hant': 0 }, right: { en: 0, zh: 0, 'zh-hant': 0 } }; rows.set(intent, row); }
    row.total[r.case.lang]++;
    if (r.ok) row.right[r.case.lang]++;
  }
  return [...rows.values()].sort((a, b) => a.intent.localeCompare(b.intent));
}

/** The table as text: one line per intent, a column per language, a total line. */
export function formatScoreTable(rows: readonly ScoreRow[]): string {
  const cell = (right: number, total: number) => (total === 0 ? '—' : `${right}/${total} ${Math.round((100 * right) / total)}%`);
  const lines = [`${'intent'.padEnd(28)} ${CORPUS_LANGS.map((l) => l.padStart(14)).join(' ')}`];
  const sum = { total: { en: 0, zh: 0, 'zh-hant': 0 }, right: { en: 0, zh: 0, 'zh-hant': 0 } };
  for (const row of rows) {
    lines.push(`${row.intent.padEnd(28)} ${CORPUS_LANGS.map((l) => cell(row.right[l], row.total[l]).padStart(14)).join(' ')}`);
    for (const l of CORPUS_LANGS) { sum.total[l] += row.total[l]; sum.right[l] += row.right[l]; }
  }
  lines.push(`${'all'.padEnd(28)} ${CORPUS_LANGS.map((l) => cell(sum.right[l], sum.total[l]).padStart(14)).join(' ')}`);
  return lines.join('\n');
}
