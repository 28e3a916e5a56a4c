/**
 * The seq range that holds every audit entry of a time window, found in ~40 primary-key probes whatever the
 * window's size and age (the audit search then pages by seq inside it, reading only the page's rows).
 *
 * Seq order is append order and `at` is the engine's clock at the append, so `at` rises with seq, except when
 * the clock stepped back. `audit_clock.max_step_back` (schema 13, raised by an insert trigger) is the largest
 * step back ever seen, S: every entry's `at` is at least every earlier entry's minus S. So an entry with
 * at < since - S comes before every entry of the window, and one with at > until + S after every one; binary
 * searches over seq for the last of the first kind and the first of the second give the range: exact when
 * the clock never stepped back (S = 0), and wider by the entries of S milliseconds otherwise. The search still
 * checks `at` on every row, so the range only has to hold the window, never to match it.
 */
import type Database from 'better-sqlite3';

/** Inclusive seq bounds; lo > hi when no entry can be in the window. */
export interface SeqRange {
  lo: number;
  hi: number;
}

type Query = (sql: string) => Database.Statement;

/** The largest step back of the audit clock so far (ms), 0 when it never stepped back. */
export function clockStepBack(q: Query): number {
  const row = q('SELECT max_step_back AS s FROM audit_clock WHERE id = 1').get() as { s: number } | undefined;
  // The row is written by the migration; without it nothing bounds the disorder, so nothing is excluded.
  return row ? row.s : Number.MAX_SAFE_INTEGER;
}

/**
 * The seq range of the entries with since ≤ at ≤ until (a superset when the clock stepped back), or lo > hi
 * when the audit has no entry that could be in it.
 */
export function windowSeqRange(q: Query, since: number, until: number): SeqRange {
  // Two statements: SQLite answers a lone min() or max() from the end of the index, but both at once by a scan.
  const first = (q('SELECT min(seq) AS s FROM audit').get() as { s: number | null }).s;
  const last = (q('SELECT max(seq) AS s FROM audit').get() as { s: number | null }).s;
  if (first === null || last === null) return { lo: 1, hi: 0 };
  const ends = { first, last };
  const slack = clockStepBack(q);
  if (slack === Number.MAX_SAFE_INTEGER) return { lo: ends.first, hi: ends.last };
  // The first entry at or after `seq` below `below`: seq may have gaps, so a probe answers with a real entry.
  const probe = q('SELECT seq, at FROM audit WHERE seq >= ? AND seq < ? ORDER BY seq LIMIT 1');
  const entryFrom = (seq: number, below: number) => probe.get(seq, below) as { seq: number; at: number } | undefined;

  // Lower bound. If e is in the window and s comes after e, at(s) ≥ at(e) - S ≥ since - S. So an entry s with
  // at(s) < since - S comes before every window entry. `a` is such an entry (or first - 1, before them all).
  let a = ends.first - 1;
  let b = ends.last + 1;
  while (b - a > 1) {
    const mid = a + Math.floor((b - a) / 2);
    const entry = entryFrom(mid, b);
    if (entry !== undefined && entry.at < since - slack) a = entry.seq;
    else b = mid;
  }
  const lo = a + 1;

  // Upper bound. If e is in the window and s comes before e, at(e) ≥ at(s) - S, so at(s) ≤ until + S. So an
  // entry s with at(s) > until + S comes after every window entry. `b` is such an entry (or last + 1).
  a = lo - 1;
  b = ends.last + 1;
  while (b - a > 1) {
    const mid = a + Math.floor((b - a) / 2);
    const entry = entryFrom(mid, b);
    if (entry === undefined) b = mid;
    else if (entry.at > until + slack) b = entry.seq;
    else a = entry.seq;
  }
  const range = { lo, hi: b - 1 };
  // After a step back the range is S wider than the window; an exact one is cheap to read when the window is
  // small (min/max over its entries in the (at) index), and then narrows it, however large S is.
  return slack > 0 ? (exactSpan(q, since, until, range) ?? range) : range;
}

/** A window of at most this many entries is read from the (at) index for its exact seq range. */
const SPAN_MAX = 60_000;

function exactSpan(q: Query, since: number, until: number, within: SeqRange): SeqRange | undefined {
  const row = q(`SELECT count(*) AS n, min(seq) AS lo, max(seq) AS hi FROM (SELECT seq FROM audit INDEXED BY audit_at
    WHERE at >= ? AND at <= ? LIMIT ${SPAN_MAX + 1})`).get(since, until) as { n: number; lo: number | null; hi: number | null };
  if (row.n > SPAN_MAX) return undefined;
  if (row.lo === null || row.hi === null) return { lo: 1, hi: 0 };
  return { lo: Math.max(row.lo, within.lo), hi: Math.min(row.hi, within.hi) };
}
