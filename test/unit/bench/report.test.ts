/** bench/lib/report.ts: a figure that is not a number (a percentile of no runs) stops the run instead of printing. */
import { describe, expect, it } from 'vitest';
import { BenchCheckError, boundRow } from '../../../bench/lib/report';
import { latencySummary } from '../../../bench/lib/stats';

describe('boundRow', () => {
  it('refuses a p95 of no runs (NaN) with a BenchCheckError naming the row', () => {
    const empty = latencySummary([]);
    expect(empty.n).toBe(0);
    expect(() => boundRow('scale', 'audit search: combined filters: p95', { value: empty.p95, unit: 'ms' }, 10)).toThrow(BenchCheckError);
    expect(() => boundRow('scale', 'audit search: combined filters: p95', { value: empty.p95, unit: 'ms' }, 10)).toThrow(/combined filters.*no value/);
  });

  it('keeps a measured figure, met or not', () => {
    expect(boundRow('scale', 'q', { value: 4, unit: 'ms' }, 10)).toMatchObject({ met: true, margin: 2.5 });
    expect(boundRow('scale', 'q', { value: 12, unit: 'ms' }, 10)).toMatchObject({ met: false });
  });
});
