/**
 * `AuditSearchStore` on PostgreSQL: the semantics of ../sqlite-audit-search-store.ts (newest first by seq, at
 * most `limit`), each shape chosen to read about `limit` rows rather than every match:
 * - free text is `AUDIT_TEXT LIKE '%text%'` (both folded) on the pg_trgm GIN index (./sub-store-schema.ts), which answers
 *   exactly FTS5 trigram's question (a case-insensitive substring of one column; the columns are joined by a
 *   separator a needle never crosses); the planner weighs it against the newest-first seq walk with its
 *   statistics, which SQLite could not;
 * - several types (or the few actors a prefix names) run one (type, seq) / (actor, seq) index walk each,
 *   merged here: PostgreSQL cannot merge several ranges of one index in order itself;
 * - a time window whose entries are dense and not the newest is bounded by their seq range as well (read from
 *   the (at, seq) index, up to SPAN_MAX entries), so the seq walk starts at its newest entry;
 * - a prefix with many matches is tested row by row on the newest-first walk (starts_with), one with few is
 *   read through its byte-order index (the capped count SQLite's store also makes).
 * Prefixes and actor names compare with COLLATE "C" (byte order, as SQLite's BINARY), matching the indexes.
 */
import type { AuditEntry } from '../../../shared/dto';
import { WardenError } from '../../../shared/errors';
import { ACTOR_ARMS_MAX, checkAuditSearch, checkReuseAlertFilter, distinctTypes, newestFirst, reuseAlertPage, TOP, type RawAlert } from '../audit-search-rules';
import {
  REUSE_ALERT_TYPES,
  type AuditAcknowledgement,
  type AuditSearchFilter,
  type AuditSearchStore,
  type ReuseAlertFilter,
  type ReuseAlertRow,
} from '../audit-search-store';
import type { SqlValue } from './db';
import { AUDIT_TEXT, fold } from './sub-store-schema';
import { bind, escapeLike, type SqlRunner } from './sub-store-sql';

const COLUMNS = `a.seq, a.at, a.type, a.actor, a.user_id AS "userId", a.session_id AS "sessionId", a.reason, a.data,
  a.prev_hash AS "prevHash", a.hash`;
type Raw = Omit<AuditEntry, 'data'> & { data: string | Record<string, unknown> };
/** The core schema may keep data as TEXT (parsed here) or JSONB (parsed by the driver). */
const toEntry = (row: Raw): AuditEntry => ({ ...row, data: typeof row.data === 'string' ? (JSON.parse(row.data) as Record<string, unknown>) : row.data });

/** The columns AUDIT_TEXT joins, for a needle containing its separator (then matched column by column). */
const TEXT_COLUMNS = ['a.type', 'a.actor', 'a.user_id', 'a.session_id', 'a.reason', 'a.data::text'];
/** Above this many entries a time window counts as dense. */
const SPARSE_MAX = 2000;
/**
 * A dense time window with at most this many entries is bounded by its seq range: reading it is an index-only
 * walk of (at, seq), about 20 ms for 250,000 entries, where an old window's filtered walk could take 500.
 */
const SPAN_MAX = 250_000;
const C = 'COLLATE "C"';

type Params = Record<string, SqlValue>;

export class PgAuditSearchStore implements AuditSearchStore {
  constructor(private readonly db: SqlRunner) {}

