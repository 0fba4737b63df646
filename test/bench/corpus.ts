/**
 * The corpus score table (issue 14): right / total per intent and language over test/fixtures/corpus/*.json,
 * matched and resolved by the real engine (test/helpers/corpus.ts). `npm run bench` prints it.
 */
import { pathToFileURL } from 'node:url';
import { formatScoreTable, runCorpus, scoreTable } from '../helpers/corpus.js';

export function benchCorpus(): { sentences: number; table: string } {
  const results = runCorpus();
  return { sentences: results.length, table: formatScoreTable(scoreTable(results)) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href && !process.env.NODE_TEST_CONTEXT) {
  const r = benchCorpus();
  console.log(`corpus: ${r.sentences} sentences\n${r.table}`);
}
