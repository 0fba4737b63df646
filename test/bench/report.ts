/**
 * The one benchmark report `npm run bench` prints and keeps (Markdown and JSON under test/bench/results/).
 * Pure: building and rendering only, no I/O, so a unit test can check it (test/unit/bench/report.test.ts).
 *
 * A figure is what was measured, beside the anchor measured in the same run (a bare server, `node -e 0`,
 * the idle hub…) and, when the issue sets one, its target with a plain verdict: `met` or `MISSED`.
 */

export interface MachineFacts {
  cores: number;
  cpuModel: string;
  ramGB: number;
  node: string;
  platform: string;
  commit: string;
  /** 1-minute load average when the run started: the machine may be shared. */
  loadAverage: number;
}

export interface Figure {
  what: string;
  /** The measured figure, with its unit, as it should be read. */
  measured: string;
  /** The baseline measured in the same run, with its unit ('' when the figure is absolute). */
  anchor: string;
  /** measured ÷ anchor, when the two are comparable. */
  ratio?: number;
  /** The target in words, e.g. "≥ 0.7× bare" (absent: reported, not judged). */
  target?: string;
  /** Whether the target is met; absent when there is no target. */
  met?: boolean;
}

export interface Section {
  id: string;
  title: string;
  figures: Figure[];
  /** Further tables and lines, Markdown, printed after the figures. */
  text: string[];
}

export interface Report {
  command: string;
  startedAt: string;
  finishedAt?: string;
  machine: MachineFacts;
  sections: Section[];
}

export function newReport(command: string, machine: MachineFacts, startedAt: Date): Report {
  return { command, startedAt: startedAt.toISOString(), machine, sections: [] };
}

/** Adds a section and returns a small writer for it. */
export function addSection(report: Report, id: string, title: string) {
  const section: Section = { id, title, figures: [], text: [] };
  report.sections.push(section);
  return {
    section,
    figure(f: Figure): void { section.figures.push(f); },
    line(...lines: string[]): void { section.text.push(...lines); },
  };
}

export type SectionWriter = ReturnType<typeof addSection>;

export function verdict(met: boolean | undefined): string {
  return met === undefined ? '' : met ? 'met' : '**MISSED**';
}

/** Every figure that has a target, with its section. */
export function judged(report: Report): Array<{ section: Section; figure: Figure }> {
  return report.sections.flatMap((section) => section.figures.filter((f) => f.met !== undefined).map((figure) => ({ section, figure })));
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function ratioText(ratio: number | undefined): string {
  return ratio === undefined || !Number.isFinite(ratio) ? '' : `${ratio.toFixed(2)}×`;
}

export function figuresTable(figures: readonly Figure[]): string[] {
  const lines = ['| what | measured | anchor (same run) | ratio | target | verdict |', '|---|---|---|---|---|---|'];
  for (const f of figures) {
    lines.push(`| ${cell(f.what)} | ${cell(f.measured)} | ${cell(f.anchor)} | ${ratioText(f.ratio)} | ${cell(f.target ?? '')} | ${verdict(f.met)} |`);
  }
  return lines;
}

export function renderMarkdown(report: Report): string {
  const m = report.machine;
  const all = judged(report);
  const missed = all.filter(({ figure }) => figure.met === false);
  const out: string[] = [
    '# voicehub benchmark report',
    '',
    `- command: \`${report.command}\``,
    `- started ${report.startedAt}${report.finishedAt ? `, finished ${report.finishedAt}` : ''}`,
    `- machine: ${m.cores} cores, ${m.cpuModel}, ${m.ramGB.toFixed(1)} GB RAM, ${m.platform}; load average ${m.loadAverage.toFixed(2)} at start`,
    `- node ${m.node}; commit ${m.commit}`,
    '',
    `Targets: ${all.length - missed.length} of ${all.length} met${missed.length > 0 ? `; MISSED: ${missed.map(({ figure }) => figure.what).join('; ')}` : ''}.`,
  ];
  for (const s of report.sections) {
    out.push('', `## ${s.title}`);
    if (s.figures.length > 0) out.push('', ...figuresTable(s.figures));
    if (s.text.length > 0) out.push('', ...s.text);
  }
  return `${out.join('\n')}\n`;
}

export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** `bench-2026-12-05T04-10-00Z`: a file name that sorts by time and is valid everywhere. */
export function resultBaseName(startedAt: string): string {
  return `bench-${startedAt.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-')}`;
}

/** p-th quantile (0..1) of ascending sorted values; NaN for none. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** "1.23 ms" style with a fixed number of digits. */
export function ms(value: number, digits = 2): string {
  return Number.isFinite(value) ? `${value.toFixed(digits)} ms` : 'n/a';
}
