import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addSection, judged, newReport, quantile, ratioText, renderJson, renderMarkdown, resultBaseName, type MachineFacts } from '../../bench/report.js';

const machine: MachineFacts = { cores: 2, cpuModel: 'Test CPU', ramGB: 4, node: 'v20.20.2', platform: 'linux 6 x64', commit: 'abc123', loadAverage: 3.5 };

function sample() {
  const report = newReport('npm run bench voice', machine, new Date('2026-12-05T04:10:00.123Z'));
  const s = addSection(report, 'voice', 'Capacity');
  s.figure({ what: '500 clients: msgs/s', measured: '20000', anchor: 'bare ws: 40000', ratio: 0.5, target: '≥ 0.7× bare', met: false });
  s.figure({ what: 'errors', measured: '0 %', anchor: '', target: '0', met: true });
  s.figure({ what: 'server µs per message', measured: '40', anchor: '' });
  s.line('a | note');
  return report;
}

test('the Markdown opens with the machine facts and the command, and counts the targets met', () => {
  const md = renderMarkdown(sample());
  const head = md.split('\n## ')[0]!;
  for (const fact of ['2 cores', 'Test CPU', '4.0 GB RAM', 'v20.20.2', 'abc123', 'load average 3.50', '`npm run bench voice`']) assert.ok(head.includes(fact), fact);
  assert.match(head, /Targets: 1 of 2 met; MISSED: 500 clients: msgs\/s\./);
});

test('each figure is one row beside its anchor and ratio; a missed target says MISSED, an untargeted figure no verdict', () => {
  const rows = renderMarkdown(sample()).split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| what'));
  assert.deepEqual(rows, [
    '| 500 clients: msgs/s | 20000 | bare ws: 40000 | 0.50× | ≥ 0.7× bare | **MISSED** |',
    '| errors | 0 % |  |  | 0 | met |',
    '| server µs per message | 40 |  |  |  |  |',
  ]);
});

test('text lines follow the figures as they are (Markdown), and a section without targets has none judged', () => {
  const report = sample();
  const other = addSection(report, 'corpus', 'Corpus');
  other.line('| intent | right |', '|---|---|');
  const md = renderMarkdown(report);
  assert.ok(md.indexOf('a | note') > md.indexOf('| server µs per message |'));
  assert.ok(md.includes('## Corpus\n\n| intent | right |'));
  assert.equal(judged(report).length, 2);
});

test('cells escape pipes so a figure cannot break its row', () => {
  const report = newReport('npm run bench', machine, new Date(0));
  addSection(report, 'x', 'X').figure({ what: 'a|b', measured: '1', anchor: 'c|d' });
  assert.ok(renderMarkdown(report).includes('| a\\|b | 1 | c\\|d |'));
});

test('the JSON holds the same report, and the file name sorts by time without colons', () => {
  const report = sample();
  assert.deepEqual(JSON.parse(renderJson(report)), JSON.parse(JSON.stringify(report)));
  assert.equal(resultBaseName(report.startedAt), 'bench-2026-12-05T04-10-00Z');
});

test('quantile and ratio text', () => {
  assert.ok(Number.isNaN(quantile([], 0.5)));
  assert.equal(quantile([1, 2, 3, 4], 0.5), 3);
  assert.equal(quantile([1, 2, 3, 4], 0.99), 4);
  assert.equal(ratioText(1.234), '1.23×');
  assert.equal(ratioText(Infinity), '');
  assert.equal(ratioText(undefined), '');
});
