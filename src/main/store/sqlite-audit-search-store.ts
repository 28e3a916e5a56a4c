/**
 * `AuditSearchStore` on the SqliteStore's connection (its statement cache). Every query is "newest first, at
 * most `limit`", so each shape is chosen to read about `limit` rows, not every match:
 * - free text walks the FTS5 index by rowid (= seq) descending and stops at `limit`; a long text whose
 *   trigrams include a very common one is walked by its most distinctive part and checked here in full
 *   (./sqlite-audit-text.ts);
 * - several types (or the few actors a prefix names) run one ordered (type, seq) / (actor, seq) index walk
 *   each, merged here; free text within a rare type (a capped count says so) is matched here on its few rows;
 * - a prefix with few matches reads them through its index and sorts them; one with many (probed with a capped
 *   count) walks the table newest first instead, where matches are dense enough to stop early;
 * - a time window is a seq range found by binary search over seq (./sqlite-audit-window.ts), which bounds
 *   every walk: a window of any size or age is paged from its newest entry.
 * Seq bounds on the FTS table are cast to INTEGER (see INT): FTS5 seeks only on an INTEGER rowid bound.
 */
import type Database from 'better-sqlite3';
import type { AuditEntry } from '../../shared/dto';
import { WardenError } from '../../shared/errors';
import { ACTOR_ARMS_MAX, checkAuditSearch, checkReuseAlertFilter, distinctTypes, newestFirst, reuseAlertPage, TOP, type RawAlert } from './audit-search-rules';
import {
  REUSE_ALERT_TYPES,
  type AuditAcknowledgement,
  type AuditSearchFilter,
  type AuditSearchStore,
  type ReuseAlertFilter,
  type ReuseAlertRow,
} from './audit-search-store';
import { checkableText, containsText, ftsPhrase, TrigramDensities } from './sqlite-audit-text';
import { windowSeqRange, type SeqRange } from './sqlite-audit-window';
import { guarded } from './sqlite-guarded';

const COLUMNS = `a.seq, a.at, a.type, a.actor, a.user_id AS userId, a.session_id AS sessionId, a.reason, a.data,
  a.prev_hash AS prevHash, a.hash`;
const ACK = 'seq, acknowledged_by AS "by", acknowledged_at AS at, note';
type Raw = Omit<AuditEntry, 'data'> & { data: string };
const toEntry = (row: Raw): AuditEntry => ({ ...row, data: JSON.parse(row.data) as Record<string, unknown> });

/** Above this many matches a prefix counts as dense: walking newest first finds `limit` of them quickly. */
const SPARSE_MAX = 2000;
/** Candidates of a distinctive part of a free text checked here before the whole phrase is asked instead. */
const VERIFY_MAX = 2000;
/** Seqs in the first chunk of a text search within a time window (then doubled while chunks yield few rows). */
const CHUNK = 256;

type Params = Record<string, string | number>;

/**
 * A parameter as an SQL INTEGER. better-sqlite3 binds every JS number as a REAL, and FTS5 ignores a rowid bound
 * that is not an INTEGER (it then steps through every match from the index's end and lets SQLite filter them):
 * a deeper page of a common text took 30-150 ms instead of 2.
 */
const INT = (name: string) => `CAST(@${name} AS INTEGER)`;

/** The filter's actor, user or session condition, if any (beyond text, types, time and paging). */
function narrowerThanTime(filter: AuditSearchFilter): string | undefined {
  return filter.actor ?? filter.actorPrefix ?? filter.userId ?? filter.userPrefix ?? filter.sessionId;
}

export class SqliteAuditSearchStore implements AuditSearchStore {
  private readonly texts: TrigramDensities;

  constructor(private readonly q: (sql: string) => Database.Statement) {
    this.texts = new TrigramDensities(q);
  }

  async search(filter: AuditSearchFilter): Promise<AuditEntry[]> {
    checkAuditSearch(filter);
    return guarded(() => this.run(filter));
  }

