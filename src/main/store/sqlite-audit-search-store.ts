/**
 * `AuditSearchStore` on the SqliteStore's connection (its statement cache). Every query is "newest first, at
 * most `limit`", so each shape is chosen to read about `limit` rows, not every match:
 * - free text walks the FTS5 index by rowid (= seq) descending and stops at `limit`;
 * - several types (or the few actors a prefix names) run one ordered (type, seq) / (actor, seq) index walk
 *   each, merged here; free text within a rare type (a capped count says so) is matched here on its few rows;
 * - a prefix with few matches reads them through its index and sorts them; one with many (probed with a capped
 *   count) walks the table newest first instead, where matches are dense enough to stop early;
 * - a time window bounds every walk by its entries' seq range (read from the (at) index, up to SPAN_MAX entries).
 * Seq bounds on the FTS table are cast to INTEGER (see INT): FTS5 seeks only on an INTEGER rowid bound.
 */
import type Database from 'better-sqlite3';
import type { AuditEntry } from '../../shared/dto';
import { WardenError } from '../../shared/errors';
import {
  REUSE_ALERT_TYPES,
  type AuditAcknowledgement,
  type AuditSearchFilter,
  type AuditSearchStore,
  type ReuseAlertFilter,
  type ReuseAlertRow,
} from './audit-search-store';
import { toStoreError } from './sqlite-store';

const COLUMNS = `a.seq, a.at, a.type, a.actor, a.user_id AS userId, a.session_id AS sessionId, a.reason, a.data,
  a.prev_hash AS prevHash, a.hash`;
const ACK = 'seq, acknowledged_by AS "by", acknowledged_at AS at, note';
type Raw = Omit<AuditEntry, 'data'> & { data: string };
const toEntry = (row: Raw): AuditEntry => ({ ...row, data: JSON.parse(row.data) as Record<string, unknown> });

/** Above this many matches a prefix counts as dense: walking newest first finds `limit` of them quickly. */
const SPARSE_MAX = 2000;
/** A dense time window with at most this many entries is bounded by its seq range (a few ms of index reading). */
const SPAN_MAX = 60_000;
/** A prefix naming at most this many distinct actors is searched one actor at a time. */
const ACTOR_ARMS_MAX = 32;
/** Greater than any UTF-8 continuation of a prefix under SQLite's byte-wise BINARY comparison. */
const TOP = '\u{10FFFF}';

function guarded<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw toStoreError(error);
  }
}

