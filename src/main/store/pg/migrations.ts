/**
 * The PostgreSQL schema as its own ordered list of migrations (not SQLite's: the two evolve separately, each
 * complete). The applied versions live in `schema_version`; `runMigrations` (./migration-runner.ts) applies
 * the missing ones at open, each in its own transaction, under a session advisory lock, so several instances
 * starting at once migrate once (the others wait on the lock, then find the schema current). A database whose
 * newest version is above this build's is refused (`schema_too_new`) before anything is written.
 *
 * Rules: append, never edit an applied migration, keep versions 1, 2, 3, … without gaps; put each area's DDL in
 * its own const with a comment naming the area. Version 1 is the core `Store` (PgStore, ./pg-store.ts); 2 the
 * sub-stores' tables (./sub-store-schema.ts `SUB_STORE_SCHEMA`); 3 the database key vault's
 * (`KEY_SECRET_SCHEMA`, same file). Columns of core tables that only a sub-store reads or writes (the users'
 * profile columns, the foreign key from sessions.browser_session_id to browser_sessions) are added by that
 * sub-store's migration with ALTER TABLE.
 *
 * Conventions: times are BIGINT ms since the epoch, ids TEXT, JSON lists JSONB, the audit's data JSON (kept as
 * written: the hash chain is computed over that text's order of keys). Tables listed newest-first or in
 * creation order carry `ord`, an identity column, as the tie-breaker SQLite's rowid was.
 */
import { KEY_SECRET_SCHEMA, SUB_STORE_SCHEMA } from './sub-store-schema';
import { COORDINATION_SCHEMA, UNKNOWN_NAME_SCHEMA } from './coordination-schema';
import { FEED_PRESENCE_SCHEMA } from './feed-presence-schema';

export interface PgMigration {
  version: number;
  sql: string;
}

/** The advisory lock keys (two-int form): 'TWRD' and the purpose. */
export const LOCK_NAMESPACE = 0x54575244;
export const LOCKS = { migrate: 1, revocations: 2, audit: 3 } as const;

/**
 * Area B1 (PostgreSQL core): schema 11 of the SQLite store in PostgreSQL terms, for the core Store methods.
 *
 * For several instances on one database (docs/postgres.md, Several instances):
 * - `revocations.id` and `audit.seq` are BIGINT identities. PgStore inserts into each while holding a
 *   transaction-scoped advisory lock (LOCKS.revocations / LOCKS.audit), so ids are handed out in commit order:
 *   a reader that has seen id N never later finds a committed N-1 (the revocation log can be the outbox, read
 *   by `id > cursor`, woken by NOTIFY), and the audit chain has one tail at a time (no fork).
 * - Counters, minute buckets and row counts are append-only deltas (`tally_deltas`), folded into `tallies`
 *   now and then: an increment never waits for another transaction's row lock (a hot counter row would
 *   serialize every refresh across instances and could deadlock against refresh-token row locks).
 */