  private run(filter: AuditSearchFilter): AuditEntry[] {
    if (filter.limit === 0) return [];
    const params: Params = { limit: filter.limit };
    const where: string[] = [];
    const text = filter.q !== undefined;
    const plan = text ? this.texts.plan(filter.q!) : undefined;
    if (plan) params.q = plan.phrase;
    // Free text within a time window: the window's seq range, walked in chunks (see `chunked`).
    let range: SeqRange | undefined;
    const add = (condition: string, name: string, value: string | number | undefined) => {
      if (value === undefined) return;
      where.push(condition);
      params[name] = value;
    };
    add('a.actor = @actor', 'actor', filter.actor);
    add('a.user_id = @userId', 'userId', filter.userId);
    add('a.session_id = @sessionId', 'sessionId', filter.sessionId);
    if (filter.since !== undefined || filter.until !== undefined) {
      // A time window is a seq range (binary search over seq, ./sqlite-audit-window.ts) that bounds every walk
      // below: a window of any size or age starts at its newest entry and each walk reads about a page. `at` is
      // still checked on every row (the range may be wider when the clock stepped back); unary + keeps the
      // planner off the (at) index, which would read the whole window to sort it.
      const span = windowSeqRange(this.q, filter.since ?? 0, filter.until ?? Number.MAX_SAFE_INTEGER);
      if (span.lo > span.hi) return [];
      const at = text ? 'a.at' : '+a.at';
      add(`${at} >= @since`, 'since', filter.since);
      add(`${at} <= @until`, 'until', filter.until);
      if (text) range = { lo: span.lo, hi: filter.beforeSeq === undefined ? span.hi : Math.min(span.hi, Math.ceil(filter.beforeSeq) - 1) };
      else {
        add('a.seq >= @spanLo', 'spanLo', span.lo);
        add('a.seq <= @spanHi', 'spanHi', span.hi);
      }
    }
    if (range) {
      if (range.lo > range.hi) return [];
    } else add(text ? `f.rowid < ${INT('beforeSeq')}` : 'a.seq < @beforeSeq', 'beforeSeq', filter.beforeSeq);
    if (filter.userPrefix) this.prefix(where, params, 'user_id', 'audit_user', filter.userPrefix, 'user', text);

    // Arms: one ordered index walk each, merged below.
    let arms: string[][] = [[]];
    const types = distinctTypes(filter);
    if (types.length > 0) {
      arms = types.map((type, i) => {
        params[`type${i}`] = type;
        return [`a.type = @type${i}`];
      });
    }
    if (filter.actorPrefix) {
      const actors = types.length === 0 ? this.actorsWithPrefix(filter.actorPrefix) : null;
      if (actors !== null) {
        if (actors.length === 0) return [];
        arms = actors.map((actor, i) => {
          params[`actor${i}`] = actor;
          return [`a.actor = @actor${i}`];
        });
      } else {
        this.prefix(where, params, 'actor', 'audit_actor', filter.actorPrefix, 'actorp', text);
      }
    }

    // Types alone (no actor or user to look up by): force the (type, seq) walk, which stops at limit; the planner
    // may otherwise walk every seq newest first looking for a rare type, or the newest of an old one.
    const byType = types.length > 0 && narrowerThanTime(filter) === undefined ? ' INDEXED BY audit_type' : '';
    // CROSS JOIN keeps the index walk outside: with statistics of a small audit the planner put it inside,
    // evaluating the whole MATCH once per row of a type (a type + text search took 30 s on 415k entries).
    const from = text
      ? 'FROM audit_fts f CROSS JOIN audit a ON a.seq = f.rowid WHERE audit_fts MATCH @q'
      : `FROM audit a${byType} WHERE 1`;
    const order = text ? 'ORDER BY f.rowid DESC' : 'ORDER BY a.seq DESC';
    const rows: Raw[] = [];
    for (const [i, arm] of arms.entries()) {
      const conditions = [...where, ...arm].map((c) => ` AND ${c}`).join('');
      // A rare type with a common text: the type's few rows, matched here, beat walking every text match.
      if (text && types.length > 0 && checkableText(filter.q!) && this.isSparse('audit_type', 'type = ?', [params[`type${i}`]!])) {
        const bounded = range ? `${conditions} AND a.seq >= @rangeLo AND a.seq <= @rangeHi` : conditions;
        const all = this.q(`SELECT ${COLUMNS} FROM audit a WHERE 1${bounded.replaceAll('f.rowid', 'a.seq')} ORDER BY a.seq DESC`).all({ ...params, rangeLo: range?.lo ?? 0, rangeHi: range?.hi ?? 0 }) as Raw[];
        rows.push(...all.filter((row) => containsText(row, filter.q!)).slice(0, filter.limit));
        continue;
      }
      if (range) {
        const accept = plan?.verify ? (row: Raw) => containsText(row, filter.q!) : () => true;
        rows.push(...this.chunked(`SELECT ${COLUMNS} ${from}${conditions}`, params, range, accept, filter.limit));
        continue;
      }
      const sql = `SELECT ${COLUMNS} ${from}${conditions} ${order}`;
      if (plan?.verify) rows.push(...this.verified(sql, params, filter.q!, conditions));
      else rows.push(...(this.q(`${sql} LIMIT @limit`).all(params) as Raw[]));
    }
    return newestFirst(rows, filter.limit, arms.length > 1).map(toEntry);
  }

