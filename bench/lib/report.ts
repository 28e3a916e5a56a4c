/**
 * What a suite hands back to the harness: table rows (one figure each, beside its reference, ratio and
 * target) plus every raw figure for the JSON file. The table is the same in the terminal, the JSON and the
 * README, so a figure never appears in one place with a different meaning in another.
 */

export interface Figure {
  value: number;
  unit: string;
}

export interface BenchRow {
  suite: string;
  metric: string;
  ours: Figure;
  /** What `ours` is compared with, measured in the same run (or a configured value, said so in `label`). */
  reference: (Figure & { label: string }) | null;
  /** ours / reference, or reference / ours when lower is better (see `ratioNote`). */
  ratio: number | null;
  /** Human form of the target, e.g. "≥ 0.8×" or "p95 < 10 ms"; null when the row is informative only. */
  target: string | null;
  met: boolean | null;
  /** See `margin()`; null for informative rows. */
  margin: number | null;
}

export interface SuiteResult {
  suite: string;
  /** ISO time the suite started. */
  measuredAt: string;
  durationMs: number;
  /** os.loadavg() before and after: how busy the shared machine was. */
  loadBefore: number[];
  loadAfter: number[];
  rows: BenchRow[];
  /** Every raw figure (per-round values, percentiles, counts), for the JSON. */
  figures: Record<string, unknown>;
  notes: string[];
  /** Set when the suite could not run; the reason is printed and stored. */
  skipped?: string;
}

/** A suite as the harness runs it. */
export interface Suite {
  name: string;
  describe: string;
  run(context: SuiteContext): Promise<Omit<SuiteResult, 'suite' | 'measuredAt' | 'durationMs' | 'loadBefore' | 'loadAfter'>>;
}

export interface SuiteContext {
  /** Progress lines go here (stderr), so stdout keeps only the table. */
  log(line: string): void;
}

/** Thrown when a suite's answers are wrong: the run stops and nothing is written. */
export class BenchCheckError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchCheckError';
  }
}

/** Correctness gate: the figures that follow mean nothing unless `condition` holds. */
export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new BenchCheckError(message);
}

/** A row with a "higher is better" ratio against `reference` and a minimum ratio target. */
export function ratioRow(suite: string, metric: string, ours: Figure, reference: Figure & { label: string }, minRatio: number | null): BenchRow {
  const ratio = reference.value > 0 ? ours.value / reference.value : null;
  const row: BenchRow = {
    suite,
    metric,
    ours,
    reference,
    ratio,
    target: minRatio === null ? null : `≥ ${minRatio}×`,
    met: minRatio === null || ratio === null ? null : ratio >= minRatio,
    margin: null,
  };
  row.margin = minRatio === null ? null : margin(row, { minRatio });
  return row;
}

/** A row with an absolute upper bound (latency), optionally beside a reference figure. */
export function boundRow(suite: string, metric: string, ours: Figure, maxValue: number | null, reference: (Figure & { label: string }) | null = null): BenchRow {
  // A NaN (a percentile of no runs) would print as a figure and read as a missed target: refuse it.
  if (!Number.isFinite(ours.value)) throw new BenchCheckError(`${suite}: "${metric}" has no value (${ours.value})`);
  const row: BenchRow = {
    suite,
    metric,
    ours,
    reference,
    // For latencies the useful ratio is how many times faster we are than the reference.
    ratio: reference && ours.value > 0 ? reference.value / ours.value : null,
    target: maxValue === null ? null : `< ${formatNumber(maxValue)} ${ours.unit}`,
    met: maxValue === null ? null : ours.value < maxValue,
    margin: null,
  };
  row.margin = maxValue === null ? null : margin(row, { maxValue });
  return row;
}

export function formatNumber(value: number): string {
  const abs = Math.abs(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toPrecision(2);
}

export function formatFigure(figure: Figure): string {
  return `${formatNumber(figure.value)} ${figure.unit}`.trim();
}

/**
 * How far a figure is from its target, as a factor: > 1 means met with that much to spare (ratio / minimum
 * for ratio targets, bound / value for upper bounds), < 1 means missed by that factor.
 */
export function margin(row: BenchRow, bound: { minRatio?: number; maxValue?: number }): number | null {
  if (bound.minRatio !== undefined && row.ratio !== null) return row.ratio / bound.minRatio;
  if (bound.maxValue !== undefined && row.ours.value > 0) return bound.maxValue / row.ours.value;
  return null;
}
