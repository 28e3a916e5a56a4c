/**
 * PgStore's token, revocation, key and audit rows (the base class of ./pg-store.ts, split off to keep files
 * small). Revocations and audit entries are inserted under a transaction-scoped advisory lock, so their ids are
 * handed out in commit order (see the note above CORE in ./migrations.ts).
 */
import type { AuditEntry } from '../../../shared/dto';
import type {
  AccessTokenRow, LiveAccessTokenTally, RevokedSession, AuditFilter, AuditInsert, KeyRow, Presenter, RefreshRotation, RefreshTokenRow, RevocationRow, SessionRow, UserRow,
} from '../store';
import { WardenError } from '../../../shared/errors';
import type { Db, SqlValue } from './db';
import { LOCK_NAMESPACE, LOCKS } from './migrations';
import { CHANGES_CHANNEL } from './pg-changes';
import {
  ACCESS_COLUMNS, AUDIT_COLUMNS, KEY_COLUMNS, REFRESH_COLUMNS, REVOCATION_COLUMNS, SESSION_COLUMNS, USER_COLUMNS,
  assertCount, assertHash, patchRow, selectList, splitRow,
} from './pg-columns';

const REFRESH = selectList(REFRESH_COLUMNS);
const ACCESS = selectList(ACCESS_COLUMNS);
/** ACCESS's fields read back from a subquery named `live` that selected ACCESS. */
const LIVE_ACCESS = Object.keys(ACCESS_COLUMNS).map((field) => `live."${field}"`).join(', ');
const REVOCATION = selectList(REVOCATION_COLUMNS);
const KEY = selectList(KEY_COLUMNS);
const AUDIT = selectList(AUDIT_COLUMNS);
const KEY_PATCH: Record<string, string> = {
  status: 'status', retiringSince: 'retiring_since', retiresAt: 'retires_at', revokedAt: 'revoked_at',
};
// The session row is locked as it is read (to the refresh's commit): a revocation of the session committed by
// another instance meanwhile is waited for and then seen (revoked_at), never rotated past; and the refresh
// takes the session's lock first, as a revocation does (the session, then its tokens), so the two never deadlock.
const GRANT_SQL = `SELECT ${selectList(REFRESH_COLUMNS, 't')}, ${selectList(SESSION_COLUMNS, 's')}, ${selectList(USER_COLUMNS, 'u')}
  FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id JOIN users u ON u.id = t.user_id WHERE t.hash = $1
  FOR NO KEY UPDATE OF s`;
const HIGH_WATER = 'revocations_high_water';
/** rotateRefreshToken: the session's update, the compare-and-set, then the two inserts only if it won. */
const ROTATE_SQL = `WITH touched AS (
    UPDATE sessions SET last_activity_at = $24, idle_expires_at = $25, refresh_count = $26 WHERE id = $23 RETURNING 1),
  used AS (
    UPDATE refresh_tokens SET used_at = $1, successor_hash = $2, used_ip = $3, used_user_agent = $4
    WHERE hash = $5 AND used_at IS NULL AND EXISTS (SELECT 1 FROM touched) RETURNING 1),
  successor AS (
    INSERT INTO refresh_tokens (hash, session_id, user_id, client_id, refresh_version, created_at, used_at, successor_hash,
      revoked_at, used_ip, used_user_agent)
    SELECT $2::text, $6::text, $7::text, $8::text, $9::integer, $10::bigint, $11::bigint, $12::text, $13::bigint, $14::text, $15::text
    WHERE EXISTS (SELECT 1 FROM used)),
  access AS (
    INSERT INTO access_tokens (jti, session_id, user_id, client_id, kid, issued_at, expires_at)
    SELECT $16::text, $17::text, $18::text, $19::text, $20::text, $21::bigint, $22::bigint WHERE EXISTS (SELECT 1 FROM used))
  SELECT (SELECT count(*) FROM used) AS used, (SELECT count(*) FROM touched) AS touched`;

export abstract class PgTokenRows {
  constructor(protected readonly db: Db) {}

  // refresh tokens