const CORE = `
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- name: a CounterName, or a row count (users, users_blocked, sessions, sessions_revoked); minute: the
-- minute bucket (ms, floor to the minute) for counters that have buckets, else 0.
CREATE TABLE tally_deltas (
  id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name    TEXT NOT NULL,
  minute  BIGINT NOT NULL,
  delta   BIGINT NOT NULL
);
CREATE TABLE tallies (
  name    TEXT NOT NULL,
  minute  BIGINT NOT NULL,
  value   BIGINT NOT NULL,
  PRIMARY KEY (name, minute)
);
CREATE INDEX tally_deltas_name ON tally_deltas (name, minute);

CREATE FUNCTION tw_tally(counter TEXT, change BIGINT) RETURNS void LANGUAGE sql AS $$
  INSERT INTO tally_deltas (name, minute, delta) VALUES (counter, 0, change)
$$;

CREATE TABLE users (
  id               TEXT PRIMARY KEY,
  username         TEXT NOT NULL,
  password_hash    TEXT NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('active', 'blocked')),
  created_at       BIGINT NOT NULL,
  refresh_version  INTEGER NOT NULL,
  not_before       BIGINT,
  blocked_at       BIGINT,
  blocked_reason   TEXT,
  failed_logins    INTEGER NOT NULL DEFAULT 0,
  locked_until     BIGINT,
  last_login_at    BIGINT,
  ord              BIGINT GENERATED ALWAYS AS IDENTITY
);
-- Usernames are unique regardless of case (SQLite: COLLATE NOCASE); the pattern index serves prefix search.
CREATE UNIQUE INDEX users_username ON users (lower(username));
CREATE INDEX users_username_prefix ON users (lower(username) text_pattern_ops);
CREATE INDEX users_created ON users (created_at, ord);
CREATE INDEX users_status_created ON users (status, created_at, ord);

CREATE FUNCTION users_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM tw_tally('users', 1);
    IF NEW.status = 'blocked' THEN PERFORM tw_tally('users_blocked', 1); END IF;
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM tw_tally('users', -1);
    IF OLD.status = 'blocked' THEN PERFORM tw_tally('users_blocked', -1); END IF;
  ELSIF OLD.status IS DISTINCT FROM NEW.status THEN
    PERFORM tw_tally('users_blocked', CASE WHEN NEW.status = 'blocked' THEN 1 ELSE -1 END);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER users_count AFTER INSERT OR DELETE OR UPDATE OF status ON users
  FOR EACH ROW EXECUTE FUNCTION users_count();

CREATE TABLE clients (
  client_id                     TEXT PRIMARY KEY,
  kind                          TEXT NOT NULL CHECK (kind IN ('public', 'confidential')),
  name                          TEXT NOT NULL,
  secret_hash                   TEXT,
  created_at                    BIGINT NOT NULL,
  redirect_uris                 JSONB NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(redirect_uris) = 'array'),
  post_logout_redirect_uris     JSONB NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(post_logout_redirect_uris) = 'array'),
  backchannel_logout_uri        TEXT,
  grant_types                   JSONB NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(grant_types) = 'array'),
  id_token_signed_response_alg  TEXT NOT NULL DEFAULT 'RS256' CHECK (id_token_signed_response_alg IN ('EdDSA', 'ES256', 'RS256')),
  updated_at                    BIGINT,
  disabled_at                   BIGINT,
  disabled_reason               TEXT,
  deleted_at                    BIGINT,
  previous_secret_hash          TEXT,
  previous_secret_expires_at    BIGINT CHECK ((previous_secret_expires_at IS NULL) = (previous_secret_hash IS NULL)),
  access_token_ttl_seconds      INTEGER CHECK (access_token_ttl_seconds > 0),
  refresh_idle_seconds          INTEGER CHECK (refresh_idle_seconds > 0),
  refresh_absolute_seconds      INTEGER CHECK (refresh_absolute_seconds > 0),
  ord                           BIGINT GENERATED ALWAYS AS IDENTITY
);

-- live_until = LEAST(idle, absolute) is a stored generated column: "not past either expiry" is live_until > now.
-- browser_session_id's foreign key to browser_sessions is added by the sub-store schema, which creates that table.
CREATE TABLE sessions (
  id                   TEXT PRIMARY KEY,
  user_id              TEXT NOT NULL REFERENCES users (id),
  client_id            TEXT NOT NULL REFERENCES clients (client_id),
  device_name          TEXT NOT NULL,
  user_agent           TEXT NOT NULL,
  ip                   TEXT NOT NULL,
  remember_me          BOOLEAN NOT NULL,
  scope                TEXT NOT NULL,
  created_at           BIGINT NOT NULL,
  last_activity_at     BIGINT NOT NULL,
  idle_expires_at      BIGINT NOT NULL,
  absolute_expires_at  BIGINT NOT NULL,
  live_until           BIGINT GENERATED ALWAYS AS (LEAST(idle_expires_at, absolute_expires_at)) STORED,
  revoked_at           BIGINT,
  revoked_by           TEXT,
  revoke_reason        TEXT,
  refresh_count        INTEGER NOT NULL DEFAULT 0,
  browser_session_id   TEXT,
  refresh_ended_at     BIGINT,
  ord                  BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX sessions_user_activity ON sessions (user_id, last_activity_at, ord);
CREATE INDEX sessions_activity ON sessions (last_activity_at, ord);
CREATE INDEX sessions_live ON sessions (live_until) WHERE revoked_at IS NULL;
CREATE INDEX sessions_user_live ON sessions (user_id, live_until) WHERE revoked_at IS NULL;
CREATE INDEX sessions_live_activity ON sessions (last_activity_at, ord) WHERE revoked_at IS NULL;
CREATE INDEX sessions_revoked_activity ON sessions (last_activity_at, ord) WHERE revoked_at IS NOT NULL;
CREATE INDEX sessions_cant_refresh ON sessions (last_activity_at, ord) WHERE revoked_at IS NULL AND refresh_ended_at IS NOT NULL;
CREATE INDEX sessions_client_live ON sessions (client_id, live_until) WHERE revoked_at IS NULL;
CREATE INDEX sessions_browser_session ON sessions (browser_session_id) WHERE browser_session_id IS NOT NULL;

CREATE FUNCTION sessions_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM tw_tally('sessions', 1);
    IF NEW.revoked_at IS NOT NULL THEN PERFORM tw_tally('sessions_revoked', 1); END IF;
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM tw_tally('sessions', -1);
    IF OLD.revoked_at IS NOT NULL THEN PERFORM tw_tally('sessions_revoked', -1); END IF;
  ELSIF (OLD.revoked_at IS NULL) <> (NEW.revoked_at IS NULL) THEN
    PERFORM tw_tally('sessions_revoked', CASE WHEN NEW.revoked_at IS NULL THEN -1 ELSE 1 END);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER sessions_count AFTER INSERT OR DELETE OR UPDATE OF revoked_at ON sessions
  FOR EACH ROW EXECUTE FUNCTION sessions_count();

-- Only SHA-256 hashes: a raw token can never land here.
CREATE TABLE refresh_tokens (
  hash             TEXT PRIMARY KEY CHECK (hash ~ '^[0-9a-f]{64}$'),
  session_id       TEXT NOT NULL REFERENCES sessions (id),
  user_id          TEXT NOT NULL,
  client_id        TEXT NOT NULL,
  refresh_version  INTEGER NOT NULL,
  created_at       BIGINT NOT NULL,
  used_at          BIGINT,
  successor_hash   TEXT CHECK (successor_hash ~ '^[0-9a-f]{64}$'),
  revoked_at       BIGINT,
  used_ip          TEXT,
  used_user_agent  TEXT,
  ord              BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id, created_at, ord);
CREATE INDEX refresh_tokens_user_current ON refresh_tokens (user_id) WHERE revoked_at IS NULL AND used_at IS NULL;

CREATE TABLE access_tokens (
  jti         TEXT PRIMARY KEY,
  session_id  TEXT NOT NULL REFERENCES sessions (id),
  user_id     TEXT NOT NULL,
  client_id   TEXT NOT NULL,
  kid         TEXT NOT NULL,
  issued_at   BIGINT NOT NULL,
  expires_at  BIGINT NOT NULL,
  ord         BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX access_tokens_session ON access_tokens (session_id, issued_at, ord);
CREATE INDEX access_tokens_kid ON access_tokens (kid, expires_at);
CREATE INDEX access_tokens_expiry ON access_tokens (expires_at);

-- The revocation feed's event log (see the note above CORE). Ids are never reused: lastRevocationId also
-- reads meta 'revocations_high_water', written before a purge could remove the newest rows.
CREATE TABLE revocations (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind        TEXT NOT NULL CHECK (kind IN ('session', 'user', 'jti', 'key')),
  subject     TEXT NOT NULL,
  user_id     TEXT,
  not_before  BIGINT,
  expires_at  BIGINT,
  created_at  BIGINT NOT NULL,
  actor       TEXT NOT NULL,
  reason      TEXT
);
CREATE INDEX revocations_subject ON revocations (kind, subject);
CREATE INDEX revocations_jti_expiry ON revocations (expires_at) WHERE kind = 'jti';

CREATE TABLE signing_keys (
  kid             TEXT PRIMARY KEY,
  alg             TEXT NOT NULL CHECK (alg IN ('EdDSA', 'ES256', 'RS256')),
  public_jwk      TEXT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('next', 'active', 'retiring', 'retired', 'revoked')),
  created_at      BIGINT NOT NULL,
  retiring_since  BIGINT,
  retires_at      BIGINT,
  revoked_at      BIGINT,
  ord             BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE UNIQUE INDEX signing_keys_one_active_one_next_per_alg ON signing_keys (alg, status) WHERE status IN ('active', 'next');

CREATE TABLE audit (
  seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at          BIGINT NOT NULL,
  type        TEXT NOT NULL,
  actor       TEXT NOT NULL,
  user_id     TEXT,
  session_id  TEXT,
  reason      TEXT,
  data        JSON NOT NULL,
  prev_hash   TEXT NOT NULL,
  hash        TEXT NOT NULL
);
CREATE INDEX audit_type ON audit (type, seq);
CREATE INDEX audit_actor ON audit (actor, seq);
CREATE INDEX audit_user ON audit (user_id, seq) WHERE user_id IS NOT NULL;
CREATE INDEX audit_session ON audit (session_id, seq) WHERE session_id IS NOT NULL;
CREATE INDEX audit_at ON audit (at);
`;

