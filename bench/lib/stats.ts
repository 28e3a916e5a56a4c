/** Small statistics helpers: nearest-rank percentiles and medians over plain arrays of numbers. */

/** Nearest-rank percentile (p in 0..100) of `values`; NaN for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export function max(values: readonly number[]): number {
  return values.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
}

/** p50, p95, p99 and max, rounded to microseconds, for latency lists in ms. */
export function latencySummary(valuesMs: readonly number[]): { n: number; p50: number; p95: number; p99: number; max: number } {
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return {
    n: valuesMs.length,
    p50: round(percentile(valuesMs, 50)),
    p95: round(percentile(valuesMs, 95)),
    p99: round(percentile(valuesMs, 99)),
    max: round(max(valuesMs)),
  };
}

/** Deterministic pseudo-random numbers (mulberry32), so generated data and orders are reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle in place with the given random source. */
export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
