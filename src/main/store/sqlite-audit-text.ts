/**
 * Free text over the audit's FTS5 trigram index, and the same match for rows already in hand.
 *
 * A phrase costs FTS5 about the length of its most common trigram's list, not the number of its matches: a
 * whole IP (`10.12.34.56`) contains `10.`, found in most entries, and took 6-20 ms to say "3 entries". So a
 * longer text whose trigrams include a hot one is looked up by the run around its rarest trigram that leaves
 * the hot ones out (`.14.78.28` of `10.14.78.28`: 9 candidates), and each candidate row is checked against the
 * whole text here, with exactly the index's matching (see `containsText`). The choice rests on each trigram's
 * density (one short probe of its index entries, cached): it decides only the speed, never the answer.
 */
import type Database from 'better-sqlite3';

type Query = (sql: string) => Database.Statement;

/** The indexed text columns of a row, as the store reads them. */
export interface TextColumns {
  type: string;
  actor: string;
  userId: string | null;
  sessionId: string | null;
  reason: string | null;
  data: string;
}

/** A free text as one FTS5 phrase (quotes doubled): with the trigram tokenizer, a case-insensitive substring. */
export function ftsPhrase(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

/** Printable ASCII: the texts whose matching `containsText` reproduces exactly. */
const ASCII_TEXT = /^[\x20-\x7e]+$/;

/**
 * The trigram tokenizer's case folding as far as an ASCII text can tell: ASCII letters fold to lower case, and
 * of all other code points only U+212A (Kelvin sign) and U+017F (long s) fold to ASCII (`k`, `s`; found by
 * matching every code point against every printable ASCII character, see the store test). Every other code
 * point stays one non-ASCII position (U+0080 here), which no character of an ASCII text equals. (JavaScript's
 * toLowerCase is not this: it turns U+0130 into "i" plus a combining dot and leaves U+017F alone.)
 */
const NON_ASCII = /[^\p{ASCII}]/u;

function fold(value: string): string {
  return value.replace(/[^\p{ASCII}]/gu, (c) => (c === '\u212a' ? 'k' : c === '\u017f' ? 's' : '\u0080')).toLowerCase();
}

/** Whether the trigram index would match `text` (printable ASCII, 3+ characters) in one of the row's columns. */
export function containsText(row: TextColumns, text: string): boolean {
  const needle = text.toLowerCase();
  // Most values are ASCII, where folding is lower-casing: the regex replace only runs on the others.
  return [row.type, row.actor, row.userId, row.sessionId, row.reason, row.data].some(
    (value) => value !== null && (NON_ASCII.test(value) ? fold(value) : value.toLowerCase()).includes(needle),
  );
}

/** Whether `containsText` matches exactly as the index does for this text. */
export function checkableText(text: string): boolean {
  return ASCII_TEXT.test(text);
}

/** How the index is asked: `phrase` for FTS5 MATCH; when `verify`, each row it gives must pass `containsText`. */
export interface TextPlan {
  phrase: string;
  verify: boolean;
}

/** A trigram in at least this share of the entries makes a phrase slow (`10.`, in 72 % of the bench entries: 44 ms to walk). */
const HOT = 0.2;
/** The longest part of a text considered, in trigrams (8 characters). */
const RUN_MAX = 6;
/**
 * Costs per entry (µs) of walking a trigram list in a phrase (FTS5 skips: a whole IP's lists, 1.7 entries per
 * audit entry in all, took ~15 ms on 415k entries) and of checking a candidate here (reading its row; measured
 * ~5 µs on the bench store under load).
 */
const WALK_COST = 0.02;
const CHECK_COST = 5;
/** Matches read by a trigram's probe. */
const PROBE = 16;
const CACHE_MAX = 20_000;

export class TrigramDensities {
  private readonly cache = new Map<string, { density: number; lastSeq: number }>();

  constructor(private readonly q: Query) {}

  /** The phrase to ask the index for `text`, with whether its rows must be checked against the whole text. */
  plan(text: string): TextPlan {
    const whole = { phrase: ftsPhrase(text), verify: false };
    // Short texts have at most 3 trigrams (no run worth choosing); only ASCII texts are checked here exactly.
    if (text.length < 6 || !checkableText(text)) return whole;
    const lastSeq = (this.q('SELECT max(seq) AS s FROM audit').get() as { s: number | null }).s ?? 0;
    const lower = text.toLowerCase();
    const densities = Array.from({ length: lower.length - 2 }, (_, i) => this.density(lower.slice(i, i + 3), lastSeq));
    const hottest = Math.max(...densities);
    if (hottest < HOT) return whole;
    // A part of the text (a run of trigrams) costs its lists walked plus its candidates checked here; the whole
    // text costs its lists. For each length of 2 to RUN_MAX trigrams, the part with the lightest lists has its
    // own share of the entries probed like a trigram's; the cheapest part is used when it beats the whole text.
    const sum = (from: number, to: number) => densities.slice(from, to + 1).reduce((x, y) => x + y, 0);
    const lightest = new Map<number, { lo: number; hi: number; lists: number }>();
    for (let lo = 0; lo < densities.length; lo += 1) {
      for (let hi = lo + 1; hi < Math.min(densities.length, lo + RUN_MAX) && hi - lo + 1 < densities.length; hi += 1) {
        const lists = sum(lo, hi);
        if (lists < (lightest.get(hi - lo)?.lists ?? Infinity)) lightest.set(hi - lo, { lo, hi, lists });
      }
    }
    let best: { lo: number; hi: number; cost: number } | undefined;
    for (const run of lightest.values()) {
      const cost = WALK_COST * run.lists + CHECK_COST * this.density(lower.slice(run.lo, run.hi + 3), lastSeq);
      if (!best || cost < best.cost) best = { ...run, cost };
    }
    if (!best || best.cost >= WALK_COST * sum(0, densities.length - 1)) return whole;
    return { phrase: ftsPhrase(text.slice(best.lo, best.hi + 3)), verify: true };
  }

  /**
   * The share of entries whose text holds `trigram` (or any text), from the span of its first PROBE matches after the middle
   * entry: one ascending probe (~60 µs; a descending one costs FTS5 twice that), from the middle rather than the
   * newest end, which can mislead (on the bench store `10.`, in 72 % of all entries, is in 4 % of the newest 1,500).
   */
  private density(part: string, lastSeq: number): number {
    const trigram = part;
    const known = this.cache.get(trigram);
    // Densities drift as the audit grows; one probed on half today's entries is probed again.
    if (known && known.lastSeq * 2 >= lastSeq) return known.density;
    const from = Math.floor(lastSeq / 2);
    const probe = this.q(`SELECT rowid FROM audit_fts WHERE audit_fts MATCH ? AND rowid >= CAST(? AS INTEGER) ORDER BY rowid LIMIT ${PROBE}`);
    const seqs = probe.pluck().all(ftsPhrase(trigram), from) as number[];
    const span = seqs.length < PROBE ? lastSeq - from + 1 : seqs[seqs.length - 1]! - from + 1;
    const density = seqs.length / Math.max(1, span);
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(trigram, { density, lastSeq });
    return density;
  }
}