  async search(filter: AuditSearchFilter): Promise<AuditEntry[]> {
    checkAuditSearch(filter);
    const p: Params = { limit: filter.limit };
    const where: string[] = [];
    const add = (condition: string, name: string, value: SqlValue | undefined) => {
      if (value === undefined) return;
      where.push(condition);
      p[name] = value;
    };
    if (filter.q !== undefined) {
      p.needle = `%${escapeLike(filter.q)}%`;
      where.push(filter.q.includes('\x1f') ? `(${TEXT_COLUMNS.map((c) => `${fold(c)} LIKE ${fold('@needle::text')}`).join(' OR ')})` : `${AUDIT_TEXT} LIKE ${fold('@needle::text')}`);
    }
    add(`a.actor ${C} = @actor`, 'actor', filter.actor);
    add(`a.user_id ${C} = @userId`, 'userId', filter.userId);
    add('a.session_id = @sessionId', 'sessionId', filter.sessionId);
    add('a.at >= @since', 'since', filter.since);
    add('a.at <= @until', 'until', filter.until);
    if (filter.since !== undefined || filter.until !== undefined) {
      const span = await this.seqSpan(filter.since ?? 0, filter.until ?? Number.MAX_SAFE_INTEGER);
      if (span) {
        add('a.seq >= @spanLo', 'spanLo', span.lo);
        add('a.seq <= @spanHi', 'spanHi', span.hi);
      }
    }
    add('a.seq < @beforeSeq', 'beforeSeq', filter.beforeSeq);
    if (filter.userPrefix) where.push(await this.prefix(p, 'user_id', 'user', filter.userPrefix));

    // Arms: one ordered index walk each, merged below.
    let arms: string[] = [''];
    const types = distinctTypes(filter);
    if (types.length > 0) {
      arms = types.map((type, i) => {
        p[`type${i}`] = type;
        return ` AND a.type = @type${i}`;
      });
    }
    if (filter.actorPrefix) {
      const actors = types.length === 0 ? await this.actorsWithPrefix(filter.actorPrefix) : null;
      if (actors !== null) {
        if (actors.length === 0) return [];
        arms = actors.map((actor, i) => {
          p[`actor${i}`] = actor;
          return ` AND a.actor ${C} = @actor${i}`;
        });
      } else {
        where.push(await this.prefix(p, 'actor', 'actor', filter.actorPrefix));
      }
    }
    const conditions = where.map((c) => ` AND ${c}`).join('');
    const rows: Raw[] = [];
    for (const arm of arms) {
      rows.push(...(await this.db.rows<Raw>(...bind(`SELECT ${COLUMNS} FROM audit a WHERE TRUE${conditions}${arm} ORDER BY a.seq DESC LIMIT @limit`, p))));
    }
    return newestFirst(rows, filter.limit, arms.length > 1).map(toEntry);
  }

  /**
   * `column` starts with `prefix`: a range of its byte-order index when the matches are few (read and sorted);
   * when they are many (a capped count says so), a test the index cannot answer (starts_with), so that the
   * newest-first seq walk, which finds `limit` dense matches at once, is the plan rather than sorting them all.
   */
  private async prefix(p: Params, column: 'actor' | 'user_id', name: string, prefix: string): Promise<string> {
    p[`${name}Lo`] = prefix;
    p[`${name}Hi`] = prefix + TOP;
    const [probe] = await this.db.rows<{ n: number }>(`SELECT count(*) AS n FROM (SELECT 1 FROM audit WHERE ${column} ${C} >= $1 AND ${column} ${C} < $2
      LIMIT ${SPARSE_MAX + 1}) x`, [prefix, prefix + TOP]);
    if (probe!.n > SPARSE_MAX) return `starts_with(a.${column}, @${name}Lo)`;
    return `a.${column} ${C} >= @${name}Lo AND a.${column} ${C} < @${name}Hi`;
  }

  /**
   * The seq range of the entries within [since, until], when bounding the walk by it pays: the window is dense
   * (else its own index finds its few entries), not the newest (else the newest-first walk finds it at once),
   * and holds at most SPAN_MAX entries (else reading the range costs about what it saves). Exact whatever the
   * clock did (min/max over the window); the bounds on `at` are checked on every row anyway.
   */
  private async seqSpan(since: number, until: number): Promise<{ lo: number; hi: number } | undefined> {
    const capped = async (condition: string, values: number[], cap: number) =>
      (await this.db.rows<{ n: number }>(`SELECT count(*) AS n FROM (SELECT 1 FROM audit WHERE ${condition} LIMIT ${cap + 1}) x`, values))[0]!.n;
    if ((await capped('at >= $1 AND at <= $2', [since, until], SPARSE_MAX)) <= SPARSE_MAX) return undefined;
    if ((await capped('at > $1', [until], SPARSE_MAX)) <= SPARSE_MAX) return undefined;
    const [row] = await this.db.rows<{ n: number; lo: number | null; hi: number | null }>(`SELECT count(*) AS n, min(seq) AS lo, max(seq) AS hi
      FROM (SELECT seq FROM audit WHERE at >= $1 AND at <= $2 LIMIT ${SPAN_MAX + 1}) x`, [since, until]);
    if (row!.n > SPAN_MAX) return undefined;
    return { lo: row!.lo ?? 0, hi: row!.hi ?? -1 };
  }

