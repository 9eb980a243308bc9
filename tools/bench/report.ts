// The table printed at the end and bench/results.md.
import type { CaseReport, CaseRow } from './cases';
import type { MachineInfo } from './env';
import { fmtMb, fmtMs, fmtNumber } from './stats';
import type { SeedTiming } from './storage';

function value(row: CaseRow, v: number | null): string {
  if (v === null || !Number.isFinite(v)) {
    return '–';
  }
  switch (row.unit) {
    case 'ms':
      return fmtMs(v);
    case 'inst/s':
      return `${fmtNumber(v)}/s`;
    case 'bytes':
      return fmtMb(v);
  }
}

function verdict(pass: boolean | null): string {
  return pass === null ? '–' : pass ? 'pass' : 'FAIL';
}

export function tableRows(cases: readonly CaseReport[]): string[][] {
  const rows: string[][] = [];
  for (const c of cases) {
    if (c.skipped) {
      rows.push([c.title, '–', '–', '–', '–', `skipped: ${c.skipped}`]);
      continue;
    }
    for (const r of c.rows) {
      rows.push([r.label, value(r, r.ours), r.floorText ?? value(r, r.floor), r.ratio === null || !Number.isFinite(r.ratio) ? '–' : `${r.ratio.toFixed(2)}×`, r.target, verdict(r.pass)]);
    }
  }
  return rows;
}

const HEADER = ['Case', 'Ours (median)', 'Floor (median)', 'Ratio', 'Target', 'Result'];

/** A plain-text table for the terminal. */
export function textTable(cases: readonly CaseReport[]): string {
  const rows = [HEADER, ...tableRows(cases)];
  const widths = HEADER.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]): string => r.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd();
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

const md = (cell: string): string => cell.replace(/\|/g, '\\|');

export function markdownTable(cases: readonly CaseReport[]): string {
  const rows = tableRows(cases);
  return [`| ${HEADER.join(' | ')} |`, `|${HEADER.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(md).join(' | ')} |`)].join('\n');
}

export interface ResultsDocument {
  date: Date;
  machine: MachineInfo;
  command: string;
  instances: number;
  runs: number;
  purgeRuns: number;
  azuriteMode: string;
  azuriteRss: number | null;
  dist: { builtAt: Date | null; stale: boolean; production: boolean };
  seeding: SeedTiming[];
  cases: CaseReport[];
  totalMs: number;
  /** 1-minute load average sampled during the run (other work on the machine). */
  load?: { mean: number; max: number };
}

export function resultsMarkdown(d: ResultsDocument): string {
  const m = d.machine;
  const out: string[] = [
    '# Benchmark results',
    '',
    `Latest \`npm run bench\` run: ${d.date.toISOString()}. Ratios compare ours with its floor measured in the same run, alternating (A B A B …);`,
    `each figure is the median of ${d.runs} runs (${d.purgeRuns} for the purge, which re-seeds a hub for every run). A ratio is the median of the`,
    'runs\' own ratios (ours / floor, run back to back), steadier on a busy machine than the ratio of the two medians.',
    '',
    markdownTable(d.cases),
    '',
    '## Machine',
    '',
    `- CPU: ${m.cpu}, ${m.cores} cores; RAM ${m.ramGb} GB`,
    `- ${m.os}; Node ${m.node}`,
    `- Speed reference: JSON round trip of 10,000 history rows ${m.calibrationMs.toFixed(1)} ms. Load average during the run: ` +
      (d.load ? `mean ${d.load.mean.toFixed(1)}, max ${d.load.max.toFixed(1)}` : `${m.load.toFixed(1)} at the end`) +
      ` (${m.cores} cores; above ${m.cores} other work competed for the CPU)`,
    `- Azurite ${m.azurite}, in memory, ${d.azuriteMode === 'process' ? 'in its own process (so the measured process does not share its event loop, core and heap with the storage)' : 'in the bench process'}` +
      (d.azuriteRss ? `; ${fmtMb(d.azuriteRss)} resident after seeding` : '') +
      '. Its table queries go through a key-ordered index (tools/bench/azuriteIndex.ts, same answers): Azurite alone filters and sorts the whole table for every page, ' +
      'so listing 100k would measure its sort; Azure Storage serves key ranges from an index.',
    `- Chromium: ${m.chromium ?? 'none'}`,
    `- dist/ built ${d.dist.builtAt ? d.dist.builtAt.toISOString() : 'never'} (${d.dist.production ? 'production' : 'development'} build${d.dist.stale ? '; OLDER than src/ — rebuild for current figures' : ''})`,
    '',
    '## Seeding',
    '',
    '| Hub | Rows | Time | Rows/s |',
    '|---|---|---|---|',
    ...d.seeding.map((s) => `| ${md(s.what)} | ${fmtNumber(s.rows)} | ${fmtMs(s.ms)} | ${fmtNumber(Math.round(s.rows / Math.max(s.ms / 1000, 0.001)))} |`),
    '',
    `Whole run: ${fmtMs(d.totalMs)}.`,
    '',
    '## Details',
    '',
  ];
  for (const c of d.cases) {
    out.push(`### ${c.title}`, '');
    if (c.skipped) {
      out.push(`Skipped: ${c.skipped}.`, '');
      continue;
    }
    out.push(...c.details.map((line) => `- ${line}`), '');
  }
  out.push(
    '## How to reproduce',
    '',
    '```sh',
    'node scripts/build.mjs     # the CLI, extension and webview bundles the bench measures (dist/)',
    `${d.command}`,
    '```',
    '',
    '`npm run bench -- --help` lists the options: `--quick` (1,000 instances), `--instances N`, `--runs N`, `--purge-runs N`, `--only case,…`,',
    '`--azurite in-process`. Runs on a shared machine are noisy: compare ratios within one run, not absolute times across runs.',
    '',
  );
  return out.join('\n');
}