  /**
   * The newest `limit` rows of the FTS query `sql` within `range` that `accept` takes, read in ascending chunks
   * from the top of the range down. FTS5 walks a list newest first by reading it from its start up to the bound
   * (a common word within a window months back: 2-8 ms for 11 entries), and oldest first from a seek (~0.3 ms).
   * A chunk that yields few rows doubles the next one, so a sparse text crosses a wide window in a few steps.
   */
  private chunked(sql: string, params: Params, range: SeqRange, accept: (row: Raw) => boolean, limit: number): Raw[] {
    const statement = this.q(`${sql} AND f.rowid >= ${INT('chunkLo')} AND f.rowid <= ${INT('chunkHi')} ORDER BY f.rowid`);
    const found: Raw[] = [];
    let top = range.hi;
    let size = CHUNK;
    while (top >= range.lo && found.length < limit) {
      const bottom = Math.max(range.lo, top - size + 1);
      const rows = statement.all({ ...params, chunkLo: bottom, chunkHi: top }) as Raw[];
      for (let i = rows.length - 1; i >= 0 && found.length < limit; i -= 1) if (accept(rows[i]!)) found.push(rows[i]!);
      if (rows.length < CHUNK) size *= 2;
      top = bottom - 1;
    }
    return found;
  }

  /**
   * The newest `limit` rows of `sql` (matching a distinctive part of `text`) that hold the whole text. Past
   * VERIFY_MAX candidates the part was not distinctive after all: the rest is asked with the whole phrase,
   * below the last candidate checked (every match above it has been seen).
   */
  private verified(sql: string, params: Params, text: string, conditions: string): Raw[] {
    const found: Raw[] = [];
    let checked = 0;
    let lowest: number | undefined;
    for (const row of this.q(sql).iterate(params) as IterableIterator<Raw>) {
      if (containsText(row, text)) found.push(row);
      checked += 1;
      lowest = row.seq;
      if (found.length === params.limit) return found;
      if (checked === VERIFY_MAX) break;
    }
    if (checked < VERIFY_MAX || lowest === undefined) return found;
    const rest = `SELECT ${COLUMNS} FROM audit_fts f CROSS JOIN audit a ON a.seq = f.rowid WHERE audit_fts MATCH @whole${conditions}
      AND f.rowid < ${INT('checkedDown')} ORDER BY f.rowid DESC LIMIT @remaining`;
    const more = this.q(rest).all({ ...params, whole: ftsPhrase(text), checkedDown: lowest, remaining: Number(params.limit) - found.length }) as Raw[];
    return [...found, ...more];
  }

  /** `column` starts with `prefix`: through its index when the matches are few, else as a filter on the newest-first walk. */
  private prefix(where: string[], params: Params, column: string, index: string, prefix: string, name: string, text: boolean): void {
    params[`${name}Lo`] = prefix;
    params[`${name}Hi`] = prefix + TOP;
    const sparse = this.isSparse(index, `${column} >= ? AND ${column} < ?`, [prefix, prefix + TOP]);
    // Unary + keeps the planner off the index (dense: the seq walk stops sooner); free text walks the FTS index anyway.
    const ref = sparse || text ? `a.${column}` : `+a.${column}`;
    where.push(`${ref} >= @${name}Lo AND ${ref} < @${name}Hi`);
  }