  /** The distinct actors starting with `prefix` (a skip-scan of the actor index), or null when there are many. */
  private async actorsWithPrefix(prefix: string): Promise<string[] | null> {
    const actors: string[] = [];
    let after: string | undefined;
    for (;;) {
      const [row] = after === undefined
        ? await this.db.rows<{ actor: string }>(`SELECT actor FROM audit WHERE actor ${C} >= $1 AND actor ${C} < $2 ORDER BY actor ${C} LIMIT 1`, [prefix, prefix + TOP])
        : await this.db.rows<{ actor: string }>(`SELECT actor FROM audit WHERE actor ${C} > $1 AND actor ${C} < $2 ORDER BY actor ${C} LIMIT 1`, [after, prefix + TOP]);
      if (!row) return actors;
      if (actors.length === ACTOR_ARMS_MAX) return null;
      actors.push(row.actor);
      after = row.actor;
    }
  }

  async get(seq: number): Promise<AuditEntry | undefined> {
    const [row] = await this.db.rows<Raw>(`SELECT ${COLUMNS} FROM audit a WHERE a.seq = $1`, [seq]);
    return row && toEntry(row);
  }

  async acknowledge(ack: AuditAcknowledgement): Promise<void> {
    // ON CONFLICT rather than a failing INSERT: a failed statement would abort the caller's whole transaction.
    const inserted = await this.db.run(`INSERT INTO audit_acknowledgements (seq, acknowledged_by, acknowledged_at, note) VALUES ($1, $2, $3, $4)
      ON CONFLICT (seq) DO NOTHING`, [ack.seq, ack.by, ack.at, ack.note]);
    if (inserted === 0) throw new WardenError('conflict', `Audit entry #${ack.seq} was already acknowledged.`);
  }

  async getAcknowledgement(seq: number): Promise<AuditAcknowledgement | undefined> {
    const [row] = await this.db.rows<AuditAcknowledgement>('SELECT seq, acknowledged_by AS "by", acknowledged_at AS at, note FROM audit_acknowledgements WHERE seq = $1', [seq]);
    return row;
  }

  async listReuseAlerts(filter: ReuseAlertFilter): Promise<ReuseAlertRow[]> {
    checkReuseAlertFilter(filter);
    const status = filter.status === 'open' ? ' AND k.seq IS NULL' : filter.status === 'acknowledged' ? ' AND k.seq IS NOT NULL' : '';
    const before = filter.beforeSeq !== undefined ? ' AND a.seq < $3' : '';
    const rows: RawAlert<Raw>[] = [];
    // One (type, seq) walk per alert type, merged: newest first without sorting every alert.
    for (const type of REUSE_ALERT_TYPES) {
      const sql = `SELECT ${COLUMNS}, k.acknowledged_by AS "ackBy", k.acknowledged_at AS "ackAt", k.note AS "ackNote"
        FROM audit a LEFT JOIN audit_acknowledgements k ON k.seq = a.seq
        WHERE a.type = $1${status}${before} ORDER BY a.seq DESC LIMIT $2`;
      rows.push(...(await this.db.rows<(typeof rows)[number]>(sql, filter.beforeSeq !== undefined ? [type, filter.limit, filter.beforeSeq] : [type, filter.limit])));
    }
    return reuseAlertPage(rows, filter.limit, toEntry);
  }

  async countOpenReuseAlerts(): Promise<number> {
    const [row] = await this.db.rows<{ n: number }>(`SELECT count(*) AS n FROM audit a WHERE a.type = ANY($1::text[])
      AND NOT EXISTS (SELECT 1 FROM audit_acknowledgements k WHERE k.seq = a.seq)`, [[...REUSE_ALERT_TYPES]]);
    return row!.n;
  }
}