  async insertRefreshToken(row: RefreshTokenRow): Promise<void> {
    assertHash(row.hash, 'hash');
    if (row.successorHash !== null) assertHash(row.successorHash, 'successorHash');
    await this.db.run(`INSERT INTO refresh_tokens (hash, session_id, user_id, client_id, refresh_version, created_at, used_at,
      successor_hash, revoked_at, used_ip, used_user_agent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [row.hash, row.sessionId, row.userId, row.clientId, row.refreshVersion, row.createdAt, row.usedAt, row.successorHash,
      row.revokedAt, row.usedIp, row.usedUserAgent]);
  }

  getRefreshToken(hash: string): Promise<RefreshTokenRow | undefined> {
    return this.db.row<RefreshTokenRow>(`SELECT ${REFRESH} FROM refresh_tokens WHERE hash = $1`, [hash]);
  }

  async getRefreshGrant(hash: string): Promise<{ token: RefreshTokenRow; session: SessionRow; user: UserRow } | undefined> {
    // One statement instead of three; the tables share field names, so each part's fields are prefixed.
    const row = await this.db.row<Record<string, unknown>>(GRANT_SQL, [hash]);
    if (!row) return undefined;
    return {
      token: splitRow<RefreshTokenRow>(row, 't', REFRESH_COLUMNS),
      session: splitRow<SessionRow>(row, 's', SESSION_COLUMNS),
      user: splitRow<UserRow>(row, 'u', USER_COLUMNS),
    };
  }

  async markRefreshTokenUsed(hash: string, usedAt: number, successorHash: string, presenter?: Presenter): Promise<boolean> {
    assertHash(successorHash, 'successorHash');
    // Compare-and-set: of two racing refreshes (any connections, any instances) only one sees used_at IS NULL;
    // the other waits for its row lock, re-reads the committed row and changes nothing.
    const changed = await this.db.run(`UPDATE refresh_tokens SET used_at = $1, successor_hash = $2, used_ip = $3, used_user_agent = $4
      WHERE hash = $5 AND used_at IS NULL`, [usedAt, successorHash, presenter?.ip ?? null, presenter?.userAgent ?? null, hash]);
    return changed === 1;
  }

  /**
   * The rotation in one round trip (a refresh made four): the session's update, the compare-and-set above and,
   * only when it changed the row, the successor's and the access token's inserts (`WHERE EXISTS` on its
   * RETURNING). One statement, one snapshot: a refresh racing on another connection waits for the token's row
   * lock and then finds `used_at` set, as with separate statements. The session's row lock is already this
   * transaction's (getRefreshGrant reads it FOR NO KEY UPDATE), so updating it here takes no new lock, and the
   * lock order stays that of revokeSession (the session, then its tokens). As updateSession: not_found when
   * the session is gone, and then nothing is written (the compare-and-set requires the session's update).
   */
  async rotateRefreshToken(r: RefreshRotation): Promise<boolean> {
    const s = r.successor;
    assertHash(s.hash, 'successorHash');
    if (s.successorHash !== null) assertHash(s.successorHash, 'successorHash');
    const a = r.access;
    const row = await this.db.row<{ used: number; touched: number }>(ROTATE_SQL, [r.usedAt, s.hash, r.presenter?.ip ?? null,
      r.presenter?.userAgent ?? null, r.hash, s.sessionId, s.userId, s.clientId, s.refreshVersion, s.createdAt, s.usedAt,
      s.successorHash, s.revokedAt, s.usedIp, s.usedUserAgent, a.jti, a.sessionId, a.userId, a.clientId, a.kid, a.issuedAt,
      a.expiresAt, r.sessionId, r.session.lastActivityAt, r.session.idleExpiresAt, r.session.refreshCount]);
    if (row?.touched !== 1) throw new WardenError('not_found', 'updateSession: no such record.');
    return row.used === 1;
  }

  async revokeRefreshToken(hash: string, at: number): Promise<boolean> {
    return (await this.db.run('UPDATE refresh_tokens SET revoked_at = $1 WHERE hash = $2 AND revoked_at IS NULL', [at, hash])) === 1;
  }

  revokeSessions(sessionIds: string[], revocation: { at: number; by: string; reason: string }): Promise<RevokedSession[]> {
    if (sessionIds.length === 0) return Promise.resolve([]);
    // A server-side loop of exact lookups, one round trip for them all (tw_revoke_sessions, migrations.ts).
    return this.db.rows<RevokedSession>('SELECT out_session_id AS "sessionId", out_refresh_tokens AS "refreshTokens" FROM tw_revoke_sessions($1, $2, $3, $4)',
      [sessionIds, revocation.at, revocation.by, revocation.reason]);
  }

  revokeRefreshTokensOfSession(sessionId: string, at: number): Promise<number> {
    // Through the user's current tokens (refresh_tokens_user_current: a few rows), not the session's whole chain:
    // its used tokens are dead already, and rewriting hundreds of them made a revocation slow.
    return this.db.run(`UPDATE refresh_tokens SET revoked_at = $1
      WHERE user_id = (SELECT user_id FROM sessions WHERE id = $2) AND session_id = $2 AND revoked_at IS NULL AND used_at IS NULL`, [at, sessionId]);
  }

  revokeRefreshTokensOfUser(userId: string, at: number): Promise<number> {
    return this.db.run('UPDATE refresh_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL AND used_at IS NULL', [at, userId]);
  }

  listRefreshTokensOfSession(sessionId: string): Promise<RefreshTokenRow[]> {
    return this.db.rows<RefreshTokenRow>(`SELECT ${REFRESH} FROM refresh_tokens WHERE session_id = $1 ORDER BY created_at, ord`, [sessionId]);
  }

  // access tokens

  async insertAccessToken(row: AccessTokenRow): Promise<void> {
    await this.db.run(`INSERT INTO access_tokens (jti, session_id, user_id, client_id, kid, issued_at, expires_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7)`, [row.jti, row.sessionId, row.userId, row.clientId, row.kid, row.issuedAt, row.expiresAt]);
  }

  getAccessToken(jti: string): Promise<AccessTokenRow | undefined> {
    return this.db.row<AccessTokenRow>(`SELECT ${ACCESS} FROM access_tokens WHERE jti = $1`, [jti]);
  }

  /** Newest first. */
  listAccessTokensOfSession(sessionId: string, limit: number): Promise<AccessTokenRow[]> {
    assertCount(limit, 'limit');
    return this.db.rows<AccessTokenRow>(`SELECT ${ACCESS} FROM access_tokens WHERE session_id = $1 ORDER BY issued_at DESC, ord DESC LIMIT $2`,
      [sessionId, limit]);
  }

  /** Oldest first. */
  async listLiveAccessTokensOfSessions(sessionIds: string[], now: number): Promise<AccessTokenRow[]> {
    if (sessionIds.length === 0) return [];
    // Session by session (LATERAL), as listLiveAccessTokensOfUser.
    return this.db.rows<AccessTokenRow>(`SELECT ${LIVE_ACCESS} FROM (SELECT DISTINCT unnest($1::text[]) AS id) s CROSS JOIN LATERAL (
        SELECT ${ACCESS}, a.ord FROM access_tokens a WHERE a.session_id = s.id AND a.expires_at > $2) live
      ORDER BY live."issuedAt", live.ord`, [sessionIds, now]);
  }

  /** Oldest first. Through the user's sessions, as in SQLite (a token's user is always its session's). */
  listLiveAccessTokensOfUser(userId: string, now: number): Promise<AccessTokenRow[]> {
    // Session by session, as tallyLiveAccessTokensOfUser (LATERAL), never through every live token's expiry.
    return this.db.rows<AccessTokenRow>(`SELECT ${LIVE_ACCESS} FROM sessions s CROSS JOIN LATERAL (
        SELECT ${ACCESS}, a.ord FROM access_tokens a WHERE a.session_id = s.id AND a.expires_at > $2) live
      WHERE s.user_id = $1 ORDER BY live."issuedAt", live.ord`, [userId, now]);
  }

  tallyLiveAccessTokensOfUser(userId: string, now: number): Promise<LiveAccessTokenTally[]> {
    // Session by session (LATERAL: access_tokens_session for each), not one join: with the statistics lagging
    // behind a refresh load the planner hashed every live token of the deployment to find this user's few.
    return this.db.rows<LiveAccessTokenTally>(`SELECT s.id AS "sessionId", live.count, live.latest AS "latestExpiresAt"
      FROM sessions s CROSS JOIN LATERAL (
        SELECT count(*) AS count, max(a.expires_at) AS latest FROM access_tokens a WHERE a.session_id = s.id AND a.expires_at > $2) live
      WHERE s.user_id = $1 AND live.count > 0`, [userId, now]);
  }

  async countLiveAccessTokensByKid(kid: string, now: number): Promise<number> {
    return (await this.db.row<{ n: number }>('SELECT count(*) AS n FROM access_tokens WHERE kid = $1 AND expires_at > $2', [kid, now]))?.n ?? 0;
  }

  purgeAccessTokens(before: number): Promise<number> {
    return this.db.run('DELETE FROM access_tokens WHERE expires_at < $1', [before]);
  }

  // revocations

  async insertRevocation(row: Omit<RevocationRow, 'id'>): Promise<number> {
    // The lock is taken before the identity is drawn and held to commit: ids become visible in order. The commit
    // announces 'revocations' (every instance's feed reads the log; PostgreSQL folds repeats within a transaction).
    const inserted = await this.db.row<{ id: number }>(`WITH ordered AS (SELECT pg_advisory_xact_lock($1, $2)),
      announced AS (SELECT pg_notify($11, 'revocations'))
      INSERT INTO revocations (kind, subject, user_id, not_before, expires_at, created_at, actor, reason)
      SELECT $3::text, $4::text, $5::text, $6::bigint, $7::bigint, $8::bigint, $9::text, $10::text FROM ordered, announced RETURNING id`,
    [LOCK_NAMESPACE, LOCKS.revocations, row.kind, row.subject, row.userId, row.notBefore, row.expiresAt, row.createdAt,
      row.actor, row.reason, CHANGES_CHANNEL]);
    return inserted!.id;
  }

  async isJtiRevoked(jti: string): Promise<boolean> {
    return (await this.db.row("SELECT 1 FROM revocations WHERE kind = 'jti' AND subject = $1 LIMIT 1", [jti])) !== undefined;
  }

  listRevocationsAfter(afterId: number, limit: number): Promise<RevocationRow[]> {
    assertCount(limit, 'limit');
    return this.db.rows<RevocationRow>(`SELECT ${REVOCATION} FROM revocations WHERE id > $1 ORDER BY id LIMIT $2`, [afterId, limit]);
  }

  async lastRevocationId(): Promise<number> {
    // The highest id ever committed, even after a purge removed the newest rows (the high-water mark it left).
    const row = await this.db.row<{ id: number }>(`SELECT GREATEST(coalesce((SELECT max(id) FROM revocations), 0),
      coalesce((SELECT value::bigint FROM meta WHERE key = $1), 0))::bigint AS id`, [HIGH_WATER]);
    return row?.id ?? 0;
  }

  purgeRevocations(before: number): Promise<number> {
    return this.db.transaction(async () => {
      await this.db.run(`INSERT INTO meta (key, value) SELECT $1, max(id)::text FROM revocations HAVING max(id) IS NOT NULL
        ON CONFLICT (key) DO UPDATE SET value = GREATEST(meta.value::bigint, excluded.value::bigint)::text`, [HIGH_WATER]);
      return this.db.run("DELETE FROM revocations WHERE kind = 'jti' AND expires_at < $1", [before]);
    });
  }

  // signing keys

  async insertKey(row: KeyRow): Promise<void> {
    await this.db.run(`INSERT INTO signing_keys (kid, alg, public_jwk, status, created_at, retiring_since, retires_at, revoked_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [row.kid, row.alg, row.publicJwk, row.status, row.createdAt, row.retiringSince, row.retiresAt, row.revokedAt]);
  }

  getKey(kid: string): Promise<KeyRow | undefined> {
    return this.db.row<KeyRow>(`SELECT ${KEY} FROM signing_keys WHERE kid = $1`, [kid]);
  }

  updateKey(kid: string, patch: Partial<Pick<KeyRow, 'status' | 'retiringSince' | 'retiresAt' | 'revokedAt'>>): Promise<void> {
    return patchRow(this.db, 'signing_keys', 'kid', KEY_PATCH, 'updateKey', kid, patch);
  }

  listKeys(): Promise<KeyRow[]> {
    return this.db.rows<KeyRow>(`SELECT ${KEY} FROM signing_keys ORDER BY created_at, ord`);
  }

  // audit

  async appendAudit(entry: AuditInsert & { prevHash: string; hash: string }): Promise<number> {
    // One tail at a time across instances: the lock is held to commit (see migrations.ts).
    const inserted = await this.db.row<{ seq: number }>(`WITH ordered AS (SELECT pg_advisory_xact_lock($1, $2))
      INSERT INTO audit (at, type, actor, user_id, session_id, reason, data, prev_hash, hash)
      SELECT $3::bigint, $4::text, $5::text, $6::text, $7::text, $8::text, $9::json, $10::text, $11::text FROM ordered RETURNING seq`,
    [LOCK_NAMESPACE, LOCKS.audit, entry.at, entry.type, entry.actor, entry.userId, entry.sessionId, entry.reason,
      JSON.stringify(entry.data), entry.prevHash, entry.hash]);
    return inserted!.seq;
  }

  async appendAudits(entries: Array<AuditInsert & { prevHash: string; hash: string }>): Promise<number[]> {
    if (entries.length <= 1) return entries.length === 0 ? [] : [await this.appendAudit(entries[0]!)];
    // One statement for them all, inserted in the order given (ORDER BY n): seq, drawn as rows are inserted,
    // then rises in that order, so the seqs sorted are the entries' in order.
    const column = <T>(pick: (entry: AuditInsert & { prevHash: string; hash: string }) => T) => entries.map(pick);
    const inserted = await this.db.rows<{ seq: number }>(`WITH ordered AS (SELECT pg_advisory_xact_lock($1, $2))
      INSERT INTO audit (at, type, actor, user_id, session_id, reason, data, prev_hash, hash)
      SELECT e.at, e.type, e.actor, e.user_id, e.session_id, e.reason, e.data::json, e.prev_hash, e.hash
      FROM ordered, unnest($3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
        WITH ORDINALITY AS e(at, type, actor, user_id, session_id, reason, data, prev_hash, hash, n)
      ORDER BY e.n RETURNING seq`,
    [LOCK_NAMESPACE, LOCKS.audit, column((e) => e.at), column((e) => e.type), column((e) => e.actor), column((e) => e.userId),
      column((e) => e.sessionId), column((e) => e.reason), column((e) => JSON.stringify(e.data)), column((e) => e.prevHash), column((e) => e.hash)]);
    return inserted.map((row) => row.seq).sort((x, y) => x - y);
  }

  lastAudit(): Promise<AuditEntry | undefined> {
    return this.db.row<AuditEntry>(`SELECT ${AUDIT} FROM audit ORDER BY seq DESC LIMIT 1`);
  }

  /** Newest first; `since`/`until` are inclusive bounds on `at`, `beforeSeq` is exclusive. */
  listAudit(filter: AuditFilter): Promise<AuditEntry[]> {
    assertCount(filter.limit, 'limit');
    const params: SqlValue[] = [];
    const where: string[] = [];
    const conditions: [keyof AuditFilter, string][] = [
      ['type', 'type ='], ['actor', 'actor ='], ['userId', 'user_id ='], ['sessionId', 'session_id ='],
      ['since', 'at >='], ['until', 'at <='], ['beforeSeq', 'seq <'],
    ];
    for (const [field, condition] of conditions) {
      const value = filter[field];
      if (value === undefined) continue;
      params.push(value);
      where.push(`${condition} $${params.length}`);
    }
    params.push(filter.limit);
    return this.db.rows<AuditEntry>(`SELECT ${AUDIT} FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY seq DESC LIMIT $${params.length}`, params);
  }

  async *iterateAudit(batchSize: number): AsyncIterableIterator<AuditEntry> {
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new TypeError('batchSize must be a positive integer');
    // Keyset pages (seq > last): no cursor held open between batches, no page costs more than its rows.
    let after = 0;
    for (;;) {
      const rows = await this.db.rows<AuditEntry>(`SELECT ${AUDIT} FROM audit WHERE seq > $1 ORDER BY seq LIMIT $2`, [after, batchSize]);
      yield* rows;
      const last = rows[rows.length - 1];
      if (rows.length < batchSize || last === undefined) return;
      after = last.seq;
    }
  }
}