  /** At most SPARSE_MAX rows match `condition` (a capped count through `index`). */
  private isSparse(index: string, condition: string, values: (string | number)[]): boolean {
    const probe = this.q(`SELECT count(*) AS n FROM (SELECT 1 FROM audit INDEXED BY ${index} WHERE ${condition} LIMIT ${SPARSE_MAX + 1})`);
    return (probe.get(...values) as { n: number }).n <= SPARSE_MAX;
  }

  /** The distinct actors starting with `prefix` (a skip-scan of the actor index), or null when there are many. */
  private actorsWithPrefix(prefix: string): string[] | null {
    const first = this.q('SELECT actor FROM audit WHERE actor >= ? AND actor < ? ORDER BY actor LIMIT 1');
    const next = this.q('SELECT actor FROM audit WHERE actor > ? AND actor < ? ORDER BY actor LIMIT 1');
    const actors: string[] = [];
    let row = first.get(prefix, prefix + TOP) as { actor: string } | undefined;
    while (row) {
      if (actors.length === ACTOR_ARMS_MAX) return null;
      actors.push(row.actor);
      row = next.get(row.actor, prefix + TOP) as { actor: string } | undefined;
    }
    return actors;
  }

  async get(seq: number): Promise<AuditEntry | undefined> {
    const row = guarded(() => this.q(`SELECT ${COLUMNS} FROM audit a WHERE a.seq = ?`).get(seq) as Raw | undefined);
    return row && toEntry(row);
  }

  async acknowledge(ack: AuditAcknowledgement): Promise<void> {
    guarded(() => {
      const result = this.q('INSERT OR IGNORE INTO audit_acknowledgements (seq, acknowledged_by, acknowledged_at, note) VALUES (?, ?, ?, ?)').run(ack.seq, ack.by, ack.at, ack.note);
      if (result.changes === 0) throw new WardenError('conflict', `Audit entry #${ack.seq} was already acknowledged.`);
    });
  }

  async getAcknowledgement(seq: number): Promise<AuditAcknowledgement | undefined> {
    return guarded(() => this.q(`SELECT ${ACK} FROM audit_acknowledgements WHERE seq = ?`).get(seq) as AuditAcknowledgement | undefined);
  }

  async listReuseAlerts(filter: ReuseAlertFilter): Promise<ReuseAlertRow[]> {
    checkReuseAlertFilter(filter);
    const status = filter.status === 'open' ? ' AND k.seq IS NULL' : filter.status === 'acknowledged' ? ' AND k.seq IS NOT NULL' : '';
    const before = filter.beforeSeq !== undefined ? ' AND a.seq < @beforeSeq' : '';
    const rows: RawAlert<Raw>[] = [];
    // One (type, seq) walk per alert type, merged: newest first without sorting every alert.
    for (const type of REUSE_ALERT_TYPES) {
      const sql = `SELECT ${COLUMNS}, k.acknowledged_by AS ackBy, k.acknowledged_at AS ackAt, k.note AS ackNote
        FROM audit a LEFT JOIN audit_acknowledgements k ON k.seq = a.seq
        WHERE a.type = @type${status}${before} ORDER BY a.seq DESC LIMIT @limit`;
      rows.push(...(guarded(() => this.q(sql).all({ type, limit: filter.limit, ...(filter.beforeSeq !== undefined ? { beforeSeq: filter.beforeSeq } : {}) })) as typeof rows));
    }
    return reuseAlertPage(rows, filter.limit, toEntry);
  }

  async countOpenReuseAlerts(): Promise<number> {
    const placeholders = REUSE_ALERT_TYPES.map(() => '?').join(', ');
    return guarded(() => (this.q(`SELECT count(*) AS n FROM audit a WHERE a.type IN (${placeholders})
      AND NOT EXISTS (SELECT 1 FROM audit_acknowledgements k WHERE k.seq = a.seq)`).get(...REUSE_ALERT_TYPES) as { n: number }).n);
  }
}