/**
 * Two server-side functions, each saving round trips on a revocation's path.
 * tw_revoke_sessions revokes open sessions and their current refresh tokens (PgStore.revokeSessions) in one round trip, each by
 * exact index lookups (the session by key, its token through refresh_tokens_user_current) in id order, so two
 * revocations of the same sessions lock them in one order. Done here rather than as one UPDATE … = ANY: the
 * planner, its statistics behind a refresh load, picked bloated partial indexes for that.
 */
const ROUND_TRIP_FUNCTIONS = `
CREATE FUNCTION tw_revoke_sessions(p_ids TEXT[], p_at BIGINT, p_by TEXT, p_reason TEXT)
RETURNS TABLE (out_session_id TEXT, out_refresh_tokens INTEGER) LANGUAGE plpgsql AS $$
DECLARE
  sid TEXT;
  owner TEXT;
BEGIN
  FOR sid IN SELECT DISTINCT id FROM unnest(p_ids) AS ids(id) ORDER BY id LOOP
    UPDATE sessions SET revoked_at = p_at, revoked_by = p_by, revoke_reason = p_reason
      WHERE id = sid AND revoked_at IS NULL RETURNING user_id INTO owner;
    CONTINUE WHEN NOT FOUND;
    UPDATE refresh_tokens SET revoked_at = p_at
      WHERE user_id = owner AND session_id = sid AND revoked_at IS NULL AND used_at IS NULL;
    GET DIAGNOSTICS out_refresh_tokens = ROW_COUNT;
    out_session_id := sid;
    RETURN NEXT;
  END LOOP;
END $$;

-- The audit chain's head under the audit lock, announcing 'audit' with the commit (PgAuditTailStore.lockedHead),
-- in one round trip. The head is read by a statement of its own inside this VOLATILE function, so under READ
-- COMMITTED its snapshot is taken after the lock was granted and includes the previous holder's entry (one
-- outer statement that locked and read would read a snapshot from before its wait).
CREATE FUNCTION tw_locked_audit_head(p_namespace INTEGER, p_lock INTEGER, p_channel TEXT)
RETURNS TABLE (out_seq BIGINT, out_hash TEXT) LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(p_namespace, p_lock);
  PERFORM pg_notify(p_channel, 'audit');
  RETURN QUERY SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1;
END $$;
`;

export const PG_MIGRATIONS: readonly PgMigration[] = [
  { version: 1, sql: CORE },
  { version: 2, sql: SUB_STORE_SCHEMA },
  { version: 3, sql: KEY_SECRET_SCHEMA },
  { version: 4, sql: COORDINATION_SCHEMA },
  { version: 5, sql: FEED_PRESENCE_SCHEMA },
  { version: 6, sql: UNKNOWN_NAME_SCHEMA },
  { version: 7, sql: ROUND_TRIP_FUNCTIONS },
];

/** The schema version this build writes. */
export const PG_SCHEMA_VERSION = PG_MIGRATIONS.length;