/** A free text as one FTS5 phrase (quotes doubled): with the trigram tokenizer, a case-insensitive substring. */
export function ftsPhrase(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

type Params = Record<string, string | number>;

/**
 * A parameter as an SQL INTEGER. better-sqlite3 binds every JS number as a REAL, and FTS5 ignores a rowid bound
 * that is not an INTEGER (it then steps through every match from the index's end and lets SQLite filter them):
 * a deeper page of a common text took 30-150 ms instead of 2.
 */
const INT = (name: string) => `CAST(@${name} AS INTEGER)`;

/**
 * The trigram index's match, for rows already in hand: a case-insensitive substring of one of the indexed
 * columns (data as stored, the JSON text).
 */
function containsText(row: Raw, text: string): boolean {
  const needle = text.toLowerCase();
  return [row.type, row.actor, row.userId, row.sessionId, row.reason, row.data].some((value) => value !== null && value.toLowerCase().includes(needle));
}

/** The filter's actor, user or session condition, if any (beyond text, types, time and paging). */
function narrowerThanTime(filter: AuditSearchFilter): string | undefined {
  return filter.actor ?? filter.actorPrefix ?? filter.userId ?? filter.userPrefix ?? filter.sessionId;
}

export class SqliteAuditSearchStore implements AuditSearchStore {
  constructor(private readonly q: (sql: string) => Database.Statement) {}

  search(filter: AuditSearchFilter): AuditEntry[] {
    if (!Number.isSafeInteger(filter.limit) || filter.limit < 0) throw new TypeError('limit must be a non-negative integer');
    if (filter.q !== undefined && [...filter.q].length < 3) throw new WardenError('invalid_input', 'Free-text search needs at least 3 characters.');
    return guarded(() => this.run(filter));
  }

  private run(filter: AuditSearchFilter): AuditEntry[] {
    const params: Params = { limit: filter.limit };
    const where: string[] = [];
    const text = filter.q !== undefined;
    if (text) params.q = ftsPhrase(filter.q!);
    const add = (condition: string, name: string, value: string | number | undefined) => {
      if (value === undefined) return;
      where.push(condition);
      params[name] = value;
    };
    add('a.actor = @actor', 'actor', filter.actor);
    add('a.user_id = @userId', 'userId', filter.userId);
    add('a.session_id = @sessionId', 'sessionId', filter.sessionId);
    if (filter.since !== undefined || filter.until !== undefined) {
      // A window holding many entries is walked newest first (its entries are found early); a small one is read
      // through the (at) index and sorted. Either way the bounds are checked on every row: clocks may step back.
      const since = filter.since ?? 0;
      const until = filter.until ?? Number.MAX_SAFE_INTEGER;
      // Any other window of at most SPAN_MAX entries also bounds the walk by its seq range (exact whatever the clock
      // did: min/max over the window): one ending long ago starts at its newest entry instead of walking every
      // newer one, and free text or a type walk stops checking matches outside it.
      // A dense window with few newer entries (the last day) is found by the newest-first walk at once: no span.
      const sparse = this.isSparse('audit_at', 'at >= ? AND at <= ?', [since, until]);
      const recent = !sparse && this.isSparse('audit_at', 'at > ?', [until]);
      const span = recent ? undefined : this.seqSpan(since, until);
      const at = text || sparse ? 'a.at' : '+a.at';
      add(`${at} >= @since`, 'since', filter.since);
      add(`${at} <= @until`, 'until', filter.until);
      if (span) {
        add(text ? `f.rowid >= ${INT('spanLo')}` : 'a.seq >= @spanLo', 'spanLo', span.lo);
        add(text ? `f.rowid <= ${INT('spanHi')}` : 'a.seq <= @spanHi', 'spanHi', span.hi);
      }
    }
    add(text ? `f.rowid < ${INT('beforeSeq')}` : 'a.seq < @beforeSeq', 'beforeSeq', filter.beforeSeq);
    if (filter.userPrefix) this.prefix(where, params, 'user_id', 'audit_user', filter.userPrefix, 'user', text);

    // Arms: one ordered index walk each, merged below.
    let arms: string[][] = [[]];
    const types = filter.types ? [...new Set(filter.types)] : [];
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
    const from = text
      ? 'FROM audit_fts f JOIN audit a ON a.seq = f.rowid WHERE audit_fts MATCH @q'
      : `FROM audit a${byType} WHERE 1`;
    const order = text ? 'ORDER BY f.rowid DESC' : 'ORDER BY a.seq DESC';
    const rows: Raw[] = [];
    for (const [i, arm] of arms.entries()) {
      const conditions = [...where, ...arm].map((c) => ` AND ${c}`).join('');
      // A rare type with a common text: the type's few rows, matched here, beat walking every text match.
      if (text && types.length > 0 && this.isSparse('audit_type', 'type = ?', [params[`type${i}`]!])) {
        const all = this.q(`SELECT ${COLUMNS} FROM audit a WHERE 1${conditions.replaceAll('f.rowid', 'a.seq')} ORDER BY a.seq DESC`).all(params) as Raw[];
        rows.push(...all.filter((row) => containsText(row, filter.q!)).slice(0, filter.limit));
        continue;
      }
      const sql = `SELECT ${COLUMNS} ${from}${conditions} ${order} LIMIT @limit`;
      rows.push(...(this.q(sql).all(params) as Raw[]));
    }
    if (arms.length > 1) rows.sort((x, y) => y.seq - x.seq);
    return rows.slice(0, filter.limit).map(toEntry);
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

  /**
   * The seq range of the entries within [since, until] (a covering walk of the (at) index), or undefined when the
   * window holds more than SPAN_MAX entries (then reading it costs more than the newest-first walk it would bound).
   */
  private seqSpan(since: number, until: number): { n: number; lo: number; hi: number } | undefined {
    const row = this.q(`SELECT count(*) AS n, min(seq) AS lo, max(seq) AS hi FROM (SELECT seq FROM audit INDEXED BY audit_at
      WHERE at >= ? AND at <= ? LIMIT ${SPAN_MAX + 1})`).get(since, until) as { n: number; lo: number | null; hi: number | null };
    if (row.n > SPAN_MAX) return undefined;
    return { n: row.n, lo: row.lo ?? 0, hi: row.hi ?? -1 };
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

  get(seq: number): AuditEntry | undefined {
    const row = guarded(() => this.q(`SELECT ${COLUMNS} FROM audit a WHERE a.seq = ?`).get(seq) as Raw | undefined);
    return row && toEntry(row);
  }

  acknowledge(ack: AuditAcknowledgement): void {
    guarded(() => {
      const result = this.q('INSERT OR IGNORE INTO audit_acknowledgements (seq, acknowledged_by, acknowledged_at, note) VALUES (?, ?, ?, ?)').run(ack.seq, ack.by, ack.at, ack.note);
      if (result.changes === 0) throw new WardenError('conflict', `Audit entry #${ack.seq} was already acknowledged.`);
    });
  }

  getAcknowledgement(seq: number): AuditAcknowledgement | undefined {
    return guarded(() => this.q(`SELECT ${ACK} FROM audit_acknowledgements WHERE seq = ?`).get(seq) as AuditAcknowledgement | undefined);
  }

  listReuseAlerts(filter: ReuseAlertFilter): ReuseAlertRow[] {
    if (!Number.isSafeInteger(filter.limit) || filter.limit < 0) throw new TypeError('limit must be a non-negative integer');
    const status = filter.status === 'open' ? ' AND k.seq IS NULL' : filter.status === 'acknowledged' ? ' AND k.seq IS NOT NULL' : '';
    const before = filter.beforeSeq !== undefined ? ' AND a.seq < @beforeSeq' : '';
    const rows: (Raw & { ackBy: string | null; ackAt: number | null; ackNote: string | null })[] = [];
    // One (type, seq) walk per alert type, merged: newest first without sorting every alert.
    for (const type of REUSE_ALERT_TYPES) {
      const sql = `SELECT ${COLUMNS}, k.acknowledged_by AS ackBy, k.acknowledged_at AS ackAt, k.note AS ackNote
        FROM audit a LEFT JOIN audit_acknowledgements k ON k.seq = a.seq
        WHERE a.type = @type${status}${before} ORDER BY a.seq DESC LIMIT @limit`;
      rows.push(...(guarded(() => this.q(sql).all({ type, limit: filter.limit, ...(filter.beforeSeq !== undefined ? { beforeSeq: filter.beforeSeq } : {}) })) as typeof rows));
    }
    rows.sort((x, y) => y.seq - x.seq);
    return rows.slice(0, filter.limit).map(({ ackBy, ackAt, ackNote, ...raw }) => ({
      entry: toEntry(raw),
      acknowledgement: ackBy !== null && ackAt !== null ? { seq: raw.seq, by: ackBy, at: ackAt, note: ackNote ?? '' } : null,
    }));
  }

  countOpenReuseAlerts(): number {
    const placeholders = REUSE_ALERT_TYPES.map(() => '?').join(', ');
    return guarded(() => (this.q(`SELECT count(*) AS n FROM audit a WHERE a.type IN (${placeholders})
      AND NOT EXISTS (SELECT 1 FROM audit_acknowledgements k WHERE k.seq = a.seq)`).get(...REUSE_ALERT_TYPES) as { n: number }).n);
  }
}
