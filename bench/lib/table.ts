/** The one results table: aligned text for the terminal, Markdown for the README and TABLE.md. */
import { formatFigure, formatNumber, type BenchRow, type SuiteResult } from './report';

const HEADERS = ['suite', 'metric', 'ours', 'reference', 'ratio', 'target', 'met?'];

function cells(row: BenchRow): string[] {
  return [
    row.suite,
    row.metric,
    formatFigure(row.ours),
    row.reference ? `${row.reference.label}: ${formatFigure(row.reference)}` : '—',
    row.ratio === null ? '—' : `${formatNumber(row.ratio)}×`,
    row.target ?? '—',
    row.met === null ? '—' : `${row.met ? 'yes' : 'NO'}${row.margin == null ? '' : ` (${formatNumber(row.margin)}× ${row.met ? 'margin' : 'of target'})`}`,
  ];
}

function allRows(results: SuiteResult[]): { rows: string[][]; skipped: string[] } {
  const rows: string[][] = [];
  const skipped: string[] = [];
  for (const result of results) {
    if (result.skipped) skipped.push(`${result.suite}: skipped — ${result.skipped}`);
    for (const row of result.rows) rows.push(cells(row));
  }
  return { rows, skipped };
}

export function textTable(results: SuiteResult[]): string {
  const { rows, skipped } = allRows(results);
  const widths = HEADERS.map((header, i) => Math.max(header.length, ...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(HEADERS), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line), ...skipped].join('\n');
}

export function markdownTable(results: SuiteResult[]): string {
  const { rows, skipped } = allRows(results);
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  const lines = [`| ${HEADERS.join(' | ')} |`, `|${HEADERS.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.map(escape).join(' | ')} |`)];
  return [...lines, ...skipped.map((line) => `\n_${line}_`)].join('\n');
}
